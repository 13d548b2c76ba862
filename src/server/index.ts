// The whole server app as users run it: core routes plus chat, wired to one engine.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { createChatService, type ChatServiceOptions } from '../answer/chat-service.js';
import { loadPrompts } from '../answer/prompts.js';
import type { Engine } from '../engine.js';
import { createApp, type AppOptions } from './app.js';
import { mcpRoutes } from './mcp/http.js';
import { openAiRoutes } from './openai/routes.js';
import { registerChatRoutes } from './routes/chat.js';

export interface ServerAppOptions extends Pick<AppOptions, 'webDir'>, ChatServiceOptions {
  /** Prompt templates folder; default prompts/. Checked here, so a broken template fails at start. */
  promptsDir?: string;
}

export function createServerApp(engine: Engine, options: ServerAppOptions = {}): OpenAPIHono {
  const prompts = loadPrompts(options.promptsDir);
  const chat = createChatService(engine, prompts, { llm: options.llm });
  return createApp(engine, {
    webDir: options.webDir,
    routes: [
      (app) => registerChatRoutes(app, chat),
      (app) => app.route('/v1', openAiRoutes(engine, chat)),
      (app) => app.route('/mcp', mcpRoutes(engine, chat)),
    ],
    llmHealth: () => chat.llmStatus(),
  });
}
