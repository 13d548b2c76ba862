// Real engines over real index folders for tests. The sample corpus is indexed once per test
// process into a template folder; each engine gets its own copy, so tests never share state.
import { cp, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { openEngine, type Engine } from '../../src/engine.js';
import { loadEmbedder } from '../../src/index/embedder.js';
import type { IndexSnapshot } from '../../src/index/store.js';
import { VectraReader } from '../../src/index/vectra-backend.js';
import { sampleDir } from './corpus.js';
import { makeTinyModelsDir } from './tiny-model.js';

export interface TestEngineOptions {
  /** Load the tiny ONNX model (dense + hybrid search). Default false: lexical only. */
  dense?: boolean;
  /** Start from the indexed sample corpus. Default true. */
  sample?: boolean;
  /** Index backend (PAPERTALK_INDEX_BACKEND). Default: vectra. */
  backend?: 'vectra' | 'lancedb';
  /** Extra environment (e.g. OLLAMA_HOST of a fake Ollama). */
  env?: Record<string, string>;
}

export async function tempDir(prefix = 'papertalk-test-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Config for tests: a fresh index folder, no remote models, no seeding unless asked. */
export async function testConfig(options: TestEngineOptions = {}, indexDir?: string): Promise<Config> {
  return loadConfig({
    PAPERTALK_INDEX_DIR: indexDir ?? (await tempDir()),
    PAPERTALK_MODELS_DIR: options.dense ? await makeTinyModelsDir() : path.join(os.tmpdir(), 'papertalk-no-models'),
    PAPERTALK_ALLOW_REMOTE_MODELS: 'false',
    PAPERTALK_DENSE: options.dense ? 'true' : 'false',
    PAPERTALK_SEED_CORPUS: sampleDir,
    PAPERTALK_LOG_LEVEL: 'silent',
    // Nothing listens on port 9 (discard): the LLM is unreachable unless a test says otherwise.
    OLLAMA_HOST: 'http://127.0.0.1:9',
    // Tests send many requests from one address; the rate-limit specs set their own limit.
    PAPERTALK_RATE_LIMIT_PER_MINUTE: '100000',
    ...(options.backend && { PAPERTALK_INDEX_BACKEND: options.backend }),
    ...options.env,
  });
}

const templates = new Map<string, Promise<string>>();

/** An index folder holding the whole sample corpus, built once per process per mode. */
function sampleTemplate(dense: boolean, backend: TestEngineOptions['backend']): Promise<string> {
  const key = `${dense ? 'dense' : 'lexical'}-${backend ?? 'vectra'}`;
  let template = templates.get(key);
  if (!template) {
    template = (async () => {
      const config = await testConfig({ dense, backend });
      const engine = await openEngine(config);
      await engine.ingestPath(sampleDir);
      await engine.close();
      return config.indexDir;
    })();
    templates.set(key, template);
  }
  return template;
}

export async function makeTestEngine(options: TestEngineOptions = {}): Promise<Engine> {
  const dense = options.dense ?? false;
  const indexDir = await tempDir();
  if (options.sample ?? true) await cp(await sampleTemplate(dense, options.backend), indexDir, { recursive: true });
  const config = await testConfig(options, indexDir);
  const embedder = dense ? await loadEmbedder(config) : undefined;
  return openEngine(config, { embedder });
}

/** The loaded generation behind a vectra-backed engine, for tests about the small backend's files. */
export function snapshotOf(engine: Engine): IndexSnapshot {
  const reader = engine.index();
  if (!(reader instanceof VectraReader)) throw new TypeError(`the engine uses the ${reader.backend} backend`);
  return reader.snapshot;
}
