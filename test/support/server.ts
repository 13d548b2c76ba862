// The real server app on a real port for HTTP tests.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Engine } from '../../src/engine.js';
import { createServerApp, type ServerAppOptions } from '../../src/server/index.js';
import { listen } from '../../src/server/serve.js';
import { makeTestEngine, type TestEngineOptions } from './engine.js';

export interface TestServer {
  url: string;
  engine: Engine;
  app: OpenAPIHono;
  close(): Promise<void>;
}

export async function startTestServer(
  options: TestEngineOptions & ServerAppOptions & { engine?: Engine } = {},
): Promise<TestServer> {
  const engine = options.engine ?? (await makeTestEngine(options));
  const app = createServerApp(engine, options);
  const server = await listen(app, { host: '127.0.0.1', port: 0 });
  return {
    url: server.url,
    engine,
    app,
    close: async () => {
      await server.close();
      await engine.close();
    },
  };
}
