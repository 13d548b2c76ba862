import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { EXPORT_FORMATS, EXPORT_MEDIA, MAX_EXPORT_PAPERS, type Engine } from '../../engine.js';
import { errorsFor } from '../schemas.js';

export const ExportRequestSchema = z
  .object({
    ids: z
      .array(z.string().min(1).max(300))
      .min(1, 'must hold at least one paper id')
      .max(MAX_EXPORT_PAPERS)
      .openapi({ description: 'Paper ids in the order wanted: the cited list of an answer, or search results.', example: ['2401.01234'] }),
    format: z.enum(EXPORT_FORMATS).openapi({ description: 'bibtex, ris, md (Markdown) or csv.' }),
  })
  .openapi('ExportRequest');

const route = createRoute({
  method: 'post',
  operationId: 'exportPapers',
  path: '/api/export',
  summary: 'Export papers as BibTeX, RIS, Markdown or CSV',
  request: { body: { required: true, content: { 'application/json': { schema: ExportRequestSchema } } } },
  responses: {
    200: {
      content: Object.fromEntries(Object.values(EXPORT_MEDIA).map(({ type }) => [type.split(';')[0]!, { schema: z.string() }])),
      description: 'The formatted list, as a download (Content-Disposition: attachment)',
    },
    ...errorsFor(400, 404, 413, 415),
  },
});

export function registerExportRoutes(app: OpenAPIHono, engine: Engine) {
  app.openapi(route, async (c) => {
    const { ids, format } = c.req.valid('json');
    const text = await engine.exportPapers(ids, format);
    const media = EXPORT_MEDIA[format];
    c.header('Content-Type', media.type);
    c.header('Content-Disposition', `attachment; filename="papertalk-papers.${media.extension}"`);
    return c.body(text, 200);
  });
}
