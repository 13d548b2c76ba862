// The ingest progress bar moves during a lexical ingest too: phases (reading, indexing,
// writing), counts that grow before the end, a rate and an ETA.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ingestProgress } from '../src/cli/progress.js';
import type { IngestPhase } from '../src/engine.js';
import { makeTestEngine, tempDir } from './support/engine.js';

async function manyPapers(count: number): Promise<string> {
  const file = path.join(await tempDir(), 'many.jsonl');
  const lines = Array.from({ length: count }, (_, i) => JSON.stringify({ id: `p${i}`, title: `Paper number ${i} on topic ${i % 37}`, abstract: `We study topic ${i % 37} in depth, with method ${i % 11} and data set ${i % 5}.` }));
  await writeFile(file, lines.join('\n'));
  return file;
}

describe('ingest progress', () => {
  it('reports reading, then indexing in steps before the end, then writing, without a model', async () => {
    const file = await manyPapers(1200);
    const engine = await makeTestEngine({ sample: false });
    const events: [IngestPhase | undefined, number, number][] = [];
    await engine.ingestFrom({ paths: [file] }, { onProgress: (done, total, phase) => events.push([phase, done, total]) });
    await engine.close();
    const phases = [...new Set(events.map(([phase]) => phase))];
    expect(phases).toEqual(['reading', 'indexing', 'writing']);
    const indexing = events.filter(([phase]) => phase === 'indexing');
    expect(indexing.map(([, done]) => done)).toEqual([0, 250, 500, 750, 1000]);
    expect(indexing.every(([, , total]) => total === 1200)).toBe(true);
  });

  it('draws the phase, the count, papers/s and an ETA on a terminal', async () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 120 });
    let drawn = '';
    stream.on('data', (chunk) => (drawn += String(chunk)));
    const bar = ingestProgress({ out: () => undefined, err: () => undefined, isTTY: true }, stream);
    bar.update(0, 3, 'reading');
    bar.update(3, 3, 'reading');
    bar.update(0, 1000, 'indexing');
    await new Promise((resolve) => setTimeout(resolve, 20));
    bar.update(500, 1000, 'indexing');
    bar.stop();
    expect(drawn).toMatch(/reading {3}\[.*\] 3\/3 files/);
    expect(drawn).toMatch(/indexing {2}\[.*\] 500\/1000 papers \| \d+ papers\/s \| ETA \S+/);
  });
});
