// Shapes shared by the ingest parsers and file reader.
import type { PaperInput } from '../types.js';

export type SourceFormat = 'hf-listing' | 'jsonl' | 'json' | 'beir';

/** A record a parser could not use, and why. `line` is 1-based in the source text. */
export interface SkippedLine {
  line: number;
  reason: string;
}

export type { SkippedEntry } from '../types.js';

export interface ParseResult {
  format: SourceFormat;
  papers: PaperInput[];
  skipped: SkippedLine[];
}
