// Citation rules, enforced in code whatever the model wrote: every [n] must name a paper the
// model was given (others are removed and counted), and each cited sentence is checked against
// the abstract it cites.
import { analyze } from '../text/analyzer.js';
import { CITATION_GROUP as GROUP, parseCitationGroup, stripCitations } from '../text/citation-marks.js';
import { splitSentences } from '../text/sentences.js';

export interface CleanedCitations {
  /** The text with every citation group rewritten as [a, b] over valid numbers only. */
  text: string;
  /** Valid cited numbers in order of first use. */
  cited: number[];
  /** How many cited numbers were not among the given papers (removed from the text). */
  dropped: number;
}

/** Keeps citations of given papers (normalized to "[1, 2]"), removes the rest. */
export function cleanCitations(text: string, isGiven: (n: number) => boolean): CleanedCitations {
  const cited: number[] = [];
  let dropped = 0;
  const cleaned = text.replace(new RegExp(`\\s*${GROUP.source}`, GROUP.flags), (match, inner: string) => {
    const numbers = parseCitationGroup(inner);
    const kept = numbers.filter(isGiven);
    dropped += numbers.length - kept.length;
    for (const n of kept) if (!cited.includes(n)) cited.push(n);
    if (kept.length === 0) return '';
    const leading = /^\s*/.exec(match)![0];
    return `${leading}[${kept.join(', ')}]`;
  });
  return { text: cleaned, cited, dropped };
}

/** Sentences of an answer with the numbers each one cites. A lone "[2]." joins the sentence before it. */
export function citedSentences(text: string): Array<{ sentence: string; cites: number[] }> {
  const result: Array<{ sentence: string; cites: number[] }> = [];
  const leadingGroups = new RegExp(`^(?:\\s*${GROUP.source}[.,;:]?)+`, 'i');
  for (const { start, end } of splitSentences(text)) {
    let raw = text.slice(start, end);
    // "… one sequence. [1] Next sentence": the [1] belongs to the sentence before.
    const leading = leadingGroups.exec(raw)?.[0];
    if (leading && result.length > 0) {
      const previous = result.at(-1)!;
      const moved = [...leading.matchAll(GROUP)].flatMap((m) => parseCitationGroup(m[1]!));
      previous.cites = [...new Set([...previous.cites, ...moved])];
      raw = raw.slice(leading.length);
    }
    const cites = [...raw.matchAll(GROUP)].flatMap((m) => parseCitationGroup(m[1]!));
    const sentence = stripCitations(raw).replace(/^[\s\-*•\d.)]+(?=\S)/, '').trim();
    const previous = result.at(-1);
    if (!/[\p{L}\p{N}]/u.test(sentence) && previous) {
      previous.cites = [...new Set([...previous.cites, ...cites])];
      continue;
    }
    result.push({ sentence, cites: [...new Set(cites)] });
  }
  return result.filter((s) => s.cites.length > 0);
}


/**
 * Lexical support of a sentence by an abstract, 0..1: the share of the sentence's content terms
 * (stemmed, stopwords dropped) found in the best window of two consecutive abstract sentences
 * plus the title. Windows rather than the whole abstract, so that a sentence stitched together
 * from words scattered over a long abstract does not pass.
 */
export function lexicalSupport(sentence: string, paper: { title: string; abstract: string }): number {
  const terms = new Set(analyze(sentence));
  if (terms.size === 0) return 1;
  const titleTerms = new Set(analyze(paper.title));
  const sentenceTerms = splitSentences(paper.abstract).map(({ start, end }) => new Set(analyze(paper.abstract.slice(start, end))));
  if (sentenceTerms.length === 0) sentenceTerms.push(new Set());
  let best = 0;
  for (let i = 0; i < sentenceTerms.length; i++) {
    const window = [sentenceTerms[i]!, sentenceTerms[i + 1] ?? new Set<string>(), titleTerms];
    let found = 0;
    for (const term of terms) if (window.some((set) => set.has(term))) found++;
    best = Math.max(best, found / terms.size);
  }
  return best;
}

/**
 * Lexical support below which a cited sentence is listed as doubtful. Measured by
 * `npm run bench:citations` on the sample corpus (1,264 abstract sentences, two per paper; CI runs it with --gate):
 *   restated own sentence (70% of its words kept, "The authors report that …"): p10 0.75, p50 0.85
 *   the same sentence against the nearest other paper (top search hit that is not its source): p50 0.44, p90 0.67
 *   against a random other paper: p50 0.19, p90 0.38
 * At 0.6, 99.6% of restatements pass while 81% of nearest-other and 99.4% of random-other pairings
 * are flagged (0.5: 99.9% / 61% / 97%; 0.7: 96% / 93% / 99.8%). The nearest other paper often does
 * share the claim (many papers say "LoRA cuts trainable parameters"), so it cannot all be caught.
 */
export const LEXICAL_SUPPORT_THRESHOLD = 0.6;
/**
 * Cosine similarity (sentence vs. best abstract sentence) above which the embedder vouches for a
 * sentence that failed lexically. NOT measured: this machine has no real embedding weights. It
 * only rescues pairs, so a value too high just leaves the measured lexical verdict; measure it
 * like the lexical one (`npm run bench:citations`) once a model is available.
 */
export const DENSE_SUPPORT_THRESHOLD = 0.6;

/** Sentences shorter than this (in content terms) say too little to judge ("Yes [1]."). */
const MIN_TERMS_TO_CHECK = 3;

export type EmbedTexts = (texts: string[]) => Promise<ArrayLike<number>[]>;

export interface UnsupportedCitation {
  n: number;
  sentence: string;
}

/**
 * Cited (sentence, paper) pairs the cited paper does not appear to support. Lexical support
 * first; when an embedder is loaded, a pair that fails lexically can still pass on meaning
 * (a faithful paraphrase shares few words).
 */
export async function findUnsupported(
  answer: string,
  papers: Map<number, { title: string; abstract: string }>,
  embed?: EmbedTexts,
): Promise<UnsupportedCitation[]> {
  const doubtful: Array<UnsupportedCitation & { paper: { title: string; abstract: string } }> = [];
  for (const { sentence, cites } of citedSentences(answer)) {
    if (new Set(analyze(sentence)).size < MIN_TERMS_TO_CHECK) continue;
    for (const n of cites) {
      const paper = papers.get(n);
      if (paper && lexicalSupport(sentence, paper) < LEXICAL_SUPPORT_THRESHOLD) doubtful.push({ n, sentence, paper });
    }
  }
  if (!embed || doubtful.length === 0) return doubtful.map(({ n, sentence }) => ({ n, sentence }));
  const kept: UnsupportedCitation[] = [];
  for (const { n, sentence, paper } of doubtful) {
    if ((await denseSupport(sentence, paper.abstract, embed)) < DENSE_SUPPORT_THRESHOLD) kept.push({ n, sentence });
  }
  return kept;
}

async function denseSupport(sentence: string, abstract: string, embed: EmbedTexts): Promise<number> {
  const abstractSentences = splitSentences(abstract).map(({ start, end }) => abstract.slice(start, end));
  if (abstractSentences.length === 0) return 0;
  const [query, ...candidates] = await embed([sentence, ...abstractSentences]);
  return Math.max(...candidates.map((vector) => cosine(query!, vector)));
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}
