// Nothing goes out unless asked: CLI commands never try the Hugging Face Hub, `serve` tries only
// when allowed and remembers a failed try, and `papertalk models pull` is the explicit way.
// fetch is replaced by a spy that fails like an offline machine: no request leaves the test.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';
import type { Io } from '../src/cli/output.js';
import { loadConfig } from '../src/config.js';
import { openEngine } from '../src/engine.js';
import { REMOTE_FAILURE_FILE } from '../src/index/embedder.js';
import { tempDir } from './support/engine.js';

function offlineFetch() {
  return vi.spyOn(globalThis, 'fetch').mockRejectedValue(new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND huggingface.co') }));
}

async function env() {
  return {
    PAPERTALK_INDEX_DIR: await tempDir(),
    PAPERTALK_MODELS_DIR: await tempDir('papertalk-models-'),
    PAPERTALK_DENSE: 'true',
    PAPERTALK_ALLOW_REMOTE_MODELS: 'true',
    PAPERTALK_LOG_LEVEL: 'silent',
    OLLAMA_HOST: 'http://127.0.0.1:9',
  };
}

async function cli(argv: string[], environment: NodeJS.ProcessEnv) {
  let out = '';
  let err = '';
  const io: Io = { out: (text) => void (out += text), err: (text) => void (err += text), isTTY: false };
  return { code: await main(argv, io, environment), out, err };
}

const hubCalls = (spy: ReturnType<typeof offlineFetch>) => spy.mock.calls.filter(([url]) => String(url).includes('huggingface.co'));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('nothing goes out unless asked', () => {
  it('search, stats and ingest never try huggingface.co, even with remote models allowed, and say how to get the model', async () => {
    const spy = offlineFetch();
    const environment = await env();
    const listing = path.join(environment.PAPERTALK_MODELS_DIR, '..', `${path.basename(environment.PAPERTALK_INDEX_DIR)}.jsonl`);
    await (await import('node:fs/promises')).writeFile(listing, JSON.stringify({ title: 'Offline Paper', abstract: 'Read without any network access at all.' }));
    expect((await cli(['ingest', listing], environment)).code).toBe(0);
    expect((await cli(['search', 'offline'], environment)).code).toBe(0);
    const stats = await cli(['stats', '--json'], environment);
    expect(JSON.parse(stats.out).embedding.reason).toMatch(/only downloaded when asked: run `papertalk models pull`/);
    expect(spy).not.toHaveBeenCalled();
  });

  it('serve tries once when allowed, remembers the failure, and does not try again on the next start', async () => {
    const spy = offlineFetch();
    const config = loadConfig(await env());
    const first = await openEngine(config, { downloadModel: true });
    expect(hubCalls(spy).length).toBeGreaterThan(0);
    expect(first.health().embedding.reason).toMatch(/nor downloaded from the Hugging Face Hub .*ENOTFOUND huggingface\.co/);
    await first.close();
    expect(existsSync(path.join(config.modelsDir, REMOTE_FAILURE_FILE))).toBe(true);

    spy.mockClear();
    const second = await openEngine(config, { downloadModel: true });
    expect(spy).not.toHaveBeenCalled();
    expect(second.health().embedding.reason).toMatch(/downloading it failed at .* and is not retried: run `papertalk models pull` to try again/);
    await second.close();
  });

  it('papertalk models pull tries the download even after a remembered failure, and fails with one line', async () => {
    const spy = offlineFetch();
    const environment = await env();
    await openEngine(loadConfig(environment), { downloadModel: true }).then((engine) => engine.close());
    spy.mockClear();
    const pulled = await cli(['models', 'pull'], environment);
    expect(hubCalls(spy).length).toBeGreaterThan(0);
    expect(pulled.code).toBe(1);
    expect(pulled.err.trim().split('\n')).toEqual([
      expect.stringMatching(/^downloading Xenova\/all-MiniLM-L6-v2 from huggingface\.co/),
      expect.stringMatching(/^papertalk: .*ENOTFOUND huggingface\.co/),
    ]);
  });
});
