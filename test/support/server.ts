// The real server app on a real port for HTTP tests.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { afterEach, beforeEach } from 'vitest';
import type { Engine } from '../../src/engine.js';
import { createServerApp, type ServerAppOptions } from '../../src/server/index.js';
import { listen } from '../../src/server/serve.js';
import { makeTestEngine, type TestEngineOptions } from './engine.js';
import { startFakeOllama, type FakeOllama } from './fake-ollama.js';

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

/**
 * Per test: a fresh Ollama stand-in, and (after `start`) the real server pointed at it; both are
 * closed after each test. Call at the top of a test file.
 */
export function withFakeOllamaServer() {
  let fake: FakeOllama | undefined;
  let server: TestServer | undefined;
  beforeEach(async () => {
    fake = await startFakeOllama();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await fake?.close();
  });
  return {
    get fake(): FakeOllama {
      return fake!;
    },
    get server(): TestServer {
      return server!;
    },
    async start(env: Record<string, string> = {}): Promise<TestServer> {
      server = await startTestServer({ env: { OLLAMA_HOST: fake!.url, ...env } });
      return server;
    },
  };
}
