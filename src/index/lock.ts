// One writer at a time per index folder, across processes, with takeover of a lock left by a
// killed writer. Deleting a stale lock file and creating a new one under the same name is racy:
// two writers that both saw the dead writer's file can each delete the other's fresh lock and
// both go ahead. So the lock is a sequence of numbered files in `ingest.lock.d/`, never reused:
//
// - the highest number is the lock's state: a live writer's pid (held), "free", or a dead pid;
// - to take a free or stale lock at number n, create n+1 exclusively (link(2) of a file that
//   already holds the pid, so nobody ever reads a half-written lock). Exactly one process can
//   create n+1: the one takeover winner;
// - the winner then checks no higher number exists (a writer that slept on an old view may
//   have created a number the cleanup had removed) and removes the lower ones;
// - release creates n+2 saying "free" and removes n+1. The highest file is never removed, so a
//   number can only be created once, and whoever holds the highest held number holds the lock.
import { randomBytes } from 'node:crypto';
import { link, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PapertalkError } from '../errors.js';
import { makeDir } from './files.js';

/** The lock's folder inside the index folder. */
/** A held write lock: a lock folder on disk, or an object-store lease (lancedb/lease.ts). */
export interface WriteLock {
  /** Fails when the lock is no longer this writer's (an object-store lease that lapsed). */
  check(): Promise<void>;
  release(): Promise<void>;
}

export const LOCK_DIR = 'ingest.lock.d';
const FREE = 'free';
/** Rounds of "someone else won this number, look again" before giving up. */
const MAX_ATTEMPTS = 20;
const NUMBER = /^\d{12}$/;
const TEMP = /^\.t-(\d+)-[0-9a-f]+$/;
/** Lock folders this process holds: two engines in one process must not share a pid-based lock. */
const heldHere = new Set<string>();

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const fileOf = (dir: string, n: number) => path.join(dir, String(n).padStart(12, '0'));

/** The numbers present, highest first. */
async function numbers(dir: string): Promise<number[]> {
  const names = await readdir(dir);
  return names.filter((name) => NUMBER.test(name)).map(Number).sort((a, b) => b - a);
}

/**
 * Creates lock number `n` holding `content`, or returns false when it exists. The content is
 * written to a temporary file first and linked into place, so the number appears whole.
 */
async function create(dir: string, n: number, content: string): Promise<boolean> {
  const temp = path.join(dir, `.t-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    // writeFile opens and closes its own descriptor, also when the disk is full.
    await writeFile(temp, content, { flag: 'wx' });
    await link(temp, fileOf(dir, n));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
}

/** Who holds lock number `n`: a pid, "free", or undefined when it is gone (cleaned up meanwhile). */
async function stateOf(dir: string, n: number): Promise<number | typeof FREE | undefined> {
  let text: string;
  try {
    text = (await readFile(fileOf(dir, n), 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (text === FREE) return FREE;
  const pid = Number(text);
  // Unreadable content cannot come from create(); treat it like a dead writer's.
  return Number.isInteger(pid) && pid > 0 ? pid : 0;
}

/** Removes lock numbers below `n`, and temporary files of processes that are gone. */
async function removeBelow(dir: string, n: number): Promise<void> {
  const names = await readdir(dir);
  const stale = names.filter((name) => {
    if (NUMBER.test(name)) return Number(name) < n;
    const temp = TEMP.exec(name);
    return temp !== null && Number(temp[1]) !== process.pid && !isAlive(Number(temp[1]));
  });
  await Promise.all(stale.map((name) => rm(path.join(dir, name), { force: true })));
}

function busy(dir: string, pid: number): PapertalkError {
  return new PapertalkError('index_write_failed', `another papertalk process (pid ${pid}) is writing the index in ${dir}; wait for it to finish`);
}

/**
 * Takes the write lock of the index folder `dir` (which must exist), or fails at once with
 * `index_write_failed` when a live process holds it. Resolves with the function that releases it.
 *
 * @example
 * const release = await acquireWriteLock(indexDir);
 * try { await writeGeneration(); } finally { await release(); }
 */
export async function acquireWriteLock(dir: string): Promise<() => Promise<void>> {
  const lockDir = path.join(dir, LOCK_DIR);
  if (heldHere.has(lockDir)) throw busy(dir, process.pid);
  await makeDir(lockDir);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const top = (await numbers(lockDir))[0] ?? 0;
    if (top > 0) {
      const state = await stateOf(lockDir, top);
      if (state === undefined) continue; // removed between readdir and read: look again
      if (state !== FREE && state !== process.pid && isAlive(state)) throw busy(dir, state);
      // Free, or its writer is gone, or it is this process's own from a release that could not
      // write "free" (a full disk): not held by anyone here (heldHere), so it is ours again.
    }
    const mine = top + 1;
    if (!(await create(lockDir, mine, String(process.pid)))) continue; // another process won mine
    // A writer that slept on an old view can have created a number above ours.
    if ((await numbers(lockDir))[0] !== mine) {
      await rm(fileOf(lockDir, mine), { force: true });
      continue;
    }
    heldHere.add(lockDir);
    await removeBelow(lockDir, mine).catch(() => undefined); // tidiness only
    return async () => {
      heldHere.delete(lockDir);
      try {
        // "free" goes above ours first, so the highest number never disappears. When it cannot
        // be written (disk full), ours stays: other processes wait for this one to exit.
        await create(lockDir, mine + 1, FREE);
        await rm(fileOf(lockDir, mine), { force: true });
      } catch {
        // The write it guarded is done and confirmed; a lock left held is taken over later.
      }
    };
  }
  throw new PapertalkError('index_write_failed', `could not lock the index in ${dir}: other writers kept taking it; try again`);
}

/** The pid holding the write lock of `dir`, if a live process does (for status and tests). */
export async function lockHolder(dir: string): Promise<number | undefined> {
  const lockDir = path.join(dir, LOCK_DIR);
  const top = (await numbers(lockDir).catch(() => []))[0];
  if (top === undefined) return undefined;
  const state = await stateOf(lockDir, top);
  return typeof state === 'number' && isAlive(state) ? state : undefined;
}
