import { describe, expect, it } from 'vitest';
import { highlightTerms } from '../src/text/framing-words.js';
import { matchingSpans } from '../src/text/highlight.js';

/** The marked words of `text` for `question`, as the page marks them. */
function marked(text: string, question: string): string[] {
  return matchingSpans(text, highlightTerms(question)).map(({ start, end }) => text.slice(start, end));
}

describe('highlighting the words a query matched', () => {
  it('marks a word whenever search would match it: stems, compounds and case', () => {
    expect(marked('Pre-training Transformers on scaled data', 'pretraining a transformer at scale')).toEqual(['Pre-training', 'Transformers', 'scaled']);
  });

  it('does not mark question scaffolding or stopwords', () => {
    expect(marked('This paper shows a good way to select data for the model.', 'which paper shows a good way to select data?')).toEqual(['select', 'data']);
  });

  it('marks framing words when the question has nothing else', () => {
    expect(marked('A survey paper.', 'papers')).toEqual(['paper']);
  });

  it('keeps spans on the text as written, past characters that normalize to several', () => {
    const text = 'ﬁne-tuning (ﬁ ligature) then fine-tuning';
    const spans = matchingSpans(text, highlightTerms('fine-tuning'));
    expect(spans.map(({ start, end }) => text.slice(start, end))).toEqual(['ﬁne-tuning', 'fine-tuning']);
  });
});
