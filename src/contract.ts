// The shapes papertalk answers with, as schemas: a paper, a ranked hit, and a search response
// with its evidence. src/types.ts infers the types from these (type-only, so what imports the
// types never loads zod), and the HTTP API names them for its OpenAPI document as they are.
import { z } from 'zod';
import { BACKENDS, EMBED_PROVIDERS } from './choices.js';

/** A paper as the index stores it. `id` is stable across re-ingests. */
export const PaperSchema = z.object({
  id: z.string(),
  title: z.string(),
  abstract: z.string(),
  date: z.string().optional(),
  url: z.string().optional(),
  authors: z.array(z.string()).optional(),
  upvotes: z.number().int().optional().describe('Hugging Face daily-papers upvotes'),
  categories: z.array(z.string()).optional().describe('arXiv categories, primary first'),
  arxiv_url: z.string().optional().describe('The arXiv abstract page'),
  added_at: z.string().optional().describe('When this index first saw the paper (ISO 8601); absent for papers of older indexes'),
});

export const SearchModeSchema = z.enum(['lexical', 'dense', 'hybrid']);
export const RetrieverNameSchema = z.enum(['lexical', 'dense']);

/** One paper in a ranked result list. */
export const SearchHitSchema = PaperSchema.extend({
  snippet: z.string().describe('The passage of the abstract that best matches the query: "why this paper".'),
  score: z.number().describe('Fused score; higher is better. Comparable within one result list only.'),
  retrievers: z.array(RetrieverNameSchema).describe('Which retrievers ranked this paper.'),
  coverage: z.number().describe("Idf-weighted share of the query's terms found in the paper's title and abstract, 0..1 (comparable across queries)."),
});

/**
 * What retrieval saw of the question as a whole, beside the ranking: the signals behind the
 * answer step's "is this covered?" decision (src/answer/coverage.ts). Each is comparable across
 * questions, unlike a fused score.
 */
export const RetrievalEvidenceSchema = z.object({
  known_terms: z.number().describe("Idf-weighted share of the question's content words found in some indexed paper, 0..1."),
  unknown_terms: z.array(z.string()).describe("The question's content words no indexed paper contains, as the user wrote them."),
  unmatched_terms: z
    .array(z.string())
    .describe("The question's content words some indexed paper contains but none of the top lexical candidates do, heaviest first, as the user wrote them."),
  top_coverage: z.number().describe("Best idf-weighted share of the question's content words in one of the top lexical candidates, 0..1."),
  lexical_strength: z.number().describe("The best BM25 score over the most the question's words could score (each at full weight), 0..1."),
  dense_top: z.number().optional().describe('Cosine of the best chunk (dense and hybrid modes).'),
  dense_z: z.number().optional().describe('How far the best cosine stands above the other candidates, in standard deviations.'),
});

export const SearchResponseSchema = z.object({
  results: z.array(SearchHitSchema),
  evidence: RetrievalEvidenceSchema,
  mode: SearchModeSchema.describe('The mode that actually ran (dense and hybrid degrade to lexical when no model is loaded).'),
  took_ms: z.number(),
  notice: z.string().optional().describe('Why the results may differ from what was asked: a mode that could not run, papers without dates.'),
});

/** Where the index is and how far the version served is behind the newest one committed. Never credentials. */
export const IndexStatusSchema = z.object({
  storage: z.string().describe('local, or the object store: s3, s3+ddb, gs, az, abfss'),
  version: z.number().int().nullable().describe('Commit number served (LanceDB; null on vectra or before the first commit)'),
  committed_at: z.string().nullable(),
  latest_version: z.number().int().nullable().describe('Newest commit seen by the last check for one made by another process or machine'),
  behind: z.number().int().describe('Commits the served version is behind the newest (0: up to date)'),
  behind_ms: z.number().int().describe('Age of the newest commit not served yet (0 when up to date)'),
  checked_at: z.string().nullable().describe('When the store was last checked for a newer commit'),
  refresh_ms: z.number().int().describe('How often the index is checked for newer commits (PAPERTALK_INDEX_REFRESH_MS)'),
  error: z.string().optional().describe('Why the last check failed (the object store away)'),
});

/** Whether Ollama answers and has the model, from a briefly cached probe. */
export const LlmStatusSchema = z.object({
  reachable: z.boolean(),
  host: z.string(),
  model: z.string(),
  model_available: z.boolean(),
  reason: z.string().optional(),
});

/** What the engine reports of itself: the index, its freshness, the search modes and the embedding model. */
export const EngineHealthSchema = z.object({
  status: z.enum(['ok', 'degraded']).describe('degraded: no embedding model (lexical search only), or the index store could not be checked'),
  backend: z.enum(BACKENDS).describe('vectra (small corpora, in memory) or lancedb (large ones, on disk or object storage)'),
  papers: z.number().int(),
  chunks: z.number().int(),
  vectors: z.number().int(),
  index_dir: z.string().describe('The index location, credentials in a URI hidden'),
  generation: z.string().nullable(),
  index: IndexStatusSchema,
  search_modes: z.array(SearchModeSchema),
  embedding: z.object({
    loaded: z.boolean(),
    provider: z.enum(EMBED_PROVIDERS),
    model: z.string(),
    dim: z.number().optional(),
    reason: z.string().optional().describe('Why no model is loaded, in words a user can act on'),
  }),
});

/** GET /api/health: the engine's report and, where a server runs the chat, the LLM's. */
export const HealthSchema = EngineHealthSchema.extend({ llm: LlmStatusSchema.optional() });
