// Document frequencies for idf-weighted query coverage ("does this paper cover the question?").
// LanceDB's full-text index does not expose its term statistics, and analyzing a million
// abstracts in JavaScript would cost minutes, so they come from a sample: every paper while
// the index is small (exact, like the small backend), then one paper in SAMPLE_EVERY by a
// hash of its id. Membership is fixed when a paper is first seen, so updates stay consistent.
import { readFile } from 'node:fs/promises';
import type { Paper } from '../../types.js';
import { termsOf, tokenize } from '../../text/analyzer.js';
import { writeFileAtomic } from '../files.js';

/** Papers always sampled: corpora this small get exact statistics. */
const EXACT_UP_TO = 20_000;
const SAMPLE_EVERY = 16;

export class TermStats {
  private constructor(
    private readonly df: Map<string, number>,
    private readonly sampled: Set<string>,
  ) {}

  static empty(): TermStats {
    return new TermStats(new Map(), new Set());
  }

  static async read(file: string): Promise<TermStats> {
    return TermStats.parse(await readFile(file, 'utf8'));
  }

  /** From the JSON text `serialize` made (a file on disk, a row on object storage). */
  static parse(text: string): TermStats {
    const parsed = JSON.parse(text) as { df: [string, number][]; sampled: string[] };
    if (!Array.isArray(parsed.df) || !Array.isArray(parsed.sampled)) throw new Error('not a term statistics file');
    return new TermStats(new Map(parsed.df), new Set(parsed.sampled));
  }

  serialize(): string {
    return JSON.stringify({ df: [...this.df], sampled: [...this.sampled] });
  }

  write(file: string): Promise<void> {
    return writeFileAtomic(file, this.serialize());
  }

  clone(): TermStats {
    return new TermStats(new Map(this.df), new Set(this.sampled));
  }

  get sampleSize(): number {
    return this.sampled.size;
  }

  /** A paper seen for the first time. */
  add(paper: Paper): void {
    if (this.sampled.size >= EXACT_UP_TO && bucket(paper.id) !== 0) return;
    this.sampled.add(paper.id);
    for (const term of distinctTerms(paper)) this.df.set(term, (this.df.get(term) ?? 0) + 1);
  }

  isSampled(id: string): boolean {
    return this.sampled.has(id);
  }

  /** A sampled paper changed: its old terms go, its new ones come in. */
  replace(previous: Paper, next: Paper): void {
    if (!this.sampled.has(previous.id)) return;
    for (const term of distinctTerms(previous)) {
      const left = (this.df.get(term) ?? 1) - 1;
      if (left > 0) this.df.set(term, left);
      else this.df.delete(term);
    }
    this.sampled.delete(previous.id);
    this.sampled.add(next.id);
    for (const term of distinctTerms(next)) this.df.set(term, (this.df.get(term) ?? 0) + 1);
  }

  docFrequency(term: string): number {
    return this.df.get(term) ?? 0;
  }

  /** BM25's idf over the sample (never negative), as the small backend computes it over all papers. */
  idf(term: string): number {
    const n = this.sampled.size;
    const df = this.df.get(term) ?? 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }
}

/** The paper's distinct analyzed terms: analyze() of its text as a set, each distinct word analyzed once. */
function distinctTerms(paper: Paper): Set<string> {
  const terms = new Set<string>();
  for (const token of new Set(tokenize(`${paper.title} ${paper.abstract}`))) for (const term of termsOf(token)) terms.add(term);
  return terms;
}

/** A uniform bucket of the id (FNV-1a: a million ids hash in milliseconds; md5 took a second). */
function bucket(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  // FNV's low bits depend on the low bits of the characters only: mixed first (murmur3's finalizer).
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return ((hash ^ (hash >>> 16)) >>> 0) % SAMPLE_EVERY;
}
