// A large JSON Lines file is read in pieces of lines: the same papers, skipped lines and line
// numbers as reading it whole, and never one string or one array of the whole corpus.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptySummary, readSourcePieces, readSources } from '../src/ingest/read.js';
import type { PaperInput } from '../src/types.js';
import { generatedPapers } from './support/papers.js';

/** Tiny thresholds so a test file is read in many pieces. */
const STREAM = { aboveBytes: 1024, pieceBytes: 4096 };

async function pieces(paths: string[]) {
  const summary = emptySummary();
  const seen: PaperInput[][] = [];
  for await (const piece of readSourcePieces(paths, { stream: STREAM }, summary)) seen.push(piece);
  return { seen, summary };
}

describe('reading a large JSON Lines file in pieces', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'papertalk-stream-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('yields the same papers and skipped lines (with their line numbers) as a whole read', async () => {
    const papers = generatedPapers(300, 3);
    const lines = papers.map((paper) => JSON.stringify(paper));
    // Bad lines spread through the file, CRLF endings on some, blank lines, and a BOM.
    lines.splice(5, 0, '{"title": "no abstract"}');
    lines.splice(150, 0, 'not json at all', '');
    lines.splice(290, 0, '[1, 2]');
    const text = `\uFEFF${lines.map((line, i) => (i % 7 === 0 ? `${line}\r\n` : `${line}\n`)).join('')}`;
    const file = path.join(dir, 'big.jsonl');
    await writeFile(file, text);

    const whole = await readSources([file]);
    const { seen, summary } = await pieces([file]);
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.flat().map((input) => input.id)).toEqual(whole.papers.map((paper) => paper.id));
    expect(summary.skipped).toEqual(whole.skipped);
    expect(summary.skipped.map((entry) => entry.line)).toEqual([6, 151, 291]);
    expect(summary.files).toEqual([{ path: file, format: 'jsonl', papers: 300, skipped: whole.files[0]!.skipped }]);
  });

  it('skips a line too long to hold without reading it whole, and reads on after it', async () => {
    const file = path.join(dir, 'long-line.jsonl');
    const good = generatedPapers(3, 9).map((paper) => JSON.stringify(paper));
    await writeFile(file, `${good[0]}\n${'x'.repeat(5 * 2 ** 20)}\n${good[1]}\n${good[2]}\n`);
    const { seen, summary } = await pieces([file]);
    expect(seen.flat().map((input) => input.id)).toEqual(['gen-0', 'gen-1', 'gen-2']);
    expect(summary.skipped).toHaveLength(1);
    expect(summary.skipped[0]).toMatchObject({ source: file, line: 2, reason: expect.stringContaining('too long') });
  });

  it('a large file without any paper is refused as a whole file would be, and the others are still read', async () => {
    const bad = path.join(dir, 'a-bad.jsonl');
    await writeFile(bad, `${'{"nope": 1}\n'.repeat(500)}`);
    const fine = path.join(dir, 'b-fine.jsonl');
    await writeFile(fine, generatedPapers(2).map((paper) => JSON.stringify(paper)).join('\n'));
    const { seen, summary } = await pieces([bad, fine]);
    expect(seen.flat()).toHaveLength(2);
    expect(summary.partial).toBe(true);
    expect(summary.files[0]).toMatchObject({ path: bad, papers: 0, error: expect.stringContaining('no papers found') });
    expect(summary.skipped[0]).toMatchObject({ source: bad, line: 0 });
  });
});
