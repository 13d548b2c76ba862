// Query understanding: what a question asks for, as weighted index terms. Researchers ask in
// sentences ("is there a paper showing how to pick good pretraining data?"); the words that make
// it a question ("paper", "showing", "pick", "good") are rare in abstracts, so plain BM25 gives
// them the highest idf and ranks papers that happen to say "good". Here such words count for
// little, and adjacent content words are kept as pairs for the proximity boost.
import { analyzeQuery, queryTermsOf, tokenize } from '../text/analyzer.js';
import { isGenericTerm } from '../text/framing-words.js';

export interface UnderstoodQuery {
  /** Analyzed term -> weight (how often the query has it, times 1 or GENERIC_WEIGHT). */
  weights: Map<string, number>;
  /** Adjacent content terms of the question ("data" "select"), for the proximity boost. */
  pairs: Array<[string, string]>;
  /** Whether any content term remained (else the query is all scaffolding and kept as is). */
  hasContent: boolean;
  /** Each term's first word in the question as written, to name it back to the user. */
  surface: Map<string, string>;
}

/**
 * Everyday words of a question and the words abstracts use for the same idea ("how do I pick
 * good data" is data *selection* of high *quality*). Added beside the question's own words at
 * QuerySettings.expansionWeight, never instead of them.
 */
const RESEARCH_WORDS = new Map<string, string>(Object.entries({
  pick: 'select selection', choose: 'select selection', chose: 'select selection', picking: 'select selection', choosing: 'select selection',
  good: 'quality', bad: 'quality', noisy: 'noise',
  cheap: 'efficient cost', cheaper: 'efficient cost', cheaply: 'efficient cost', inexpensive: 'efficient cost', affordable: 'efficient cost',
  fast: 'efficient speed', faster: 'efficient speedup', quick: 'efficient speed', quicker: 'efficient speedup', slow: 'latency', slower: 'latency',
  smaller: 'compress compression', shrink: 'compress compression', compact: 'compress compression', tiny: 'small',
  bigger: 'larger scale', huge: 'large scale', grow: 'scale scaling', growing: 'scale scaling',
  fewer: 'reduce', less: 'reduce', lower: 'reduce',
  mistakes: 'errors', wrong: 'errors incorrect', fix: 'correct correction',
  phone: 'mobile device edge', phones: 'mobile devices edge', laptop: 'device edge', laptops: 'devices edge',
  teach: 'train training', teaching: 'train training', learns: 'learning', copy: 'memorization', memorize: 'memorization',
  fake: 'synthetic', invented: 'synthetic', 'made-up': 'synthetic', lying: 'hallucination', hallucinate: 'hallucination',
  pictures: 'images', photos: 'images', videos: 'video', talking: 'speech', spoken: 'speech', voice: 'speech',
  translate: 'translation', translating: 'translation', summarize: 'summarization', summarise: 'summarization',
}));

export interface QuerySettings {
  /** A framing word counts this much of a content word. */
  genericWeight: number;
  /** Weight of one pair of neighbouring query words found together, in units of the rarer word's idf. */
  proximityWeight: number;
  /** Query words this many positions apart or closer in the paper count as together. */
  proximityWindow: number;
  /** How many of the top lexical candidates are rescored with the proximity bonus. */
  rerankDepth: number;
  /** Weight of a research word added for an everyday word of the question (RESEARCH_WORDS). */
  expansionWeight: number;
  /** Weight of the title bonus (the question's words in a candidate's title), in units of their idf. */
  titleWeight: number;
}

/**
 * Chosen on SciFact train and the tune half of bench/questions (npx tsx bench/tune-query.ts): framing
 * words at 0.2 and research words at 0.5 took known-item MRR@10 0.651 -> 0.669 and topical nDCG@10
 * 0.679 -> 0.694 with SciFact train unchanged (0.694); proximity is about neutral on both (it
 * reorders only the top 30, for cost) and is kept for multiword terms. A title bonus of 0.3 then
 * took known-item R@10 0.875 -> 0.891, topical nDCG@10 0.694 -> 0.709 and SciFact train
 * 0.693 -> 0.699, with MRR@10 flat (0.669 -> 0.667); 0.5 gained more topically but lost more MRR.
 */
export const queryDefaults: QuerySettings = {
  genericWeight: 0.2,
  proximityWeight: 0.5,
  proximityWindow: 2,
  rerankDepth: 30,
  expansionWeight: 0.5,
  titleWeight: 0.3,
};

export function understandQuery(question: string, settings: QuerySettings = queryDefaults): UnderstoodQuery {
  const weights = new Map<string, number>();
  const surface = new Map<string, string>();
  const content: string[][] = [];
  for (const token of tokenize(question)) {
    const terms = queryTermsOf(token);
    if (terms.length === 0) continue;
    for (const term of terms) if (!surface.has(term)) surface.set(term, token);
    const topical = terms.filter((term) => !isGenericTerm(term));
    content.push(topical);
  }
  const all = analyzeQuery(question);
  const hasContent = all.some((term) => !isGenericTerm(term));
  for (const term of all) {
    const weight = hasContent && isGenericTerm(term) ? settings.genericWeight : 1;
    weights.set(term, (weights.get(term) ?? 0) + weight);
  }
  if (settings.expansionWeight > 0) {
    for (const token of tokenize(question)) {
      for (const term of analyzeQuery(RESEARCH_WORDS.get(token) ?? '')) {
        if (!weights.has(term)) weights.set(term, settings.expansionWeight);
      }
    }
  }
  // Pairs of neighbouring content words (a stopword between them is skipped, a framing word is not).
  const pairs: Array<[string, string]> = [];
  for (let i = 1; i < content.length; i++) {
    const left = content[i - 1]!.at(0);
    const right = content[i]!.at(0);
    if (left && right && left !== right) pairs.push([left, right]);
  }
  return { weights, pairs, hasContent, surface };
}
