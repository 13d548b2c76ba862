import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Engine } from '../../engine.js';
import { PapertalkError } from '../../errors.js';
import { errorsFor, PaperIdSchema, PaperListSchema, PaperSchema } from '../schemas.js';

const getPaper = createRoute({
  method: 'get',
  operationId: 'getPaper',
  path: '/api/papers/{id}',
  summary: 'One paper by id',
  request: { params: PaperIdSchema },
  responses: {
    200: { content: { 'application/json': { schema: PaperSchema } }, description: 'The paper' },
    ...errorsFor(400, 404),
  },
});

const listPapers = createRoute({
  method: 'get',
  operationId: 'listPapers',
  path: '/api/papers',
  summary: 'Page through the indexed papers',
  request: {
    query: z.object({
      offset: z.coerce.number().int().min(0).default(0),
      limit: z.coerce.number().int().min(1).max(500).default(50),
    }),
  },
  responses: {
    200: { content: { 'application/json': { schema: PaperListSchema } }, description: 'A page of papers' },
    ...errorsFor(400),
  },
});

export function registerPaperRoutes(app: OpenAPIHono, engine: Engine) {
  app.openapi(getPaper, async (c) => {
    const { id } = c.req.valid('param');
    const paper = await engine.getPaper(id);
    if (!paper) throw new PapertalkError('not_found', `no paper with id "${id}"`, { field: 'id' });
    return c.json(paper, 200);
  });
  app.openapi(listPapers, async (c) => {
    const { offset, limit } = c.req.valid('query');
    return c.json({ ...(await engine.listPapers(offset, limit)), offset, limit }, 200);
  });
}
