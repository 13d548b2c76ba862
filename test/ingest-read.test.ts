import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSource } from '../src/ingest/index.js';
import { sampleCorpus, sampleDir, sampleFiles } from './support/corpus.js';

describe('readSource', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'papertalk-ingest-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the sample directory: five listing files, 632 distinct papers', async () => {
    const result = await readSource(sampleDir);
    expect(result.files.map((file) => file.path)).toEqual(sampleFiles);
    expect(result.files.map((file) => [file.format, file.papers])).toEqual([
      ['hf-listing', 73],
      ['hf-listing', 247],
      ['hf-listing', 81],
      ['hf-listing', 233],
      ['hf-listing', 95],
    ]);
    expect(result.papers).toHaveLength(sampleCorpus.uniquePapers);
    expect(new Set(result.papers.map((paper) => paper.id)).size).toBe(sampleCorpus.uniquePapers);
  });

  it('reads a single file, with a UTF-8 BOM tolerated', async () => {
    const file = path.join(dir, 'bom.jsonl');
    await writeFile(file, `\uFEFF${JSON.stringify({ id: 'a', title: 'Title', abstract: 'Abstract.' })}\n`);
    const result = await readSource(file);
    expect(result.files).toEqual([{ path: file, format: 'jsonl', papers: 1, skipped: [] }]);
    expect(result.papers).toEqual([{ id: 'a', title: 'Title', abstract: 'Abstract.' }]);
  });

  it('in a directory, reports a file without papers and still loads the others', async () => {
    const mixed = await mkdtemp(path.join(dir, 'mixed-'));
    await writeFile(path.join(mixed, 'a.json'), JSON.stringify([{ title: 'From JSON', abstract: 'J.' }]));
    await writeFile(path.join(mixed, 'b.jsonl'), '{"broken"\n');
    await writeFile(path.join(mixed, 'c.xlsx'), 'title,abstract\n');
    await writeFile(path.join(mixed, '.hidden.txt'), 'Hidden Title\nHidden abstract text.\n');
    const result = await readSource(mixed);
    expect(result.files.map((file) => path.basename(file.path))).toEqual(['a.json', 'b.jsonl']);
    expect(result.files[1]).toMatchObject({ papers: 0, error: expect.stringMatching(/b\.jsonl: no papers found \(read as jsonl\)/) });
    expect(result.papers.map((paper) => paper.title)).toEqual(['From JSON']);
  });

  it('answers input_invalid naming the path field for a missing path', async () => {
    const missing = path.join(dir, 'nope.txt');
    await expect(readSource(missing)).rejects.toMatchObject({
      code: 'input_invalid',
      field: 'path',
      message: `no such file or directory: ${missing}`,
    });
  });

  it('answers input_invalid for a directory without source files, parse_failed for a file without papers', async () => {
    const empty = await mkdtemp(path.join(dir, 'empty-'));
    await expect(readSource(empty)).rejects.toMatchObject({ code: 'input_invalid', field: 'path' });
    const junk = path.join(dir, 'junk.txt');
    await writeFile(junk, 'Subscribe\nnew\n');
    await expect(readSource(junk)).rejects.toMatchObject({ code: 'parse_failed' });
  });
});
