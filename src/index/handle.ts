// The live index of a process: the committed version searches read, writes serialized one
// after another, and reloads when another process (say `papertalk ingest` beside a running
// server) committed a newer version. Searches keep reading the old version until the swap.
import { describeError, isPapertalkError } from '../errors.js';
import type { Logger } from '../log.js';
import type { IngestCounts, Paper } from '../types.js';
import type { ApplyOptions, BackendName, IndexBackend, IndexReader } from './backend.js';
import type { Embedder } from './embedder.js';
import { createBackend, recordedBackend, resolveBackend } from './open.js';

/** How often a reader checks whether another process committed (the check reads one small file). */
const RELOAD_CHECK_MS = 1000;
const PAGE = 10_000;

export interface IndexHandle {
  readonly backend: IndexBackend;
  /** The live version; schedules a reload (in the background) when one was committed elsewhere. */
  current(): IndexReader;
  apply(papers: Paper[], options?: Omit<ApplyOptions, 'embedder'>): Promise<IngestCounts>;
  /** The model used by later writes and reloads. */
  setEmbedder(embedder: Embedder | undefined): void;
  /** Resolves once no write is in flight. */
  settled(): Promise<void>;
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
}

/** Every paper of a reader, page by page. */
async function allPapers(reader: IndexReader): Promise<Paper[]> {
  const papers: Paper[] = [];
  for (let offset = 0; offset < reader.papers; offset += PAGE) papers.push(...(await reader.listPapers(offset, PAGE)));
  return papers;
}

export async function openIndexHandle(options: HandleOptions): Promise<IndexHandle> {
  const { dir, log, titleKey } = options;
  const recorded = await recordedBackend(dir);
  // A rebuild may move the index to another backend; any other open must match the recorded one.
  const name = options.rebuild ? (options.backend ?? recorded ?? 'vectra') : resolveBackend(dir, options.backend, recorded);
  const backend = createBackend(name, { titleKey });
  let embedder = options.embedder;
  let current = options.rebuild ? await openForRebuild() : await backend.open(dir, embedder);
  /** Set while the index still holds another backend's (or a damaged) version: the first write rebuilds. */
  let pendingRebuild = Boolean(options.rebuild);
  let lastCheck = Date.now();
  let writing: Promise<unknown> = Promise.resolve();

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

  const reloadIfChanged = () => {
    if (Date.now() - lastCheck < RELOAD_CHECK_MS || pendingRebuild) return;
    lastCheck = Date.now();
    void serialized(async () => {
      const generation = await backend.committedGeneration(dir);
      if (generation === current.generation) return;
      current = await backend.open(dir, embedder);
      log.info(`index reloaded: generation ${current.generation} with ${current.papers} papers`);
    }).catch((error) => log.error(`index changed on disk but could not be reloaded: ${describeError(error)}`));
  };

  return {
    backend,
    current() {
      reloadIfChanged();
      return current;
    },
    apply(papers, applyOptions = {}) {
      return serialized(async () => {
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
        const { reader, counts } = await backend.apply(base, incoming, { ...applyOptions, rebuild, embedder, formerAddedAt });
        current = reader;
        if (pendingRebuild && recorded && recorded !== name) {
          await createBackend(recorded, { titleKey }).removeFiles(dir);
          log.info(`index moved from the ${recorded} backend to ${name}`);
        }
        pendingRebuild = false;
        return counts;
      });
    },
    setEmbedder(next) {
      embedder = next;
    },
    settled: () => writing.then(() => undefined),
  };
}
