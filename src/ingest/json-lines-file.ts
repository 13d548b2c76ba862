// A large JSON Lines file, read in pieces of whole lines: a million-paper export (over a
// gigabyte) is never one string (Node's limit is 512 MB) nor in memory at once. Each piece is
// parsed by the same rules as a whole file; skipped lines keep their line numbers in the file.
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { PapertalkError, describeError } from '../errors.js';
import type { PaperInput } from '../types.js';
import { decodeText } from './decode.js';
import { parseJsonLines } from './json-records.js';
import type { SourceFormat, SkippedLine } from './types.js';

/** Files above this size are read in pieces (smaller ones whole, as any other source). */
export const STREAM_ABOVE_BYTES = 32 * 2 ** 20;
/** About this many bytes of lines are parsed at a time. */
export const PIECE_BYTES = 8 * 2 ** 20;
/** A line longer than this is skipped without being held whole (json-records refuses it anyway). */
const MAX_LINE_BYTES = 4 * 2 ** 20;

export function cannotRead(file: string, error: unknown): PapertalkError {
  return new PapertalkError('input_invalid', `${file}: cannot read: ${describeError(error)}`, { field: 'path', cause: error });
}

/** Read in pieces: a large file named .jsonl/.ndjson, or one (not .json) whose text starts with "{". */
export async function streamsAsLines(file: string, aboveBytes: number): Promise<boolean> {
  const info = await stat(file).catch(() => undefined);
  if (!info || info.size <= aboveBytes) return false;
  const extension = path.extname(file).toLowerCase();
  if (extension === '.jsonl' || extension === '.ndjson') return true;
  if (extension === '.json') return false;
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return false;
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(256), 0, 256, 0);
    return /^(\uFEFF)?\s*\{/.test(buffer.subarray(0, bytesRead).toString('utf8'));
  } finally {
    await handle.close();
  }
}

const NEWLINE = 0x0a;

/** Yields the paper inputs of each piece; returns the file's report. Refuses the file as readFile+parse would. */
export async function* jsonLinePieces(file: string, pieceBytes = PIECE_BYTES): AsyncGenerator<PaperInput[], { path: string; format: SourceFormat; papers: number; skipped: SkippedLine[] }> {
  const skipped: SkippedLine[] = [];
  let format: SourceFormat | undefined;
  let papers = 0;
  /** Lines before the current piece. */
  let linesBefore = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  /** Inside a line too long to hold: its bytes are dropped up to its end. */
  let dropping = false;

  const parsePiece = (bytes: Buffer): PaperInput[] => {
    const text = decodeText(bytes, file);
    const result = parseJsonLines(text);
    for (const entry of result.skipped) skipped.push({ ...entry, line: entry.line + linesBefore });
    if (result.papers.length > 0) format ??= result.format;
    papers += result.papers.length;
    linesBefore += lineBreaks(bytes, text);
    return result.papers;
  };

  let stream;
  try {
    stream = createReadStream(file, { highWaterMark: 2 ** 20 });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let data = chunk;
      if (dropping) {
        const end = data.indexOf(NEWLINE);
        if (end < 0) continue;
        dropping = false;
        linesBefore++;
        data = data.subarray(end + 1);
      }
      pending.push(data);
      pendingBytes += data.length;
      while (pendingBytes >= pieceBytes) {
        const joined = Buffer.concat(pending);
        // Whole lines up to about pieceBytes (a longer line: up to its end).
        let cut = joined.lastIndexOf(NEWLINE, pieceBytes - 1);
        if (cut < 0) cut = joined.indexOf(NEWLINE, pieceBytes);
        if (cut < 0) {
          pending = [joined];
          if (joined.length > MAX_LINE_BYTES) {
            skipped.push({ line: linesBefore + 1, reason: `line is too long (over ${MAX_LINE_BYTES} bytes)` });
            dropping = true;
            pending = [];
            pendingBytes = 0;
          }
          break;
        }
        const inputs = parsePiece(joined.subarray(0, cut + 1));
        pending = [joined.subarray(cut + 1)];
        pendingBytes = pending[0]!.length;
        if (inputs.length > 0) yield inputs;
      }
    }
  } catch (error) {
    if (error instanceof PapertalkError) throw error;
    throw cannotRead(file, error);
  } finally {
    stream?.destroy();
  }
  if (pendingBytes > 0 && !dropping) {
    const inputs = parsePiece(Buffer.concat(pending));
    if (inputs.length > 0) yield inputs;
  }
  if (papers === 0) {
    const first = skipped[0];
    throw new PapertalkError('parse_failed', `${file}: no papers found (read as jsonl)${first ? `; line ${first.line}: ${first.reason}` : ''}`);
  }
  return { path: file, format: format ?? 'jsonl', papers, skipped };
}

/** Line breaks as parseJsonLines counts them (\r\n, \r or \n); without a \r, by the buffer's native search. */
function lineBreaks(bytes: Buffer, text: string): number {
  let count = 0;
  if (!bytes.includes(13)) {
    for (let at = bytes.indexOf(NEWLINE); at >= 0; at = bytes.indexOf(NEWLINE, at + 1)) count++;
    return count;
  }
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 10) count++;
    else if (code === 13) {
      count++;
      if (text.charCodeAt(i + 1) === 10) i++;
    }
  }
  return count;
}
