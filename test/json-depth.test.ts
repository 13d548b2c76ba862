import { describe, expect, it } from 'vitest';
import { jsonNestedDeeperThan, jsonNestedDeeperThanInSlices } from '../src/text/json-depth.js';

const MB = 1_000_000;

/** A JSON array of one long string (escapes throughout, so some fall on a slice boundary), then `tail`. */
function longThen(tail: string): string {
  const filler = 'ab\\"c\\\\d[{'.repeat(Math.ceil((1.5 * MB) / 11));
  return `["${filler}", ${tail}]`;
}

describe('JSON depth check in slices', () => {
  const cases = {
    'shallow after a long string': longThen('[[1]]'),
    'too deep after a long string': longThen(`${'['.repeat(70)}${']'.repeat(70)}`),
    'brackets inside the long string only': `["${'['.repeat(3 * MB)}"]`,
    'too deep across two slices': `${' '.repeat(MB - 30)}${'['.repeat(70)}${']'.repeat(70)}`,
    'small body': '{"a": [1, 2]}',
  };

  it.each(Object.entries(cases))('%s: the same answer as the one-pass check, pausing between slices of a large text', async (_name, text) => {
    let pauses = 0;
    const sliced = await jsonNestedDeeperThanInSlices(text, 64, async () => {
      pauses++;
    });
    expect(sliced).toBe(jsonNestedDeeperThan(text, 64));
    // A text of one slice never pauses (every small JSON request passes through this check).
    if (text.length < MB) expect(pauses).toBe(0);
    else if (!sliced) expect(pauses).toBeGreaterThan(0);
  });

  it('finds what it is meant to find', async () => {
    expect(await jsonNestedDeeperThanInSlices(cases['too deep after a long string'], 64, async () => {})).toBe(true);
    expect(await jsonNestedDeeperThanInSlices(cases['brackets inside the long string only'], 64, async () => {})).toBe(false);
  });
});
