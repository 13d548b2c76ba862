// The lock takeover race: several writer processes start writing one index folder within a
// fraction of a millisecond of each other, each round, optionally with a stale lock left by a
// killed writer. Afterwards the index must load and hold every paper whose write was confirmed.
// Used by test/lock-race.test.ts (a few rounds) and bench/lock-race.ts (hundreds).
import { fork, type ChildProcess } from 'node:child_process';
import { cp, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lockHolder } from '../../src/index/lock.js';
import { applyPapers, emptySnapshot, openIndex } from '../../src/index/store.js';
import { toPapers } from '../../src/ingest/to-papers.js';
import { tempDir } from './engine.js';
import { deadPid, plantLock } from './locks.js';
import { generatedPapers } from './papers.js';
import type { RaceOrder, RaceResult } from './lock-race-worker.js';

export interface RaceOptions {
  rounds: number;
  /** Plant a lock of a dead writer before each round. */
  stale: boolean;
  writers?: number;
}

export interface RaceReport {
  rounds: number;
  stale: boolean;
  /** Writes answered as done. */
  confirmed: number;
  /** Writes refused because another writer held the lock (the expected outcome for a loser). */
  refused: number;
  /** Other failures. */
  failed: number;
  /** Rounds in which more than one writer's write was confirmed. */
  bothConfirmed: number;
  /** Confirmed papers missing from the index afterwards. */
  lost: number;
  /** Rounds after which the index did not load. */
  broken: number;
  /** Rounds after which the lock was still held by nobody alive but not free (informational). */
  lockLeftHeld: number;
  failures: string[];
}

const workerFile = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lock-race-worker.ts');
const now = () => performance.timeOrigin + performance.now();

function startWorker(): Promise<ChildProcess> {
  const child = fork(workerFile, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`lock race worker exited (${code}) before it was ready`)));
  });
}

function order(child: ChildProcess, message: RaceOrder): Promise<RaceResult> {
  return new Promise((resolve) => {
    child.once('message', (result) => resolve(result as RaceResult));
    child.send(message);
  });
}

/** A small index (20 papers, lexical) to race on. */
async function baseIndex(): Promise<string> {
  const dir = await tempDir('papertalk-race-base-');
  await applyPapers(emptySnapshot(dir), toPapers(generatedPapers(20)));
  return dir;
}

export async function runLockRace(options: RaceOptions): Promise<RaceReport> {
  const writers = options.writers ?? 2;
  const workers = await Promise.all(Array.from({ length: writers }, startWorker));
  const base = await baseIndex();
  const dir = await tempDir('papertalk-race-');
  await cp(base, dir, { recursive: true });
  const dead = deadPid();
  const report: RaceReport = { rounds: options.rounds, stale: options.stale, confirmed: 0, refused: 0, failed: 0, bothConfirmed: 0, lost: 0, broken: 0, lockLeftHeld: 0, failures: [] };
  const confirmedIds = new Set<string>();
  try {
    for (let round = 0; round < options.rounds; round++) {
      if (options.stale) await plantLock(dir, dead);
      const at = now() + 40;
      const results = await Promise.all(
        workers.map((worker, w) =>
          order(worker, { dir, at, paper: { id: `race-${round}-${w}`, title: `Race round ${round} writer ${w}`, abstract: `Written by writer ${w} in round ${round} of the lock race.` } }),
        ),
      );
      let confirmedThisRound = 0;
      for (const result of results) {
        if (result.ok) {
          confirmedThisRound++;
          confirmedIds.add(result.id);
        } else if (result.code === 'index_write_failed' && /another papertalk process/.test(result.message)) {
          report.refused++;
        } else {
          report.failed++;
          report.failures.push(`round ${round}: ${result.code}: ${result.message}`);
        }
      }
      report.confirmed += confirmedThisRound;
      if (confirmedThisRound > 1) report.bothConfirmed++;
      if ((await lockHolder(dir)) !== undefined) report.lockLeftHeld++;

      // Every write confirmed so far must be in the index, and the index must load.
      try {
        const snapshot = await openIndex(dir);
        const missing = [...confirmedIds].filter((id) => !snapshot.papers.has(id));
        report.lost += missing.length;
        for (const id of missing) confirmedIds.delete(id); // count each loss once
        if (missing.length) report.failures.push(`round ${round}: confirmed but missing: ${missing.join(', ')}`);
      } catch (error) {
        report.broken++;
        report.failures.push(`round ${round}: index broken: ${(error as Error).message}`);
        // Start over from the base so later rounds still measure something.
        await rm(dir, { recursive: true, force: true });
        await cp(base, dir, { recursive: true });
        confirmedIds.clear();
      }
    }
  } finally {
    for (const worker of workers) worker.kill();
    await rm(dir, { recursive: true, force: true });
    await rm(base, { recursive: true, force: true });
  }
  return report;
}
