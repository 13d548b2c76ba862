import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Engine } from '../../engine.js';
import { errorsFor, HealthSchema } from '../schemas.js';

export type LlmHealth = { reachable: boolean; host: string; model: string; model_available?: boolean; reason?: string };

const route = createRoute({
  method: 'get',
  operationId: 'health',
  path: '/api/health',
  summary: 'Index size, whether the embedding model and the LLM are available, and why not',
  responses: { 200: { content: { 'application/json': { schema: HealthSchema } }, description: 'Health report' }, ...errorsFor() },
});

export function registerHealthRoutes(app: OpenAPIHono, engine: Engine, llmHealth?: () => Promise<LlmHealth>) {
  app.openapi(route, async (c) => {
    const report = engine.health();
    const llm = llmHealth ? await llmHealth() : undefined;
    return c.json({ ...report, ...(llm && { llm }) }, 200);
  });
}
