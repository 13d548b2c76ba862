// One point of the scale curve, run in its own process by bench/speed.ts so that running out
// of memory or into Node's string limit ends this process, not the benchmark.
//
//   node --import tsx bench/scale-point.ts lexical|vectors <size> [dim]
//
// Prints one JSON line: build and persist time, query p50, memory, or the error that stopped it.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describeError } from '../src/errors.js';
import { LexicalIndex } from '../src/index/lexical.js';
import { createVectraStore, type VectorItem } from '../src/index/vector-store.js';
import type { ScalePoint } from './lib/scale.js';
import { mb, percentiles, round } from './lib/stats.js';

const [kind, sizeArg, dimArg] = process.argv.slice(2);
const size = Number(sizeArg);
const dim = Number(dimArg ?? 384);
const QUERIES = 30;

let stage = 'generate';
const report = (extra: Partial<ScalePoint>) => {
  const memory = process.memoryUsage();
  const line: ScalePoint = { kind: kind ?? '', size, rss_mb: mb(memory.rss), heap_mb: mb(memory.heapUsed), ...extra };
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

/** A vocabulary of pronounceable pseudo-words with a Zipf-like frequency, like real text. */
function makeVocabulary(words: number): string[] {
  const syllables = ['ra', 'to', 'mi', 'ne', 'ka', 'lo', 'su', 'vi', 'de', 'pa', 'gu', 'shi', 'tran', 'form', 'lat', 'ent'];
  return Array.from({ length: words }, (_, i) => {
    let n = i + 1;
    let word = '';
    while (n > 0) {
      word += syllables[n % syllables.length];
      n = Math.floor(n / syllables.length);
    }
    return word;
  });
}

function zipfPicker(vocabulary: string[]): () => string {
  // Inverse-CDF sampling of p(rank) ~ 1/rank over the vocabulary.
  const cumulative: number[] = [];
  let sum = 0;
  for (let rank = 1; rank <= vocabulary.length; rank++) cumulative.push((sum += 1 / rank));
  return () => {
    const target = Math.random() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return vocabulary[lo]!;
  };
}

async function lexicalPoint(): Promise<Partial<ScalePoint>> {
  const pick = zipfPicker(makeVocabulary(50_000));
  const words = (n: number) => Array.from({ length: n }, pick).join(' ');
  stage = 'build';
  const started = performance.now();
  const index = LexicalIndex.empty();
  // A chunk-sized document: a short title and ~40 words.
  for (let i = 0; i < size; i++) index.add({ id: `doc-${i}`, title: words(6), abstract: words(40) });
  const build_s = round((performance.now() - started) / 1000);
  stage = 'query';
  const took: number[] = [];
  for (let q = 0; q < QUERIES; q++) {
    const t = performance.now();
    index.search(words(6), 10);
    took.push(performance.now() - t);
  }
  const query_p50_ms = round(percentiles(took).p50);
  stage = 'persist (JSON.stringify of the index)';
  const persistStarted = performance.now();
  const json = index.toJSON();
  return { build_s, query_p50_ms, persist_s: round((performance.now() - persistStarted) / 1000), persist_bytes: Buffer.byteLength(json) };
}

function randomUnitVector(): Float32Array {
  const vector = new Float32Array(dim);
  let norm = 0;
  for (let i = 0; i < dim; i++) {
    // Sum of uniforms: close enough to Gaussian for directions spread over the sphere.
    const value = Math.random() + Math.random() + Math.random() - 1.5;
    vector[i] = value;
    norm += value * value;
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < dim; i++) vector[i]! /= norm;
  return vector;
}

async function vectorPoint(): Promise<Partial<ScalePoint>> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'papertalk-bench-scale-'));
  try {
    const store = await createVectraStore(dir, dim);
    const items: VectorItem[] = Array.from({ length: size }, (_, i) => ({ id: `p${i}#0`, paperId: `p${i}`, vector: randomUnitVector() }));
    stage = 'build (vectra insert + write index.json)';
    const started = performance.now();
    store.add(items);
    await store.commit();
    const build_s = round((performance.now() - started) / 1000);
    const persist_bytes = (await stat(path.join(dir, 'index.json'))).size;
    stage = 'query';
    const took: number[] = [];
    for (let q = 0; q < QUERIES; q++) {
      const t = performance.now();
      await store.query(randomUnitVector(), 40);
      took.push(performance.now() - t);
    }
    return { build_s, persist_bytes, query_p50_ms: round(percentiles(took).p50) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

try {
  if (!Number.isInteger(size) || size <= 0 || (kind !== 'lexical' && kind !== 'vectors')) {
    throw new Error('usage: scale-point.ts lexical|vectors <size> [dim]');
  }
  report(kind === 'lexical' ? await lexicalPoint() : await vectorPoint());
} catch (error) {
  report({ error: describeError(error), stage });
  process.exitCode = 1;
}
