// Where a LanceDB index keeps what is not a data table: the commit record (which table versions
// are live), the term statistics and the write lock. In a local folder they are files
// (manifest.json renamed into place, terms-*.json, the lock folder). On object storage there is
// no rename and no lock file another machine would see, so they live in the store, written
// through LanceDB: a control database `_papertalk` beside the data, where a commit is one
// overwrite of the one-row `manifest` table (an atomic Lance commit, terms included) and the
// write lock is a lease (lease.ts).
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Connection, Table } from '@lancedb/lancedb';
import type { z } from 'zod';
import { readJsonFile, writeFileAtomic } from '../files.js';
import { hostname } from 'node:os';
import { acquireWriteLock, lockHolder, type WriteLock } from '../lock.js';
import { corrupt } from '../store.js';
import { isObjectStoreUri, joinLocation, storageKind, type StorageKind, type StoreSettings } from '../storage.js';
import { arrowTable } from './columns.js';
import { acquireLease, leaseHolder } from './lease.js';
import { loadLance } from './native.js';
import { guarded, storeFailure } from './store-errors.js';
import { TermStats } from './term-stats.js';

export type { StoreSettings, WriteLock };

/** The fields of a manifest the location needs. */
export interface CommitRecord {
  generation: string;
  db: string;
  terms: string;
}

export interface LanceLocation {
  readonly dir: string;
  readonly kind: StorageKind;
  /** Path or URI of one database (folder) of the index. */
  dbPath(db: string): string;
  connect(db: string): Promise<Connection>;
  /** The committed manifest, validated by `schema`, or null before the first commit. */
  readManifest<T>(schema: z.ZodType<T>): Promise<T | null>;
  readTerms(manifest: CommitRecord): Promise<TermStats>;
  /** Makes `manifest` and its term statistics the committed version, in one atomic step. */
  commit(manifest: CommitRecord, terms: TermStats, previous: CommitRecord | null): Promise<void>;
  /** One writer at a time (fails at once when another holds it). */
  lock(): Promise<WriteLock>;
  /** The process holding the write lock now, if any (status and tests). */
  writer(): Promise<{ host: string; pid: number } | undefined>;
  /** Removes the databases other than `live` (those listed in `known`, and in a folder any other). */
  removeDatabasesExcept(live: string, known: readonly (string | undefined)[]): Promise<void>;
  /** Removes the LanceDB data (after a migration made the other backend live). */
  removeAll(live: CommitRecord | null): Promise<void>;
  /** A small JSON document beside the index (saved searches, import checkpoints); undefined when absent. */
  readDocument(name: string): Promise<string | undefined>;
  writeDocument(name: string, text: string): Promise<void>;
}

const MANIFEST = 'manifest.json';
const CONTROL_DB = '_papertalk';
const MANIFEST_TABLE = 'manifest';
const DATA_TABLES = ['papers', 'chunks'];
/**
 * Defaults for object stores so a store that went away fails a request in seconds, not after
 * object_store's 10 retries over 3 minutes; the user's storage options win.
 */
const OBJECT_STORE_DEFAULTS: Record<string, string> = { client_max_retries: '2', client_retry_timeout: '15', connect_timeout: '5s', timeout: '60s' };

const connections = new Map<string, Promise<Connection>>();

/** One connection per database and settings in a process: it holds LanceDB's index and metadata caches. */
function connectTo(uri: string, storageOptions: Record<string, string>): Promise<Connection> {
  const key = `${uri}\n${JSON.stringify(storageOptions)}`;
  let connection = connections.get(key);
  if (!connection) {
    connection = loadLance().then(({ lancedb }) => lancedb.connect(uri, Object.keys(storageOptions).length > 0 ? { storageOptions } : {}));
    connections.set(key, connection);
    connection.catch(() => connections.delete(key));
  }
  return connection;
}

function forget(uri: string): void {
  for (const key of connections.keys()) if (key.startsWith(`${uri}\n`)) connections.delete(key);
}

const settingsByStore = new Map<string, StoreSettings>();

/**
 * Remembers the settings of an object-store index for the state documents (saved searches,
 * import checkpoints), which are addressed by the index location alone.
 */
export function rememberStore(dir: string, settings: StoreSettings): void {
  if (isObjectStoreUri(dir)) settingsByStore.set(dir, settings);
}

export function lanceLocation(dir: string, settings?: StoreSettings): LanceLocation {
  if (!isObjectStoreUri(dir)) return localLocation(dir);
  const known = settings ?? settingsByStore.get(dir);
  if (!known) throw new Error(`no storage settings for ${dir}`);
  return objectLocation(dir, known);
}

function localLocation(dir: string): LanceLocation {
  const dbPath = (db: string) => path.join(dir, db);
  return {
    dir,
    kind: 'local',
    dbPath,
    connect: (db) => connectTo(dbPath(db), {}),
    readManifest: (schema) => readJsonFile(path.join(dir, MANIFEST), schema, null, corrupt),
    readTerms: (manifest) => TermStats.read(path.join(dbPath(manifest.db), manifest.terms)),
    async commit(manifest, terms, previous) {
      const dbDir = dbPath(manifest.db);
      await terms.write(path.join(dbDir, manifest.terms));
      await writeFileAtomic(path.join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
      // The previous statistics file may still be read by a reader opening the previous version.
      if (previous && previous.db === manifest.db) {
        const keep = new Set([manifest.terms, previous.terms]);
        const entries = await readdir(dbDir).catch(() => []);
        await Promise.all(entries.filter((name) => name.startsWith('terms-') && !keep.has(name)).map((name) => rm(path.join(dbDir, name), { force: true })));
      }
    },
    async lock() {
      const release = await acquireWriteLock(dir);
      return { check: async () => undefined, release };
    },
    async writer() {
      const pid = await lockHolder(dir);
      return pid === undefined ? undefined : { host: hostname(), pid };
    },
    async removeDatabasesExcept(live) {
      const entries = await readdir(dir, { withFileTypes: true });
      const stale = entries.filter((entry) => entry.isDirectory() && entry.name.startsWith('lance-') && entry.name !== live);
      await Promise.all(
        stale.map((entry) => {
          forget(dbPath(entry.name));
          return rm(dbPath(entry.name), { recursive: true, force: true });
        }),
      );
    },
    async removeAll() {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      const ours = entries.filter((entry) => entry.isDirectory() && entry.name.startsWith('lance-'));
      await Promise.all(ours.map((entry) => rm(dbPath(entry.name), { recursive: true, force: true })));
    },
    // Local state documents stay files (state.ts); only object storage asks the location.
    readDocument: async () => undefined,
    writeDocument: async () => undefined,
  };
}

/** A missing table reads as "nothing there yet" (LanceDB: "Table 'x' was not found"). */
function isMissingTable(error: unknown): boolean {
  return /was not found|not found: .*_versions/i.test(error instanceof Error ? error.message : String(error));
}

function objectLocation(dir: string, settings: StoreSettings): LanceLocation {
  const storageOptions = { ...OBJECT_STORE_DEFAULTS, ...settings.storageOptions };
  const dbPath = (db: string) => joinLocation(dir, db);
  const connect = (db: string) => connectTo(dbPath(db), storageOptions);
  const control = () => connect(CONTROL_DB);
  /** The manifest table's version that holds each generation this process read or wrote. */
  const versionOf = new Map<string, number>();
  const remember = (generation: string, version: number) => {
    versionOf.set(generation, version);
    if (versionOf.size > 16) versionOf.delete(versionOf.keys().next().value!);
  };

  async function openControlTable(name: string): Promise<Table | null> {
    const db = await control();
    try {
      return await db.openTable(name);
    } catch (error) {
      if (!isMissingTable(error)) throw error;
      // LanceDB says "not found" for refused credentials or a missing bucket too: listing
      // the prefix tells those apart (and throws them), so they never read as an empty index.
      await db.tableNames();
      return null;
    }
  }

  /** Replaces a one-row document table (creating it the first time): one atomic Lance commit. */
  async function overwrite(name: string, row: Record<string, string>): Promise<Table> {
    const { arrow } = await loadLance();
    const schema = new arrow.Schema(Object.keys(row).map((column) => new arrow.Field(column, new arrow.Utf8(), false)));
    const data = await arrowTable(schema, [row]);
    const table = await openControlTable(name);
    if (table) {
      await table.add(data, { mode: 'overwrite' });
      return table;
    }
    return (await control()).createTable(name, data, { mode: 'create' });
  }

  async function readRow(table: Table, columns: string[]): Promise<Record<string, unknown> | undefined> {
    const rows = await table.query().select(columns).limit(1).toArray();
    return rows[0];
  }

  let commits = 0;

  return {
    dir,
    kind: storageKind(dir),
    dbPath,
    connect,
    readManifest: (schema) =>
      guarded(dir, async () => {
        const table = await openControlTable(MANIFEST_TABLE);
        if (!table) return null;
        const row = await readRow(table, ['manifest']);
        if (!row) return null;
        let manifest;
        try {
          manifest = schema.parse(JSON.parse(String(row.manifest)));
        } catch (error) {
          throw corrupt(`${dbPath(CONTROL_DB)}/${MANIFEST_TABLE}`, error);
        }
        remember((manifest as CommitRecord).generation, await table.version());
        return manifest;
      }),
    readTerms: (manifest) =>
      guarded(dir, async () => {
        const table = await openControlTable(MANIFEST_TABLE);
        const version = versionOf.get(manifest.generation);
        if (table && version !== undefined) await table.checkout(version);
        const row = table ? await readRow(table, ['manifest', 'terms']) : undefined;
        if (!row || (JSON.parse(String(row.manifest)) as CommitRecord).generation !== manifest.generation) {
          throw new Error(`the commit ${manifest.generation} was replaced while it was read`);
        }
        return TermStats.parse(String(row.terms));
      }),
    async commit(manifest, terms) {
      const table = await overwrite(MANIFEST_TABLE, { manifest: JSON.stringify(manifest), terms: terms.serialize() });
      remember(manifest.generation, await table.version());
      // Every commit keeps a version of the manifest table (with its term statistics): drop
      // the ones no reader can still be opening, now and then.
      if (++commits % 20 === 0) await table.optimize({ cleanupOlderThan: new Date(Date.now() - 60 * 60 * 1000) }).catch(() => undefined);
    },
    lock: () => guarded(dir, async () => acquireLease(await control(), dir, settings.writeLeaseMs)),
    writer: () => guarded(dir, async () => leaseHolder(await control())),
    async removeDatabasesExcept(live, known) {
      for (const db of new Set(known)) {
        if (!db || db === live) continue;
        await dropTables(await connect(db), DATA_TABLES);
        forget(dbPath(db));
      }
    },
    async removeAll(live) {
      if (live) await dropTables(await connect(live.db), DATA_TABLES);
      await dropTables(await control(), [MANIFEST_TABLE]);
    },
    readDocument: (name) =>
      guarded(dir, async () => {
        const table = await openControlTable(documentTable(name));
        const row = table ? await readRow(table, ['text']) : undefined;
        return row ? String(row.text) : undefined;
      }),
    async writeDocument(name, text) {
      try {
        await overwrite(documentTable(name), { text });
      } catch (error) {
        throw storeFailure(dir, error) ?? error;
      }
    },
  };
}

/** `saved-searches.json` is the table `doc-saved-searches` (table names take no dots). */
function documentTable(name: string): string {
  return `doc-${name.replace(/\.json$/, '').replace(/[^a-zA-Z0-9_-]/g, '_')}`;
}

async function dropTables(db: Connection, names: string[]): Promise<void> {
  for (const name of names) {
    await db.dropTable(name).catch((error: unknown) => {
      if (!isMissingTable(error)) throw error;
    });
  }
}
