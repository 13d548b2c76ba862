// Highlights query words in a snippet by building text nodes and <mark> elements:
// the snippet is paper text and never goes through innerHTML.

const STOPWORDS = new Set(
  'a an and are as at be but by can do does for from has have how i in is it its of on or that the their this to was were what when where which who why will with about into than then there these they those does did you your we our best most much many use using like some any also other paper papers'.split(
    ' ',
  ),
);

/** Rough stems of the query's content words: "transformers" also lights up "transformer". */
export function queryStems(query: string): string[] {
  const words = query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const stems = new Set<string>();
  for (const word of words) {
    if (word.length < 2 || STOPWORDS.has(word)) continue;
    stems.add(word.length > 4 ? word.replace(/(ies|es|s|ing|ed)$/u, '') : word);
  }
  return [...stems].filter((s) => s.length >= 2).sort((a, b) => b.length - a.length);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Appends `text` to `parent`, wrapping words that start with a query stem in <mark>. */
export function appendHighlighted(parent: Node, text: string, query: string): void {
  const stems = queryStems(query);
  if (stems.length === 0) {
    parent.appendChild(document.createTextNode(text));
    return;
  }
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${stems.map(escapeRegExp).join('|')})[\\p{L}\\p{N}]*`, 'giu');
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const start = match.index ?? 0;
    if (start > last) parent.appendChild(document.createTextNode(text.slice(last, start)));
    const mark = document.createElement('mark');
    mark.textContent = match[0];
    parent.appendChild(mark);
    last = start + match[0].length;
  }
  if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
}
