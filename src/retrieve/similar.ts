// "More like this": papers similar to one indexed paper. Lexically, a BM25 query made of the
// paper's most distinctive terms (tf x idf, terms no other paper has left out); with vectors, the
// nearest chunks to the paper's own chunks; both fused by reciprocal rank. Never the paper itself.
import { chunkEmbeddingText } from '../index/chunk.js';
import type { Embedder } from '../index/embedder.js';
import type { IndexSnapshot } from '../index/store.js';
import type { VectraReader } from '../index/vectra-backend.js';
import { PapertalkError } from '../errors.js';
import type { RetrieverName, SearchResponse } from '../types.js';

/** A ranking like a search's, without the question-level evidence (there is no question). */
export type SimilarResponse = Pick<SearchResponse, 'results' | 'mode' | 'took_ms'>;
import { reciprocalRankFusion } from './fusion.js';
import { paperHit, round } from './hit.js';
import { effectiveMode } from './search.js';
import { bestSnippet, coverage } from './snippet.js';

/** Terms of the paper that make up the query (the classic more-like-this size). */
export const SIMILAR_TERMS = 25;
export const MAX_SIMILAR_K = 50;
const DEPTH = 100;

/** The paper's distinctive terms with their weight: tf x idf, for terms at least one other paper has. */
export function distinctiveTerms(snapshot: IndexSnapshot, paper: { title: string; abstract: string }, limit = SIMILAR_TERMS): Map<string, number> {
  const lexical = snapshot.lexical;
  const counts = new Map<string, number>();
  for (const term of lexical.termsOfPaper(paper)) counts.set(term, (counts.get(term) ?? 0) + 1);
  // A term only this paper has cannot find another paper.
  const weighted = [...counts]
    .filter(([term]) => lexical.docFrequency(term) >= 2)
    .map(([term, tf]) => [term, tf * lexical.idf(term)] as const)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit);
  return new Map(weighted);
}

async function denseNeighbours(snapshot: IndexSnapshot, embedder: Embedder, id: string, depth: number) {
  const paper = snapshot.papers.get(id)!;
  const chunks = snapshot.chunks.get(id) ?? [];
  if (!snapshot.vectors || chunks.length === 0) return [];
  const vectors = await embedder.embed(chunks.map((chunk) => chunkEmbeddingText(paper, chunk)));
  const best = new Map<string, { id: string; score: number; span?: { start: number; end: number } }>();
  for (const vector of vectors) {
    for (const hit of await snapshot.vectors.query(vector, depth * 4)) {
      if (hit.paperId === id || !snapshot.papers.has(hit.paperId)) continue;
      const seen = best.get(hit.paperId);
      if (seen && seen.score >= hit.score) continue;
      const chunk = snapshot.chunks.get(hit.paperId)?.find((c) => c.id === hit.id);
      best.set(hit.paperId, { id: hit.paperId, score: hit.score, span: chunk && { start: chunk.start, end: chunk.end } });
    }
  }
  return [...best.values()].sort((a, b) => b.score - a.score).slice(0, depth);
}

/**
 * Up to `k` papers like paper `id`, best first, each with the snippet that shares most of the
 * paper's distinctive terms. Throws not_found for an unknown id.
 *
 * @example
 * const { results } = await similarPapers(reader, embedder, '2401.12345', 5);
 */
export async function similarPapers(reader: VectraReader, embedder: Embedder | undefined, id: string, k: number): Promise<SimilarResponse> {
  const snapshot = reader.snapshot;
  const started = performance.now();
  const paper = snapshot.papers.get(id);
  if (!paper) throw new PapertalkError('not_found', `no paper with id "${id.slice(0, 200)}"`, { field: 'id' });
  const mode = effectiveMode('hybrid', reader, embedder) === 'hybrid' ? 'hybrid' : 'lexical';
  const terms = distinctiveTerms(snapshot, paper);
  const lexical = snapshot.lexical
    .searchTerms(terms, DEPTH + 1)
    .filter((hit) => hit.id !== id)
    .map((hit) => ({ id: hit.id, score: hit.score }));
  const dense = mode === 'hybrid' ? await denseNeighbours(snapshot, embedder!, id, DEPTH) : [];
  const ranked = mode === 'hybrid' ? reciprocalRankFusion([lexical, dense]) : lexical;

  const found = new Map<string, Set<RetrieverName>>();
  for (const hit of lexical) found.set(hit.id, new Set(['lexical']));
  for (const hit of dense) (found.get(hit.id) ?? found.set(hit.id, new Set()).get(hit.id)!).add('dense');
  const spans = new Map(dense.map((hit) => [hit.id, hit.span]));
  // Snippets and coverage weigh the paper's terms by idf, as for a typed query.
  const idfs = new Map([...terms.keys()].map((term) => [term, snapshot.lexical.idf(term)]));
  const results = ranked.slice(0, k).map(({ id: hitId, score }) => {
    const other = snapshot.papers.get(hitId)!;
    return paperHit(other, {
      snippet: bestSnippet(other.abstract, idfs, spans.get(hitId)),
      score,
      retrievers: [...found.get(hitId)!].sort(),
      coverage: coverage(idfs, `${other.title} ${other.abstract}`),
    });
  });
  return { results, mode, took_ms: round(performance.now() - started, 2) };
}
