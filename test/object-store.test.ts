// One index on object storage served by several papertalk servers: real `papertalk serve`
// processes (as on separate machines) on one s3:// index of a local S3 stand-in (s3rver on
// 127.0.0.1), real HTTP. An ingest through one server reaches the other within the refresh
// delay; one writer at a time (a second is refused, none loses a commit); a writer killed
// mid-ingest leaves the last commit readable; refused credentials and a store that goes away
// are answered with clear errors.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { leaseHolder } from '../src/index/lancedb/lease.js';
import { loadLance } from '../src/index/lancedb/native.js';
import { run } from './support/cli.js';
import { repoRoot } from './support/corpus.js';
import { tempDir } from './support/engine.js';
import { generatedPapers, writeJsonl } from './support/papers.js';
import { cliEnv, runCli, startServeProcess, type CliProcess } from './support/processes.js';
import { S3RVER_KEY, startFakeS3, type FakeS3 } from './support/s3rver.js';

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const REFRESH_MS = 500;

let s3: FakeS3;
let work: string;
const processes: CliProcess[] = [];
let prefixes = 0;

beforeAll(async () => {
  s3 = await startFakeS3();
  work = await tempDir('papertalk-object-store-');
});
afterEach(() => {
  for (const proc of processes.splice(0)) proc.child.kill('SIGKILL');
});
afterAll(async () => {
  await s3?.close();
});

/** The environment of a papertalk on a fresh index `s3://papers/lab-N` (or the given one). */
function labEnv(prefix = `lab-${++prefixes}`, overrides: Record<string, string> = {}): Record<string, string> {
  return cliEnv('unused', { ...s3.env(prefix), PAPERTALK_INDEX_REFRESH_MS: String(REFRESH_MS), ...overrides });
}

async function serve(env: Record<string, string>) {
  const proc = await startServeProcess(env, 60_000);
  processes.push(proc);
  return proc;
}

async function health(url: string) {
  return (await fetch(`${url}/api/health`)).json();
}

async function searchIds(url: string, query: string): Promise<string[]> {
  const response = await fetch(`${url}/api/search`, json({ query, k: 5, mode: 'lexical' }));
  expect(response.status).toBe(200);
  return ((await response.json()).results as { id: string }[]).map((hit) => hit.id);
}

/** Polls until `check` holds, returning how long it took. */
async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
  return Date.now() - started;
}

/** Who holds the write lease of the index at `prefix`, read straight from the store. */
async function writerOf(prefix: string) {
  const { lancedb } = await loadLance();
  const control = await lancedb.connect(`${s3.uri(prefix)}/_papertalk`, { storageOptions: s3.storageOptions() });
  return leaseHolder(control);
}

const paper = (id: string, word: string) => ({ id, title: `A study of ${word} in shared indexes`, abstract: `We measure ${word} across laboratories and report ${word} findings.` });

describe('two servers on one object-store index', () => {
  it('serve searches from the store, and an ingest through one is searchable on the other within the refresh delay', async () => {
    const env = labEnv();
    const [a, b] = [await serve(env), await serve(env)];
    const first = await fetch(`${a.url}/api/ingest`, json([paper('lab-1', 'zymurgy'), paper('lab-2', 'quokka')]));
    expect(first.status, await first.clone().text()).toBe(200);
    expect((await first.json()).total).toBe(2);

    const took = await eventually(async () => (await searchIds(b.url, 'zymurgy')).includes('lab-1'), 15_000, 'the other server finds the paper');
    // The delay is the refresh interval plus opening the new version; generous on a loaded machine.
    expect(took).toBeLessThan(15_000);
    const [ha, hb] = [await health(a.url), await health(b.url)];
    expect(hb).toMatchObject({ backend: 'lancedb', papers: 2, index_dir: env.PAPERTALK_INDEX_DIR });
    expect(hb.index).toMatchObject({ storage: 's3', version: ha.index.version, latest_version: ha.index.version, behind: 0, refresh_ms: REFRESH_MS });
    expect(ha.index.version).toBeGreaterThan(0);

    // A second ingest, through the other server this time.
    expect((await fetch(`${b.url}/api/ingest`, json([paper('lab-3', 'axolotl')]))).status).toBe(200);
    await eventually(async () => (await searchIds(a.url, 'axolotl')).includes('lab-3'), 15_000, 'the first server finds the second paper');
    expect((await health(a.url)).papers).toBe(3);

    // Credentials are never shown, and the URI never became a local folder.
    for (const text of [JSON.stringify(ha), JSON.stringify(hb), a.output(), b.output()]) expect(text).not.toContain(S3RVER_KEY);
    expect(existsSync(path.join(repoRoot, 's3:'))).toBe(false);

    // `papertalk stats` says the same.
    const stats = await run(['stats', '--json'], { ...env, PAPERTALK_LOG_LEVEL: 'silent' });
    expect(stats.code, stats.err).toBe(0);
    expect(JSON.parse(stats.out)).toMatchObject({ backend: 'lancedb', papers: 3, index: { storage: 's3', behind: 0 } });
    expect(stats.out).not.toContain(S3RVER_KEY);
    const text = await run(['stats'], { ...env, PAPERTALK_LOG_LEVEL: 'silent' });
    expect(text.out).toMatch(/storage: +s3, version \d+ of \d+/);
  }, 180_000);
});

describe('one writer at a time on object storage', () => {
  it('refuses a second ingest while a `papertalk ingest` holds the lease, and loses no commit', async () => {
    const prefix = `lab-${++prefixes}`;
    const env = labEnv(prefix);
    const server = await serve(env);
    const file = await writeJsonl(work, 'big.jsonl', generatedPapers(4000, 3));
    const ingest = runCli(['ingest', file, '--json'], env);
    processes.push(ingest);
    await eventually(async () => (await writerOf(prefix))?.pid === ingest.child.pid || ingest.child.exitCode !== null, 90_000, 'the ingest takes the lease');
    expect(ingest.child.exitCode, ingest.output()).toBeNull();

    const refused = await fetch(`${server.url}/api/ingest`, json([paper('late-1', 'pangolin')]));
    expect(refused.status).toBe(507);
    const { error } = await refused.json();
    expect(error.code).toBe('index_write_failed');
    expect(error.message).toMatch(new RegExp(`another papertalk \\(pid ${ingest.child.pid} on .+\\) is writing the index in s3://papers/${prefix}`));

    expect(await ingest.exited, ingest.output()).toBe(0);
    expect(JSON.parse(ingest.output().slice(ingest.output().indexOf('{'))).total).toBe(4000);
    // Free again: the refused paper goes in now, on top of the other writer's commit.
    const retry = await fetch(`${server.url}/api/ingest`, json([paper('late-1', 'pangolin')]));
    expect(retry.status).toBe(200);
    expect((await retry.json()).total).toBe(4001);
    expect(await searchIds(server.url, 'pangolin')).toContain('late-1');
    expect(await writerOf(prefix)).toBeUndefined();
  }, 240_000);

  it('two ingests started at the same moment: each one either commits all its papers or is refused, never lost', async () => {
    const prefix = `lab-${++prefixes}`;
    const env = labEnv(prefix);
    const sets = [generatedPapers(300, 21).map((p) => ({ ...p, id: `x-${p.id}` })), generatedPapers(300, 22).map((p) => ({ ...p, id: `y-${p.id}` }))];
    const files = await Promise.all(sets.map((set, i) => writeJsonl(work, `race-${i}.jsonl`, set)));
    const writers = files.map((file) => runCli(['ingest', file], env));
    processes.push(...writers);
    const codes = await Promise.all(writers.map((writer) => writer.exited));
    const committed = codes.filter((code) => code === 0).length;
    expect(committed, writers.map((w) => w.output()).join('\n')).toBeGreaterThanOrEqual(1);
    codes.forEach((code, i) => {
      if (code !== 0) expect(writers[i]!.output()).toMatch(/another papertalk .*(is writing|at the same moment)/);
    });
    const stats = await run(['stats', '--json'], { ...env, PAPERTALK_LOG_LEVEL: 'silent' });
    expect(JSON.parse(stats.out).papers).toBe(300 * committed);
  }, 180_000);

  it('a writer killed with SIGKILL mid-ingest leaves the last commit readable by every server, and the next writer takes over', async () => {
    const prefix = `lab-${++prefixes}`;
    const env = labEnv(prefix);
    const seed = await run(['ingest', await writeJsonl(work, 'seed.jsonl', [paper('seed-1', 'narwhal'), paper('seed-2', 'okapi')])], { ...env, PAPERTALK_LOG_LEVEL: 'silent' });
    expect(seed.code, seed.err).toBe(0);
    const [a, b] = [await serve(env), await serve(env)];

    const ingest = runCli(['ingest', await writeJsonl(work, 'killed.jsonl', generatedPapers(4000, 9))], env);
    processes.push(ingest);
    await eventually(async () => (await writerOf(prefix))?.pid === ingest.child.pid || ingest.child.exitCode !== null, 90_000, 'the ingest takes the lease');
    await sleep(500);
    ingest.child.kill('SIGKILL');
    expect(await ingest.exited).toBe('SIGKILL');

    // Both servers still serve a committed version: the seed, or (had it committed) everything.
    for (const url of [a.url, b.url]) {
      expect(await searchIds(url, 'narwhal')).toContain('seed-1');
      const { papers } = await health(url);
      expect([2, 4002]).toContain(papers);
      expect((await (await fetch(`${url}/api/papers?offset=0&limit=1`)).json()).total).toBe(papers);
    }
    // The dead writer's lease is taken over at once (its process is gone on this machine).
    const next = await fetch(`${a.url}/api/ingest`, json([paper('after-1', 'capybara')]));
    expect(next.status, await next.clone().text()).toBe(200);
    const total = (await next.json()).total;
    expect([3, 4003]).toContain(total);
    await eventually(async () => (await searchIds(b.url, 'capybara')).includes('after-1'), 15_000, 'the other server sees the next commit');
    expect((await health(b.url)).papers).toBe(total);
  }, 240_000);
});

describe('the same report for an index on disk', () => {
  it('says local storage, with commit numbers on LanceDB and none on vectra', async () => {
    const papers = await writeJsonl(work, 'two.jsonl', [paper('disk-1', 'tapir'), paper('disk-2', 'ibex')]);
    const lance = cliEnv(path.join(work, 'disk-lance'), { PAPERTALK_INDEX_BACKEND: 'lancedb' });
    expect((await run(['ingest', papers], lance)).code).toBe(0);
    const first = JSON.parse((await run(['stats', '--json'], lance)).out).index;
    expect((await run(['ingest', await writeJsonl(work, 'one.jsonl', [paper('disk-3', 'dugong')])], lance)).code).toBe(0);
    const second = JSON.parse((await run(['stats', '--json'], lance)).out).index;
    expect(first).toMatchObject({ storage: 'local', behind: 0 });
    expect(second.version).toBeGreaterThan(first.version);
    expect(second.latest_version).toBe(second.version);
    const vectra = cliEnv(path.join(work, 'disk-vectra'));
    expect((await run(['ingest', papers], vectra)).code).toBe(0);
    expect(JSON.parse((await run(['stats', '--json'], vectra)).out).index).toMatchObject({ storage: 'local', version: null, behind: 0 });
  }, 60_000);
});

describe('state beside the index on object storage', () => {
  it('keeps saved searches in the store, where every machine sees them (no local file)', async () => {
    const env = { ...labEnv(), PAPERTALK_LOG_LEVEL: 'silent' };
    expect((await run(['follow', 'speculative decoding'], env)).code).toBe(0);
    expect((await run(['follow', 'mixture of experts'], env)).code).toBe(0);
    const listed = await run(['follow', '--list', '--json'], env);
    expect(listed.code, listed.err).toBe(0);
    expect(JSON.parse(listed.out).searches.map((search: { query: string }) => search.query)).toEqual(['speculative decoding', 'mixture of experts']);
    expect(existsSync(path.join(repoRoot, 's3:'))).toBe(false);
  }, 60_000);
});

describe('object-store failures', () => {
  it('refuses bad credentials at start with one line naming PAPERTALK_STORAGE_OPTIONS, never the secret', async () => {
    // s3rver checks the access key id (it does not verify SigV4 signatures, so a wrong secret passes there).
    const env = labEnv(undefined, { PAPERTALK_STORAGE_OPTIONS: JSON.stringify(s3.storageOptions({ awsAccessKeyId: 'NOT-A-KEY', awsSecretAccessKey: 'wrong-secret-hunter2' })) });
    const stats = await run(['stats'], env);
    expect(stats.code).toBe(2);
    expect(stats.err).toMatch(/^papertalk: invalid configuration: the object store refused access to s3:\/\/papers\/lab-\d+ \(InvalidAccessKeyId\); check the credentials in PAPERTALK_STORAGE_OPTIONS\n$/);

    const server = runCli(['serve', '--port', '0'], env);
    processes.push(server);
    expect(await server.exited).toBe(2);
    const lines = server.output().trim().split('\n');
    expect(lines.at(-1)).toMatch(/^papertalk: invalid configuration: the object store refused access .*PAPERTALK_STORAGE_OPTIONS$/);
    expect(server.output()).not.toMatch(/hunter2|NOT-A-KEY|\n\s+at /);

    // A missing bucket names the index location; a malformed value and the vectra backend are config errors before any request.
    const noBucket = await run(['stats'], { ...labEnv(), PAPERTALK_INDEX_DIR: 's3://no-such-bucket/lab' });
    expect(noBucket.code).toBe(2);
    expect(noBucket.err).toMatch(/the bucket of s3:\/\/no-such-bucket\/lab does not exist \(NoSuchBucket\); create it, or fix PAPERTALK_INDEX_DIR/);
    const malformed = await run(['stats'], labEnv(undefined, { PAPERTALK_STORAGE_OPTIONS: '{"endpoint": ' }));
    expect(malformed).toMatchObject({ code: 2 });
    expect(malformed.err).toMatch(/^papertalk: invalid configuration: PAPERTALK_STORAGE_OPTIONS=\(value hidden\): must be a JSON object/);
    const vectra = await run(['stats'], labEnv(undefined, { PAPERTALK_INDEX_BACKEND: 'vectra' }));
    expect(vectra.code).toBe(2);
    expect(vectra.err).toMatch(/only the lancedb backend can use; set PAPERTALK_INDEX_BACKEND=lancedb/);
    const backendFlag = await run(['ingest', '--backend', 'vectra', path.join(repoRoot, 'data', 'sample')], labEnv());
    expect(backendFlag.code).toBe(2);
  }, 120_000);

  it('answers with errors while the store is away, keeps running, and recovers when it is back', async () => {
    const env = labEnv();
    const server = await serve(env);
    expect((await fetch(`${server.url}/api/ingest`, json([paper('up-1', 'wombat')]))).status).toBe(200);

    await s3.stop();
    try {
      const ingest = await fetch(`${server.url}/api/ingest`, json([paper('down-1', 'quetzal')]));
      expect(ingest.status).toBe(503);
      const { error } = await ingest.json();
      expect(error.code).toBe('index_unavailable');
      expect(error.message).toMatch(/cannot reach the object store holding s3:\/\/papers\/lab-\d+/);
      // A search is answered: from what LanceDB still caches, or with the same 503.
      const search = await fetch(`${server.url}/api/search`, json({ query: 'wombat', mode: 'lexical' }));
      expect([200, 503]).toContain(search.status);
      if (search.status === 503) expect((await search.json()).error.code).toBe('index_unavailable');
      // Health answers, and says the last check failed.
      await eventually(async () => Boolean((await health(server.url)).index.error), 20_000, 'health reports the store away');
      expect(server.child.exitCode).toBeNull();
    } finally {
      await s3.start();
    }
    await eventually(async () => (await fetch(`${server.url}/api/ingest`, json([paper('down-1', 'quetzal')]))).status === 200, 30_000, 'ingest works again');
    expect(await searchIds(server.url, 'quetzal')).toContain('down-1');
    await eventually(async () => (await health(server.url)).index.error === undefined, 10_000, 'health is clear again');
  }, 180_000);
});
