// Multiword technical terms ("data selection", "speculative decoding", "low-resource languages")
// mean more together than apart. BM25 scores each word alone; this rescoring of the top
// lexical candidates adds a bonus for each pair of neighbouring query words that also stand
// close together in the paper.
import type { Paper } from '../types.js';
import { paperTerms } from './paper-terms.js';

/** Sum over query pairs found within `window` positions of each other of the rarer word's idf. */
export function proximityBonus(
  paper: Paper,
  pairs: ReadonlyArray<readonly [string, string]>,
  idf: (term: string) => number,
  window: number,
): number {
  if (pairs.length === 0) return 0;
  const wanted = new Set(pairs.flat());
  const positions = new Map<string, number[]>();
  paperTerms(paper).forEach((term, index) => {
    if (wanted.has(term)) (positions.get(term) ?? positions.set(term, []).get(term)!).push(index);
  });
  let bonus = 0;
  for (const [left, right] of pairs) {
    const a = positions.get(left);
    const b = positions.get(right);
    if (a && b && closeTogether(a, b, window)) bonus += Math.min(idf(left), idf(right));
  }
  return bonus;
}

/** Whether two sorted position lists have members within the window (a merge walk). */
function closeTogether(a: number[], b: number[], window: number): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (Math.abs(a[i]! - b[j]!) <= window) return true;
    if (a[i]! < b[j]!) i++;
    else j++;
  }
  return false;
}
