import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PapertalkError } from '../src/errors.js';
import { MAX_ABSTRACT_LENGTH, MAX_TITLE_LENGTH, parseSource } from '../src/ingest/index.js';

/** Parse, and return the papers, or [] when the input was rejected with a PapertalkError. */
function parseOrReject(text: string, filename?: string) {
  try {
    return parseSource(text, { filename }).papers;
  } catch (error) {
    expect(error).toBeInstanceOf(PapertalkError);
    expect((error as PapertalkError).code).toBe('parse_failed');
    return [];
  }
}

const line = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.constantFrom('', 'Subscribe', 'new', 'Mar 12', '{"title": "x", "abstract": "y"}', '[', '{', 'Title Like Line', 'A sentence of prose.'),
  fc.json(),
);

describe('parseSource on hostile input', () => {
  it('never throws anything but parse_failed, and only returns papers within the size limits', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), fc.constantFrom(undefined, 'x.txt', 'x.jsonl', 'x.json'), (lines, filename) => {
        for (const paper of parseOrReject(lines.join('\n'), filename)) {
          expect(paper.title.length).toBeGreaterThan(0);
          expect(paper.title.length).toBeLessThanOrEqual(MAX_TITLE_LENGTH);
          expect(paper.abstract.length).toBeLessThanOrEqual(MAX_ABSTRACT_LENGTH);
          expect(paper.title).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F]/);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('survives random bytes decoded as text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        parseOrReject(new TextDecoder().decode(bytes));
      }),
      { numRuns: 200 },
    );
  });

  it('rejects a huge single line and deeply nested JSON without crashing', () => {
    expect(parseOrReject(`Title\n${'x'.repeat(5_000_000)}`)).toEqual([]);
    expect(parseOrReject(`${'['.repeat(200_000)}${']'.repeat(200_000)}`, 'deep.json')).toEqual([]);
    const deepLine = `{"title": "T", "abstract": "A.", "metadata": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    // A record nested 100,000 levels deep is refused before JSON.parse; the next line is read.
    expect(parseOrReject(`${deepLine}\n{"title": "Ok", "abstract": "Fine."}`, 'deep.jsonl')).toEqual([{ title: 'Ok', abstract: 'Fine.' }]);
  });
});
