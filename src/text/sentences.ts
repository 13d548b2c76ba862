// Sentence boundaries of an abstract, for chunking and for snippets. Intl.Segmenter does the
// work; on top of it we undo the breaks it makes after abbreviations that scientific prose is
// full of ("e.g. BERT", "et al. The", "Fig. 2").

export interface Span {
  start: number;
  end: number;
}

// Lowercased, without the final period. Words after which a period almost never ends a sentence.
const ABBREVIATIONS = new Set([
  'e.g', 'i.e', 'al', 'cf', 'vs', 'viz', 'approx', 'resp', 'w.r.t', 'wrt', 'w.o', 'a.k.a',
  'fig', 'figs', 'eq', 'eqs', 'sec', 'secs', 'tab', 'ref', 'refs', 'no', 'nos', 'vol', 'ch', 'app',
  'dr', 'mr', 'ms', 'mrs', 'prof', 'st', 'jr',
]);

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/** Spans of the sentences of `text`, in order, trimmed of surrounding whitespace. */
export function splitSentences(text: string): Span[] {
  const spans: Span[] = [];
  let pendingStart: number | undefined;
  for (const { index, segment } of segmenter.segment(text)) {
    const start = pendingStart ?? index;
    const end = index + segment.length;
    if (endsWithAbbreviation(segment) && end < text.length) {
      pendingStart = start;
      continue;
    }
    pendingStart = undefined;
    const span = trim(text, start, end);
    if (span) spans.push(span);
  }
  if (pendingStart !== undefined) {
    const span = trim(text, pendingStart, text.length);
    if (span) spans.push(span);
  }
  return spans;
}

function endsWithAbbreviation(segment: string): boolean {
  const match = /(?:^|[\s(\[])([\p{L}.]+)\.\s*$/u.exec(segment);
  if (!match) return false;
  const word = match[1]!.toLowerCase();
  // A lone capital initial ("J. Smith") is a name, not the end of a sentence.
  return ABBREVIATIONS.has(word) || /^\p{Lu}$/u.test(match[1]!);
}

function trim(text: string, start: number, end: number): Span | undefined {
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return end > start ? { start, end } : undefined;
}
