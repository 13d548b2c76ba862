// Faults, each as it would happen to a user: the server killed mid-ingest, Ollama dying or
// stalling, the browser going away, a full or read-only disk, a corrupt index file.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openEngine } from '../src/engine.js';
import { acquireWriteLock, LOCK_DIR, lockHolder } from '../src/index/lock.js';
import { openIndex } from '../src/index/store.js';
import { makeTestEngine, tempDir, testConfig } from './support/engine.js';
import { startFakeOllama, type FakeOllama } from './support/fake-ollama.js';
import { generatedPapers } from './support/papers.js';
import { cliEnv, runCli, startServeProcess, type CliProcess } from './support/processes.js';
import { startTestServer, type TestServer } from './support/server.js';
import { answerText, readSse } from './support/sse.js';
import { sampleCorpus, sampleDir } from './support/corpus.js';

/** A fresh copy of the indexed sample corpus (632 papers), in its own folder. */
async function sampleIndexDir(): Promise<string> {
  const engine = await makeTestEngine();
  await engine.close();
  return engine.config.indexDir;
}

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const QUESTION = 'Which methods make fine-tuning of large language models parameter-efficient?';

describe('the serve process killed with SIGKILL during POST /api/ingest', () => {
  const processes: CliProcess[] = [];
  const restarted: TestServer[] = [];
  afterEach(async () => {
    for (const proc of processes.splice(0)) proc.child.kill('SIGKILL');
    for (const server of restarted.splice(0)) await server.close();
  });

  it('restarts on an index holding the old or the new papers, none lost or doubled, and can ingest again', async () => {
    const indexDir = await sampleIndexDir();
    const env = cliEnv(indexDir);
    const first = await startServeProcess(env);
    processes.push(first);
    const incoming = generatedPapers(800, 7);

    // Kill it once the new generation is being written (the lock file appears), the worst moment.
    const request = fetch(`${first.url}/api/ingest`, json(incoming)).then(
      (response) => response.status,
      () => 'connection lost' as const,
    );
    const deadline = Date.now() + 40_000;
    while ((await lockHolder(indexDir)) === undefined && Date.now() < deadline) await sleep(2);
    expect(await lockHolder(indexDir), 'the ingest reached the writing stage').toBe(first.child.pid);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    expect(await request).toBe('connection lost');

    // Restart: the same engine start-up `serve` runs, in this process to keep the test short.
    const second = await startTestServer({ engine: await openEngine(await testConfig({}, indexDir)) });
    restarted.push(second);
    const health = await (await fetch(`${second.url}/api/health`)).json();
    expect([sampleCorpus.uniquePapers, sampleCorpus.uniquePapers + incoming.length]).toContain(health.papers);
    const listed = await (await fetch(`${second.url}/api/papers?limit=500&offset=0`)).json();
    expect(listed.total).toBe(health.papers);
    // The snapshot on disk agrees, with every id once.
    const snapshot = await openIndex(indexDir);
    expect(snapshot.papers.size).toBe(health.papers);
    expect(new Set([...snapshot.papers.keys()]).size).toBe(snapshot.papers.size);

    // The dead writer's lock is taken over: ingest works again and lands exactly once.
    const retry = await fetch(`${second.url}/api/ingest`, json(incoming.slice(0, 50)));
    expect(retry.status).toBe(200);
    const counts = await retry.json();
    expect(counts.total).toBe(health.papers === sampleCorpus.uniquePapers ? sampleCorpus.uniquePapers + 50 : health.papers);
    const generations = (await readdir(indexDir)).filter((name) => name.startsWith('g-'));
    expect(generations, 'leftover generations of the killed ingest are cleaned up').toHaveLength(1);
    // A child process start (tsx + model libraries) takes ~3 s idle but far longer on a loaded machine.
  }, 60_000);
});

describe('Ollama faults during a chat stream', () => {
  let fake: FakeOllama;
  let server: TestServer;
  beforeAll(async () => {
    fake = await startFakeOllama();
    server = await startTestServer({ env: { OLLAMA_HOST: fake.url, PAPERTALK_LLM_FIRST_TOKEN_TIMEOUT_MS: '600' } });
  });
  afterAll(async () => {
    await server.close();
    await fake.close();
  });

  const chat = () => fetch(`${server.url}/api/chat`, json({ messages: [{ role: 'user', content: QUESTION }] }));

  it('ends the stream with an error event after the tokens already sent when Ollama dies mid-answer', async () => {
    fake.onChat({ kind: 'die', tokens: ['LoRA adapts ', 'low-rank ', 'matrices [1]'] });
    const events = await readSse(await chat());
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('sources');
    expect(names.at(-1)).toBe('error');
    expect(names).not.toContain('done');
    expect(answerText(events)).toBe('LoRA adapts low-rank matrices [1]');
    expect(events.at(-1)!.data.message).toMatch(/\S/);
  });

  it('gives up on a stalled Ollama when the first-token limit passes, and still answers', async () => {
    fake.onChat({ kind: 'stall' });
    const before = fake.chatRequests().length;
    const started = Date.now();
    const events = await readSse(await chat());
    const elapsed = Date.now() - started;
    const done = events.at(-1)!;
    expect(done.event).toBe('done');
    expect(done.data.mode).toBe('extractive');
    expect(done.data.notice).toMatch(/sent nothing for/);
    expect(elapsed).toBeGreaterThanOrEqual(600);
    expect(elapsed).toBeLessThan(5_000);
    // The stalled request was closed by papertalk, not left hanging.
    const stalled = await fake.ended(fake.requests.indexOf(fake.chatRequests()[before]!));
    expect(stalled.closedEarly).toBe(true);
  });

  it('aborts generation when the browser goes away: Ollama sees its request closed', async () => {
    const tokens = Array.from({ length: 200 }, (_, i) => `t${i} `);
    fake.onChat({ kind: 'answer', tokens, delayMs: 20 });
    const before = fake.chatRequests().length;
    const controller = new AbortController();
    const response = await fetch(`${server.url}/api/chat`, { ...json({ messages: [{ role: 'user', content: QUESTION }] }), signal: controller.signal });
    const events = await readSse(response, (e) => e.event === 'token');
    expect(events.at(-1)!.event).toBe('token');
    controller.abort();
    const generation = fake.chatRequests()[before]!;
    const ended = await Promise.race([fake.ended(fake.requests.indexOf(generation)), sleep(3_000).then(() => undefined)]);
    expect(ended, 'the request to Ollama ended within 3 s').toBeDefined();
    expect(ended!.closedEarly).toBe(true);
    expect(ended!.completed).toBe(false);
  });
});

/** Whether this machine lets us mount a tmpfs (root with CAP_SYS_ADMIN, as in the dev container). */
function canMount(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = path.join('/tmp', `papertalk-mount-probe-${process.pid}`);
  try {
    execFileSync('mkdir', ['-p', probe]);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe]);
    return true;
  } catch {
    return false;
  } finally {
    execFileSync('rm', ['-rf', probe]);
  }
}

// chmod does not stop root, so these faults are real file systems: a tmpfs just big enough for
// the current index (full), and the same tmpfs remounted read-only.
describe.skipIf(!canMount())('an index folder on a full or read-only file system', () => {
  const mounts: string[] = [];
  afterEach(() => {
    for (const dir of mounts.splice(0)) execFileSync('umount', ['-l', dir]);
  });

  async function indexOnTmpfs(): Promise<{ dir: string; bytes: number }> {
    const source = await sampleIndexDir();
    const bytes = Number(execFileSync('du', ['-sb', source]).toString().split(/\s/)[0]);
    const dir = await tempDir('papertalk-tmpfs-');
    // Room for the live generation plus a little: a second full generation cannot fit.
    const size = Math.ceil((bytes * 1.3) / 4096) * 4096;
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
    mounts.push(dir);
    await cp(source, dir, { recursive: true });
    return { dir, bytes };
  }

  async function serverOn(dir: string): Promise<TestServer> {
    const config = await testConfig({}, dir);
    return startTestServer({ engine: await openEngine(config) });
  }

  async function expectWriteRefused(server: TestServer, dir: string, pattern: RegExp) {
    const before = await (await fetch(`${server.url}/api/health`)).json();
    const response = await fetch(`${server.url}/api/ingest`, json(generatedPapers(300, 3)));
    expect(response.status).toBe(507);
    const body = await response.json();
    expect(body.error.code).toBe('index_write_failed');
    expect(body.error.message).toMatch(pattern);
    expect(body.error.message).toContain('the previous index is unchanged');
    // The running server still answers from the old index…
    const health = await (await fetch(`${server.url}/api/health`)).json();
    expect(health.papers).toBe(before.papers);
    expect(health.generation).toBe(before.generation);
    const search = await fetch(`${server.url}/api/search`, json({ query: 'parameter-efficient fine-tuning', k: 3 }));
    expect(search.status).toBe(200);
    // …and the folder still loads with it.
    const reopened = await openIndex(dir);
    expect(reopened.papers.size).toBe(before.papers);
    expect(reopened.manifest?.generation).toBe(before.generation);
  }

  it('answers an ingest that fills the disk with a clear 507, keeps the old index and cleans up', async () => {
    const { dir } = await indexOnTmpfs();
    const server = await serverOn(dir);
    try {
      await expectWriteRefused(server, dir, /ENOSPC|no space/i);
      const generations = (await readdir(dir)).filter((name) => name.startsWith('g-'));
      expect(generations, 'the half-written generation is removed').toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  /** Every file under `dir` with its size: what a failed write may not leave behind. */
  async function listing(dir: string): Promise<string[]> {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return Promise.all(entries.map(async (entry) => `${path.relative(dir, path.join(entry.parentPath, entry.name))}:${entry.isFile() ? (await stat(path.join(entry.parentPath, entry.name))).size : 'dir'}`)).then((rows) => rows.sort());
  }
  const openDescriptors = () => readdirSync('/proc/self/fd').length;

  it('refuses the lock on a disk already full with a clear error, leaking no file handle and leaving no lock file', async () => {
    const { dir } = await indexOnTmpfs();
    // Fill what is left of the tmpfs.
    await writeFile(path.join(dir, 'filler'), Buffer.alloc(64 * 1024 * 1024)).catch(() => undefined);
    const before = await listing(dir);
    const descriptors = openDescriptors();
    for (let i = 0; i < 3; i++) await expect(acquireWriteLock(dir)).rejects.toThrow(/ENOSPC|no space/i);
    expect(openDescriptors()).toBe(descriptors);
    const left = (await listing(dir)).filter((row) => !before.includes(row) && row !== `${LOCK_DIR}:dir`);
    expect(left, 'no lock file, empty or not, is left').toEqual([]);
    // Room again: the lock is not stuck.
    await rm(path.join(dir, 'filler'));
    await (await acquireWriteLock(dir))();
  });

  it('serves an empty index on a read-only disk, saying it cannot write, and reports EROFS (not ENOENT) for a missing folder', async () => {
    const dir = await tempDir('papertalk-tmpfs-');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,ro', 'tmpfs', dir]);
    mounts.push(dir);
    const proc = await startServeProcess(cliEnv(path.join(dir, 'index'), { PAPERTALK_SEED_CORPUS: sampleDir }));
    try {
      expect(proc.output()).toMatch(/indexing the seed corpus .* skipped: could not write the index .*EROFS/);
      expect(proc.output()).not.toContain('ENOENT');
      const health = await (await fetch(`${proc.url}/api/health`)).json();
      expect(health.papers).toBe(0);
      const ingest = await fetch(`${proc.url}/api/ingest`, json([{ title: 'On a read-only disk', abstract: 'Cannot be written.' }]));
      expect(ingest.status).toBe(507);
      expect((await ingest.json()).error.message).toMatch(/EROFS/);
    } finally {
      proc.child.kill('SIGKILL');
      await proc.exited;
    }
  }, 60_000);

  it('answers an ingest into a read-only index folder with a clear 507 and keeps the old index', async () => {
    const { dir } = await indexOnTmpfs();
    execFileSync('mount', ['-o', 'remount,ro', dir]);
    const server = await serverOn(dir);
    try {
      await expectWriteRefused(server, dir, /EROFS|read-only/i);
    } finally {
      await server.close();
    }
  });
});

describe('a corrupt index file', () => {
  async function corruptIndex(damage: (dir: string, generation: string) => Promise<void>): Promise<string> {
    const dir = await sampleIndexDir();
    const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
    await damage(dir, manifest.generation);
    return dir;
  }

  const damages: Record<string, (dir: string, generation: string) => Promise<void>> = {
    'papers.jsonl cut mid-line': async (dir, generation) => {
      const file = path.join(dir, generation, 'papers.jsonl');
      const text = await readFile(file, 'utf8');
      await writeFile(file, text.slice(0, Math.floor(text.length / 2)));
    },
    'lexical.json overwritten with garbage': (dir, generation) => writeFile(path.join(dir, generation, 'lexical.json'), '\u0000\u0001garbage{'),
    'manifest.json not JSON': (dir) => writeFile(path.join(dir, 'manifest.json'), '{"format": 1, "generation": '),
    'generation folder missing': (dir, generation) => rm(path.join(dir, generation), { recursive: true }),
  };

  /** The lines papertalk itself wrote as errors (log lines carry a timestamp, errors do not). */
  const errorLines = (output: string) => output.split('\n').filter((line) => line.startsWith('papertalk:'));

  for (const [what, damage] of Object.entries(damages)) {
    it(`with ${what}: opening the index fails with index_corrupt naming the repair`, async () => {
      const dir = await corruptIndex(damage);
      const opened = openEngine(await testConfig({}, dir));
      await expect(opened).rejects.toMatchObject({ code: 'index_corrupt' });
      await expect(opened).rejects.toThrow('papertalk ingest --rebuild');
    });
  }

  it('makes `papertalk serve` fail once with one clear line naming the repair, exit code non-zero, no stack trace', async () => {
    const dir = await corruptIndex(damages['lexical.json overwritten with garbage']!);
    const proc = runCli(['serve', '--port', '0'], cliEnv(dir));
    const code = await proc.exited;
    expect(code).toBe(1);
    const errors = errorLines(proc.output());
    expect(errors, proc.output()).toHaveLength(1);
    expect(errors[0]).toContain('papertalk ingest --rebuild');
    expect(errors[0]).toContain('lexical.json');
    expect(proc.output()).not.toMatch(/^\s+at /m);
  }, 20_000);

  it('makes `papertalk stats` say so with the same repair, exit code non-zero', async () => {
    const dir = await corruptIndex(damages['papers.jsonl cut mid-line']!);
    const proc = runCli(['stats'], cliEnv(dir));
    expect(await proc.exited).toBe(1);
    const errors = errorLines(proc.output());
    expect(errors, proc.output()).toHaveLength(1);
    expect(errors[0]).toContain('papertalk ingest --rebuild');
    expect(proc.output()).not.toMatch(/^\s+at /m);
  }, 20_000);
});
