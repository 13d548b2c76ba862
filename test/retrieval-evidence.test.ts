// What retrieval's evidence names back to the user: the question's own content words that the
// corpus lacks (unknown_terms) or that the closest papers lack (unmatched_terms).
import { describe, expect, it } from 'vitest';
import type { IndexReader } from '../src/index/backend.js';
import { retrievalEvidence, weightedTerms } from '../src/retrieve/evidence.js';
import { understandQuery } from '../src/retrieve/query.js';
import { analyze } from '../src/text/analyzer.js';

/** An index that holds exactly these words, each in one paper. */
function indexHolding(text: string): Pick<IndexReader, 'docFrequency' | 'idf'> {
  const terms = new Set(analyze(text));
  return { docFrequency: (term) => (terms.has(term) ? 1 : 0), idf: () => 1 };
}

function evidenceFor(question: string, corpus: string, topPaper: string) {
  const index = indexHolding(corpus) as IndexReader;
  const understood = understandQuery(question);
  const terms = weightedTerms(understood, index);
  const top = [{ id: 'p', score: 1, bm25: 1, matched: [...new Set(analyze(topPaper))] }];
  return retrievalEvidence(index, understood, terms, top, []);
}

describe('the words evidence names', () => {
  it('lists the question’s own unknown words as written, never a framing word or a word search added for it', () => {
    // "faster" brings in "efficient" and "speedup", which this corpus lacks; "papers" frames the question.
    const evidence = evidenceFor('which papers bake sourdough bread faster?', 'faster ovens', 'faster ovens');
    expect(evidence.unknown_terms).toEqual(['bake', 'sourdough', 'bread']);
  });

  it('lists the words the corpus has but the closest papers lack, heaviest first', () => {
    const evidence = evidenceFor('speech recognition from lip movements', 'speech recognition lip movements', 'speech recognition');
    expect(evidence.unknown_terms).toEqual([]);
    expect(evidence.unmatched_terms).toEqual(['lip', 'movements']);
  });
});
