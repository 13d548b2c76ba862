import { describe, expect, it } from 'vitest';
import { dependsOnConversation, paperPointers, standaloneQuery } from '../src/answer/follow-up.js';
import type { ChatMessage } from '../src/answer/types.js';

const turns = (...questions: string[]): ChatMessage[] =>
  questions.flatMap((content, i) => [
    { role: 'user' as const, content },
    ...(i < questions.length - 1 ? [{ role: 'assistant' as const, content: 'An answer naming LoRA, DyLoRA and IncreLoRA [1, 2].' }] : []),
  ]);

describe('which questions depend on the conversation', () => {
  it.each([
    'which of those work for small models?',
    'what about French?',
    'and for small models?',
    'How were they evaluated?',
    'Is there a toolbox for that?',
    'Which one uses a diffusion transformer?',
    'Is it more compute-efficient than masked language modeling?',
    'any that do not need retraining?',
    'and which of them release code?',
    'LoRA?',
    'tell me more about the second one',
    'which benchmarks does [3] evaluate on?',
  ])('"%s" is a follow-up', (question) => {
    expect(dependsOnConversation(question)).toBe(true);
  });

  it.each([
    'which papers prune large language models without retraining?',
    'how do multilingual models handle low-resource languages?',
    'is there a paper that shows that pruning works?',
    'Is it possible to prune LLMs without retraining?',
    'what is known about the age of pretraining data and model quality?',
    'which was the first paper to prune LLMs?',
  ])('"%s" stands alone', (question) => {
    expect(dependsOnConversation(question)).toBe(false);
  });
});

describe('the query a conversation searches', () => {
  it('searches a self-contained question alone, whatever came before', () => {
    const messages = turns('parameter-efficient fine-tuning with LoRA', 'which papers prune large language models without retraining?');
    expect(standaloneQuery(messages)).toEqual({ query: 'which papers prune large language models without retraining?', followUp: false, referenced: [] });
  });

  it('searches a follow-up as itself twice (its constraint weighs most) plus the question it follows, never the answers', () => {
    const { query, followUp } = standaloneQuery(turns('parameter-efficient fine-tuning with LoRA', 'which of those work for small models?'));
    expect(followUp).toBe(true);
    expect(query.split('\n')).toEqual([
      'which of those work for small models?',
      'which of those work for small models?',
      'parameter-efficient fine-tuning with LoRA',
    ]);
    expect(query).not.toContain('DyLoRA');
  });

  it('keeps the topic through a chain of follow-ups and drops it at a topic change', () => {
    const chain = standaloneQuery(turns('LoRA variants', 'which of those are dynamic?', 'and how are they evaluated?'));
    expect(chain.query).toContain('LoRA variants');
    const changed = standaloneQuery(turns('LoRA variants', 'which of those are dynamic?', 'how do multilingual models handle low-resource languages?'));
    expect(changed.query).toBe('how do multilingual models handle low-resource languages?');
  });
});

describe('a follow-up about particular papers of the last answer', () => {
  it.each([
    ['tell me more about the second one', [2], 'tell me more about'],
    ['which benchmarks does [3] evaluate on?', [3], 'which benchmarks does evaluate on?'],
    ['what do papers 1 and 3 have in common?', [1, 3], 'what do have in common?'],
    ['compare the first and the last paper', [1, 'last'], 'compare and'],
    ['which was the first paper to prune LLMs?', [], 'which was the first paper to prune LLMs?'],
    ['the first work on LoRA', [], 'the first work on LoRA'],
  ])('"%s" points at %j', (question, numbers, rest) => {
    expect(paperPointers(question)).toEqual({ numbers, rest });
  });

  const withSources: ChatMessage[] = [
    { role: 'user', content: 'which papers prune large language models?' },
    { role: 'assistant', content: '- “…” [1]\n- “…” [2]', sources: [{ n: 1, id: 'laco' }, { n: 2, id: 'obert' }, { n: 3, id: 'flexigpt' }] },
  ];

  it('names the papers by the ids the previous answer gave for those numbers, and searches without the pointer words', () => {
    const asked = (content: string) => standaloneQuery([...withSources, { role: 'user', content }]);
    expect(asked('tell me more about the second one')).toMatchObject({ followUp: true, referenced: ['obert'] });
    expect(asked('compare [1] and the last paper')).toMatchObject({ referenced: ['laco', 'flexigpt'] });
    expect(asked('tell me more about the second one').query).not.toMatch(/second/);
    // A number the last answer did not have points at nothing.
    expect(asked('what about [7]?').referenced).toEqual([]);
  });

  it('points at nothing when the last answer came without its sources (an older client)', () => {
    const bare = withSources.map(({ role, content }) => ({ role, content }));
    expect(standaloneQuery([...bare, { role: 'user', content: 'tell me more about the second one' }]).referenced).toEqual([]);
  });
});
