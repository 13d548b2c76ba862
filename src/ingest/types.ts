// Shapes shared by the ingest parsers and file reader.
import type { PaperInput, SkippedEntry } from '../types.js';

export type SourceFormat = 'hf-listing' | 'jsonl' | 'json' | 'beir' | 'bibtex' | 'csv' | 'ris' | 'medline' | 'atom' | 'pubmed-xml';

/** A record a parser could not use, and why: a SkippedEntry before it knows its source. */
export type SkippedLine = Omit<SkippedEntry, 'source'>;

export type { SkippedEntry } from '../types.js';

export interface ParseResult {
  format: SourceFormat;
  papers: PaperInput[];
  skipped: SkippedLine[];
}
