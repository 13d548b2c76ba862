// Reading sources from disk: one file, or every listing/JSON file in a directory.
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { PapertalkError, isPapertalkError } from '../errors.js';
import type { Paper, PaperInput } from '../types.js';
import { parseSource } from './parse.js';
import { toPapers } from './to-papers.js';
import type { SkippedLine, SourceFormat } from './types.js';

export const SOURCE_EXTENSIONS = ['.txt', '.md', '.jsonl', '.ndjson', '.json'] as const;

export interface SourceFileReport {
  path: string;
  /** Undefined when the file could not be parsed at all (see `error`). */
  format?: SourceFormat;
  /** Papers parsed from this file, before de-duplication across files. */
  papers: number;
  skipped: SkippedLine[];
  /** Why a file in a directory yielded nothing; a single file throws instead. */
  error?: string;
}

export interface SourceRead {
  files: SourceFileReport[];
  /** Papers of all files with ids assigned, de-duplicated (a later file wins). */
  papers: Paper[];
}

/**
 * Read one file (any name; the format comes from its content) or a directory's
 * .txt/.md/.jsonl/.ndjson/.json files (non-recursive, sorted by name, hidden files ignored).
 * In a directory a file without papers is reported in `files` and the rest still load;
 * it is an error only when no file yields a paper.
 */
export async function readSource(pathOrDir: string): Promise<SourceRead> {
  const info = await stat(pathOrDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') {
      throw new PapertalkError('input_invalid', `no such file or directory: ${pathOrDir}`, { field: 'path' });
    }
    throw new PapertalkError('input_invalid', `cannot read ${pathOrDir}: ${error.message}`, { field: 'path', cause: error });
  });

  if (!info.isDirectory()) {
    const { report, inputs } = await readOne(pathOrDir);
    return { files: [report], papers: toPapers(inputs) };
  }

  const files = await sourceFilesIn(pathOrDir);
  if (files.length === 0) {
    throw new PapertalkError('input_invalid', `no ${SOURCE_EXTENSIONS.join('/')} files in directory: ${pathOrDir}`, { field: 'path' });
  }
  const reports: SourceFileReport[] = [];
  const inputs: PaperInput[] = [];
  for (const file of files) {
    try {
      const one = await readOne(file);
      reports.push(one.report);
      inputs.push(...one.inputs);
    } catch (error) {
      if (!isPapertalkError(error) || error.code !== 'parse_failed') throw error;
      reports.push({ path: file, papers: 0, skipped: [], error: error.message });
    }
  }
  if (inputs.length === 0) {
    throw new PapertalkError('parse_failed', `no papers found in any file of ${pathOrDir}: ${reports[0]?.error ?? ''}`);
  }
  return { files: reports, papers: toPapers(inputs) };
}

export async function sourceFilesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
    .filter((entry) => (SOURCE_EXTENSIONS as readonly string[]).includes(path.extname(entry.name).toLowerCase()))
    .map((entry) => entry.name)
    .sort()
    .map((name) => path.join(dir, name));
}

async function readOne(file: string): Promise<{ report: SourceFileReport; inputs: PaperInput[] }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new PapertalkError('input_invalid', `cannot read ${file}: ${(error as Error).message}`, { field: 'path', cause: error });
  }
  // TextDecoder drops a UTF-8 BOM and replaces invalid bytes instead of throwing.
  const text = new TextDecoder('utf-8').decode(bytes);
  const result = parseSource(text, { filename: file });
  return {
    report: { path: file, format: result.format, papers: result.papers.length, skipped: result.skipped },
    inputs: result.papers,
  };
}
