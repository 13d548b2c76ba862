import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVectraStore, forkVectraStore, openVectraStore, type VectorItem } from '../src/index/vector-store.js';
import { rejectionOf } from './support/errors.js';

let root: string;
let counter = 0;
const freshDir = () => path.join(root, `store-${counter++}`);

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'papertalk-vectors-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function item(id: string, values: number[]): VectorItem {
  return { id, paperId: id.split('#')[0]!, vector: Float32Array.from(values) };
}

const east = item('a#0', [1, 0, 0]);
const north = item('b#0', [0, 1, 0]);
const northEast = item('c#0', [1, 1, 0]);

async function storeWith(items: VectorItem[]) {
  const store = await createVectraStore(freshDir(), 3);
  store.add(items);
  await store.commit();
  return store;
}

async function expectCorrupt(promise: Promise<unknown>, file: string) {
  const error = await rejectionOf(promise);
  expect(error.code).toBe('index_corrupt');
  expect(error.message).toContain(file);
  expect(error.message).toContain('papertalk ingest --rebuild');
}

describe('vectra vector store', () => {
  it('ranks committed items by cosine similarity to the query', async () => {
    const store = await storeWith([east, north, northEast]);
    const hits = await store.query(Float32Array.from([1, 0.2, 0]), 3);
    expect(hits.map((h) => h.id)).toEqual(['a#0', 'c#0', 'b#0']);
    expect(hits[0]).toEqual({ id: 'a#0', paperId: 'a', score: expect.closeTo(1 / Math.hypot(1, 0.2), 6) });
    expect(hits[2]!.score).toBeCloseTo(0.2 / Math.hypot(1, 0.2), 6);
  });

  it('returns at most k hits, and none for k = 0', async () => {
    const store = await storeWith([east, north, northEast]);
    expect(await store.query(Float32Array.from([0, 1, 0]), 2)).toHaveLength(2);
    expect(await store.query(Float32Array.from([0, 1, 0]), 10)).toHaveLength(3);
    expect(await store.query(Float32Array.from([0, 1, 0]), 0)).toEqual([]);
  });

  it('buffers additions and removals until commit, while has/ids/stats see them at once', async () => {
    const store = await storeWith([east]);
    store.add([north]);
    store.remove(['a#0']);
    expect(store.has('b#0')).toBe(true);
    expect(store.has('a#0')).toBe(false);
    expect(store.ids()).toEqual(['b#0']);
    expect(store.stats()).toEqual({ items: 1, dim: 3 });
    expect((await store.query(Float32Array.from([1, 0, 0]), 5)).map((h) => h.id)).toEqual(['a#0']);

    await store.commit();
    expect((await store.query(Float32Array.from([1, 0, 0]), 5)).map((h) => h.id)).toEqual(['b#0']);
  });

  it('keeps changes made while a commit is writing for the next commit', async () => {
    const dir = freshDir();
    const store = await createVectraStore(dir, 3);
    store.add([east]);
    const first = store.commit();
    store.add([north]);
    const second = store.commit();
    await Promise.all([first, second]);
    expect((await openVectraStore(dir)).ids().sort()).toEqual(['a#0', 'b#0']);
  });

  it('replaces an item added again under the same id, score included', async () => {
    const store = await storeWith([east, north]);
    store.add([item('a#0', [0, 2, 0])]);
    await store.commit();
    const hits = await store.query(Float32Array.from([0, 1, 0]), 5);
    expect(hits).toHaveLength(2);
    for (const hit of hits) expect(hit.score).toBeCloseTo(1, 6);
    expect(store.ids().sort()).toEqual(['a#0', 'b#0']);
  });

  it('ignores removal of unknown ids', async () => {
    const store = await storeWith([east]);
    store.remove(['nope#3']);
    await store.commit();
    expect(store.ids()).toEqual(['a#0']);
  });

  it('reopens from disk with the same items, dimension and ranking', async () => {
    const dir = freshDir();
    const store = await createVectraStore(dir, 3);
    store.add([east, north, northEast]);
    await store.commit();
    store.remove(['b#0']);
    await store.commit();

    const reopened = await openVectraStore(dir);
    expect(reopened.dim).toBe(3);
    expect(reopened.ids().sort()).toEqual(['a#0', 'c#0']);
    const query = Float32Array.from([0.3, 1, 0]);
    expect(await reopened.query(query, 5)).toEqual(await store.query(query, 5));
  });

  it('keeps only the paper id beside each vector on disk, and float32 values exactly', async () => {
    const dir = freshDir();
    const store = await createVectraStore(dir, 3);
    const precise = item('a#0', [0.1, -1 / 3, 123456.789]);
    store.add([precise]);
    await store.commit();
    const onDisk = JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8'));
    expect(onDisk.items).toHaveLength(1);
    expect(onDisk.items[0].metadata).toEqual({ paperId: 'a' });
    expect(Float32Array.from(onDisk.items[0].vector)).toEqual(precise.vector);
  });

  it('forks into a new folder that changes independently of the original', async () => {
    const originalDir = freshDir();
    const original = await createVectraStore(originalDir, 3);
    original.add([east, north]);
    await original.commit();

    const fork = await forkVectraStore(original, freshDir());
    expect(fork.ids().sort()).toEqual(['a#0', 'b#0']);
    fork.remove(['a#0']);
    fork.add([northEast]);
    await fork.commit();

    expect(fork.ids().sort()).toEqual(['b#0', 'c#0']);
    expect(original.ids().sort()).toEqual(['a#0', 'b#0']);
    const query = Float32Array.from([1, 0, 0]);
    expect((await original.query(query, 1))[0]!.id).toBe('a#0');
    expect((await openVectraStore(originalDir)).ids().sort()).toEqual(['a#0', 'b#0']);
  });

  it('refuses to fork a store with uncommitted changes', async () => {
    const store = await storeWith([east]);
    store.add([north]);
    await expect(forkVectraStore(store, freshDir())).rejects.toThrow(/commit/);
  });

  it('rejects vectors of the wrong dimension, naming both sizes', async () => {
    const store = await storeWith([east]);
    expect(() => store.add([item('d#0', [1, 2])])).toThrow(/2 dimensions.*holds 3/);
    await expect(store.query(Float32Array.from([1, 2, 3, 4]), 1)).rejects.toMatchObject({ code: 'index_model_mismatch' });
  });

  it('reports a damaged index.json as index_corrupt, naming the file and the rebuild command', async () => {
    const dir = freshDir();
    const store = await createVectraStore(dir, 3);
    store.add([east]);
    await store.commit();
    await writeFile(path.join(dir, 'index.json'), '{"version":1,"items":[{"id":');
    await expectCorrupt(openVectraStore(dir), path.join(dir, 'index.json'));
  });

  it('reports an item whose vector has the wrong length as index_corrupt', async () => {
    const dir = freshDir();
    const store = await createVectraStore(dir, 3);
    store.add([east]);
    await store.commit();
    const file = path.join(dir, 'index.json');
    const data = JSON.parse(await readFile(file, 'utf8'));
    data.items[0].vector = [1, 0];
    await writeFile(file, JSON.stringify(data));
    await expectCorrupt(openVectraStore(dir), file);
  });

  it('reports a missing store or a missing meta.json as index_corrupt', async () => {
    const missing = freshDir();
    await expectCorrupt(openVectraStore(missing), path.join(missing, 'meta.json'));

    const dir = freshDir();
    await createVectraStore(dir, 3);
    await unlink(path.join(dir, 'meta.json'));
    await expectCorrupt(openVectraStore(dir), path.join(dir, 'meta.json'));

    const noIndex = freshDir();
    await createVectraStore(noIndex, 3);
    await unlink(path.join(noIndex, 'index.json'));
    await expectCorrupt(openVectraStore(noIndex), path.join(noIndex, 'index.json'));
  });
});
