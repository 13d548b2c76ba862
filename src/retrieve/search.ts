// Retrieval: lexical, dense, or both fused, folded to papers, with a snippet and query
// coverage for each result.
import { isPapertalkError } from '../errors.js';
import type { Embedder } from '../index/embedder.js';
import type { IndexReader } from '../index/backend.js';
import { normalizeTitle } from '../text/titles.js';
import type { Paper, RetrieverName, SearchHit, SearchMode, SearchResponse } from '../types.js';
import { reciprocalRankFusion } from './fusion.js';
import { round, type PaperRanking } from './hit.js';
import { paperTerms } from './paper-terms.js';
import { proximityBonus } from './proximity.js';
import { titleBonus } from './title-match.js';
import { queryDefaults, understandQuery, type QuerySettings, type UnderstoodQuery } from './query.js';
import { retrievalEvidence, weightedTerms } from './evidence.js';
import { bestSnippet, coverage } from './snippet.js';

export interface SearchOptions {
  k: number;
  mode?: SearchMode;
  /** Only papers dated on or after this day (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`, inclusive). */
  from?: string;
  /** Only papers dated on or before this day (same forms, inclusive: `2024` is up to 2024-12-31). */
  to?: string;
}

/** A paper's date as `YYYY-MM-DD…`, whatever form the source gave it in; undefined when unreadable. */
function isoDate(date: string | undefined): string | undefined {
  if (!date) return undefined;
  if (/^\d{4}(-\d{2}){0,2}/.test(date)) return date;
  const time = Date.parse(date);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/** The ids of papers inside the date range, or undefined when no range was asked for. */
async function papersInRange(index: IndexReader, { from, to }: SearchOptions): Promise<{ ids: Set<string>; undated: number } | undefined> {
  if (!from && !to) return undefined;
  const ids = new Set<string>();
  let undated = 0;
  for (const [id, raw] of await index.paperDates()) {
    if (!raw) undated++;
    const date = isoDate(raw);
    // An undated paper cannot be said to fall in the range.
    if (!date) continue;
    if (from && date.slice(0, from.length) < from) continue;
    if (to && date.slice(0, to.length) > to) continue;
    ids.add(id);
  }
  return { ids, undated };
}

/** How deep each retriever looks before fusion: enough for RRF to see agreement past the top k. */
const FUSION_DEPTH = 100;
/** Lexical candidates looked at even for a small k: the evidence reads the top few. */
const MIN_LEXICAL_DEPTH = 10;
/** Chunks fetched per wanted paper in dense search (a paper has ~3 chunks). */
const CHUNKS_PER_PAPER = 4;


/** Which mode can actually run: dense needs a loaded model and vectors in the index. */
export function effectiveMode(requested: SearchMode, index: IndexReader, embedder?: Embedder): SearchMode {
  const denseReady = Boolean(embedder && index.vectors > 0);
  return denseReady ? requested : 'lexical';
}

/**
 * BM25 over the understood query (framing words down-weighted), then the top candidates
 * rescored with a bonus for query word pairs that stand together in the paper and for query
 * words in its title.
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
  const rescore = settings.proximityWeight > 0 || settings.titleWeight > 0;
  const candidates = rescore ? await index.getPapers(hits.slice(0, settings.rerankDepth).map((hit) => hit.id)) : new Map<string, Paper>();
  const ranked = hits.map((hit, rank) => {
    const paper = rank < settings.rerankDepth ? candidates.get(hit.id) : undefined;
    const bonus = paper
      ? settings.proximityWeight * proximityBonus(paper, understood.pairs, idf, settings.proximityWindow) +
        settings.titleWeight * titleBonus(paper, understood.weights, idf)
      : 0;
    // A backend that does not say which terms a paper matched (LanceDB): analyzed here for the
    // first candidates, which coverage and the evidence read.
    const matched = hit.matched ?? (rank < MATCHED_DEPTH && paper ? matchedTerms(understood, paper) : undefined);
    return { id: hit.id, score: hit.score + bonus, bm25: hit.score, matched };
  });
  ranked.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
  return ranked.slice(0, depth);
}

/** Lexical candidates whose matched terms are worked out when the backend does not give them. */
const MATCHED_DEPTH = 10;

function matchedTerms(understood: UnderstoodQuery, paper: Paper): string[] {
  const present = new Set(paperTerms(paper));
  return [...understood.weights.keys()].filter((term) => present.has(term));
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
  // Papers fetched for reranking are the results' papers too: each is fetched once per search.
  index = withPaperCache(index);
  let mode = effectiveMode(options.mode ?? 'hybrid', index, embedder);
  const range = await papersInRange(index, options);
  const allowed = range?.ids;
  // With a date range, look at every paper: the range may leave only a few of the best ones.
  const k = allowed ? index.papers : options.k;
  const depth = Math.max(k, FUSION_DEPTH);
  const keep = (ranking: PaperRanking[]) => (allowed ? ranking.filter((hit) => allowed.has(hit.id)) : ranking);
  const understood = understandQuery(query);
  // Looked up beside the rankings (on disk, a query of its own).
  const titleMatch = index.paperIdByTitleKey(normalizeTitle(query));
  titleMatch.catch(() => undefined);

  let dense: PaperRanking[] = [];
  if (mode !== 'lexical') {
    try {
      dense = keep(await denseRanking(index, embedder!, query, mode === 'dense' ? k : depth));
    } catch (error) {
      // An embedding server that went away (Ollama) costs the dense half, not the search: the
      // response says lexical ran.
      if (!isPapertalkError(error) || error.code !== 'embedder_unavailable') throw error;
      mode = 'lexical';
    }
  }
  // Lexical search runs in every mode: its scores are evidence even when dense ranks alone.
  const lexical = keep(await lexicalRanking(index, understood, mode === 'lexical' ? Math.max(k, MIN_LEXICAL_DEPTH) : depth));

  const found = new Map<string, Set<RetrieverName>>();
  if (mode !== 'dense') for (const hit of lexical) found.set(hit.id, new Set(['lexical']));
  for (const hit of dense) (found.get(hit.id) ?? found.set(hit.id, new Set()).get(hit.id)!).add('dense');
  const spans = new Map(dense.map((hit) => [hit.id, hit.span]));
  const matched = new Map(lexical.map((hit) => [hit.id, hit.matched]));

  const fused = mode === 'hybrid' ? reciprocalRankFusion([lexical, dense]) : mode === 'dense' ? dense : lexical;
  const ranked = pinExactTitle(await titleMatch, fused, found, allowed);
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
  const response: SearchResponse = { results, evidence, mode, took_ms: round(performance.now() - started, 2) };
  if (range && results.length < options.k && range.undated > 0) {
    response.notice = `${range.undated} of ${index.papers} papers carry no date and are left out by the date range.`;
  }
  return response;
}

/** `index`, remembering the papers getPapers returned (on disk, each fetch is a query). */
function withPaperCache(index: IndexReader): IndexReader {
  const seen = new Map<string, Paper>();
  const getPapers = async (ids: string[]) => {
    const missing = ids.filter((id) => !seen.has(id));
    if (missing.length > 0) for (const [id, paper] of await index.getPapers(missing)) seen.set(id, paper);
    const found = new Map<string, Paper>();
    for (const id of ids) {
      const paper = seen.get(id);
      if (paper) found.set(id, paper);
    }
    return found;
  };
  // A proxy, not a prototype copy: the reader's own lazily built caches must land on the reader.
  return new Proxy(index, { get: (target, name) => (name === 'getPapers' ? getPapers : Reflect.get(target, name, target)) });
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
  allowed: Set<string> | undefined,
): { id: string; score: number }[] {
  if (!id || ranked[0]?.id === id || (allowed && !allowed.has(id))) return ranked;
  const score = ranked[0]?.score ?? 1;
  if (!found.has(id)) found.set(id, new Set(['lexical']));
  return [{ id, score }, ...ranked.filter((hit) => hit.id !== id)];
}
