// Retrieval: lexical, dense, or both fused, folded to papers, with a snippet and query
// coverage for each result.
import type { Embedder } from '../index/embedder.js';
import type { IndexReader } from '../index/backend.js';
import { normalizeTitle } from '../ingest/paper-id.js';
import type { RetrieverName, SearchHit, SearchMode, SearchResponse } from '../types.js';
import { reciprocalRankFusion } from './fusion.js';
import { proximityBonus } from './proximity.js';
import { queryDefaults, understandQuery, type QuerySettings, type UnderstoodQuery } from './query.js';
import { retrievalEvidence, weightedTerms } from './evidence.js';
import { bestSnippet, coverage } from './snippet.js';

export interface SearchOptions {
  k: number;
  mode?: SearchMode;
}

/** How deep each retriever looks before fusion: enough for RRF to see agreement past the top k. */
const FUSION_DEPTH = 100;
/** Lexical candidates looked at even for a small k: the evidence reads the top few. */
const MIN_LEXICAL_DEPTH = 10;
/** Chunks fetched per wanted paper in dense search (a paper has ~3 chunks). */
const CHUNKS_PER_PAPER = 4;

export interface PaperRanking {
  id: string;
  score: number;
  /** For lexical hits: the plain BM25 score, before the proximity bonus. */
  bm25?: number;
  /** For lexical hits: the analyzed terms the paper matched (spares re-analyzing it for coverage). */
  matched?: string[];
  /** For dense hits: the best-matching chunk's span in the abstract. */
  span?: { start: number; end: number };
}

/** Which mode can actually run: dense needs a loaded model and vectors in the index. */
export function effectiveMode(requested: SearchMode, index: IndexReader, embedder?: Embedder): SearchMode {
  const denseReady = Boolean(embedder && index.vectors > 0);
  return denseReady ? requested : 'lexical';
}

/**
 * BM25 over the understood query (framing words down-weighted), then the top candidates
 * rescored with a bonus for query word pairs that stand together in the paper.
 */
export async function lexicalRanking(
  index: IndexReader,
  query: string | UnderstoodQuery,
  depth: number,
  settings: QuerySettings = queryDefaults,
): Promise<PaperRanking[]> {
  const understood = typeof query === 'string' ? understandQuery(query, settings) : query;
  const hits = await index.lexicalSearch(understood, Math.max(depth, settings.rerankDepth));
  const idf = (term: string) => index.idf(term);
  const candidates = settings.proximityWeight > 0 ? await index.getPapers(hits.slice(0, settings.rerankDepth).map((hit) => hit.id)) : new Map();
  const ranked = hits.map((hit, rank) => {
    const paper = candidates.get(hit.id);
    const bonus =
      rank < settings.rerankDepth && paper && settings.proximityWeight > 0
        ? settings.proximityWeight * proximityBonus(paper, understood.pairs, idf, settings.proximityWindow)
        : 0;
    return { id: hit.id, score: hit.score + bonus, bm25: hit.score, matched: hit.matched };
  });
  ranked.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
  return ranked.slice(0, depth);
}

export async function denseRanking(index: IndexReader, embedder: Embedder, query: string, depth: number): Promise<PaperRanking[]> {
  const queryVector = await embedder.embedQuery(query);
  const hits = await index.vectorSearch(queryVector, depth * CHUNKS_PER_PAPER);
  // A paper ranks by its best chunk (max-pooling over chunks).
  const best = new Map<string, PaperRanking>();
  for (const hit of hits) {
    if (best.has(hit.paperId)) continue;
    best.set(hit.paperId, { id: hit.paperId, score: hit.score, span: hit.span });
  }
  return [...best.values()].slice(0, depth);
}

export async function search(
  index: IndexReader,
  embedder: Embedder | undefined,
  query: string,
  options: SearchOptions,
): Promise<SearchResponse> {
  const started = performance.now();
  const mode = effectiveMode(options.mode ?? 'hybrid', index, embedder);
  const depth = Math.max(options.k, FUSION_DEPTH);
  const understood = understandQuery(query);

  // Lexical search runs in every mode: its scores are evidence even when dense ranks alone.
  const [lexical, dense] = await Promise.all([
    lexicalRanking(index, understood, mode === 'lexical' ? Math.max(options.k, MIN_LEXICAL_DEPTH) : depth),
    mode === 'lexical' ? [] : denseRanking(index, embedder!, query, mode === 'dense' ? options.k : depth),
  ]);

  const found = new Map<string, Set<RetrieverName>>();
  if (mode !== 'dense') for (const hit of lexical) found.set(hit.id, new Set(['lexical']));
  for (const hit of dense) (found.get(hit.id) ?? found.set(hit.id, new Set()).get(hit.id)!).add('dense');
  const spans = new Map(dense.map((hit) => [hit.id, hit.span]));
  const matched = new Map(lexical.map((hit) => [hit.id, hit.matched]));

  const fused = mode === 'hybrid' ? reciprocalRankFusion([lexical, dense]) : mode === 'dense' ? dense : lexical;
  const ranked = pinExactTitle(await index.paperIdByTitleKey(normalizeTitle(query)), fused, found);
  const terms = weightedTerms(understood, index);
  // A hit whose paper the index no longer holds (a vector of a removed chunk) is dropped.
  const top = ranked.slice(0, options.k + 10);
  const papers = await index.getPapers(top.map((hit) => hit.id));
  const results: SearchHit[] = top
    .filter(({ id }) => papers.has(id))
    .slice(0, options.k)
    .map(({ id, score }) => {
      const paper = papers.get(id)!;
      return {
        id: paper.id,
        title: paper.title,
        abstract: paper.abstract,
        ...(paper.date && { date: paper.date }),
        ...(paper.url && { url: paper.url }),
        ...(paper.authors && { authors: paper.authors }),
        snippet: bestSnippet(paper.abstract, terms, spans.get(id)),
        score: round(score),
        retrievers: [...found.get(id)!].sort(),
        coverage: round(coverageOf(terms, paper, matched.get(id))),
      };
    });
  const evidence = retrievalEvidence(index, understood, terms, lexical, dense);
  return { results, evidence, mode, took_ms: round(performance.now() - started, 2) };
}

/**
 * Idf-weighted share of the query's terms in the paper. A lexical hit already knows which
 * terms it matched (the index analyzed the paper the same way); other hits are analyzed here.
 */
function coverageOf(terms: Map<string, number>, paper: { title: string; abstract: string }, matched: string[] | undefined): number {
  if (!matched) return coverage(terms, `${paper.title} ${paper.abstract}`);
  let total = 0;
  let found = 0;
  const present = new Set(matched);
  for (const [term, idf] of terms) {
    total += idf;
    if (present.has(term)) found += idf;
  }
  return total === 0 ? 0 : found / total;
}

/**
 * A query that is exactly a paper's title (case and punctuation aside) asks for that paper:
 * it comes first whatever the fusion says, since a dense ranking that disagrees can push a
 * perfect title match down in RRF.
 */
function pinExactTitle(
  id: string | undefined,
  ranked: { id: string; score: number }[],
  found: Map<string, Set<RetrieverName>>,
): { id: string; score: number }[] {
  if (!id || ranked[0]?.id === id) return ranked;
  const score = ranked[0]?.score ?? 1;
  if (!found.has(id)) found.set(id, new Set(['lexical']));
  return [{ id, score }, ...ranked.filter((hit) => hit.id !== id)];
}

function round(value: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
