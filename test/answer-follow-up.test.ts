import { describe, expect, it } from 'vitest';
import { datedAnswer } from '../src/answer/chat-service.js';
import { dateOrder, dependsOnConversation, paperPointers, standaloneQuery } from '../src/answer/follow-up.js';
import { byDate } from '../src/answer/plan.js';
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

describe('a follow-up about the last answer\'s papers by date ("which of those is the most recent?")', () => {
  it.each([
    ['which of those is the most recent?', 'newest'],
    ['and the oldest one?', 'oldest'],
    ['which of them was published first?', 'oldest'],
    ['what are the latest results on LoRA?', undefined],
    ['which is the most recent survey of retrieval?', undefined],
  ])('"%s" -> %s', (question, order) => {
    expect(dateOrder(question)).toBe(order);
  });

  it('is about every paper of the last answer', () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'which papers make LLM inference faster?' },
      { role: 'assistant', content: '…', sources: [{ n: 1, id: 'a' }, { n: 2, id: 'b' }] },
      { role: 'user', content: 'which of those is the most recent?' },
    ];
    expect(standaloneQuery(messages)).toMatchObject({ followUp: true, referenced: ['a', 'b'], order: 'newest' });
  });

  const paper = (n: number, title: string, date?: string) => ({ n, hit: { id: title, title, abstract: '', snippet: '', score: 1, retrievers: [], coverage: 1, ...(date && { date }) } });

  it('orders the papers by date, undated ones last, and lists them with their dates', () => {
    const found = [{ title: 'B', date: '2023-06' }, { title: 'U' }, { title: 'A', date: '2024-11-30' }, { title: 'C', date: '2021' }];
    expect(byDate(found, 'newest').map((p) => p.title)).toEqual(['A', 'B', 'C', 'U']);
    expect(byDate(found, 'oldest').map((p) => p.title)).toEqual(['C', 'B', 'A', 'U']);
    expect(datedAnswer([paper(1, 'A', '2024-11-30'), paper(2, 'U')], 'newest')).toBe('By date, newest first:\n- A (2024-11-30) [1]\n- U (no date) [2]');
  });

  it('says so when none of the papers carries a date, instead of guessing', () => {
    expect(datedAnswer([paper(1, 'A'), paper(2, 'B')], 'newest')).toBe('None of these 2 papers carries a date in the index, so it cannot tell which is the most recent.');
  });
});
