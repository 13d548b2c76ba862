// The write lock of an index on object storage: a lease in the store, since a lock file on one
// machine means nothing to another. The `lease` table in the control database holds claims
// (appended rows): a writer that finds no live holder claims the next epoch, waits a moment
// for a rival's claim of the same epoch to land, and reads again. Among the claims of the
// highest epoch the smallest owner id wins, so two writers that raced agree on one winner
// whichever of their rows survived. The winner renews its claim every third of the lease
// time and checks it still holds the lease before each commit; a writer that died stops
// renewing, and its lease lapses after the lease time (at once when it ran on this machine
// and its process is gone).
//
// What this guarantees: one writer at a time, as long as a claim lands in the store within
// SETTLE_MS of being written and the machines' clocks agree to within a few seconds. It is a
// lease, not a consensus protocol: a writer paused longer than the lease (a frozen VM) learns
// it lost the lease at its next commit and stops there, but data-table writes it made before
// that commit are versions no manifest names, and the next writer rolls them back.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Connection, Table } from '@lancedb/lancedb';
import { z } from 'zod';
import { PapertalkError } from '../../errors.js';
import { isAlive, type WriteLock } from '../lock.js';
import { displayLocation } from '../storage.js';
import { arrowTable } from './columns.js';
import { loadLance } from './native.js';

const LEASE_TABLE = 'lease';
/** Claims kept before the table is rewritten to the last one. */
const MAX_CLAIMS = 64;

const claimSchema = z.object({
  epoch: z.number().int().positive(),
  owner: z.string(),
  host: z.string(),
  pid: z.number().int(),
  at: z.string(),
  /** Milliseconds since the epoch, by the writer's clock. */
  expires: z.number(),
  released: z.boolean(),
});
type Claim = z.infer<typeof claimSchema>;

/** The lease's state: the winning claim of the highest epoch, its latest renewal folded in. */
function holderOf(claims: Claim[]): Claim | null {
  if (claims.length === 0) return null;
  const epoch = Math.max(...claims.map((claim) => claim.epoch));
  const top = claims.filter((claim) => claim.epoch === epoch);
  const owner = top.map((claim) => claim.owner).sort()[0]!;
  const own = top.filter((claim) => claim.owner === owner);
  return own.reduce((latest, claim) => ({
    ...latest,
    at: claim.at > latest.at ? claim.at : latest.at,
    expires: Math.max(latest.expires, claim.expires),
    released: latest.released || claim.released,
  }));
}

/** Held by someone else: unreleased, unexpired, and not a dead process of this machine. */
function heldByOther(holder: Claim | null, owner?: string): boolean {
  if (!holder || holder.released || holder.owner === owner || holder.expires <= Date.now()) return false;
  return !(holder.host === hostname() && holder.pid !== process.pid && !isAlive(holder.pid));
}

function busy(dir: string, holder: Claim): PapertalkError {
  const seconds = Math.max(0, Math.round((holder.expires - Date.now()) / 1000));
  return new PapertalkError(
    'index_write_failed',
    `another papertalk (pid ${holder.pid} on ${holder.host}) is writing the index in ${displayLocation(dir)}; wait for it to finish (its lease lapses ${seconds} s after its last renewal, ${holder.at})`,
  );
}

async function claimSchemaArrow() {
  const { arrow } = await loadLance();
  return new arrow.Schema([new arrow.Field('claim', new arrow.Utf8(), false)]);
}

async function leaseTable(control: Connection): Promise<Table> {
  try {
    return await control.openTable(LEASE_TABLE);
  } catch {
    // Two writers may both create it: existOk makes the second one open the first one's.
    return control.createEmptyTable(LEASE_TABLE, await claimSchemaArrow(), { mode: 'create', existOk: true });
  }
}

async function readClaims(table: Table): Promise<Claim[]> {
  await table.checkoutLatest();
  const rows = await table.query().select(['claim']).toArray();
  return rows.flatMap((row) => {
    const parsed = claimSchema.safeParse(JSON.parse(String(row.claim)));
    return parsed.success ? [parsed.data] : [];
  });
}

async function append(table: Table, claim: Claim, mode: 'append' | 'overwrite' = 'append'): Promise<void> {
  await table.add(await arrowTable(await claimSchemaArrow(), [{ claim: JSON.stringify(claim) }]), { mode });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Takes the write lease of the index at `dir` (its control database `control`), or fails at
 * once with index_write_failed naming the holder. Resolves with the lock: `check` before a commit.
 */
export async function acquireLease(control: Connection, dir: string, leaseMs: number): Promise<WriteLock> {
  const table = await leaseTable(control);
  const before = holderOf(await readClaims(table));
  if (heldByOther(before)) throw busy(dir, before!);

  const settleMs = Math.min(1000, Math.round(leaseMs / 10));
  const claim: Claim = {
    epoch: (before?.epoch ?? 0) + 1,
    owner: randomUUID(),
    host: hostname(),
    pid: process.pid,
    at: new Date().toISOString(),
    expires: Date.now() + leaseMs,
    released: false,
  };
  await append(table, claim);
  // A rival that read the lease free at the same time has written its claim by now.
  await sleep(settleMs);
  const winner = holderOf(await readClaims(table));
  if (!winner || winner.owner !== claim.owner) {
    if (winner && heldByOther(winner, claim.owner)) throw busy(dir, winner);
    throw new PapertalkError('index_write_failed', `another papertalk took the write lease of ${displayLocation(dir)} at the same moment; try again`);
  }

  let renewing: Promise<void> = Promise.resolve();
  let expires = claim.expires;
  const renew = () => {
    const next = Date.now() + leaseMs;
    renewing = append(table, { ...claim, at: new Date().toISOString(), expires: next })
      .then(() => {
        expires = next;
      })
      // A store that is away: the commit's check says so, if the lease lapsed meanwhile.
      .catch(() => undefined);
  };
  const timer = setInterval(renew, Math.max(1000, Math.floor(leaseMs / 3)));
  timer.unref();

  return {
    async check() {
      await renewing;
      const holder = holderOf(await readClaims(table));
      if (holder?.owner !== claim.owner || expires <= Date.now()) {
        throw new PapertalkError(
          'index_write_failed',
          `this papertalk lost the write lease of ${displayLocation(dir)} (not renewed within ${leaseMs} ms); nothing of this write was committed after the last commit`,
        );
      }
    },
    async release() {
      clearInterval(timer);
      await renewing;
      const released = { ...claim, at: new Date().toISOString(), expires: Date.now(), released: true };
      try {
        const claims = await readClaims(table);
        // The table keeps every claim and renewal: once long, it is rewritten to the last one.
        await append(table, released, claims.length >= MAX_CLAIMS ? 'overwrite' : 'append');
      } catch {
        // Unreleased, the lease lapses after leaseMs: other writers wait that long at most.
      }
    },
  };
}

/** Who holds the write lease of the index whose control database is `control`, if anyone (status and tests). */
export async function leaseHolder(control: Connection): Promise<{ host: string; pid: number } | undefined> {
  let table: Table;
  try {
    table = await control.openTable(LEASE_TABLE);
  } catch {
    return undefined;
  }
  const holder = holderOf(await readClaims(table));
  return holder && heldByOther(holder) ? { host: holder.host, pid: holder.pid } : undefined;
}
