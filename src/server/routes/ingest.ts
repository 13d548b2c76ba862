import { setImmediate } from 'node:timers/promises';
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Engine } from '../../engine.js';
import { PapertalkError } from '../../errors.js';
import { errorsFor, IngestJsonSchema, IngestResponseSchema } from '../schemas.js';

const route = createRoute({
  method: 'post',
  operationId: 'ingestPapers',
  path: '/api/ingest',
  summary: 'Add or update papers',
  description:
    'A JSON array of papers (or {papers: [...]}), or the text of a listing (Hugging Face daily-papers page, JSONL, BEIR corpus.jsonl, BibTeX, RIS, PubMed MEDLINE) sent as text/plain, a CSV/TSV export as text/csv or text/tab-separated-values, or an RIS export as application/x-research-info-systems. Both go through the same ingest as `papertalk ingest`: an unusable record is skipped and listed in `skipped`; a body with no usable paper is a 400. Papers already indexed with the same content are left unchanged; a changed abstract updates its paper.',
  request: {
    body: {
      // Not `required`: for a required body the validator parses every request as JSON,
      // which rejects text/plain listings. The handler checks that a body came.
      required: false,
      content: {
        'application/json': { schema: IngestJsonSchema },
        'text/plain': { schema: z.string().min(1).openapi({ example: 'Title of a paper\n\nIts abstract…' }) },
        'text/csv': { schema: z.string().min(1).openapi({ example: 'Title,Abstract\n"Title of a paper","Its abstract…"' }) },
        'application/x-research-info-systems': { schema: z.string().min(1).openapi({ example: 'TY  - JOUR\nTI  - Title of a paper\nAB  - Its abstract…\nER  - ' }) },
      },
    },
  },
  responses: {
    200: { content: { 'application/json': { schema: IngestResponseSchema } }, description: 'What changed' },
    ...errorsFor(400, 413, 415, 429, 507),
  },
});

/** What databases and reference managers send an RIS export as. */
const RIS_MEDIA_TYPE = 'application/x-research-info-systems';

export function registerIngestRoutes(app: OpenAPIHono, engine: Engine) {
  app.openapi(route, async (c) => {
    const started = performance.now();
    const type = c.req.header('content-type') ?? '';
    const json = type.includes('application/json');
    const ris = type.startsWith(RIS_MEDIA_TYPE);
    if (!json && !ris && !type.startsWith('text/')) {
      throw new PapertalkError('unsupported_media_type', 'content-type: send application/json (papers) or text/plain (a listing)', { field: 'content-type' });
    }
    // The route only picks the reading by content type; the ingest core does the rest.
    // Reading and parsing a large body ran without a break: let searches run before the ingest.
    await setImmediate();
    // A JSON body was parsed by the validator: the core reads its records from that, not again
    // from the text (which it scans only to put a skipped record on its line).
    if (json) return c.json(await ingested(engine.ingestFrom({ parsed: c.req.valid('json'), text: await c.req.text(), name: 'body' }), started), 200);
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.every((byte) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09)) {
      throw new PapertalkError('input_invalid', 'body: the listing text is empty', { field: 'body' });
    }
    // A CSV body is named as a .csv file would be: only the name makes the core read it as CSV.
    const name = type.startsWith('text/csv') ? 'body.csv' : type.startsWith('text/tab-separated-values') ? 'body.tsv' : ris ? 'body.ris' : 'body';
    return c.json(await ingested(engine.ingestFrom({ text: bytes, name }), started), 200);
  });
}

/** The report of an ingest, with how long the request took. */
async function ingested(report: ReturnType<Engine['ingestFrom']>, started: number) {
  return { ...(await report), took_ms: Math.round(performance.now() - started) };
}
