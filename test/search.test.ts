// Search through the real pipeline: lexical always, dense and hybrid through transformers.js
// with the tiny model, and a quiet fall back to lexical when no model can be loaded.
import { cp, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../src/engine.js';
import type { SearchResponse } from '../src/types.js';
import { sampleCorpus } from './support/corpus.js';
import { makeTestEngine, testConfig } from './support/engine.js';
import { makeTinyModelsDir, TINY_MODEL, TINY_MODEL_DIM } from './support/tiny-model.js';

function expectWellFormed(response: SearchResponse, k: number) {
  expect(response.results.length).toBeLessThanOrEqual(k);
  expect(response.took_ms).toBeGreaterThanOrEqual(0);
  const ids = response.results.map((hit) => hit.id);
  expect(new Set(ids).size).toBe(ids.length);
  const scores = response.results.map((hit) => hit.score);
  expect(scores).toEqual([...scores].sort((a, b) => b - a));
  for (const hit of response.results) {
    expect(hit.title.length).toBeGreaterThan(0);
    expect(hit.abstract).toContain(hit.snippet.replace(/^…|…$/g, '').slice(0, 40));
    expect(hit.coverage).toBeGreaterThanOrEqual(0);
    expect(hit.coverage).toBeLessThanOrEqual(1);
  }
}

describe('with the tiny embedding model loaded', () => {
  let engine: Engine;
  const query = 'sparse pre-training and dense fine-tuning of language models';

  beforeAll(async () => {
    engine = await makeTestEngine({ dense: true });
  });
  afterAll(() => engine.close());

  it('reports all three search modes and the loaded model', () => {
    expect(engine.health()).toMatchObject({
      status: 'ok',
      papers: sampleCorpus.uniquePapers,
      search_modes: ['lexical', 'dense', 'hybrid'],
      embedding: { loaded: true, dim: 32 },
    });
    expect(engine.health().vectors).toBe(engine.health().chunks);
  });

  it('answers mode dense from the vectors alone', async () => {
    const response = await engine.search(query, { k: 7, mode: 'dense' });
    expect(response.mode).toBe('dense');
    expect(response.results).toHaveLength(7);
    expect(response.results.every((hit) => hit.retrievers.join() === 'dense')).toBe(true);
    expectWellFormed(response, 7);
  });

  it('answers mode lexical from BM25 alone', async () => {
    const response = await engine.search(query, { k: 7, mode: 'lexical' });
    expect(response.mode).toBe('lexical');
    expect(response.results).toHaveLength(7);
    expect(response.results.every((hit) => hit.retrievers.join() === 'lexical')).toBe(true);
    expectWellFormed(response, 7);
  });

  it('fuses both retrievers in mode hybrid, the default', async () => {
    const response = await engine.search(query, { k: 20 });
    expect(response.mode).toBe('hybrid');
    expect(response.results).toHaveLength(20);
    const used = new Set(response.results.flatMap((hit) => hit.retrievers));
    expect([...used].sort()).toEqual(['dense', 'lexical']);
    expectWellFormed(response, 20);
  });

  /** Papers spread over the corpus, to ask for by title. */
  const spread = async () => {
    const total = engine.health().papers;
    return Promise.all([0, 1, 2, 3, 4, 5, 6].map(async (i) => (await engine.listPapers(Math.floor((i * (total - 1)) / 6), 1)).papers[0]!));
  };

  it('finds a paper first when asked for its exact title in lexical mode', async () => {
    for (const paper of await spread()) {
      const { results } = await engine.search(paper.title, { k: 5, mode: 'lexical' });
      expect(results[0]?.id, paper.title).toBe(paper.id);
    }
  });

  // Equal-weight reciprocal rank fusion alone lets a dense ranking that disagrees push the
  // exact-title match below papers both retrievers rank middling (about 40% of titles with the
  // tiny model); search pins an exact title match first.
  it('finds a paper first when asked for its exact title in hybrid mode', async () => {
    for (const paper of await spread()) {
      const { results } = await engine.search(paper.title, { k: 5, mode: 'hybrid' });
      expect(results[0]?.id, paper.title).toBe(paper.id);
    }
  });
});

describe('without a usable embedding model', () => {
  let engine: Engine;

  beforeAll(async () => {
    const emptyModels = await mkdtemp(path.join(os.tmpdir(), 'papertalk-empty-models-'));
    engine = await makeTestEngine({
      env: { PAPERTALK_DENSE: 'true', PAPERTALK_MODELS_DIR: emptyModels, PAPERTALK_ALLOW_REMOTE_MODELS: 'false' },
    });
  });
  afterAll(() => engine.close());

  it('starts anyway and says why the model is not loaded', () => {
    const health = engine.health();
    expect(health).toMatchObject({ status: 'degraded', papers: sampleCorpus.uniquePapers, search_modes: ['lexical'] });
    expect(health.embedding.loaded).toBe(false);
    expect(health.embedding.model).toBe(engine.config.embedModel);
    expect(health.embedding.reason).toContain(engine.config.modelsDir);
    expect(health.embedding.reason).toContain('PAPERTALK_ALLOW_REMOTE_MODELS=false');
    expect(engine.embedder).toBeUndefined();
  });

  it.each(['hybrid', 'dense'] as const)('answers a %s request with lexical search, and says so', async (mode) => {
    const response = await engine.search('retrieval augmented generation', { k: 5, mode });
    expect(response.mode).toBe('lexical');
    expect(response.results).toHaveLength(5);
    expect(response.results.every((hit) => hit.retrievers.join() === 'lexical')).toBe(true);
  });
});

describe('lexical search on odd queries', () => {
  let engine: Engine;
  let empty: Engine;

  beforeAll(async () => {
    [engine, empty] = await Promise.all([makeTestEngine(), makeTestEngine({ sample: false })]);
  });
  afterAll(async () => {
    await Promise.all([engine.close(), empty.close()]);
  });

  it.each([
    ['only stopwords', 'the of and a to'],
    ['only punctuation', '?!…—()[]{}'],
    ['regex and query syntax', 'a* OR (b AND "c") -d +e ~f ^g'],
    ['non-Latin text', '大規模言語モデル の 推論'],
    ['emoji', '🤖 🧠 📄'],
    ['a very long query', 'language model '.repeat(130).trim()],
  ])('answers %s with a well-formed (possibly empty) list', async (_name, query) => {
    const response = await engine.search(query, { k: 10 });
    expect(response.mode).toBe('lexical');
    expectWellFormed(response, 10);
  });

  it('returns at most k papers, and up to k when that many match', async () => {
    expect((await engine.search('language model', { k: 1 })).results).toHaveLength(1);
    expect((await engine.search('language model', { k: 100 })).results).toHaveLength(100);
  });

  it('answers with no results from an empty index', async () => {
    const response = await empty.search('language model', { k: 10, mode: 'hybrid' });
    expect(response).toMatchObject({ results: [], mode: 'lexical' });
  });
});

describe('serving while the embedding model loads in the background', () => {
  it('answers lexically at once, then turns hybrid once the sample corpus is embedded', async () => {
    const config = await testConfig({ dense: true });
    const engine = await openEngine(config, { seed: true, deferModel: true });
    try {
      const early = engine.health();
      expect(early.papers).toBe(sampleCorpus.uniquePapers);
      expect(early.search_modes).toEqual(['lexical']);
      expect(early.embedding).toMatchObject({ loaded: false, reason: expect.stringMatching(/loading/) });
      expect((await engine.search('sparse pre-training dense fine-tuning', { k: 3 })).mode).toBe('lexical');

      await engine.modelReady();
      const late = engine.health();
      expect(late.embedding).toMatchObject({ loaded: true, dim: TINY_MODEL_DIM });
      expect(late.search_modes).toContain('hybrid');
      expect(late.vectors).toBe(late.chunks);
      expect((await engine.search('sparse pre-training dense fine-tuning', { k: 3 })).mode).toBe('hybrid');
    } finally {
      await engine.modelReady();
      await engine.close();
    }
  });

  it('stays lexical, saying why, when the index was embedded with another model', async () => {
    const built = await makeTestEngine({ dense: true });
    await built.close();
    // The same tiny model under another name: it loads, but the index's vectors are not its own.
    const models = await mkdtemp(path.join(os.tmpdir(), 'papertalk-other-models-'));
    await cp(path.join(await makeTinyModelsDir(), TINY_MODEL), path.join(models, 'Xenova/other-model'), { recursive: true });
    const config = await testConfig(
      { dense: true, env: { PAPERTALK_EMBED_MODEL: 'Xenova/other-model', PAPERTALK_MODELS_DIR: models } },
      built.config.indexDir,
    );
    const engine = await openEngine(config, { seed: true, deferModel: true });
    await engine.modelReady();
    const health = engine.health();
    expect(health.search_modes).toEqual(['lexical']);
    expect(health.embedding.reason).toMatch(/built with embedding model Xenova\/all-MiniLM-L6-v2.*papertalk ingest --rebuild/);
    await engine.close();
  });
});
