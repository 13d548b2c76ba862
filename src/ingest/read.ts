// Reading sources from disk: files, or folders of listing/JSON files (recursively), into papers
// plus a list of everything skipped and why. One bad file never blocks the others.
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { PapertalkError, describeError, isPapertalkError } from '../errors.js';
import type { Paper, PaperInput } from '../types.js';
import { decodeText } from './decode.js';
import { PIECE_BYTES, STREAM_ABOVE_BYTES, cannotRead, jsonLinePieces, streamsAsLines } from './json-lines-file.js';
import { readJsonDocument } from './json-records.js';
import { parseSource, parseSourceInSlices, prepareToParse, usableResult } from './parse.js';
import { toPapers } from './to-papers.js';
import type { ParseResult, SkippedEntry, SkippedLine, SourceFormat } from './types.js';

export const SOURCE_EXTENSIONS = ['.txt', '.md', '.jsonl', '.ndjson', '.json', '.bib', '.ris', '.nbib', '.xml', '.atom', '.csv', '.tsv'] as const;

export interface SourceFileReport {
  path: string;
  /** Undefined when the file could not be read or parsed at all (see `error`). */
  format?: SourceFormat;
  /** Papers parsed from this file, before de-duplication across files. */
  papers: number;
  skipped: SkippedLine[];
  /** Why the file yielded nothing. */
  error?: string;
}

export interface SourceRead {
  /** The listing/JSON files that were read (or tried), in reading order. */
  files: SourceFileReport[];
  /** Papers of all files with ids assigned, de-duplicated (a later file wins). */
  papers: Paper[];
  /**
   * Everything not ingested, with where and why: unusable entries (their line), and whole
   * files (line 0) that are unreadable, not text, not a listing, unsupported or broken links.
   */
  skipped: SkippedEntry[];
  /** Some file that should have been read yielded nothing: the ingest is partial. */
  partial: boolean;
}

export interface ReadOptions {
  /** Read subfolders too (default true). */
  recursive?: boolean;
  /** Called after each file: `done` of `total` files read. */
  onProgress?(done: number, total: number): void;
  /** JSON Lines files larger than `aboveBytes` are read in pieces of about `pieceBytes` of lines. */
  stream?: { aboveBytes: number; pieceBytes: number };
}

/**
 * Read files (any name; the format comes from the content) and folders (their
 * .txt/.md/.jsonl/.ndjson/.json files, subfolders too unless `recursive: false`, sorted by name,
 * hidden entries ignored). Throws input_invalid for a path that does not exist, and
 * parse_failed when nothing given yields a paper.
 */
export async function readSources(paths: readonly string[], options: ReadOptions = {}): Promise<SourceRead> {
  const summary = emptySummary();
  const inputs: PaperInput[] = [];
  for await (const piece of readSourcePieces(paths, options, summary)) inputs.push(...piece);
  if (inputs.length === 0) throw noPapers(paths, summary);
  return { ...summary, papers: toPapers(inputs) };
}

/** What a read found besides its papers: filled in by readSourcePieces as it goes. */
export type SourceSummary = Omit<SourceRead, 'papers'>;

export function emptySummary(): SourceSummary {
  return { files: [], skipped: [], partial: false };
}

/** The parse_failed error of a read that found no paper at all. */
export function noPapers(paths: readonly string[], summary: SourceSummary): PapertalkError {
  const first = summary.files.find((file) => file.error);
  return new PapertalkError('parse_failed', summary.files.length === 1 && first ? first.error! : `no papers found in ${paths.join(', ')}: ${first?.error ?? ''}`);
}

/**
 * The papers of `paths` (see readSources) as they are read: one piece per file, and a large
 * JSON Lines file in pieces of lines, so a corpus of any size is never in memory whole. The
 * files read and what was skipped land in `summary` (a file's entry once it has been read).
 */
export async function* readSourcePieces(paths: readonly string[], options: ReadOptions, summary: SourceSummary): AsyncGenerator<PaperInput[]> {
  const { skipped } = summary;
  const candidates: string[] = [];
  const foldersWithoutSources: string[] = [];
  const walked: Walk = { files: candidates, skipped, partial: false, seen: new Set() };
  for (const given of paths) {
    const info = await stat(given).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') {
        throw new PapertalkError('input_invalid', `no such file or directory: ${given}`, { field: 'path' });
      }
      throw new PapertalkError('input_invalid', `cannot read ${given}: ${error.message}`, { field: 'path', cause: error });
    });
    if (!info.isDirectory()) {
      candidates.push(given);
      continue;
    }
    const before = candidates.length;
    walked.seen.add(await realpath(given));
    await walk(given, options.recursive ?? true, walked);
    if (candidates.length === before) foldersWithoutSources.push(given);
  }
  if (candidates.length === 0) {
    const which = foldersWithoutSources.join(', ') || paths.join(', ');
    throw new PapertalkError('input_invalid', `no ${SOURCE_EXTENSIONS.join('/')} files in directory: ${which}`, { field: 'path' });
  }
  summary.partial ||= walked.partial;
  for (const [index, file] of candidates.entries()) {
    options.onProgress?.(index, candidates.length);
    try {
      const { aboveBytes, pieceBytes } = options.stream ?? { aboveBytes: STREAM_ABOVE_BYTES, pieceBytes: PIECE_BYTES };
      const pieces = (await streamsAsLines(file, aboveBytes)) ? jsonLinePieces(file, pieceBytes) : readOne(file);
      let report: SourceFileReport | undefined;
      for (;;) {
        const next = await pieces.next();
        if (next.done) {
          report = next.value;
          break;
        }
        yield next.value;
      }
      summary.files.push(report);
      for (const entry of report.skipped) skipped.push({ source: file, ...entry });
    } catch (error) {
      if (!isPapertalkError(error) || (error.code !== 'parse_failed' && error.code !== 'input_invalid')) throw error;
      const reason = error.message.startsWith(`${file}: `) ? error.message.slice(file.length + 2) : error.message;
      summary.files.push({ path: file, papers: 0, skipped: [], error: error.message });
      skipped.push({ source: file, line: 0, reason });
      summary.partial = true;
    }
  }
  options.onProgress?.(candidates.length, candidates.length);
}

/** One path, as before several could be given: see readSources. */
export function readSource(pathOrDir: string, options: ReadOptions = {}): Promise<SourceRead> {
  return readSources([pathOrDir], options);
}

interface Walk {
  files: string[];
  skipped: SkippedEntry[];
  /** A folder could not be listed or a link is broken: something meant to be read was not. */
  partial: boolean;
  /** Real paths of the folders entered, so a link back up the tree does not loop. */
  seen: Set<string>;
}

/** Collects source files under `dir` in name order; records what it passes over and why. */
async function walk(dir: string, recursive: boolean, state: Walk): Promise<void> {
  const { files, skipped, seen } = state;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    skipped.push({ source: dir, line: 0, reason: `cannot read folder: ${describeError(error)}` });
    state.partial = true;
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      const target = await stat(full).catch(() => undefined);
      if (!target) {
        skipped.push({ source: full, line: 0, reason: 'broken link: its target does not exist' });
        state.partial = true;
        continue;
      }
      isDir = target.isDirectory();
      isFile = target.isFile();
    }
    if (isDir) {
      if (!recursive) continue;
      const real = await realpath(full).catch(() => full);
      if (seen.has(real)) continue;
      seen.add(real);
      await walk(full, recursive, state);
    } else if (isFile) {
      const extension = path.extname(entry.name).toLowerCase();
      if ((SOURCE_EXTENSIONS as readonly string[]).includes(extension)) files.push(full);
      else skipped.push({ source: full, line: 0, reason: `unsupported file type ${extension || '(no extension)'}: papertalk reads ${SOURCE_EXTENSIONS.join(' ')}` });
    }
  }
}

async function* readOne(file: string): AsyncGenerator<PaperInput[], SourceFileReport> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw cannotRead(file, error);
  }
  const text = decodeText(bytes, file);
  await prepareToParse(text, { filename: file });
  const result = parseSource(text, { filename: file });
  yield result.papers;
  return { path: file, format: result.format, papers: result.papers.length, skipped: result.skipped };
}

export interface TextReadOptions {
  /** Names the text in skipped entries and errors (default "body"). */
  source?: string;
  /** The sender declared JSON: parse as a JSON array or `{papers: [...]}`, never as a listing. */
  json?: boolean;
  /** Called between the lines of JSON Lines (a server lets searches run in between). */
  pause?: () => Promise<void>;
}

/** A text read as paper inputs: ids are assigned (and inputs checked) by toPapers or toPapersInSlices. */
export type TextRead = Omit<SourceRead, 'papers'> & { inputs: PaperInput[] };

/**
 * Read one text (an HTTP body: bytes or a string) by the same rules as a file: refused when it
 * is not UTF-8 text or holds no paper (parse_failed), bad entries skipped with their line.
 * Yields to the event loop between decoding and parsing (a server reads bodies of megabytes).
 */
export async function readText(bytes: Uint8Array | string, options: TextReadOptions = {}): Promise<TextRead> {
  const source = options.source ?? 'body';
  return textRead(source, async () => {
    const text = typeof bytes === 'string' ? bytes : decodeText(bytes, source);
    await setImmediate();
    await prepareToParse(text, { filename: source, json: options.json });
    return parseSourceInSlices(text, { filename: source, json: options.json }, options.pause ?? (async () => undefined));
  });
}

/**
 * readText of a JSON body the server has already parsed (and checked): the records are read
 * between pauses, and `text` (the body) is scanned only to give skipped items their lines.
 */
export async function readParsedJson(value: unknown, text: string, options: { source?: string; pause: () => Promise<void> }): Promise<TextRead> {
  const source = options.source ?? 'body';
  return textRead(source, async () => usableResult(await readJsonDocument(value, () => text, options.pause), source));
}

async function textRead(source: string, parse: () => Promise<ParseResult>): Promise<TextRead> {
  let result;
  try {
    result = await parse();
  } catch (error) {
    // The whole text is the culprit (name it as the field), unless the parser named a field of it.
    if (isPapertalkError(error)) throw new PapertalkError(error.code, error.message, { field: error.field ?? source, cause: error });
    throw error;
  }
  return {
    files: [{ path: source, format: result.format, papers: result.papers.length, skipped: result.skipped }],
    inputs: result.papers,
    skipped: result.skipped.map((entry) => ({ source, ...entry })),
    partial: false,
  };
}
