// Citation marks in text: "[1]", "[1, 2]", "[1-3]", "[Paper 2]". One reader for every place
// that finds, rewrites or removes them (citation checks, extractive quotes, snippets).
// [1]  [1, 2]  [1;2]  [1-3]  [1–3]  [1 and 2]  [Paper 1]  [source 2, 3]
export const CITATION_GROUP = /\[\s*(?:(?:papers?|sources?|abstracts?|refs?)\s*)?(\d{1,4}(?:\s*(?:,|;|-|–|—|and)\s*\d{1,4})*)\s*\]/gi;
const LARGEST_RANGE = 20;

/** The numbers one bracket group names, in order, without repeats ("1-3" → 1, 2, 3). */
export function parseCitationGroup(inner: string): number[] {
  const numbers: number[] = [];
  for (const part of inner.split(/\s*(?:,|;|and)\s*/i)) {
    const range = /^(\d+)\s*[-–—]\s*(\d+)$/.exec(part);
    if (range) {
      const from = Number(range[1]);
      const to = Number(range[2]);
      // "[2-1]" or "[1-900]" is not a sensible range: read it as its two ends.
      if (to >= from && to - from <= LARGEST_RANGE) for (let n = from; n <= to; n++) numbers.push(n);
      else numbers.push(from, to);
    } else if (/^\d+$/.test(part)) {
      numbers.push(Number(part));
    }
  }
  return [...new Set(numbers)];
}

/** The text without its citation marks (quoted sentences keep no numbers of their own paper's references). */
export function stripCitations(text: string): string {
  return text.replace(new RegExp(`\\s*${CITATION_GROUP.source}`, CITATION_GROUP.flags), '').trim();
}
