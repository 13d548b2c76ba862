// Sentence embeddings with transformers.js. Loading never throws: without a usable model the
// caller gets a reason a user can act on, and papertalk runs lexical-only.
import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FeatureExtractionPipeline, PreTrainedTokenizer } from '@huggingface/transformers';
import { configSchema, type Config } from '../config.js';
import { describeError } from '../errors.js';
import { modelConventions } from './model-conventions.js';
import type { Embedder, EmbedderStatus } from './embedding.js';
import { loadOllamaEmbedder } from './ollama-embedder.js';

export { modelConventions } from './model-conventions.js';
export type { EmbedProvider, Embedder, EmbedderStatus } from './embedding.js';

type EmbedderConfig = Pick<Config, 'embedModel' | 'modelsDir' | 'allowRemoteModels' | 'embedDtype' | 'dense'> &
  Partial<Pick<Config, 'embedProvider' | 'ollamaHost'>>;

export const BATCH_SIZE = 16;
/** A 2-core machine: more ONNX threads than cores only adds contention. */
export const ONNX_THREADS = 2;
/** How long to wait for the model hub to answer before calling it unreachable. */
const REMOTE_RESPONSE_TIMEOUT_MS = 15_000;

/** ONNX file name of each weights variant, as transformers.js names them. */
const WEIGHTS_FILE: Record<Exclude<Config['embedDtype'], 'auto'>, string> = {
  fp32: 'model.onnx',
  fp16: 'model_fp16.onnx',
  q8: 'model_quantized.onnx',
  int8: 'model_int8.onnx',
  uint8: 'model_uint8.onnx',
  q4: 'model_q4.onnx',
};

/** transformers.js configures itself through one global `env`; loads take turns. */
let loading: Promise<unknown> = Promise.resolve();

export interface LoadOptions {
  /**
   * May the model be downloaded from the Hugging Face Hub when it is not in the models folder?
   * Default: config.allowRemoteModels, unless an earlier download failed (remembered in the
   * models folder). `'pull'` downloads whatever was remembered (`papertalk models pull`);
   * `false` never touches the network (every CLI command but serve).
   */
  remote?: boolean | 'pull';
}

/** Where a failed download is remembered, so later starts do not try (and wait) again. */
export const REMOTE_FAILURE_FILE = '.papertalk-download-failed.json';

/** Loads the embedding model named in the config, from its provider. Never throws. */
export function loadEmbedder(config: EmbedderConfig, options: LoadOptions = {}): Promise<EmbedderStatus> {
  if (config.embedProvider === 'ollama') return loadOllamaEmbedder({ ...config, ollamaHost: config.ollamaHost ?? configSchema.shape.ollamaHost.parse(undefined) });
  const result = loading.then(() => loadWithMemory(config, options));
  loading = result.catch(() => undefined);
  return result;
}

interface RemoteFailure {
  model: string;
  at: string;
  reason: string;
}

async function loadWithMemory(config: EmbedderConfig, options: LoadOptions): Promise<EmbedderStatus> {
  const marker = path.join(config.modelsDir, REMOTE_FAILURE_FILE);
  const pull = options.remote === 'pull';
  const wanted = pull || (options.remote ?? config.allowRemoteModels);
  const failed = pull ? undefined : await readFailure(marker, config.embedModel);
  const remote = Boolean(wanted && !failed);
  const remoteOff = failed
    ? `downloading it failed at ${failed.at} (${failed.reason}) and is not retried: run \`papertalk models pull\` to try again`
    : !config.allowRemoteModels && !pull
      ? 'remote models are disabled (PAPERTALK_ALLOW_REMOTE_MODELS=false)'
      : 'it is only downloaded when asked: run `papertalk models pull`';
  const status = await loadExclusive({ ...config, allowRemoteModels: remote }, remoteOff);
  if (remote && !status.loaded && status.downloadFailed) {
    await mkdir(config.modelsDir, { recursive: true }).catch(() => undefined);
    const record: RemoteFailure = { model: config.embedModel, at: new Date().toISOString(), reason: status.downloadFailed };
    await writeFile(marker, `${JSON.stringify(record)}\n`).catch(() => undefined);
  } else if (status.loaded) {
    await rm(marker, { force: true }).catch(() => undefined);
  }
  if (!status.loaded) return { loaded: false, model: status.model, reason: status.reason };
  return status;
}

async function readFailure(marker: string, model: string): Promise<RemoteFailure | undefined> {
  try {
    const record = JSON.parse(await readFile(marker, 'utf8')) as RemoteFailure;
    return record.model === model ? record : undefined;
  } catch {
    return undefined;
  }
}

async function loadExclusive(config: EmbedderConfig, remoteOff: string): Promise<EmbedderStatus & { downloadFailed?: string }> {
  const model = config.embedModel;
  const fail = (reason: string, downloadFailed?: string) => ({ loaded: false as const, model, reason, downloadFailed });
  if (!config.dense) return fail('dense retrieval disabled (PAPERTALK_DENSE=false)');

  const modelDir = path.join(config.modelsDir, model);
  const dtype = await chooseDtype(config, modelDir);
  if (!dtype) {
    const expected = config.embedDtype === 'auto' ? 'onnx/model.onnx or onnx/model_quantized.onnx' : `onnx/${WEIGHTS_FILE[config.embedDtype]}`;
    return fail(`no ONNX weights for ${model} in ${config.modelsDir} (expected ${expected}) and ${remoteOff}`);
  }
  if (!config.allowRemoteModels) {
    for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) {
      if (!(await exists(path.join(modelDir, file)))) {
        return fail(`${file} of ${model} is missing from ${modelDir} and ${remoteOff}`);
      }
    }
  }

  let extractor: FeatureExtractionPipeline;
  try {
    const { env, pipeline } = await import('@huggingface/transformers');
    env.allowLocalModels = true;
    env.localModelPath = config.modelsDir;
    env.allowRemoteModels = config.allowRemoteModels;
    // Downloads land in the models folder, in the layout the next start reads locally.
    env.cacheDir = config.modelsDir;
    env.fetch = fetchWithResponseTimeout;
    extractor = await pipeline('feature-extraction', model, {
      dtype,
      session_options: { intraOpNumThreads: ONNX_THREADS, interOpNumThreads: 1 },
    });
  } catch (error) {
    const where = config.allowRemoteModels
      ? `could not be read from ${modelDir} nor downloaded from the Hugging Face Hub`
      : `could not be loaded from ${modelDir}`;
    const why = describeWithCause(error);
    return fail(
      `${model} (${dtype}) ${where} (${why}); put config.json, tokenizer.json, ` +
        `tokenizer_config.json and onnx/${WEIGHTS_FILE[dtype]} there, or set PAPERTALK_DENSE=false for lexical-only search`,
      config.allowRemoteModels ? why : undefined,
    );
  }

  try {
    return { loaded: true, embedder: await makeEmbedder(model, modelDir, extractor) };
  } catch (error) {
    await extractor.dispose().catch(() => undefined);
    return fail(`${model} loaded but does not work as a sentence embedder: ${describeError(error)}`);
  }
}

/** The weights variant to load: the configured one, or for 'auto' whatever the folder holds. */
async function chooseDtype(config: EmbedderConfig, modelDir: string): Promise<Exclude<Config['embedDtype'], 'auto'> | undefined> {
  const onDisk = (dtype: keyof typeof WEIGHTS_FILE) => exists(path.join(modelDir, 'onnx', WEIGHTS_FILE[dtype]));
  if (config.embedDtype !== 'auto') {
    return config.allowRemoteModels || (await onDisk(config.embedDtype)) ? config.embedDtype : undefined;
  }
  if (await onDisk('fp32')) return 'fp32';
  if (await onDisk('q8')) return 'q8';
  // Small and close to fp32 in quality: the variant worth downloading.
  return config.allowRemoteModels ? 'q8' : undefined;
}

async function makeEmbedder(model: string, modelDir: string, extractor: FeatureExtractionPipeline): Promise<Embedder> {
  const conventions = modelConventions(model);
  const tokenizer: PreTrainedTokenizer = extractor.tokenizer;
  const countTokens = (text: string) => tokenizer.encode(text, { add_special_tokens: false }).length;
  const specialTokens = tokenizer.encode('').length;
  const window = Math.min(
    ...[
      tokenizer.model_max_length,
      (extractor.model.config as { max_position_embeddings?: number }).max_position_embeddings,
      conventions.maxSeqLength,
      await sentenceTransformersMaxSeqLength(modelDir),
    ].filter((n): n is number => typeof n === 'number' && Number.isFinite(n) && n > 0),
  );
  if (!Number.isFinite(window)) throw new Error('neither the tokenizer nor the config states a maximum sequence length');
  const maxTokens = window - specialTokens - countTokens(conventions.passagePrefix);

  async function run(texts: string[]): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += BATCH_SIZE) {
      const output = await extractor(texts.slice(i, i + BATCH_SIZE), { pooling: conventions.pooling, normalize: true });
      const [rows, dim] = output.dims as [number, number];
      const data = output.data as Float32Array;
      for (let row = 0; row < rows; row++) vectors.push(data.slice(row * dim, (row + 1) * dim));
    }
    return vectors;
  }

  const probe = await run(['dimension probe']);
  const dim = probe[0]?.length ?? 0;
  if (dim === 0) throw new Error('the model returned an empty embedding');

  return {
    provider: 'transformers',
    model,
    dim,
    maxTokens,
    countTokens,
    embed: (texts) => run(texts.map((text) => conventions.passagePrefix + text)),
    embedQuery: async (text) => (await run([conventions.queryPrefix + text]))[0]!,
  };
}

/** max_seq_length from a sentence-transformers export, when the folder has one. */
async function sentenceTransformersMaxSeqLength(modelDir: string): Promise<number | undefined> {
  try {
    const config = JSON.parse(await readFile(path.join(modelDir, 'sentence_bert_config.json'), 'utf8'));
    return typeof config?.max_seq_length === 'number' ? config.max_seq_length : undefined;
  } catch {
    return undefined;
  }
}

/** fetch that gives up when the server sends no response headers in time (a blackholed network). */
async function fetchWithResponseTimeout(input: string | URL, init?: RequestInit): Promise<Response> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error(`no response from ${String(input)} within ${REMOTE_RESPONSE_TIMEOUT_MS / 1000} s`)),
    REMOTE_RESPONSE_TIMEOUT_MS,
  );
  const signal = init?.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal;
  try {
    return await fetch(input, { ...init, signal });
  } finally {
    clearTimeout(timer);
  }
}

/** "fetch failed" says little; its cause ("connect ECONNREFUSED …") says what happened. */
function describeWithCause(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  return cause === undefined ? describeError(error) : `${describeError(error)}: ${describeError(cause)}`;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
