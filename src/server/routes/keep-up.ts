// Keeping up with the literature over HTTP: imports (the page's "Import" button), similar
// papers, saved searches and what is new for them. Each route validates, calls the engine, shapes.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { DEFAULT_ARXIV_MAX, IMPORT_SOURCES, MAX_ARXIV_PAPERS, MAX_NEW_K, MAX_SAVED_QUERY_LENGTH, MAX_SIMILAR_K, type Engine } from '../../engine.js';
import { ErrorSchema, errorsFor, PaperSchema, SearchHitSchema, SearchModeSchema } from '../schemas.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

const ImportRequestSchema = z
  .object({
    source: z.enum(IMPORT_SOURCES),
    date: day.optional(),
    from: day.optional(),
    to: day.optional(),
    categories: z.array(z.string().min(1).max(40)).max(20).optional().openapi({ example: ['cs.CL'] }),
    max: z.number().int().min(1).max(MAX_ARXIV_PAPERS).optional().openapi({ description: `arXiv: at most this many entries (default ${DEFAULT_ARXIV_MAX})` }),
    page_size: z.number().int().min(1).max(2000).optional(),
  })
  .openapi('ImportRequest');

const ImportReportSchema = z
  .object({
    source: z.enum(IMPORT_SOURCES),
    from: z.string(),
    to: z.string(),
    categories: z.array(z.string()).optional(),
    resumed_from: z.number().int().optional(),
    requests: z.number().int(),
    fetched: z.number().int(),
    added: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    skipped: z.number().int(),
    total: z.number().int(),
    added_papers: z.array(z.object({ id: z.string(), title: z.string() })),
    skipped_entries: z.array(z.object({ where: z.string(), reason: z.string() })),
    took_ms: z.number(),
  })
  .openapi('ImportReport');

const SavedSearchSchema = z.object({ id: z.string(), query: z.string(), created_at: z.string() }).openapi('SavedSearch');

const NewHitSchema = PaperSchema.extend({
  snippet: z.string(),
  score: z.number(),
  retrievers: z.array(z.enum(['lexical', 'dense'])),
  coverage: z.number(),
  added_at: z.string(),
  matched: z.array(z.object({ id: z.string(), query: z.string(), coverage: z.number() })),
}).openapi('NewHit');

const NewResponseSchema = z
  .object({
    since: z.string(),
    until: z.string(),
    since_from: z.enum(['given', 'last_look', 'default']),
    added: z.number().int().openapi({ description: 'Papers added in the window, matching or not' }),
    searches: z.array(SavedSearchSchema),
    results: z.array(NewHitSchema),
  })
  .openapi('NewResponse');

const SimilarResponseSchema = z
  .object({ results: z.array(SearchHitSchema), mode: SearchModeSchema, took_ms: z.number() })
  .openapi('SimilarResponse');

const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });
const notFound = json(ErrorSchema, 'Unknown id');

const importRoute = createRoute({
  method: 'post',
  operationId: 'importPapers',
  path: '/api/import',
  summary: 'Import papers from Hugging Face daily papers or the arXiv API',
  description: 'Fetches and ingests day by day (hf-daily) or page by page (arxiv); re-running adds nothing twice, an interrupted run resumes. Answers when the import is done.',
  request: { body: { required: true, content: { 'application/json': { schema: ImportRequestSchema } } } },
  responses: { 200: json(ImportReportSchema, 'What the import added'), ...errorsFor(400, 413, 415, 429), 409: json(ErrorSchema, 'Another import is running'), 502: json(ErrorSchema, 'The source could not be reached or failed') },
});

const similarRoute = createRoute({
  method: 'get',
  operationId: 'similarPapers',
  path: '/api/papers/{id}/similar',
  summary: 'Papers similar to one paper (never itself)',
  request: {
    params: z.object({ id: z.string().min(1).max(300) }),
    query: z.object({ k: z.coerce.number().int().min(1).max(MAX_SIMILAR_K).default(10) }),
  },
  responses: { 200: json(SimilarResponseSchema, 'Similar papers, best first'), 404: notFound, ...errorsFor(400) },
});

const listSaved = createRoute({
  method: 'get',
  operationId: 'listSavedSearches',
  path: '/api/saved',
  summary: 'The saved searches',
  responses: { 200: json(z.object({ searches: z.array(SavedSearchSchema), last_look_at: z.string().optional() }), 'Saved searches'), ...errorsFor() },
});

const addSaved = createRoute({
  method: 'post',
  operationId: 'followSearch',
  path: '/api/saved',
  summary: 'Save a search to follow (the same query twice keeps one)',
  request: {
    body: { required: true, content: { 'application/json': { schema: z.object({ query: z.string().trim().min(1, 'must not be empty').max(MAX_SAVED_QUERY_LENGTH) }) } } },
  },
  responses: { 200: json(SavedSearchSchema, 'Already saved'), 201: json(SavedSearchSchema, 'Saved'), ...errorsFor(400, 413, 415) },
});

const removeSaved = createRoute({
  method: 'delete',
  operationId: 'unfollowSearch',
  path: '/api/saved',
  summary: 'Remove a saved search',
  request: { query: z.object({ id: z.string().min(1).max(MAX_SAVED_QUERY_LENGTH).openapi({ description: 'The saved search id (s-…) or its query' }) }) },
  responses: { 200: json(SavedSearchSchema, 'Removed'), 404: notFound, ...errorsFor(400) },
});

const newRoute = createRoute({
  method: 'get',
  operationId: 'whatsNew',
  path: '/api/new',
  summary: 'Papers added since a time that match any saved search, best first',
  description: 'Without `since`: since the last look (a week back before the first), and this look is recorded unless peek=true.',
  request: {
    query: z.object({
      since: z.string().max(40).refine((v) => !Number.isNaN(Date.parse(v)), 'must be a date or time, e.g. 2026-11-28 or 2026-11-28T09:00:00Z').optional(),
      k: z.coerce.number().int().min(1).max(MAX_NEW_K).default(50),
      peek: z.enum(['true', 'false']).optional(),
    }),
  },
  responses: { 200: json(NewResponseSchema, 'New papers for the saved searches'), ...errorsFor(400) },
});

export function registerKeepUpRoutes(app: OpenAPIHono, engine: Engine) {
  app.openapi(importRoute, async (c) => {
    const { page_size, ...request } = c.req.valid('json');
    // The client going away stops the import between requests; what arrived is kept.
    return c.json(await engine.importPapers({ ...request, pageSize: page_size }, { signal: c.req.raw.signal }), 200);
  });
  app.openapi(similarRoute, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(await engine.similar(id, c.req.valid('query').k), 200);
  });
  app.openapi(listSaved, async (c) => c.json(await engine.savedSearches(), 200));
  app.openapi(addSaved, async (c) => {
    const { search, created } = await engine.follow(c.req.valid('json').query);
    return created ? c.json(search, 201) : c.json(search, 200);
  });
  app.openapi(removeSaved, async (c) => c.json(await engine.unfollow(c.req.valid('query').id), 200));
  app.openapi(newRoute, async (c) => {
    const { since, k, peek } = c.req.valid('query');
    c.header('Cache-Control', 'no-store');
    return c.json(await engine.whatsNew({ since: since ? new Date(since) : undefined, k, peek: peek === 'true' }), 200);
  });
}
