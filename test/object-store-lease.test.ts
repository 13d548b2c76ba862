// The write lease of an index on object storage, as another machine would hold it: refused
// while a foreign writer's lease is live, taken over once it lapsed, lost (and the commit
// refused) when a rival took it meanwhile. Against s3rver on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from '@lancedb/lancedb';
import { acquireLease, leaseHolder } from '../src/index/lancedb/lease.js';
import { loadLance } from '../src/index/lancedb/native.js';
import { startFakeS3, type FakeS3 } from './support/s3rver.js';

let s3: FakeS3;
let n = 0;
beforeAll(async () => {
  s3 = await startFakeS3();
});
afterAll(async () => {
  await s3?.close();
});

const LEASE_MS = 3000;

/** Through papertalk's loader, so LanceDB's own warnings stay quiet as in papertalk. */
async function control() {
  const { lancedb } = await loadLance();
  return lancedb.connect(`${s3.uri(`lease-${++n}`)}/_papertalk`, { storageOptions: s3.storageOptions() });
}

/** A claim as papertalk on the machine `host` writes it. */
async function foreignClaim(db: Connection, epoch: number, host: string, expires: number) {
  const claim = { epoch, owner: `${host}-owner`, host, pid: 4242, at: new Date().toISOString(), expires, released: false };
  const table = await db.openTable('lease');
  await table.add([{ claim: JSON.stringify(claim) }]);
}

describe('the object-store write lease', () => {
  it('is one writer at a time: a second acquire is refused until the first releases', async () => {
    const db = await control();
    const first = await acquireLease(db, 's3://papers/lab', LEASE_MS);
    expect(await leaseHolder(db)).toMatchObject({ pid: process.pid });
    // In this process too (two engines on one index must not both write).
    await expect(acquireLease(db, 's3://papers/lab', LEASE_MS)).rejects.toMatchObject({ code: 'index_write_failed' });
    await first.check();
    await first.release();
    expect(await leaseHolder(db)).toBeUndefined();
    const second = await acquireLease(db, 's3://papers/lab', LEASE_MS);
    await second.release();
  });

  it("refuses while another machine's lease is live, naming it, and takes over once it lapsed", async () => {
    const db = await control();
    (await acquireLease(db, 's3://papers/lab', LEASE_MS)).release();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await foreignClaim(db, 100, 'lab-gpu-2', Date.now() + 60_000);
    await expect(acquireLease(db, 's3://papers/lab', LEASE_MS)).rejects.toThrow(/another papertalk \(pid 4242 on lab-gpu-2\) is writing the index in s3:\/\/papers\/lab/);
    expect(await leaseHolder(db)).toEqual({ host: 'lab-gpu-2', pid: 4242 });

    // That machine died: its lease lapses and is not renewed.
    await foreignClaim(db, 101, 'lab-gpu-3', Date.now() - 1);
    const taken = await acquireLease(db, 's3://papers/lab', LEASE_MS);
    expect(await leaseHolder(db)).toMatchObject({ pid: process.pid });
    await taken.release();
  });

  it('a writer whose lease was taken over learns it before committing', async () => {
    const db = await control();
    const lock = await acquireLease(db, 's3://papers/lab', LEASE_MS);
    // A rival that saw the lease lapse (say this writer froze) claims the next epoch.
    await foreignClaim(db, 2, 'lab-gpu-4', Date.now() + 60_000);
    await expect(lock.check()).rejects.toThrow(/lost the write lease of s3:\/\/papers\/lab/);
    await lock.release();
    expect(await leaseHolder(db)).toEqual({ host: 'lab-gpu-4', pid: 4242 });
  });
});
