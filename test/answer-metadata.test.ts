// Questions about a paper's record (authors, date, link) rather than its content.
import { describe, expect, it } from 'vitest';
import { metadataAnswer, metadataAsked } from '../src/answer/metadata.js';

describe('which record fields a question asks for', () => {
  it.each([
    ['who wrote', ['authors']],
    ['who are the authors?', ['authors']],
    ['when was published?', ['date']],
    ['when did it come out?', ['date']],
    ['link to?', ['link']],
    ['who wrote it and when was it published?', ['authors', 'date']],
    ['what do the authors propose?', []],
    ['what do the authors of propose?', []],
    ['when does it fail?', []],
    ['tell me more about', []],
  ])('"%s" -> %j', (question, fields) => {
    expect(metadataAsked(question)).toEqual(fields);
  });
});

describe('the answer from the record', () => {
  const hit = (fields: object) => ({ id: 'x', title: 'A paper', abstract: '', snippet: '', score: 1, retrievers: [], coverage: 1, ...fields });

  it('says what the index holds, and what it does not', () => {
    const papers = [{ n: 2, hit: hit({ authors: ['Ada Lovelace', 'Alan Turing', 'Grace Hopper'], date: '2024-05-01', url: 'https://arxiv.org/abs/2405.00001' }) }];
    expect(metadataAnswer(papers, ['authors', 'date', 'link'])).toBe(
      '- A paper [2]: by Ada Lovelace, Alan Turing and Grace Hopper; dated 2024-05-01; https://arxiv.org/abs/2405.00001',
    );
    expect(metadataAnswer([{ n: 1, hit: hit({}) }], ['authors', 'date'])).toBe('- A paper [1]: no authors in the index; no date in the index');
  });

  it('shortens a long author list', () => {
    const authors = Array.from({ length: 9 }, (_, i) => `Author ${i + 1}`);
    expect(metadataAnswer([{ n: 1, hit: hit({ authors }) }], ['authors'])).toBe('- A paper [1]: by Author 1, Author 2, Author 3, Author 4, Author 5 and 4 others');
  });
});
