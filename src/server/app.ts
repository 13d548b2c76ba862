// The Hono app: JSON API under /api, the chat page at /. Routes are thin: they validate,
// call the engine (or the chat service) and shape the response.
import { existsSync } from 'node:fs';
import { serveStatic } from '@hono/node-server/serve-static';
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import type { Engine } from '../engine.js';
import type { LlmStatus } from '../types.js';
import { webDistDir } from '../paths.js';
import { bodyTooLarge, methodNotAllowed, notFound, onError, validationError } from './http-errors.js';
import { registerExportRoutes } from './routes/export.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerIngestRoutes } from './routes/ingest.js';
import { registerKeepUpRoutes } from './routes/keep-up.js';
import { registerPaperRoutes } from './routes/papers.js';
import { registerSearchRoutes } from './routes/search.js';
import { openAiErrorShape } from './openai/errors.js';
import { applySecurity, limitJsonDepth } from './security.js';

export interface AppOptions {
  /** Extra route groups (chat, the /v1 and /mcp sub-apps), registered after the core ones. */
  routes?: ((app: OpenAPIHono) => void)[];
  llmHealth?: () => Promise<LlmStatus>;
  /** Where the built page lives; default web/dist. */
  webDir?: string;
}

export function createApp(engine: Engine, options: AppOptions = {}): OpenAPIHono {
  const { config, log } = engine;
  const app = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (!result.success) return validationError(c, result.error, result.target);
    },
  });
  app.onError(onError(log));
  app.notFound(notFound);

  // OpenAI clients read another error shape; outermost, so refusals below are reshaped too.
  app.use('/v1/*', openAiErrorShape());
  // Headers, URL cap, token, rate limit and question-body caps run before any body is read.
  applySecurity(app, config);
  // Every route (future faces included) gets the body cap, then the cheap JSON nesting check.
  app.use(
    '*',
    bodyLimit({
      maxSize: config.maxBodyBytes,
      onError: (c) => bodyTooLarge(c, `body: larger than ${config.maxBodyBytes} bytes (PAPERTALK_MAX_BODY_BYTES)`),
    }),
    limitJsonDepth(),
  );

  registerHealthRoutes(app, engine, options.llmHealth);
  registerSearchRoutes(app, engine);
  registerPaperRoutes(app, engine);
  registerIngestRoutes(app, engine);
  registerKeepUpRoutes(app, engine);
  registerExportRoutes(app, engine);
  for (const register of options.routes ?? []) register(app);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'PAPERTALK_TOKEN. Required for POST /api/ingest when a token is set, and for every route with PAPERTALK_AUTH_ALL; else routes are open.',
  });
  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'papertalk',
      version: '0.1.0',
      description: 'Search and chat over a local index of paper abstracts. Errors are {error: {code, message, field?}}.',
      license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' },
    },
    servers: [{ url: '/', description: 'This papertalk server' }],
    // Optional by default (an empty requirement): see the scheme's description for when it is needed.
    security: [{ bearerToken: [] }, {}],
  });
  // A known path with another method is a 405 naming the methods it takes; else a 404.
  app.all('/api/*', methodNotAllowed(app));

  const webDir = options.webDir ?? webDistDir;
  if (existsSync(webDir)) {
    app.use('/*', serveStatic({ root: webDir }));
  } else {
    app.get('/', (c) => c.text('The chat page is not built: run `npm run build`, then reload. The API is at /api.', 503));
  }
  return app;
}
