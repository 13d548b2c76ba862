// The persisted lexical index: BM25 by MiniSearch over title and abstract.
import MiniSearch, { type AsPlainObject } from 'minisearch';
import { timeSlicer } from './plan.js';
import type { Paper } from '../types.js';
import { analyzerDefaults, createAnalyzer, tokenize, type Analyzer, type AnalyzerOptions } from '../text/analyzer.js';

export interface LexicalSettings {
  k1: number;
  b: number;
  /**
   * 'combined': one field holding title + abstract, so a term has one idf and one length
   * norm (Anserini's "flat" index). 'separate': BM25 per field, summed with the boosts below.
   */
  fields: 'combined' | 'separate';
  /** Weight of a title match: the title field's boost, or for 'combined' an extra title field (0: none). */
  titleBoost: number;
  /** Weight of an abstract match ('separate' only). */
  abstractBoost: number;
  analyzer: AnalyzerOptions;
}

/**
 * BM25 settings and fields, chosen on SciFact's train split (bench/tune-lexical.ts), nDCG@10:
 * separate title/abstract fields 0.6537, one combined field 0.6819 (k1=0.9, b=0.4), an extra
 * title field on top 0.6794; k1 x b grid best at k1=1.2, b=0.5 (0.6837; the surface is flat
 * within 0.01 for k1 0.9-1.5, b 0.3-0.9).
 */
export const lexicalDefaults: LexicalSettings = {
  k1: 1.2,
  b: 0.5,
  fields: 'combined',
  titleBoost: 0,
  abstractBoost: 1.0,
  analyzer: analyzerDefaults,
};

export interface LexicalHit {
  id: string;
  score: number;
  /** Distinct analyzed query terms this paper contains. */
  matched: string[];
}

interface LexicalDoc {
  id: string;
  title: string;
  abstract: string;
}

function fieldsOf(settings: LexicalSettings): { fields: string[]; boost: Record<string, number> } {
  if (settings.fields === 'separate') {
    return { fields: ['title', 'abstract'], boost: { title: settings.titleBoost, abstract: settings.abstractBoost } };
  }
  return settings.titleBoost > 0
    ? { fields: ['text', 'title'], boost: { text: 1, title: settings.titleBoost } }
    : { fields: ['text'], boost: { text: 1 } };
}

function miniSearchOptions(settings: LexicalSettings, analyzer: Analyzer) {
  const { fields, boost } = fieldsOf(settings);
  return {
    fields,
    storeFields: [] as string[],
    extractField: (doc: LexicalDoc, field: string) => (field === 'text' ? `${doc.title} ${doc.abstract}` : doc[field as keyof LexicalDoc]),
    tokenize,
    processTerm: analyzer.termsOf,
    searchOptions: {
      processTerm: analyzer.queryTermsOf,
      combineWith: 'OR' as const,
      prefix: false,
      fuzzy: false,
      boost,
      bm25: { k: settings.k1, b: settings.b, d: 0 },
    },
  };
}

/** What an index file was built with; it must match the settings it is opened with. */
function layoutOf(settings: LexicalSettings) {
  return { fields: fieldsOf(settings).fields, analyzer: settings.analyzer };
}

/** The file was written with other fields or analyzer settings (an older papertalk). */
export class LexicalLayoutMismatch extends Error {
  override name = 'LexicalLayoutMismatch';
}

export class LexicalIndex {
  private constructor(
    private readonly search_: MiniSearch<LexicalDoc>,
    /** Document frequency of each term (title or abstract), for idf-weighted query coverage. */
    private readonly docFreq: Map<string, number>,
    private readonly settings: LexicalSettings,
    private readonly analyzer: Analyzer,
  ) {}

  /** An empty index; `settings` other than the defaults are for tuning (bench/tune-lexical.ts). */
  static empty(settings: LexicalSettings = lexicalDefaults): LexicalIndex {
    const analyzer = createAnalyzer(settings.analyzer);
    return new LexicalIndex(new MiniSearch<LexicalDoc>(miniSearchOptions(settings, analyzer)), new Map(), settings, analyzer);
  }

  static fromJSON(json: string, settings: LexicalSettings = lexicalDefaults): LexicalIndex {
    const parsed = JSON.parse(json) as { minisearch: unknown; docFreq: [string, number][]; layout?: unknown };
    return LexicalIndex.fromParts(parsed, settings);
  }

  private static fromParts(
    parts: { minisearch: unknown; docFreq: Iterable<[string, number]>; layout?: unknown },
    settings: LexicalSettings,
  ): LexicalIndex {
    const expected = JSON.stringify(layoutOf(settings));
    if (JSON.stringify(parts.layout) !== expected) {
      // An index written by an older papertalk (other fields or analyzer) would silently miss terms.
      throw new LexicalLayoutMismatch(`the lexical index was built with other settings (${JSON.stringify(parts.layout ?? 'unknown')}, expected ${expected})`);
    }
    const analyzer = createAnalyzer(settings.analyzer);
    const search = MiniSearch.loadJS<LexicalDoc>(parts.minisearch as never, miniSearchOptions(settings, analyzer));
    return new LexicalIndex(search, new Map(parts.docFreq), settings, analyzer);
  }

  toJSON(): string {
    return JSON.stringify({ layout: layoutOf(this.settings), minisearch: this.search_.toJSON(), docFreq: [...this.docFreq] });
  }

  /**
   * The same JSON as toJSON(), in pieces of about a thousand terms: written piece by piece, a
   * large index never blocks the event loop for the whole serialization.
   */
  *jsonChunks(plain: AsPlainObject = this.search_.toJSON()): Generator<string> {
    const { index, ...rest } = plain;
    const head = JSON.stringify({ layout: layoutOf(this.settings), docFreq: [...this.docFreq], minisearch: { ...rest, index: [] } });
    // Splice the index entries into the empty "index":[] that closes the head.
    const at = head.lastIndexOf('"index":[]') + '"index":['.length;
    yield head.slice(0, at);
    for (let i = 0; i < index.length; i += 1000) yield (i > 0 ? ',' : '') + index.slice(i, i + 1000).map((entry) => JSON.stringify(entry)).join(',');
    yield head.slice(at);
  }

  /** clone() that yields to the event loop while it copies (MiniSearch's async loader). */
  async cloneAsync(): Promise<LexicalIndex> {
    const plain = await this.plainAsync();
    // The loader builds new maps for the index; only the average field lengths would be shared.
    const search = await MiniSearch.loadJSAsync<LexicalDoc>({ ...plain, averageFieldLength: [...plain.averageFieldLength] }, miniSearchOptions(this.settings, this.analyzer));
    return new LexicalIndex(search, new Map(this.docFreq), this.settings, this.analyzer);
  }

  /**
   * MiniSearch's toJSON(), built in slices: at 15k papers the synchronous one blocked the event
   * loop for ~0.5 s, twice an ingest. Follows MiniSearch 7's own toJSON over its fields.
   */
  async plainAsync(pause = timeSlicer()): Promise<AsPlainObject> {
    const inner = this.search_ as unknown as MiniSearchInternals;
    const index: AsPlainObject['index'] = [];
    for (const [term, fieldIndex] of inner._index) {
      const data: Record<string, Record<string, number>> = {};
      for (const [fieldId, freqs] of fieldIndex) data[fieldId] = Object.fromEntries(freqs);
      index.push([term, data]);
      if (index.length % 256 === 0) await pause();
    }
    return {
      documentCount: inner._documentCount,
      nextId: inner._nextId,
      documentIds: Object.fromEntries(inner._documentIds),
      fieldIds: inner._fieldIds,
      fieldLength: Object.fromEntries(inner._fieldLength),
      averageFieldLength: inner._avgFieldLength,
      storedFields: Object.fromEntries(inner._storedFields),
      dirtCount: inner._dirtCount,
      index,
      serializationVersion: 2,
    };
  }

  /** An independent copy, so a new index generation can change without touching this one. */
  clone(): LexicalIndex {
    // structuredClone, not toJSON() alone: MiniSearch's plain form still shares arrays (average
    // field lengths) that a later add() changes in place. No string round trip is needed.
    return LexicalIndex.fromParts(
      { layout: layoutOf(this.settings), minisearch: structuredClone(this.search_.toJSON()), docFreq: this.docFreq },
      this.settings,
    );
  }

  get size(): number {
    return this.search_.documentCount;
  }

  has(id: string): boolean {
    return this.search_.has(id);
  }

  add(paper: Paper): void {
    this.search_.add({ id: paper.id, title: paper.title, abstract: paper.abstract });
    for (const term of this.distinctTerms(paper)) this.docFreq.set(term, (this.docFreq.get(term) ?? 0) + 1);
  }

  remove(paper: Paper): void {
    if (!this.search_.has(paper.id)) return;
    this.search_.discard(paper.id);
    for (const term of this.distinctTerms(paper)) {
      const left = (this.docFreq.get(term) ?? 1) - 1;
      if (left > 0) this.docFreq.set(term, left);
      else this.docFreq.delete(term);
    }
  }

  search(query: string, k: number): LexicalHit[] {
    // Each distinct term is looked up once, weighted by how often the query has it: the same
    // BM25 as a term-by-term search, without a 2,000-character query repeating one word
    // costing hundreds of lookups.
    const counts = new Map<string, number>();
    for (const term of this.analyzer.analyzeQuery(query)) counts.set(term, (counts.get(term) ?? 0) + 1);
    return this.searchTerms(counts, k);
  }

  /**
   * BM25 with a weight per analyzed term (score = sum of weight x BM25 of the term), for
   * expanded queries such as pseudo-relevance feedback. Terms are taken as they are, not re-analyzed.
   */
  searchTerms(weights: ReadonlyMap<string, number>, k: number): LexicalHit[] {
    const terms = [...weights.keys()];
    if (terms.length === 0) return [];
    const hits = this.search_.search(terms.join(' '), {
      tokenize: (text) => text.split(' '),
      processTerm: (term) => term,
      boostTerm: (term) => weights.get(term) ?? 0,
    });
    return this.rank(hits, k);
  }

  /** Analyzed terms of a paper's title and abstract, in order, with repeats (its "document vector"). */
  termsOfPaper(paper: Pick<Paper, 'title' | 'abstract'>): string[] {
    return this.analyzer.analyze(`${paper.title} ${paper.abstract}`);
  }

  private rank(hits: { id: unknown; score: number; terms: string[]; queryTerms: string[] }[], k: number): LexicalHit[] {
    // MiniSearch multiplies each score by the number of matched query terms; undo that
    // so the ranking is plain BM25.
    return hits
      .map((hit) => ({
        id: String(hit.id),
        score: hit.score / Math.max(1, hit.queryTerms.length),
        matched: hit.terms,
      }))
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
      .slice(0, k);
  }

  /** How many papers contain an analyzed term (title or abstract). */
  docFrequency(term: string): number {
    return this.docFreq.get(term) ?? 0;
  }

  /** Inverse document frequency of an analyzed term (BM25's form, never negative). */
  idf(term: string): number {
    const n = this.size;
    const df = this.docFreq.get(term) ?? 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  private distinctTerms(paper: Paper): Set<string> {
    return new Set(this.analyzer.analyze(`${paper.title} ${paper.abstract}`));
  }
}

/** The fields of a MiniSearch 7 instance its toJSON() reads (private by convention, not by language). */
interface MiniSearchInternals {
  _index: Iterable<[string, Map<number, Map<number, number>>]>;
  _documentCount: number;
  _nextId: number;
  _documentIds: Map<number, unknown>;
  _fieldIds: Record<string, number>;
  _fieldLength: Map<number, number[]>;
  _avgFieldLength: number[];
  _storedFields: Map<number, unknown>;
  _dirtCount: number;
}
