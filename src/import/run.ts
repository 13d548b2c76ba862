// Runs an import: fetches day after day (Hugging Face) or page after page (arXiv), hands each
// to the index as it arrives, and records how far it got, so an interrupted import resumes
// where it stopped when run again with the same arguments. Re-running a finished import adds
// nothing twice: papers keep their arXiv ids.
import type { Config } from '../config.js';
import { PapertalkError, describeError, isPapertalkError } from '../errors.js';
import type { PaperInput } from '../types.js';
import { parseArxivAtom } from '../ingest/atom.js';
import { arxivQueryUrl } from './arxiv.js';
import { hfDailyUrl, parseHfDaily, type ParsedPage } from './hf-daily.js';
import { fetchText, sleep, type FetchOptions } from './http.js';

export const IMPORT_SOURCES = ['hf-daily', 'arxiv'] as const;
export type ImportSource = (typeof IMPORT_SOURCES)[number];

/** Longest date range of one import. */
export const MAX_IMPORT_DAYS = 366;
export const MAX_ARXIV_PAPERS = 30_000;
export const DEFAULT_ARXIV_MAX = 2000;
export const DEFAULT_ARXIV_PAGE_SIZE = 100;

/** What a user asks for; missing dates default to today (UTC), arXiv's `from` to yesterday. */
export interface ImportRequestInput {
  source: ImportSource;
  /** One day (YYYY-MM-DD), the same as from = to = date. */
  date?: string;
  from?: string;
  to?: string;
  /** arXiv only: categories such as cs.CL (at least one). */
  categories?: string[];
  /** arXiv only: at most this many entries. */
  max?: number;
  /** arXiv only: entries per request. */
  pageSize?: number;
}

export interface ImportPlan {
  source: ImportSource;
  from: string;
  to: string;
  categories: string[];
  max: number;
  pageSize: number;
  /** Identifies the run for its checkpoint: the same arguments resume it. */
  key: string;
}

export interface StoredBatch {
  added: { id: string; title: string }[];
  updated: number;
  unchanged: number;
  total: number;
}

export interface ImportProgress {
  source: ImportSource;
  /** e.g. "2026-11-28: 45 papers" or "entries 100-199 of 1234". */
  message: string;
  done: number;
  /** Days or entries in all; may grow as arXiv reports its total. */
  of: number;
  added: number;
}

export interface ImportContext {
  settings: Pick<Config, 'hfEndpoint' | 'arxivEndpoint' | 'arxivDelayMs' | 'importTimeoutMs' | 'importRetries'>;
  /** Papers in the index now. */
  papersInIndex(): number;
  /** Adds one batch of papers to the index; resolves once it is on disk. */
  store(papers: PaperInput[]): Promise<StoredBatch>;
  /** Where the run got to (next day index, or next arXiv offset), or undefined when it finished. */
  checkpoint: { load(key: string): Promise<number | undefined>; save(key: string, next: number | undefined): Promise<void> };
  onProgress?(event: ImportProgress): void;
  signal?: AbortSignal;
}

export interface ImportReport {
  source: ImportSource;
  from: string;
  to: string;
  categories?: string[];
  /** The run continued an interrupted one (from day/entry `resumed_from`). */
  resumed_from?: number;
  requests: number;
  fetched: number;
  added: number;
  updated: number;
  unchanged: number;
  skipped: number;
  /** Papers in the index afterwards. */
  total: number;
  added_papers: { id: string; title: string }[];
  skipped_entries: { where: string; reason: string }[];
  took_ms: number;
}

const DAY_MS = 86_400_000;

function isoDay(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

function parseDay(value: string, field: string): number {
  const time = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
  if (Number.isNaN(time) || isoDay(time) !== value) {
    throw new PapertalkError('input_invalid', `${field}: "${value.slice(0, 40)}" is not a date (YYYY-MM-DD)`, { field });
  }
  return time;
}

/** Checks and completes a request. Throws input_invalid naming the field. */
export function planImport(input: ImportRequestInput, now = Date.now()): ImportPlan {
  if (!(IMPORT_SOURCES as readonly string[]).includes(input.source)) {
    throw new PapertalkError('input_invalid', `source: must be one of ${IMPORT_SOURCES.join(', ')}`, { field: 'source' });
  }
  if (input.date && (input.from || input.to)) {
    throw new PapertalkError('input_invalid', 'date: give either a date or from/to, not both', { field: 'date' });
  }
  const today = isoDay(now);
  const arxiv = input.source === 'arxiv';
  const to = input.date ?? input.to ?? (input.from && !arxiv ? input.from : today);
  const from = input.date ?? input.from ?? (arxiv ? isoDay(parseDay(to, 'to') - DAY_MS) : to);
  const fromTime = parseDay(from, input.date ? 'date' : 'from');
  const toTime = parseDay(to, input.date ? 'date' : 'to');
  if (fromTime > toTime) throw new PapertalkError('input_invalid', `from: ${from} is after to: ${to}`, { field: 'from' });
  if ((toTime - fromTime) / DAY_MS + 1 > MAX_IMPORT_DAYS) {
    throw new PapertalkError('input_invalid', `to: at most ${MAX_IMPORT_DAYS} days per import (${from}..${to} is longer)`, { field: 'to' });
  }
  const categories = [...new Set((input.categories ?? []).map((c) => c.trim()).filter(Boolean))];
  for (const category of categories) {
    if (!/^[A-Za-z-]+(\.[A-Za-z-]+)?$/.test(category)) {
      throw new PapertalkError('input_invalid', `categories: "${category.slice(0, 40)}" is not an arXiv category such as cs.CL`, { field: 'categories' });
    }
  }
  if (arxiv && categories.length === 0) {
    throw new PapertalkError('input_invalid', 'categories: give at least one arXiv category, e.g. cs.CL', { field: 'categories' });
  }
  const max = input.max ?? DEFAULT_ARXIV_MAX;
  if (!Number.isInteger(max) || max < 1 || max > MAX_ARXIV_PAPERS) {
    throw new PapertalkError('input_invalid', `max: must be a whole number from 1 to ${MAX_ARXIV_PAPERS}`, { field: 'max' });
  }
  const pageSize = input.pageSize ?? DEFAULT_ARXIV_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 2000) {
    throw new PapertalkError('input_invalid', 'page_size: must be a whole number from 1 to 2000', { field: 'page_size' });
  }
  const plan = { source: input.source, from, to, categories: arxiv ? categories.sort() : [], max: arxiv ? max : 0, pageSize: arxiv ? pageSize : 0 };
  return { ...plan, key: JSON.stringify(plan) };
}

function daysOf(plan: ImportPlan): string[] {
  const days: string[] = [];
  for (let time = Date.parse(`${plan.from}T00:00:00Z`); time <= Date.parse(`${plan.to}T00:00:00Z`); time += DAY_MS) days.push(isoDay(time));
  return days;
}

function emptyReport(plan: ImportPlan): ImportReport {
  return {
    source: plan.source,
    from: plan.from,
    to: plan.to,
    ...(plan.source === 'arxiv' && { categories: plan.categories }),
    requests: 0,
    fetched: 0,
    added: 0,
    updated: 0,
    unchanged: 0,
    skipped: 0,
    total: 0,
    added_papers: [],
    skipped_entries: [],
    took_ms: 0,
  };
}

function tally(report: ImportReport, page: ParsedPage, where: string, stored: StoredBatch): void {
  report.fetched += page.papers.length + page.skipped.length;
  report.skipped += page.skipped.length;
  report.skipped_entries.push(...page.skipped.map((skip) => ({ where: `${where}, entry ${skip.entry}`, reason: skip.reason })));
  report.added += stored.added.length;
  report.added_papers.push(...stored.added);
  report.updated += stored.updated;
  report.unchanged += stored.unchanged;
  report.total = stored.total;
}

/** A body that is not what the API promised: one line naming the service and the problem. */
function unreadable(service: string, where: string, error: unknown): PapertalkError {
  return new PapertalkError('import_failed', `${service} sent an answer papertalk cannot read for ${where}: ${describeError(error)}`, { cause: error });
}

/** Runs `plan` to the end (or to the first failure, leaving a checkpoint to resume from). */
export async function runImport(plan: ImportPlan, context: ImportContext): Promise<ImportReport> {
  const started = performance.now();
  const report = { ...emptyReport(plan), total: context.papersInIndex() };
  const resumeAt = await context.checkpoint.load(plan.key);
  if (resumeAt !== undefined && resumeAt > 0) report.resumed_from = resumeAt;
  if (plan.source === 'hf-daily') await importHfDays(plan, context, report, resumeAt ?? 0);
  else await importArxiv(plan, context, report, resumeAt ?? 0);
  await context.checkpoint.save(plan.key, undefined);
  report.took_ms = Math.round(performance.now() - started);
  return report;
}

function fetchOptions(context: ImportContext, service: string, endpointVariable: string, accept: string, source: ImportSource, progress: () => { done: number; of: number; added: number }): FetchOptions {
  return {
    service,
    endpointVariable,
    accept,
    timeoutMs: context.settings.importTimeoutMs,
    retries: context.settings.importRetries,
    signal: context.signal,
    onWait: (seconds, status) => context.onProgress?.({ source, message: `${service} answered ${status}: waiting ${seconds} s as asked`, ...progress() }),
  };
}

async function importHfDays(plan: ImportPlan, context: ImportContext, report: ImportReport, first: number): Promise<void> {
  const days = daysOf(plan);
  let done = first;
  const options = fetchOptions(context, 'Hugging Face', 'PAPERTALK_HF_ENDPOINT', 'application/json', 'hf-daily', () => ({ done, of: days.length, added: report.added }));
  for (let index = first; index < days.length; index++) {
    const day = days[index]!;
    const body = await fetchText(hfDailyUrl(context.settings.hfEndpoint, day), options);
    report.requests++;
    let page: ParsedPage;
    try {
      page = parseHfDaily(body);
    } catch (error) {
      throw unreadable('Hugging Face', day, error);
    }
    const stored = await context.store(page.papers);
    tally(report, page, day, stored);
    done = index + 1;
    await context.checkpoint.save(plan.key, done);
    const skipped = page.skipped.length ? `, ${page.skipped.length} unreadable` : '';
    const message = page.papers.length ? `${day}: ${page.papers.length} papers, ${stored.added.length} new${skipped}` : `${day}: no papers${skipped}`;
    context.onProgress?.({ source: 'hf-daily', message, done, of: days.length, added: report.added });
  }
}

async function importArxiv(plan: ImportPlan, context: ImportContext, report: ImportReport, first: number): Promise<void> {
  const { arxivEndpoint, arxivDelayMs } = context.settings;
  let start = first;
  let total = plan.max;
  const of = () => Math.min(plan.max, total);
  const options = fetchOptions(context, 'arXiv', 'PAPERTALK_ARXIV_ENDPOINT', 'application/atom+xml', 'arxiv', () => ({ done: start, of: of(), added: report.added }));
  let emptyRetried = false;
  while (start < of()) {
    // arXiv asks for a pause between requests (3 s); none before the first.
    if (report.requests > 0) await sleep(arxivDelayMs, context.signal);
    const size = Math.min(plan.pageSize, of() - start);
    const where = `entries ${start + 1}-${start + size}`;
    const body = await fetchText(arxivQueryUrl(arxivEndpoint, plan, start, size), options);
    report.requests++;
    let page: ReturnType<typeof parseArxivAtom>;
    try {
      page = parseArxivAtom(body);
    } catch (error) {
      throw isPapertalkError(error) ? error : unreadable('arXiv', where, error);
    }
    total = page.total;
    const entries = page.papers.length + page.skipped.length;
    if (entries === 0) {
      // arXiv now and then answers an empty page inside a result set: ask once more, then stop.
      if (start < total && !emptyRetried) {
        emptyRetried = true;
        continue;
      }
      break;
    }
    emptyRetried = false;
    const stored = await context.store(page.papers);
    tally(report, page, where, stored);
    start += entries;
    await context.checkpoint.save(plan.key, start);
    const skipped = page.skipped.length ? `, ${page.skipped.length} unreadable` : '';
    context.onProgress?.({ source: 'arxiv', message: `${where} of ${total}: ${stored.added.length} new${skipped}`, done: start, of: of(), added: report.added });
  }
  if (report.requests > 0 && report.fetched === 0 && first === 0) {
    context.onProgress?.({ source: 'arxiv', message: `no arXiv papers in ${plan.categories.join(', ')} submitted ${plan.from}..${plan.to}`, done: 0, of: 0, added: 0 });
  }
}
