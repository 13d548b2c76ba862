// Request and response schemas of the HTTP API. The routes validate with them and
// /api/openapi.json is generated from them, so the docs cannot drift from the code.
import { z } from '@hono/zod-openapi';
import { MAX_SOURCE_ID_LENGTH } from '../ingest/index.js';
import { MAX_REPORTED_IDS } from '../types.js';

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'input_invalid' }),
      message: z.string().openapi({ example: 'query: must not be empty' }),
      field: z.string().optional().openapi({ example: 'query' }),
    }),
  })
  .openapi('Error');

export const SearchModeSchema = z.enum(['lexical', 'dense', 'hybrid']).openapi('SearchMode');

export const PaperSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    abstract: z.string(),
    date: z.string().optional(),
    url: z.string().optional(),
    authors: z.array(z.string()).optional(),
    upvotes: z.number().int().optional().openapi({ description: 'Hugging Face daily-papers upvotes' }),
    categories: z.array(z.string()).optional().openapi({ description: 'arXiv categories, primary first' }),
    arxiv_url: z.string().optional().openapi({ description: 'The arXiv abstract page' }),
    added_at: z.string().optional().openapi({ description: 'When this index first saw the paper (ISO 8601)' }),
  })
  .openapi('Paper');

/** A day, month or year: `YYYY-MM-DD`, `YYYY-MM` or `YYYY`. */
const DaySchema = z.string().regex(/^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/, 'must be YYYY, YYYY-MM or YYYY-MM-DD');

export const SearchRequestSchema = z
  .object({
    query: z.string().trim().min(1, 'must not be empty').max(2000, 'must be at most 2000 characters').openapi({
      example: 'how do I pick good pretraining data',
    }),
    k: z.number().int().min(1).max(100).default(10).openapi({ example: 5 }),
    mode: SearchModeSchema.optional().openapi({ description: 'Default hybrid; falls back to lexical when no embedding model is loaded.' }),
    from: DaySchema.optional().openapi({ description: 'Only papers dated on or after this day (inclusive); undated papers are left out.', example: '2024-01' }),
    to: DaySchema.optional().openapi({ description: 'Only papers dated on or before this day (inclusive: 2024 means up to 2024-12-31).', example: '2024-12-31' }),
  })
  .openapi('SearchRequest');

export const SearchHitSchema = PaperSchema.extend({
  snippet: z.string().openapi({ description: 'The passage of the abstract that best matches the query.' }),
  score: z.number(),
  retrievers: z.array(z.enum(['lexical', 'dense'])),
  coverage: z.number().openapi({ description: 'Idf-weighted share of the query terms found in the paper, 0..1.' }),
}).openapi('SearchHit');

export const RetrievalEvidenceSchema = z
  .object({
    known_terms: z.number().openapi({ description: "Idf-weighted share of the question's content words found in some indexed paper, 0..1." }),
    unknown_terms: z.array(z.string()).openapi({ description: "The question's content words no indexed paper contains." }),
    top_coverage: z.number().openapi({ description: "Best idf-weighted share of the question's content words in one of the top lexical candidates, 0..1." }),
    lexical_strength: z.number().openapi({ description: 'Best BM25 score over the most the question could score, 0..1.' }),
    dense_top: z.number().optional().openapi({ description: 'Cosine of the best chunk (dense and hybrid modes).' }),
    dense_z: z.number().optional().openapi({ description: 'How far the best cosine stands above the other candidates, in standard deviations.' }),
  })
  .openapi('RetrievalEvidence', { description: 'What retrieval saw of the question as a whole: the signals behind "is this covered?".' });

export const SearchResponseSchema = z
  .object({
    results: z.array(SearchHitSchema),
    evidence: RetrievalEvidenceSchema,
    mode: SearchModeSchema.openapi({ description: 'The mode that ran.' }),
    took_ms: z.number(),
  })
  .openapi('SearchResponse');

export const PaperInputSchema = z
  .object({
    id: z.string().max(MAX_SOURCE_ID_LENGTH).optional().openapi({ description: 'Kept exactly as given; escape it in URLs (encodeURIComponent).' }),
    title: z.string().trim().min(1, 'must not be empty').max(1000),
    abstract: z.string().trim().min(1, 'must not be empty').max(20_000),
    date: z.string().max(100).optional(),
    url: z.string().max(2000).optional(),
    authors: z.union([z.array(z.string().max(500)).max(1000), z.string().max(20_000)]).optional(),
  })
  .openapi('PaperInput');

export const IngestJsonSchema = z
  .union([z.array(PaperInputSchema).min(1).max(100_000), z.object({ papers: z.array(PaperInputSchema).min(1).max(100_000) })])
  .openapi('IngestRequest');

export const IngestResponseSchema = z
  .object({
    added: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    total: z.number().int(),
    embedded: z.number().int(),
    ids: z.array(z.string()).openapi({ description: `The ids the papers sent are stored under, in order (the first ${MAX_REPORTED_IDS}): fetch one with GET /api/papers/{id}.` }),
    skipped: z.number().int().openapi({ description: 'Entries of a listing text that could not be read as papers.' }),
    took_ms: z.number(),
  })
  .openapi('IngestResponse');

/** A paper's id, as GET /api/papers/{id} and the MCP tool get_paper take it. */
export const PaperIdSchema = z.object({ id: z.string().min(1).max(300).openapi({ description: 'The id search results and citations give.' }) });

export const PaperListSchema = z
  .object({ papers: z.array(PaperSchema), total: z.number().int(), offset: z.number().int(), limit: z.number().int() })
  .openapi('PaperList');

export const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    papers: z.number().int(),
    chunks: z.number().int(),
    vectors: z.number().int(),
    index_dir: z.string(),
    generation: z.string().nullable(),
    search_modes: z.array(SearchModeSchema),
    embedding: z.object({
      loaded: z.boolean(),
      provider: z.enum(['transformers', 'ollama']),
      model: z.string(),
      dim: z.number().optional(),
      reason: z.string().optional(),
    }),
    llm: z
      .object({
        reachable: z.boolean(),
        host: z.string(),
        model: z.string(),
        model_available: z.boolean().optional(),
        reason: z.string().optional(),
      })
      .optional(),
  })
  .openapi('Health');

export const errorResponses = {
  400: { content: { 'application/json': { schema: ErrorSchema } }, description: 'Invalid input; `field` names the culprit.' },
} as const;
