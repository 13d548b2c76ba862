import { cp, mkdtemp, rm, unlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { env } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEmbedder, modelConventions, type Embedder } from '../src/index/embedder.js';
import { makeTinyModelsDir, TINY_MODEL, TINY_MODEL_DIM } from './support/tiny-model.js';

const base = { embedModel: TINY_MODEL, allowRemoteModels: false, embedDtype: 'auto', dense: true } as const;

let modelsDir: string;
let scratch: string;
let embedder: Embedder;

beforeAll(async () => {
  modelsDir = await makeTinyModelsDir();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'papertalk-embedder-'));
  const status = await loadEmbedder({ ...base, modelsDir });
  if (!status.loaded) throw new Error(status.reason);
  embedder = status.embedder;
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A port nothing listens on: taken from the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const norm = (v: Float32Array) => Math.hypot(...v);
const texts = Array.from({ length: 37 }, (_, i) => `Paper ${i} studies sparse pre-training${' and dense fine-tuning'.repeat(i % 5)}.`);

describe('loadEmbedder with a model in the models folder', () => {
  it('loads it with the tokenizer window of all-MiniLM-L6-v2 (256 less [CLS] and [SEP])', () => {
    expect(embedder.model).toBe(TINY_MODEL);
    expect(embedder.dim).toBe(TINY_MODEL_DIM);
    expect(embedder.maxTokens).toBe(254);
  });

  it('counts word pieces with the real tokenizer, without special tokens', () => {
    expect(embedder.countTokens('')).toBe(0);
    expect(embedder.countTokens('hello world')).toBe(2);
    // "pre", "-", "training" and "ll", "##ms": punctuation and rare words split.
    expect(embedder.countTokens('Pre-training LLMs')).toBeGreaterThan(3);
  });

  it('returns one unit-length vector per text, in order, across several batches', async () => {
    const vectors = await embedder.embed(texts);
    expect(vectors).toHaveLength(texts.length);
    for (const vector of vectors) {
      expect(vector).toBeInstanceOf(Float32Array);
      expect(vector).toHaveLength(TINY_MODEL_DIM);
      expect(norm(vector)).toBeCloseTo(1, 5);
    }
    const singles = await Promise.all([0, 17, 36].map(async (i) => (await embedder.embed([texts[i]!]))[0]!));
    for (const [k, i] of [0, 17, 36].entries()) {
      for (let d = 0; d < TINY_MODEL_DIM; d++) expect(vectors[i]![d]).toBeCloseTo(singles[k]![d]!, 5);
    }
    expect(vectors[0]).not.toEqual(vectors[1]);
  });

  it('is deterministic across calls and loads', async () => {
    const again = await loadEmbedder({ ...base, modelsDir });
    if (!again.loaded) throw new Error(again.reason);
    expect(await again.embedder.embed(texts.slice(0, 3))).toEqual(await embedder.embed(texts.slice(0, 3)));
  });

  it('embeds an empty list as an empty list', async () => {
    expect(await embedder.embed([])).toEqual([]);
  });

  it('embeds a query without a prefix for MiniLM', async () => {
    const [passage] = await embedder.embed(['graph neural networks']);
    expect(await embedder.embedQuery('graph neural networks')).toEqual(passage);
  });

  it('loads explicitly requested fp32 weights', async () => {
    const status = await loadEmbedder({ ...base, modelsDir, embedDtype: 'fp32' });
    expect(status.loaded).toBe(true);
  });
});

describe('loadEmbedder without a usable model', () => {
  it('says dense retrieval is disabled when dense is false', async () => {
    expect(await loadEmbedder({ ...base, modelsDir, dense: false })).toEqual({
      loaded: false,
      model: TINY_MODEL,
      reason: 'dense retrieval disabled (PAPERTALK_DENSE=false)',
    });
  });

  it('names the models folder and the expected files when there are no weights and remote is off', async () => {
    const empty = await mkdtemp(path.join(scratch, 'empty-'));
    const status = await loadEmbedder({ ...base, modelsDir: empty });
    expect(status).toEqual({ loaded: false, model: TINY_MODEL, reason: expect.any(String) });
    if (status.loaded) return;
    expect(status.reason).toContain(empty);
    expect(status.reason).toContain('onnx/model.onnx or onnx/model_quantized.onnx');
    expect(status.reason).toContain('PAPERTALK_ALLOW_REMOTE_MODELS=false');
  }, 2_000);

  it('names the missing weights file of an explicitly requested dtype', async () => {
    const status = await loadEmbedder({ ...base, modelsDir, embedDtype: 'q8' });
    expect(status.loaded).toBe(false);
    if (!status.loaded) expect(status.reason).toContain('onnx/model_quantized.onnx');
  });

  it('names a missing tokenizer file', async () => {
    const partial = await mkdtemp(path.join(scratch, 'partial-'));
    await cp(modelsDir, partial, { recursive: true });
    await unlink(path.join(partial, TINY_MODEL, 'tokenizer.json'));
    const status = await loadEmbedder({ ...base, modelsDir: partial });
    expect(status.loaded).toBe(false);
    if (!status.loaded) expect(status.reason).toContain(`tokenizer.json of ${TINY_MODEL} is missing`);
  });

  it('fails with the download error when remote models are allowed but the hub is unreachable', async () => {
    const empty = await mkdtemp(path.join(scratch, 'remote-'));
    const hub = env.remoteHost;
    env.remoteHost = `http://127.0.0.1:${await closedPort()}/`;
    try {
      const status = await loadEmbedder({ ...base, modelsDir: empty, allowRemoteModels: true });
      expect(status.loaded).toBe(false);
      if (status.loaded) return;
      expect(status.reason).toContain('nor downloaded from the Hugging Face Hub');
      expect(status.reason).toContain(empty);
      expect(status.reason).toContain('ECONNREFUSED');
    } finally {
      env.remoteHost = hub;
    }
  }, 10_000);
});

describe('modelConventions', () => {
  it('knows the query and passage prefixes of e5 and the instruction and CLS pooling of bge', () => {
    expect(modelConventions('Xenova/e5-small-v2')).toMatchObject({ queryPrefix: 'query: ', passagePrefix: 'passage: ', pooling: 'mean' });
    expect(modelConventions('Xenova/multilingual-e5-small').queryPrefix).toBe('query: ');
    expect(modelConventions('Xenova/bge-small-en-v1.5')).toMatchObject({
      queryPrefix: 'Represent this sentence for searching relevant passages: ',
      passagePrefix: '',
      pooling: 'cls',
    });
    expect(modelConventions('Xenova/all-MiniLM-L6-v2')).toEqual({ queryPrefix: '', passagePrefix: '', pooling: 'mean', maxSeqLength: 256 });
  });
});
