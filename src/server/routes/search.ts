import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Engine } from '../../engine.js';
import { errorResponses, SearchRequestSchema, SearchResponseSchema } from '../schemas.js';

const route = createRoute({
  method: 'post',
  operationId: 'searchPapers',
  path: '/api/search',
  summary: 'Find the papers that match a question',
  request: { body: { required: true, content: { 'application/json': { schema: SearchRequestSchema } } } },
  responses: {
    200: { content: { 'application/json': { schema: SearchResponseSchema } }, description: 'Ranked papers' },
    ...errorResponses,
  },
});

export function registerSearchRoutes(app: OpenAPIHono, engine: Engine) {
  app.openapi(route, async (c) => {
    const { query, ...options } = c.req.valid('json');
    return c.json(await engine.search(query, options), 200);
  });
}
