// The vectra backend's lexical index is serialized in slices (an ingest inside the server must
// not block searches for the whole MiniSearch toJSON): the sliced form must be MiniSearch's own.
import { describe, expect, it } from 'vitest';
import { LexicalIndex } from '../src/index/lexical.js';
import { generatedPapers } from './support/papers.js';

describe('LexicalIndex.plainAsync', () => {
  const index = LexicalIndex.empty();
  const papers = generatedPapers(400, 5).map((paper) => ({ id: paper.id!, title: paper.title, abstract: paper.abstract }));
  for (const paper of papers) index.add(paper);
  index.remove(papers[7]!);

  it('equals MiniSearch toJSON, and its JSON chunks join to toJSON()', async () => {
    const plain = await index.plainAsync();
    expect(JSON.parse(JSON.stringify(plain))).toEqual(JSON.parse(index.toJSON()).minisearch);
    expect(JSON.parse([...index.jsonChunks(plain)].join(''))).toEqual(JSON.parse(index.toJSON()));
  });

  it('a copy made from it searches as the original', async () => {
    const copy = await index.cloneAsync();
    const query = papers[3]!.title;
    expect(copy.search(query, 5)).toEqual(index.search(query, 5));
    expect(copy.size).toBe(399);
  });
});
