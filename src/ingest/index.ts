// Public surface of ingest: source text or files in, Paper[] with stable ids out.
export { parseSource, type ParseOptions } from './parse.js';
export { readSource, readSources, readText, readParsedJson, type TextReadOptions, type TextRead, SOURCE_EXTENSIONS, type ReadOptions, type SourceFileReport, type SourceRead } from './read.js';
export { toPapers } from './to-papers.js';
export { paperIdOf, sanitizeSourceId, sourceIdProblem, titleId } from './paper-id.js';
export { HF_LISTING_BOILERPLATE } from './hf-listing.js';
export { MAX_ABSTRACT_LENGTH, MAX_TITLE_LENGTH, cleanText } from './text.js';
export type { ParseResult, SkippedEntry, SkippedLine, SourceFormat } from './types.js';
export { decodeText } from './decode.js';
