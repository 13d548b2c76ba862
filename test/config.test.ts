// Configuration: one zod object read from the environment, CLI flags winning, bad values
// reported by the name of the environment variable a user would fix.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { envNames, isLoopback, loadConfig, normalizeOllamaHost } from '../src/config.js';
import { PapertalkError } from '../src/errors.js';
import { openEngine } from '../src/engine.js';
import { checkExposure } from '../src/server/serve.js';
import { repoRoot } from './support/corpus.js';
import { tempDir } from './support/engine.js';

const cwd = '/srv/papertalk';

function configError(env: Record<string, string>): PapertalkError {
  try {
    loadConfig(env, {}, cwd);
  } catch (error) {
    expect(error).toBeInstanceOf(PapertalkError);
    return error as PapertalkError;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be rejected`);
}

describe('loadConfig', () => {
  it('uses safe local defaults when nothing is set', () => {
    const config = loadConfig({}, {}, cwd);
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      indexDir: path.join(cwd, 'index'),
      modelsDir: path.join(cwd, 'models'),
      seedCorpus: path.join(cwd, 'data/sample'),
      allowRemoteModels: true,
      dense: true,
      embedModel: 'Xenova/all-MiniLM-L6-v2',
      embedDtype: 'auto',
      ollamaHost: 'http://127.0.0.1:11434',
      authAll: false,
      logLevel: 'info',
    });
    expect(config.token).toBeUndefined();
  });

  it('reads every setting from its documented environment variable', () => {
    const config = loadConfig(
      {
        PAPERTALK_PORT: '8080',
        PAPERTALK_HOST: 'localhost',
        PAPERTALK_INDEX_DIR: 'my-index',
        PAPERTALK_MODELS_DIR: '/opt/models',
        PAPERTALK_STORAGE_OPTIONS: '{"region": "eu-west-1", "allowHttp": true}',
        PAPERTALK_INDEX_REFRESH_MS: '2500',
        PAPERTALK_WRITE_LEASE_MS: '10000',
        PAPERTALK_ALLOW_REMOTE_MODELS: 'false',
        PAPERTALK_EMBED_PROVIDER: 'transformers',
        PAPERTALK_EMBED_MODEL: 'Xenova/bge-small-en-v1.5',
        PAPERTALK_EMBED_DTYPE: 'q8',
        PAPERTALK_DENSE: '0',
        OLLAMA_HOST: 'gpu-box:11500',
        PAPERTALK_LLM_MODEL: 'qwen2.5:7b',
        PAPERTALK_LLM_NUM_CTX: '4096',
        PAPERTALK_LLM_FIRST_TOKEN_TIMEOUT_MS: '5000',
        PAPERTALK_SEED_CORPUS: '',
        PAPERTALK_TOKEN: 'a-token-of-sixteen-chars',
        PAPERTALK_AUTH_ALL: 'yes',
        PAPERTALK_ALLOWED_HOSTS: 'papers.example.org, .lab.example',
        PAPERTALK_MAX_BODY_BYTES: '1024',
        PAPERTALK_RATE_LIMIT_PER_MINUTE: '5',
        PAPERTALK_LOG_LEVEL: 'debug',
        PAPERTALK_HF_ENDPOINT: 'http://127.0.0.1:8000/',
        PAPERTALK_ARXIV_ENDPOINT: 'https://arxiv.example.org',
        PAPERTALK_ARXIV_DELAY_MS: '0',
        PAPERTALK_IMPORT_TIMEOUT_MS: '1000',
        PAPERTALK_IMPORT_RETRIES: '0',
      },
      {},
      cwd,
    );
    expect(config).toEqual({
      port: 8080,
      host: 'localhost',
      indexDir: path.join(cwd, 'my-index'),
      modelsDir: '/opt/models',
      storageOptions: { region: 'eu-west-1', allowHttp: 'true' },
      indexRefreshMs: 2500,
      writeLeaseMs: 10_000,
      allowRemoteModels: false,
      embedProvider: 'transformers',
      embedModel: 'Xenova/bge-small-en-v1.5',
      embedDtype: 'q8',
      dense: false,
      ollamaHost: 'http://gpu-box:11500',
      llmModel: 'qwen2.5:7b',
      llmNumCtx: 4096,
      llmFirstTokenTimeoutMs: 5000,
      // Empty means none, as documented: no seed corpus.
      seedCorpus: '',
      token: 'a-token-of-sixteen-chars',
      authAll: true,
      allowedHosts: ['papers.example.org', '.lab.example'],
      maxBodyBytes: 1024,
      rateLimitPerMinute: 5,
      logLevel: 'debug',
      hfEndpoint: 'http://127.0.0.1:8000',
      arxivEndpoint: 'https://arxiv.example.org',
      arxivDelayMs: 0,
      importTimeoutMs: 1000,
      importRetries: 0,
    });
  });

  it('defaults the embedding model per provider: MiniLM for transformers.js, nomic-embed-text for Ollama', () => {
    expect(loadConfig({}, {}, cwd).embedModel).toBe('Xenova/all-MiniLM-L6-v2');
    expect(loadConfig({ PAPERTALK_EMBED_PROVIDER: 'ollama' }, {}, cwd)).toMatchObject({ embedProvider: 'ollama', embedModel: 'nomic-embed-text' });
    expect(loadConfig({ PAPERTALK_EMBED_PROVIDER: 'ollama', PAPERTALK_EMBED_MODEL: 'mxbai-embed-large' }, {}, cwd).embedModel).toBe('mxbai-embed-large');
    expect(() => loadConfig({ PAPERTALK_EMBED_PROVIDER: 'openai' }, {}, cwd)).toThrow(/PAPERTALK_EMBED_PROVIDER="openai"/);
  });

  it('takes an object-store URI as the index, as it is (never a folder `s3:`), with the LanceDB backend', () => {
    const config = loadConfig({ PAPERTALK_INDEX_DIR: 's3://papers/lab-index', PAPERTALK_STORAGE_OPTIONS: '{"endpoint": "http://127.0.0.1:9000"}' }, {}, cwd);
    expect(config).toMatchObject({ indexDir: 's3://papers/lab-index', indexBackend: 'lancedb', storageOptions: { endpoint: 'http://127.0.0.1:9000' } });
    for (const uri of ['gs://bucket/idx', 'az://container/idx', 's3+ddb://bucket/idx?ddbTableName=commits']) {
      expect(loadConfig({ PAPERTALK_INDEX_DIR: uri }, {}, cwd).indexDir).toBe(uri);
    }
    expect(loadConfig({ PAPERTALK_INDEX_DIR: 's3://papers/idx', PAPERTALK_INDEX_BACKEND: 'lancedb' }, {}, cwd).indexBackend).toBe('lancedb');
    // The CLI's --index takes one too.
    expect(loadConfig({}, { indexDir: 'gs://lab/papers' }, cwd).indexDir).toBe('gs://lab/papers');
  });

  it('refuses an object-store URI with the vectra backend, naming the LanceDB backend', () => {
    const error = configError({ PAPERTALK_INDEX_DIR: 's3://papers/idx', PAPERTALK_INDEX_BACKEND: 'vectra' });
    expect(error).toMatchObject({ code: 'config_invalid', field: 'PAPERTALK_INDEX_BACKEND' });
    expect(error.message).toMatch(/only the lancedb backend/);
    expect(() => loadConfig({ PAPERTALK_INDEX_DIR: 's3://papers/idx' }, { indexBackend: 'vectra' }, cwd)).toThrow(/PAPERTALK_INDEX_BACKEND=lancedb/);
    expect(configError({ PAPERTALK_INDEX_DIR: 'http://example.org/idx' })).toMatchObject({ code: 'config_invalid', field: 'PAPERTALK_INDEX_DIR' });
  });

  it.each(['{"awsSecretAccessKey": "hunter2-secret"', '["hunter2-secret"]', '"hunter2-secret"', '{"endpoint": {"host": "hunter2"}}'])('refuses PAPERTALK_STORAGE_OPTIONS=%s naming the variable, never echoing the value', (value) => {
    const error = configError({ PAPERTALK_STORAGE_OPTIONS: value });
    expect(error).toMatchObject({ code: 'config_invalid', field: 'PAPERTALK_STORAGE_OPTIONS' });
    expect(error.message).toMatch(/PAPERTALK_STORAGE_OPTIONS=\(value hidden\): (must be|option)/);
    expect(error.message).not.toContain('hunter2');
  });

  it('names an environment variable for every setting', () => {
    const config = loadConfig({}, {}, cwd);
    expect(Object.keys(envNames).sort()).toEqual([...Object.keys(config), 'token', 'indexBackend'].sort());
  });

  it('lets CLI flags win over the environment', () => {
    const config = loadConfig({ PAPERTALK_PORT: '8080', PAPERTALK_INDEX_DIR: 'from-env' }, { port: 9090, indexDir: 'from-flag' }, cwd);
    expect(config.port).toBe(9090);
    expect(config.indexDir).toBe(path.join(cwd, 'from-flag'));
  });

  it('reports a bad environment value even when a flag overrides it', () => {
    expect(() => loadConfig({ PAPERTALK_LOG_LEVEL: 'loud' }, { logLevel: 'error' }, cwd)).toThrow(/PAPERTALK_LOG_LEVEL="loud"/);
  });

  it('says what a valid value looks like', () => {
    expect(configError({ PAPERTALK_PORT: 'abc' }).message).toBe('invalid configuration: PAPERTALK_PORT="abc": must be a whole number from 0 to 65535');
    expect(configError({ PAPERTALK_DENSE: 'maybe' }).message).toContain('must be true or false');
  });

  it.each([
    ['PAPERTALK_PORT', 'abc'],
    ['PAPERTALK_PORT', '70000'],
    ['PAPERTALK_PORT', '80.5'],
    ['PAPERTALK_DENSE', 'maybe'],
    ['PAPERTALK_EMBED_DTYPE', 'fp64'],
    ['PAPERTALK_TOKEN', 'short'],
    ['PAPERTALK_MAX_BODY_BYTES', '0'],
    ['PAPERTALK_LLM_NUM_CTX', '-1'],
    ['PAPERTALK_LOG_LEVEL', 'loud'],
    ['OLLAMA_HOST', 'http://'],
    ['PAPERTALK_HF_ENDPOINT', 'ftp://huggingface.co'],
    ['PAPERTALK_ARXIV_ENDPOINT', 'export.arxiv.org'],
    ['PAPERTALK_ARXIV_DELAY_MS', '-1'],
    ['PAPERTALK_IMPORT_RETRIES', 'many'],
  ])('rejects %s=%s with config_invalid naming the variable', (name, value) => {
    const error = configError({ [name]: value });
    expect(error.code).toBe('config_invalid');
    expect(error.field).toBe(name);
    expect(error.message).toContain(name);
    expect(error.message).toContain(JSON.stringify(value));
  });
});

describe('OLLAMA_HOST', () => {
  it.each([
    ['localhost', 'http://localhost:11434'],
    ['127.0.0.1', 'http://127.0.0.1:11434'],
    ['0.0.0.0:11434', 'http://127.0.0.1:11434'],
    ['0.0.0.0', 'http://127.0.0.1:11434'],
    ['gpu-box:8080', 'http://gpu-box:8080'],
    ['http://gpu-box:11434/', 'http://gpu-box:11434'],
    ['http://gpu-box', 'http://gpu-box:11434'],
    ['https://ollama.example.org', 'https://ollama.example.org'],
    ['  localhost:11434  ', 'http://localhost:11434'],
  ])('normalizes %j to %s', (raw, url) => {
    expect(normalizeOllamaHost(raw)).toBe(url);
    expect(loadConfig({ OLLAMA_HOST: raw }, {}, cwd).ollamaHost).toBe(url);
  });
});

describe('exposure', () => {
  const base = loadConfig({}, {}, cwd);

  it.each(['127.0.0.1', 'localhost', '::1', '127.0.1.1'])('treats %s as loopback', (host) => {
    expect(isLoopback(host)).toBe(true);
    expect(() => checkExposure({ ...base, host })).not.toThrow();
  });

  it.each(['0.0.0.0', '::', '192.168.1.20', 'papers.example.org'])('refuses to listen on %s without PAPERTALK_TOKEN', (host) => {
    let error: unknown;
    try {
      checkExposure({ ...base, host });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PapertalkError);
    expect(error).toMatchObject({ code: 'config_invalid', field: 'PAPERTALK_TOKEN' });
    expect((error as Error).message).toContain('PAPERTALK_TOKEN');
  });

  it('listens beyond loopback once a token is set', () => {
    expect(() => checkExposure({ ...base, host: '0.0.0.0', token: 'a-token-of-sixteen-chars' })).not.toThrow();
  });
});

describe('PAPERTALK_SEED_CORPUS=""', () => {
  it('means no seed corpus: serving an empty index starts empty, even from the folder holding data/sample', async () => {
    const config = loadConfig(
      { PAPERTALK_SEED_CORPUS: '', PAPERTALK_INDEX_DIR: await tempDir(), PAPERTALK_DENSE: 'false', PAPERTALK_ALLOW_REMOTE_MODELS: 'false' },
      {},
      repoRoot,
    );
    const engine = await openEngine(config, { seed: true });
    expect(engine.health().papers).toBe(0);
    await engine.close();
  });
});
