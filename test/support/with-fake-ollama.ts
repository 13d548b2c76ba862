// Vitest hooks for HTTP tests against the Ollama stand-in (kept apart from server.ts, which
// benchmarks import without vitest).
import { afterEach, beforeEach } from 'vitest';
import { startFakeOllama, type FakeOllama } from './fake-ollama.js';
import { startTestServer, type TestServer } from './server.js';

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
