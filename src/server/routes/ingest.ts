import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Engine } from '../../engine.js';
import { PapertalkError } from '../../errors.js';
import { parseSource } from '../../ingest/index.js';
import type { PaperInput } from '../../types.js';
import { errorResponses, IngestJsonSchema, IngestResponseSchema } from '../schemas.js';

const route = createRoute({
  method: 'post',
  path: '/api/ingest',
  summary: 'Add or update papers',
  description:
    'A JSON array of papers (or {papers: [...]}), or the text of a listing (Hugging Face daily-papers page, JSONL, BEIR corpus.jsonl) sent as text/plain. Papers already indexed with the same content are left unchanged; a changed abstract updates its paper.',
  request: {
    body: {
      // Not `required`: for a required body the validator parses every request as JSON,
      // which rejects text/plain listings. The handler checks that a body came.
      required: false,
      content: {
        'application/json': { schema: IngestJsonSchema },
        'text/plain': { schema: z.string().min(1).openapi({ example: 'Title of a paper\n\nIts abstract…' }) },
      },
    },
  },
  responses: {
    200: { content: { 'application/json': { schema: IngestResponseSchema } }, description: 'What changed' },
    ...errorResponses,
  },
});

function splitAuthors(authors: string | string[] | undefined): string[] | undefined {
  if (authors === undefined || Array.isArray(authors)) return authors;
  return authors.split(/\s*[,;]\s*|\s+and\s+/).filter(Boolean);
}

export function registerIngestRoutes(app: OpenAPIHono, engine: Engine) {
  app.openapi(route, async (c) => {
    const started = performance.now();
    const type = c.req.header('content-type') ?? '';
    let papers: PaperInput[];
    let skipped = 0;
    if (type.includes('application/json')) {
      const body = c.req.valid('json') as z.infer<typeof IngestJsonSchema>;
      const list = Array.isArray(body) ? body : body.papers;
      papers = list.map((paper) => ({ ...paper, authors: splitAuthors(paper.authors) }));
    } else if (type.startsWith('text/')) {
      const text = await c.req.text();
      if (!text.trim()) throw new PapertalkError('input_invalid', 'body: the listing text is empty', { field: 'body' });
      const parsed = parseSource(text, {});
      papers = parsed.papers;
      skipped = parsed.skipped.length;
    } else {
      throw new PapertalkError('input_invalid', 'body: send application/json (papers) or text/plain (a listing)', { field: 'content-type' });
    }
    const counts = await engine.ingest(papers);
    return c.json({ ...counts, skipped, took_ms: Math.round(performance.now() - started) }, 200);
  });
}
