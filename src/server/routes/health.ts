import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Engine } from '../../engine.js';
import type { LlmStatus } from '../../types.js';
import { errorsFor, HealthSchema } from '../schemas.js';

const route = createRoute({
  method: 'get',
  operationId: 'health',
  path: '/api/health',
  summary: 'Index size, whether the embedding model and the LLM are available, and why not',
  responses: { 200: { content: { 'application/json': { schema: HealthSchema } }, description: 'Health report' }, ...errorsFor() },
});

export function registerHealthRoutes(app: OpenAPIHono, engine: Engine, llmHealth?: () => Promise<LlmStatus>) {
  app.openapi(route, async (c) => {
    const report = engine.health();
    const llm = llmHealth ? await llmHealth() : undefined;
    return c.json({ ...report, ...(llm && { llm }) }, 200);
  });
}
