// Request and response schemas of the HTTP API. The routes validate with them and
// /api/openapi.json is generated from them, so the docs cannot drift from the code.
import { z } from '@hono/zod-openapi';
import { MAX_QUERY_CHARS, MAX_REPORTED_IDS, MAX_SEARCH_K, MAX_SOURCE_ID_LENGTH } from '../types.js';
import { DATE_BOUND } from '../engine.js';
import * as Contract from '../contract.js';
import { ERROR_CODES } from '../errors.js';

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES).openapi({ example: 'input_invalid' }),
      message: z.string().openapi({ example: 'query: must not be empty' }),
      field: z.string().optional().openapi({ example: 'query' }),
    }),
  })
  .openapi('Error');

export const SearchModeSchema = Contract.SearchModeSchema.openapi('SearchMode');

export const PaperSchema = Contract.PaperSchema.openapi('Paper');

/** A day, month or year: `YYYY-MM-DD`, `YYYY-MM` or `YYYY`. */
const DaySchema = z.string().regex(DATE_BOUND, 'must be YYYY, YYYY-MM or YYYY-MM-DD');
/** The date range of search and chat (the CLI's --since/--until). */
export const DateRangeFields = {
  from: DaySchema.optional().openapi({ description: 'Only papers dated on or after this day (inclusive); undated papers are left out.', example: '2024-01' }),
  to: DaySchema.optional().openapi({ description: 'Only papers dated on or before this day (inclusive: 2024 means up to 2024-12-31).', example: '2024-12-31' }),
};

export const SearchRequestSchema = z
  .object({
    query: z.string().trim().min(1, 'must not be empty').max(MAX_QUERY_CHARS, `must be at most ${MAX_QUERY_CHARS} characters`).openapi({
      example: 'how do I pick good pretraining data',
    }),
    k: z.number().int().min(1).max(MAX_SEARCH_K).default(10).openapi({ example: 5 }),
    mode: SearchModeSchema.optional().openapi({
      description: 'Default hybrid; falls back to lexical when no embedding model is loaded (with a `notice` when a mode was asked for).',
    }),
    ...DateRangeFields,
  })
  .openapi('SearchRequest');

export const SearchHitSchema = Contract.SearchHitSchema.openapi('SearchHit');

export const RetrievalEvidenceSchema = Contract.RetrievalEvidenceSchema.openapi('RetrievalEvidence', {
  description: 'What retrieval saw of the question as a whole: the signals behind "is this covered?".',
});

export const SearchResponseSchema = Contract.SearchResponseSchema.extend({
  results: z.array(SearchHitSchema),
  evidence: RetrievalEvidenceSchema,
}).openapi('SearchResponse');

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

// Each record is checked by the ingest core (the same rules as a JSONL file): an unusable one
// is skipped and reported, so the schema only requires a list.
const PaperRecordSchema = z.unknown().openapi({
  type: 'object',
  description:
    'A paper: {id?, title, abstract, date?, url?, authors?} (arXiv/Hugging Face export names work too: summary, published, link, arxiv_id). An unusable record is skipped and reported in `skipped`, not fatal.',
  example: { title: 'My paper', abstract: 'What it does…', url: 'https://example.org/p', authors: ['Ann Lee'] },
});

export const IngestJsonSchema = z
  .union([z.array(PaperRecordSchema).min(1).max(100_000), z.object({ papers: z.array(PaperRecordSchema).min(1).max(100_000) })])
  .openapi('IngestRequest');

export const SkippedEntrySchema = z
  .object({
    source: z.string().openapi({ description: 'The file, or "body" for a request body.', example: 'body' }),
    line: z.number().int().openapi({ description: '1-based line; 0 for the whole source.', example: 3 }),
    reason: z.string().openapi({ example: 'item 2: missing title' }),
    field: z.string().optional().openapi({ description: 'The field at fault, as a path into a JSON body.', example: 'papers[1].title' }),
  })
  .openapi('SkippedEntry');

export const IngestResponseSchema = z
  .object({
    added: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    total: z.number().int(),
    embedded: z.number().int(),
    ids: z.array(z.string()).openapi({ description: `The ids the papers sent are stored under, in order (the first ${MAX_REPORTED_IDS}): fetch one with GET /api/papers/{id}.` }),
    files: z.number().int(),
    skipped: z.array(SkippedEntrySchema).openapi({ description: 'Entries not ingested and why (the first 100).' }),
    skipped_total: z.number().int(),
    partial: z.boolean(),
    updated_ids: z.array(z.string()).openapi({ description: 'Ids of the updated papers (the first 100).' }),
    warnings: z
      .array(z.object({ id: z.string(), message: z.string() }))
      .openapi({ description: 'Updates that look like damage, e.g. an abstract cut to a prefix of itself.' }),
    took_ms: z.number(),
  })
  .openapi('IngestResponse');

/** A paper's id, as GET /api/papers/{id} and the MCP tool get_paper take it. */
export const PaperIdSchema = z.object({ id: z.string().min(1).max(300).openapi({ description: 'The id search results and citations give.' }) });

export const PaperListSchema = z
  .object({ papers: z.array(PaperSchema), total: z.number().int(), offset: z.number().int(), limit: z.number().int() })
  .openapi('PaperList');

export const HealthSchema = Contract.HealthSchema.openapi('Health');

/** Every error status a route can answer with, and when. */
const ERROR_DESCRIPTIONS = {
  400: 'Invalid input; `field` names the culprit.',
  401: 'A bearer token is required (PAPERTALK_TOKEN set, for writes or with PAPERTALK_AUTH_ALL) and was missing or wrong.',
  404: 'No such paper.',
  405: 'This path does not take this method; the `Allow` header lists the ones it takes.',
  413: 'The body is larger than allowed (PAPERTALK_MAX_BODY_BYTES; questions are capped lower).',
  415: 'The body is not of a content type this route takes.',
  429: 'Too many requests from this client (PAPERTALK_RATE_LIMIT_PER_MINUTE); `Retry-After` says when to retry.',
  507: 'The index could not be written (disk full or not writable); the old index is still served.',
} as const;

export type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

/**
 * OpenAPI responses for the error statuses a route can give. 401 and 405 apply to every route,
 * so they are always included.
 * @example
 * responses: { 200: …, ...errorsFor(400, 413, 415, 429) }
 */
export function errorsFor<S extends ErrorStatus>(...statuses: S[]) {
  const all = [...new Set<ErrorStatus>([...statuses, 401, 405])].sort();
  type Response = { content: { 'application/json': { schema: typeof ErrorSchema } }; description: string };
  return Object.fromEntries(
    all.map((status) => [status, { content: { 'application/json': { schema: ErrorSchema } }, description: ERROR_DESCRIPTIONS[status] }]),
  ) as Record<S | 401 | 405, Response>;
}

/** The errors of a route that validates a JSON body or query. */
export const errorResponses = errorsFor(400, 413, 415);
