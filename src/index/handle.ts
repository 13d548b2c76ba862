// The live index of a process: the committed version searches read, writes serialized one
// after another, and reloads when another process (say `papertalk ingest` beside a running
// server) committed a newer version. Searches keep reading the old version until the swap.
import { describeError, isPapertalkError } from '../errors.js';
import type { Logger } from '../log.js';
import type { IndexStatus, IngestCounts, Paper } from '../types.js';
import type { ApplyOptions, BackendName, CommitInfo, IndexBackend, IndexReader } from './backend.js';
import type { Embedder } from './embedder.js';
import { rememberStore, type StoreSettings } from './lancedb/location.js';
import { createBackend, recordedBackend, resolveBackend } from './open.js';
import { isObjectStoreUri, storageKind, type StorageKind } from './storage.js';

/** How often a reader checks whether another process committed (the check reads one small file or row). */
const RELOAD_CHECK_MS = 1000;
const PAGE = 10_000;

export interface IndexHandle {
  readonly backend: IndexBackend;
  /** The live version; schedules a reload (in the background) when one was committed elsewhere. */
  current(): IndexReader;
  apply(papers: Paper[], options?: Omit<ApplyOptions, 'embedder'>): Promise<IngestCounts>;
  /** apply() over batches as they are read (a later copy of a paper wins): see IndexBackend.applyStream. */
  applyStream(batches: AsyncIterable<Paper[]>, options?: Omit<ApplyOptions, 'embedder'>): Promise<IngestCounts>;
  /** The model used by later writes and reloads. */
  setEmbedder(embedder: Embedder | undefined): void;
  /** Resolves once no write is in flight. */
  settled(): Promise<void>;
  status(): IndexStatus;
  /** Stops checking for newer versions and waits for writes in flight. */
  close(): Promise<void>;
}

export interface HandleOptions {
  dir: string;
  /** The configured backend (undefined: whatever the index records, vectra for a new one). */
  backend: BackendName | undefined;
  embedder: Embedder | undefined;
  titleKey(title: string): string;
  log: Logger;
  /**
   * Open for a rebuild (`ingest --rebuild`, `migrate`): only the old papers are read, with the
   * backend that wrote them, and the first write re-indexes them with the configured backend.
   * With `fromSources`, an index whose papers cannot be read opens empty.
   */
  rebuild?: { fromSources: boolean };
  /** Object-store settings (LanceDB on s3:// and the like). */
  storage?: StoreSettings;
  /** How often to check for a version committed elsewhere (default RELOAD_CHECK_MS). */
  refreshMs?: number;
}

/** Every paper of a reader, page by page. */
async function* pagesOf(reader: IndexReader): AsyncGenerator<Paper[]> {
  for (let offset = 0; offset < reader.papers; offset += PAGE) yield await reader.listPapers(offset, PAGE);
}

async function allPapers(reader: IndexReader): Promise<Paper[]> {
  const papers: Paper[] = [];
  for await (const page of pagesOf(reader)) papers.push(...page);
  return papers;
}

/** The papers of all batches, one per id: the later copy wins, in the place of the first (as toPapers). */
async function collect(batches: AsyncIterable<Paper[]>): Promise<Paper[]> {
  const papers = new Map<string, Paper>();
  for await (const batch of batches) for (const paper of batch) papers.set(paper.id, paper);
  return [...papers.values()];
}

/** A rebuild's stream: the papers given, then every known paper that was not given (the given copy wins). */
async function* givenThenKnown(given: AsyncIterable<Paper[]>, known: IndexReader): AsyncGenerator<Paper[]> {
  const ids = new Set<string>();
  for await (const batch of given) {
    for (const paper of batch) ids.add(paper.id);
    yield batch;
  }
  for await (const page of pagesOf(known)) yield page.filter((paper) => !ids.has(paper.id));
}

export async function openIndexHandle(options: HandleOptions): Promise<IndexHandle> {
  const { dir, log, titleKey, storage } = options;
  const refreshMs = options.refreshMs ?? RELOAD_CHECK_MS;
  if (storage) rememberStore(dir, storage);
  const recorded = await recordedBackend(dir);
  // A rebuild may move the index to another backend; any other open must match the recorded one.
  const name = options.rebuild ? (options.backend ?? recorded ?? 'vectra') : resolveBackend(dir, options.backend, recorded);
  const backend = createBackend(name, { titleKey, storage });
  let embedder = options.embedder;
  let current = options.rebuild ? await openForRebuild() : await backend.open(dir, embedder);
  /** Set while the index still holds another backend's (or a damaged) version: the first write rebuilds. */
  let pendingRebuild = Boolean(options.rebuild);
  let lastCheck = Date.now();
  let writing: Promise<unknown> = Promise.resolve();
  let latest: CommitInfo | null = current.commit ?? null;
  let checkedAt: string | null = null;
  let checkError: string | undefined;

  async function openForRebuild(): Promise<IndexReader> {
    const source = createBackend(recorded ?? name, { titleKey });
    try {
      return await source.openPapers(dir);
    } catch (error) {
      if (!options.rebuild?.fromSources || !isPapertalkError(error) || error.code !== 'index_corrupt') throw error;
      log.warn(`the old index cannot be read (${describeError(error.cause ?? error)}); rebuilding it from the sources given`);
      return backend.empty(dir);
    }
  }

  const serialized = <T>(task: () => Promise<T>): Promise<T> => {
    const run = writing.then(task, task);
    writing = run.catch(() => undefined);
    return run;
  };

  /** A write's result becomes the live version (and a migration's old files go). */
  const adopt = async ({ reader, counts }: { reader: IndexReader; counts: IngestCounts }): Promise<IngestCounts> => {
    current = reader;
    latest = reader.commit ?? latest;
    if (pendingRebuild && recorded && recorded !== name) {
      await createBackend(recorded, { titleKey }).removeFiles(dir);
      log.info(`index moved from the ${recorded} backend to ${name}`);
    }
    pendingRebuild = false;
    return counts;
  };

  let checking = false;
  /** `timer`: the poller's tick, due by definition (a request's check waits out refreshMs). */
  const reloadIfChanged = (timer = false) => {
    // One check at a time: a store that answers slowly must not pile checks up behind it.
    if ((!timer && Date.now() - lastCheck < refreshMs) || pendingRebuild || checking) return;
    lastCheck = Date.now();
    checking = true;
    void serialized(async () => {
      const committed = backend.committedVersion ? await backend.committedVersion(dir) : null;
      const generation = backend.committedVersion ? (committed?.generation ?? null) : await backend.committedGeneration(dir);
      latest = committed;
      checkedAt = new Date().toISOString();
      if (generation !== current.generation) {
        current = await backend.open(dir, embedder);
        log.info(`index reloaded: generation ${current.generation} with ${current.papers} papers`);
      }
      if (checkError) log.info('index reachable again');
      checkError = undefined;
    })
      .catch((error) => {
        const message = describeError(error);
        // Once per cause: a store that is away would otherwise log every check.
        if (message !== checkError) log.error(`could not check for or load a newer index version (serving the one loaded): ${message}`);
        checkError = message;
      })
      .finally(() => {
        checking = false;
      });
  };
  // On object storage no request may come for a while: a timer keeps the version served fresh
  // (and /api/health's "behind" true) within refreshMs.
  const poller = isObjectStoreUri(dir) ? setInterval(() => reloadIfChanged(true), refreshMs) : undefined;
  poller?.unref();

  const apply: IndexHandle['apply'] = (papers, applyOptions = {}) =>
    serialized(async () => {
      const rebuild = Boolean(applyOptions.rebuild || pendingRebuild);
      let incoming = papers;
      const formerAddedAt = new Map<string, string | undefined>();
      if (rebuild) {
        // A rebuild re-indexes every paper already known, plus (and overridden by) the ones given.
        const given = new Set(papers.map((paper) => paper.id));
        const known = await allPapers(current);
        for (const paper of known) formerAddedAt.set(paper.id, paper.added_at);
        incoming = [...known.filter((paper) => !given.has(paper.id)), ...papers];
      }
      const base = rebuild ? backend.empty(dir) : current;
      const result = await backend.apply(base, incoming, { ...applyOptions, rebuild, embedder, formerAddedAt });
      return await adopt(result);
    });

  return {
    backend,
    current() {
      reloadIfChanged();
      return current;
    },
    apply,
    async applyStream(batches, applyOptions = {}) {
      if (!backend.applyStream) return apply(await collect(batches), applyOptions);
      const stream = backend.applyStream.bind(backend);
      return serialized(async () => {
        const rebuild = Boolean(applyOptions.rebuild || pendingRebuild);
        const formerAddedAt = new Map<string, string | undefined>();
        if (rebuild) for await (const page of pagesOf(current)) for (const paper of page) formerAddedAt.set(paper.id, paper.added_at);
        const base = rebuild ? backend.empty(dir) : current;
        const source = rebuild ? givenThenKnown(batches, current) : batches;
        return await adopt(await stream(base, source, { ...applyOptions, rebuild, embedder, formerAddedAt }));
      });
    },
    setEmbedder(next) {
      embedder = next;
    },
    settled: () => writing.then(() => undefined),
    status() {
      const served = current.commit ?? null;
      const numbered = latest?.seq != null && served?.seq != null;
      const newest = latest && latest.generation !== served?.generation && (!numbered || latest.seq! > served!.seq!) ? latest : null;
      const behind = !newest ? 0 : numbered ? newest.seq! - served!.seq! : 1;
      return {
        storage: storageKind(dir),
        version: served?.seq ?? null,
        committed_at: served?.committed_at ?? null,
        latest_version: (latest ?? served)?.seq ?? null,
        behind,
        behind_ms: newest ? Math.max(0, Date.now() - Date.parse(newest.committed_at)) : 0,
        checked_at: checkedAt,
        refresh_ms: refreshMs,
        ...(checkError && { error: checkError }),
      };
    },
    async close() {
      clearInterval(poller);
      await writing;
    },
  };
}
