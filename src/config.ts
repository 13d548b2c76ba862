// The one configuration object: read once from the environment (and CLI flags, which win),
// validated with zod, then passed explicitly to whoever needs it.
import path from 'node:path';
import { z } from 'zod';
import { PapertalkError } from './errors.js';
import { BACKENDS, EMBED_PROVIDERS } from './types.js';

// Messages say what a valid value looks like: they reach users as "NAME=value: message".
const booleanish = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])], { error: 'must be true or false (or 1/0, yes/no)' })
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');

const wholeNumber = (range: string) => {
  const error = `must be a whole number ${range}`;
  return z.coerce.number({ error }).int({ error });
};
const port = wholeNumber('from 0 to 65535').min(0, 'must be from 0 to 65535').max(65535, 'must be from 0 to 65535');
const positiveInt = wholeNumber('above 0').positive('must be above 0');

/** Ollama accepts "host", "host:port" or a full URL in OLLAMA_HOST; normalize to a URL. */
export function normalizeOllamaHost(raw: string): string {
  let value = raw.trim();
  if (!/^https?:\/\//i.test(value)) value = `http://${value}`;
  const url = new URL(value);
  if (!url.port && url.protocol === 'http:' && !raw.includes(':80')) url.port = '11434';
  if (url.hostname === '0.0.0.0') url.hostname = '127.0.0.1';
  return url.toString().replace(/\/$/, '');
}

const ollamaHost = z.string().min(1).transform((value, ctx) => {
  try {
    return normalizeOllamaHost(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: `not a host or URL: "${value}"` });
    return z.NEVER;
  }
});

/** An http(s) base URL without a trailing slash, e.g. https://huggingface.co. */
const httpEndpoint = z.string().min(1).transform((value, ctx) => {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    ctx.addIssue({ code: 'custom', message: `must be an http(s) URL, e.g. https://example.org` });
    return z.NEVER;
  }
  return value.replace(/\/+$/, '');
});

/** Object-store URIs PAPERTALK_INDEX_DIR takes (src/index/storage.ts): the schemes LanceDB 0.31 opens besides local paths (s3+ddb: S3 with a DynamoDB commit table). */
export const OBJECT_STORE_SCHEMES = ['s3', 's3+ddb', 'gs', 'az', 'abfss'] as const;

const URI = /^([a-z][a-z0-9+.-]*):\/\//i;

/** The scheme of a URI-looking value (`s3` for `s3://b/p`), or null for a path. */
export function uriScheme(location: string): string | null {
  return URI.exec(location)?.[1]?.toLowerCase() ?? null;
}

export function isObjectStoreUri(location: string): boolean {
  const scheme = uriScheme(location);
  return scheme !== null && (OBJECT_STORE_SCHEMES as readonly string[]).includes(scheme);
}

/**
 * LanceDB's storage options as one JSON object (endpoint, credentials, region, allowHttp…).
 * Values are passed through as strings; the value itself is never echoed (it holds secrets).
 */
const storageOptions = z
  .union([z.record(z.string(), z.unknown()), z.string()])
  .transform((value, ctx) => {
    let parsed: unknown = value;
    if (typeof value === 'string') {
      try {
        parsed = JSON.parse(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object, e.g. {"endpoint": "http://127.0.0.1:9000", "allowHttp": "true"}: it is not valid JSON' });
        return z.NEVER;
      }
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object of option names to values, e.g. {"region": "us-east-1"}' });
      return z.NEVER;
    }
    const options: Record<string, string> = {};
    for (const [key, option] of Object.entries(parsed)) {
      if (!['string', 'number', 'boolean'].includes(typeof option)) {
        ctx.addIssue({ code: 'custom', message: `option "${key}" must be a string, number or boolean` });
        return z.NEVER;
      }
      options[key] = String(option);
    }
    return options;
  });

export const configSchema = z.object({
  port: port.default(3000),
  host: z.string().min(1).default('127.0.0.1'),
  indexDir: z
    .string()
    .min(1)
    .default('index')
    .describe(`the index: a local folder, or with the lancedb backend an object-store URI (${OBJECT_STORE_SCHEMES.map((scheme) => `${scheme}://`).join(', ')})`),
  storageOptions: storageOptions.default({}).describe('object-store options passed to LanceDB as its storageOptions (endpoint, credentials, region, allowHttp…)'),
  indexRefreshMs: positiveInt
    .default(1000)
    .describe('how often a running papertalk checks for an index version committed by another process or machine (the most a reader lags behind)'),
  writeLeaseMs: wholeNumber('of 3000 or more')
    .min(3000, 'must be 3000 or more')
    .default(30_000)
    .describe('object storage: how long a writer lease lasts without renewal (a killed writer on another machine blocks ingests this long)'),
  modelsDir: z.string().min(1).default('models'),
  allowRemoteModels: booleanish.default(true),
  embedProvider: z
    .enum(EMBED_PROVIDERS)
    .default('transformers')
    .describe('who computes embeddings: transformers.js in-process, or the Ollama server at OLLAMA_HOST'),
  /** Unset: the provider's default (DEFAULT_EMBED_MODEL). */
  embedModel: z.string().min(1).optional().describe('embedding model: a transformers.js ONNX export, or an Ollama model such as nomic-embed-text'),
  /** ONNX weights variant: auto picks whatever the models folder holds (fp32 first, then q8). */
  embedDtype: z.enum(['auto', 'fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4']).default('auto'),
  /** Set false to run lexical-only without even trying to load a model. */
  dense: booleanish.default(true),
  ollamaHost: ollamaHost.default('http://127.0.0.1:11434'),
  llmModel: z.string().min(1).default('llama3.2'),
  /** Fixed context window sent with every request: a changing num_ctx makes Ollama reload the model. */
  llmNumCtx: positiveInt.default(8192),
  /** How long to wait for the first token (model load included) before giving up. */
  llmFirstTokenTimeoutMs: positiveInt.default(60_000),
  /** Corpus ingested on first start when the index is empty. Empty string: none. */
  seedCorpus: z.string().default('data/sample'),
  /**
   * Index backend: vectra (MiniSearch + vectra in memory, for up to ~50k papers) or lancedb
   * (tables on disk, for millions). Unset: whatever the index records, vectra for a new one.
   */
  indexBackend: z.enum(BACKENDS, { error: 'must be vectra or lancedb' }).optional(),
  /** Bearer token for write routes (and for all routes with authAll). Required off loopback. */
  token: z.string().min(16, 'must be at least 16 characters').optional(),
  authAll: booleanish.default(false),
  /**
   * Host names the server answers to besides IP addresses and localhost (DNS-rebinding guard):
   * comma-separated; `.example.org` allows a domain and its subdomains, `*` any name.
   */
  allowedHosts: z
    .union([z.array(z.string()), z.string()])
    .transform((value) => (Array.isArray(value) ? value : value.split(/[\s,]+/)).map((host) => host.trim()).filter(Boolean))
    .default([]),
  /** Largest accepted request body, in bytes (ingest uploads included). */
  maxBodyBytes: positiveInt.default(20 * 1024 * 1024),
  /** Requests per minute per client on the expensive routes (chat, ingest). */
  rateLimitPerMinute: positiveInt.default(60),
  logLevel: z.enum(['silent', 'error', 'warn', 'info', 'debug']).default('info'),
  hfEndpoint: httpEndpoint.default('https://huggingface.co').describe('Hugging Face server for `import hf-daily` (its /api/daily_papers)'),
  arxivEndpoint: httpEndpoint.default('https://export.arxiv.org').describe('arXiv API server for `import arxiv` (its /api/query)'),
  arxivDelayMs: wholeNumber('of 0 or more').min(0, 'must be 0 or more').default(3000).describe('pause between arXiv API requests; arXiv asks for at least 3 s'),
  importTimeoutMs: positiveInt.default(30_000).describe('give up on one import request after this long'),
  importRetries: wholeNumber('of 0 or more').min(0, 'must be 0 or more').default(3).describe('retries of an import request answered 429/5xx (waiting as Retry-After says, at most 60 s)'),
});

/** The embedding model used when PAPERTALK_EMBED_MODEL is not set, per provider. */
export const DEFAULT_EMBED_MODEL = { transformers: 'Xenova/all-MiniLM-L6-v2', ollama: 'nomic-embed-text' } as const;

export type Config = Omit<z.infer<typeof configSchema>, 'embedModel'> & { embedModel: string };

/** Environment variable for each config key. Scripts rely on these names. */
export const envNames: Record<keyof Config, string> = {
  port: 'PAPERTALK_PORT',
  host: 'PAPERTALK_HOST',
  indexDir: 'PAPERTALK_INDEX_DIR',
  storageOptions: 'PAPERTALK_STORAGE_OPTIONS',
  indexRefreshMs: 'PAPERTALK_INDEX_REFRESH_MS',
  writeLeaseMs: 'PAPERTALK_WRITE_LEASE_MS',
  modelsDir: 'PAPERTALK_MODELS_DIR',
  allowRemoteModels: 'PAPERTALK_ALLOW_REMOTE_MODELS',
  embedProvider: 'PAPERTALK_EMBED_PROVIDER',
  embedModel: 'PAPERTALK_EMBED_MODEL',
  embedDtype: 'PAPERTALK_EMBED_DTYPE',
  dense: 'PAPERTALK_DENSE',
  ollamaHost: 'OLLAMA_HOST',
  llmModel: 'PAPERTALK_LLM_MODEL',
  llmNumCtx: 'PAPERTALK_LLM_NUM_CTX',
  llmFirstTokenTimeoutMs: 'PAPERTALK_LLM_FIRST_TOKEN_TIMEOUT_MS',
  seedCorpus: 'PAPERTALK_SEED_CORPUS',
  indexBackend: 'PAPERTALK_INDEX_BACKEND',
  token: 'PAPERTALK_TOKEN',
  authAll: 'PAPERTALK_AUTH_ALL',
  allowedHosts: 'PAPERTALK_ALLOWED_HOSTS',
  maxBodyBytes: 'PAPERTALK_MAX_BODY_BYTES',
  rateLimitPerMinute: 'PAPERTALK_RATE_LIMIT_PER_MINUTE',
  logLevel: 'PAPERTALK_LOG_LEVEL',
  hfEndpoint: 'PAPERTALK_HF_ENDPOINT',
  arxivEndpoint: 'PAPERTALK_ARXIV_ENDPOINT',
  arxivDelayMs: 'PAPERTALK_ARXIV_DELAY_MS',
  importTimeoutMs: 'PAPERTALK_IMPORT_TIMEOUT_MS',
  importRetries: 'PAPERTALK_IMPORT_RETRIES',
};

/** Settings for which an empty value is a choice ("none"), not an unset variable. */
const EMPTY_MEANS_NONE: ReadonlySet<keyof Config> = new Set(['seedCorpus']);
/** Settings whose value an error message must not repeat (credentials). */
const SECRET: ReadonlySet<keyof Config> = new Set(['storageOptions']);

/**
 * Builds the config from environment variables, with `overrides` (CLI flags) winning.
 * Empty environment values count as unset, except where empty means none (the seed corpus). Paths are resolved against `cwd`.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<Record<keyof Config, unknown>> = {},
  cwd: string = process.cwd(),
): Config {
  const fromEnv: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(envNames)) {
    const value = env[name];
    if (value !== undefined && (value !== '' || EMPTY_MEANS_NONE.has(key as keyof Config))) fromEnv[key] = value;
  }
  // The environment is checked on its own too: a bad value there is reported even when a
  // flag happens to override it for this command.
  parseConfig(fromEnv);
  const raw = { ...fromEnv };
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) raw[key] = value;
  }
  const config = parseConfig(raw);
  const objectStore = checkIndexLocation(config);
  return {
    ...config,
    embedModel: config.embedModel ?? DEFAULT_EMBED_MODEL[config.embedProvider],
    // Object storage only works with LanceDB: unset, the backend is LanceDB.
    ...(objectStore && { indexBackend: 'lancedb' as const }),
    // A URI is never a path: resolved against the working directory it would become a folder `s3:`.
    indexDir: objectStore ? config.indexDir : path.resolve(cwd, config.indexDir),
    modelsDir: path.resolve(cwd, config.modelsDir),
    seedCorpus: config.seedCorpus === '' ? '' : path.resolve(cwd, config.seedCorpus),
  };
}

/** Whether the index is on object storage; a scheme LanceDB does not open, or vectra there, is a config error. */
function checkIndexLocation(config: z.infer<typeof configSchema>): boolean {
  const scheme = uriScheme(config.indexDir);
  if (scheme === null) return false;
  const invalid = (field: string, message: string) => new PapertalkError('config_invalid', `invalid configuration: ${message}`, { field });
  if (!isObjectStoreUri(config.indexDir)) {
    throw invalid(envNames.indexDir, `PAPERTALK_INDEX_DIR="${config.indexDir}": ${scheme}:// is not an object store papertalk can use; give a folder or one of ${OBJECT_STORE_SCHEMES.map((s) => `${s}://`).join(', ')}`);
  }
  if (config.indexBackend === 'vectra') {
    throw invalid(
      envNames.indexBackend,
      `PAPERTALK_INDEX_DIR is object storage (${scheme}://), which only the lancedb backend can use; set PAPERTALK_INDEX_BACKEND=lancedb (or leave it unset), or give a local folder for the vectra backend`,
    );
  }
  return true;
}

function parseConfig(raw: Record<string, unknown>): z.infer<typeof configSchema> {
  const parsed = configSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const key = String(issue.path[0] ?? '');
  const name = envNames[key as keyof Config] ?? key;
  const shown = SECRET.has(key as keyof Config) ? '(value hidden)' : JSON.stringify(raw[key]);
  throw new PapertalkError('config_invalid', `invalid configuration: ${name}=${shown}: ${issue.message}`, {
    field: name,
  });
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
