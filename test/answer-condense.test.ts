import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rewriteFollowUp } from '../src/answer/condense.js';
import type { ChatMessage } from '../src/answer/types.js';
import type { Engine } from '../src/engine.js';
import { makeTestEngine } from './support/engine.js';

// Hand-written two-turn conversations on the sample corpus: the follow-up only makes sense with
// the first question, and `target` names (by title) the papers a good answer would draw on.
const conversations: Array<{ first: string; followUp: string; target: string[] }> = [
  { first: 'Which language models exist for Portuguese?', followUp: 'How were they evaluated?', target: ['Sabiá', 'ptt5', 'PTT5', 'Portuguese LLMs'] },
  { first: 'What work exists on pruning tokens in ColBERT?', followUp: 'How much smaller does the index get?', target: ['Token Pruning for ColBERT'] },
  { first: 'Are there BERT models for Dutch?', followUp: 'Were they updated for newer language use?', target: ['RobBERT-2022'] },
  { first: 'Papers on text-to-audio generation', followUp: 'Which one uses a diffusion transformer?', target: ['EzAudio'] },
  { first: 'What did the Llama 3 paper report?', followUp: 'How many parameters does the largest model have?', target: ['Llama 3 Herd'] },
  { first: 'How should I choose pretraining data for a language model?', followUp: 'Does the age of the data matter?', target: ["Pretrainer's Guide"] },
  { first: 'Continual learning with pre-trained models', followUp: 'Is there a toolbox for that?', target: ['PILOT'] },
  { first: 'Language models for French legal text', followUp: 'Which architecture did they adapt?', target: ['JuriBERT'] },
  { first: 'Research on quantization of large language models', followUp: 'What happens when it is applied after training?', target: ['Post-Training Quantization'] },
  { first: 'How do LLMs handle 3D point clouds?', followUp: 'Can they cope with very little 3D data?', target: ['More Text, Less Point'] },
  { first: 'Parameter-efficient fine-tuning of pre-trained models', followUp: 'Which of those use LoRA?', target: ['LoRA'] },
  { first: 'What is ELECTRA?', followUp: 'Is it more compute-efficient than masked language modeling?', target: ['ELECTRA'] },
];

let engine: Engine;
beforeAll(async () => {
  engine = await makeTestEngine();
}, 120_000);
afterAll(async () => {
  await engine?.close();
});

async function hitAt5(query: string, target: string[]): Promise<boolean> {
  const { results } = await engine.search(query, { k: 5 });
  return results.some((hit) => target.some((t) => hit.title.includes(t)));
}

describe('follow-up rewrite without an LLM', () => {
  it('folds the earlier user turns into the query, newest question first and weighted twice', () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'first question' },
      { role: 'assistant', content: 'an answer that mentions many papers' },
      { role: 'user', content: 'second question' },
      { role: 'assistant', content: 'another answer' },
      { role: 'user', content: 'which of those?' },
    ];
    expect(rewriteFollowUp(messages)).toBe('which of those?\nwhich of those?\nsecond question\nfirst question');
  });

  it('finds the papers a follow-up is about more often than the bare follow-up does (hit@5 on the sample corpus)', async () => {
    let bare = 0;
    let rewritten = 0;
    const rows: string[] = [];
    for (const { first, followUp, target } of conversations) {
      const messages: ChatMessage[] = [
        { role: 'user', content: first },
        { role: 'assistant', content: 'Here is what the indexed papers say about that [1].' },
        { role: 'user', content: followUp },
      ];
      const withoutHit = await hitAt5(followUp, target);
      const withHit = await hitAt5(rewriteFollowUp(messages), target);
      bare += Number(withoutHit);
      rewritten += Number(withHit);
      rows.push(`${withoutHit ? 'hit ' : 'miss'} -> ${withHit ? 'hit ' : 'miss'}  ${followUp}`);
    }
    console.log(`condense hit@5 over ${conversations.length} conversations: without rewrite ${bare}, with rewrite ${rewritten}\n${rows.join('\n')}`);
    expect(rewritten).toBeGreaterThan(bare);
    expect(rewritten / conversations.length).toBeGreaterThanOrEqual(0.75);
  });
});
