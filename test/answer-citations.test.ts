import { describe, expect, it } from 'vitest';
import { citedSentences, cleanCitations, findUnsupported, lexicalSupport } from '../src/answer/citations.js';
import { parseCitationGroup } from '../src/text/citation-marks.js';

const givenUpTo = (k: number) => (n: number) => n >= 1 && n <= k;

describe('citation groups', () => {
  it('reads lists, ranges and labelled forms', () => {
    expect(parseCitationGroup('1, 2')).toEqual([1, 2]);
    expect(parseCitationGroup('1;3')).toEqual([1, 3]);
    expect(parseCitationGroup('1-3')).toEqual([1, 2, 3]);
    expect(parseCitationGroup('2–4')).toEqual([2, 3, 4]);
    expect(parseCitationGroup('1 and 2')).toEqual([1, 2]);
    expect(parseCitationGroup('2, 2, 1')).toEqual([2, 1]);
  });

  it('reads an absurd range as its two ends instead of hundreds of citations', () => {
    expect(parseCitationGroup('1-900')).toEqual([1, 900]);
    expect(parseCitationGroup('3-1')).toEqual([3, 1]);
  });
});

describe('cleaning citations', () => {
  it('keeps citations of given papers and lists them in order of first use', () => {
    const cleaned = cleanCitations('LoRA adapts ranks [2]. Sparse tuning scales [1][2]. Both help [1, 3].', givenUpTo(3));
    expect(cleaned).toEqual({ text: 'LoRA adapts ranks [2]. Sparse tuning scales [1][2]. Both help [1, 3].', cited: [2, 1, 3], dropped: 0 });
  });

  it('removes numbers that were not given, counts them, and leaves no gap before the period', () => {
    const cleaned = cleanCitations('A claim [7]. Another [1, 9]. A range [2-4].', givenUpTo(3));
    expect(cleaned.text).toBe('A claim. Another [1]. A range [2, 3].');
    expect(cleaned.cited).toEqual([1, 2, 3]);
    expect(cleaned.dropped).toBe(3);
  });

  it('normalizes labelled citations to plain numbers', () => {
    expect(cleanCitations('As shown [Paper 2] and [sources 1, 2].', givenUpTo(2)).text).toBe('As shown [2] and [1, 2].');
  });

  it('leaves brackets that are not citations alone', () => {
    const text = 'Scores lie in [0.5, 0.9] and see [the appendix].';
    expect(cleanCitations(text, givenUpTo(3))).toEqual({ text, cited: [], dropped: 0 });
  });
});

describe('cited sentences', () => {
  it('attaches a citation standing after the period to the sentence before', () => {
    expect(citedSentences('Prepacking packs prompts into one sequence. [1] Nothing here.')).toEqual([
      { sentence: 'Prepacking packs prompts into one sequence.', cites: [1] },
    ]);
  });

  it('reads list items as sentences, without their bullets', () => {
    expect(citedSentences('- SPDF sparsifies pre-training [1]\n- BitFit tunes biases [2]')).toEqual([
      { sentence: 'SPDF sparsifies pre-training', cites: [1] },
      { sentence: 'BitFit tunes biases', cites: [2] },
    ]);
  });
});

const spdf = {
  title: 'SPDF: Sparse Pre-training and Dense Fine-tuning for Large Language Models',
  abstract:
    'Pre-training LLMs often require orders of magnitude more FLOPs than fine-tuning. ' +
    'We demonstrate that we can induce up to 75% sparsity into a 1.3B parameter GPT-3 XL model resulting in a 2.5x reduction in pre-training FLOPs. ' +
    'Our work presents a promising direction to train large GPT models at a fraction of the training FLOPs using weight sparsity.',
};
const audio = {
  title: 'EzAudio: Enhancing Text-to-Audio Generation with Efficient Diffusion Transformer',
  abstract: 'Latent diffusion models have shown promising results in text-to-audio generation. We introduce EzAudio, a transformer-based diffusion model.',
};

describe('support check', () => {
  it('scores a restatement of the cited abstract high and an unrelated sentence low', () => {
    expect(lexicalSupport('SPDF induces 75% sparsity in GPT-3 XL, cutting pre-training FLOPs 2.5x.', spdf)).toBeGreaterThan(0.8);
    expect(lexicalSupport('The model generates realistic audio from text prompts.', spdf)).toBeLessThan(0.3);
  });

  it('lists only the cited sentences the cited paper does not support', async () => {
    const answer =
      'SPDF induces 75% sparsity into GPT-3 XL and cuts pre-training FLOPs by 2.5x [1]. ' +
      'It also generates realistic audio with a diffusion transformer [1]. EzAudio is a diffusion transformer for text-to-audio [2].';
    const unsupported = await findUnsupported(answer, new Map([[1, spdf], [2, audio]]));
    expect(unsupported).toEqual([{ n: 1, sentence: 'It also generates realistic audio with a diffusion transformer.' }]);
  });

  it('lets an embedder vouch for a paraphrase that shares few words', async () => {
    const answer = 'It also generates realistic audio with a diffusion transformer [1].';
    const agreeing = async (texts: string[]) => texts.map(() => [1, 0]);
    const disagreeing = async (texts: string[]) => texts.map((_, i) => (i === 0 ? [1, 0] : [0, 1]));
    expect(await findUnsupported(answer, new Map([[1, spdf]]), agreeing)).toEqual([]);
    expect(await findUnsupported(answer, new Map([[1, spdf]]), disagreeing)).toHaveLength(1);
  });
});
