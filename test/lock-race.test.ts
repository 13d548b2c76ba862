// The index write lock across processes: one writer at a time, a killed writer's lock taken
// over by exactly one of the writers that find it, and no confirmed write ever lost.
// `npm run test:lock-race` runs the same race for 300+ rounds.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireWriteLock, LOCK_DIR, lockHolder } from '../src/index/lock.js';
import { tempDir } from './support/engine.js';
import { rejectionOf } from './support/errors.js';
import { runLockRace } from './support/lock-race.js';
import { deadPid, lockState, plantLock } from './support/locks.js';

describe('the write lock', () => {
  it('is taken over from a killed writer, and released as "free"', async () => {
    const dir = await tempDir();
    await plantLock(dir, deadPid());
    const release = await acquireWriteLock(dir);
    expect(await lockHolder(dir)).toBe(process.pid);
    await release();
    expect(await lockState(dir)).toBe('free');
    expect(await lockHolder(dir)).toBeUndefined();
    // The stale and the released numbers are cleaned up: one file says "free".
    const release2 = await acquireWriteLock(dir);
    await release2();
    expect((await readdir(path.join(dir, LOCK_DIR))).length).toBe(1);
  });

  it('refuses while a live process holds it, naming the pid, and while this process holds it', async () => {
    const dir = await tempDir();
    await plantLock(dir, process.ppid);
    const error = await rejectionOf(acquireWriteLock(dir));
    expect(error).toMatchObject({ code: 'index_write_failed' });
    expect(error.message).toContain(`pid ${process.ppid}`);

    const own = await tempDir();
    const release = await acquireWriteLock(own);
    await expect(acquireWriteLock(own)).rejects.toMatchObject({ code: 'index_write_failed' });
    await release();
    await (await acquireWriteLock(own))();
  });
});

describe('two writer processes racing for a stale lock', () => {
  it('lose no confirmed write and never break the index', async () => {
    const report = await runLockRace({ rounds: 25, stale: true });
    expect(report.failures).toEqual([]);
    expect(report).toMatchObject({ lost: 0, broken: 0, failed: 0 });
    // Each round, one writer wins the takeover and the other is told the lock is busy (or,
    // when the winner was already done, writes after it).
    expect(report.confirmed).toBeGreaterThanOrEqual(25);
    expect(report.confirmed + report.refused).toBe(50);
  }, 120_000);
});
