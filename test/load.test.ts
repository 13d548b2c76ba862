// Concurrency, as specifications: parallel chat streams never mix their tokens, and searches
// during an ingest see the old index or the new one, never something in between.
// The timed load run (50 clients for 30 s) is bench/load.ts: `npm run test:load`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCorpus } from './support/corpus.js';
import { startFakeOllama, type FakeOllama } from './support/fake-ollama.js';
import { generatedPapers } from './support/papers.js';
import { startTestServer, type TestServer } from './support/server.js';
import { answerText, readSse } from './support/sse.js';

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Conversation `c`'s own answer: tokens no other conversation sends. */
const tokensOf = (c: number) => Array.from({ length: 12 }, (_, i) => `c${c}-t${i} `);

describe('20 chat streams at once', () => {
  let fake: FakeOllama;
  let server: TestServer;
  let questions: string[];
  beforeAll(async () => {
    fake = await startFakeOllama();
    // The fake answers each conversation with its own sequence, read from the question it was sent.
    server = await startTestServer({ env: { OLLAMA_HOST: fake.url, PAPERTALK_RATE_LIMIT_PER_MINUTE: '1000' } });
    // Twenty different questions that the sample corpus answers: titles of its papers.
    questions = (await server.engine.listPapers(0, 20)).papers.map((paper) => `What does "${paper.title}" propose?`);
    // The fake answers each conversation with its own sequence, read from the question it was sent.
    fake.onChat((body) => {
      const prompt = String(body.messages.at(-1)?.content ?? '');
      const question = /Question: (.*)/.exec(prompt)?.[1] ?? '';
      return { kind: 'answer', tokens: tokensOf(questions.indexOf(question)), delayMs: 3 };
    });
  });
  afterAll(async () => {
    await server.close();
    await fake.close();
  });

  it('all complete, and each receives exactly its own tokens', async () => {
    const streams = await Promise.all(
      questions.map(async (question) => {
        const response = await post(`${server.url}/api/chat`, { messages: [{ role: 'user', content: question }] });
        expect(response.status).toBe(200);
        return readSse(response);
      }),
    );
    for (const [c, events] of streams.entries()) {
      expect(events.at(-1)?.event, `conversation ${c} ends with done`).toBe('done');
      expect(events.at(-1)!.data.mode).toBe('llm');
      expect(answerText(events), `conversation ${c}`).toBe(tokensOf(c).join(''));
    }
    expect(fake.chatRequests().filter((r) => r.completed)).toHaveLength(20);
  });
});

describe('searching while an ingest runs', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('answers every search from the old index or the new one, never a partial one, and without errors', async () => {
    const MARKER = 'zqxswapmarker';
    const incoming = generatedPapers(1500, 11).map((paper) => ({ ...paper, title: `${paper.title} ${MARKER}` }));
    const oldTotal = sampleCorpus.uniquePapers;
    const newTotal = oldTotal + incoming.length;

    let ingestDone = false;
    const ingest = post(`${server.url}/api/ingest`, incoming).then(async (response) => {
      ingestDone = true;
      return { status: response.status, body: await response.json() };
    });

    const seen: { total: number; hits: number; duringIngest: boolean }[] = [];
    const failures: string[] = [];
    const probe = async () => {
      const duringIngest = !ingestDone;
      const [search, list] = await Promise.all([
        post(`${server.url}/api/search`, { query: MARKER, k: 100, mode: 'lexical' }),
        fetch(`${server.url}/api/papers?limit=1`),
      ]);
      if (search.status !== 200 || list.status !== 200) failures.push(`search ${search.status}, papers ${list.status}`);
      else seen.push({ hits: (await search.json()).results.length, total: (await list.json()).total, duringIngest });
    };
    // Four clients probing in a loop until the ingest has answered, then once more each.
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (!ingestDone) await probe();
        await probe();
      }),
    );
    const result = await ingest;

    expect(failures).toEqual([]);
    expect(result.status).toBe(200);
    expect(result.body.total).toBe(newTotal);
    expect(seen.filter((s) => s.duringIngest).length, 'searches ran during the ingest').toBeGreaterThan(0);
    for (const s of seen) {
      // Each probe's search and listing may straddle the swap, but each alone is old or new whole.
      expect([oldTotal, newTotal]).toContain(s.total);
      expect([0, 100]).toContain(s.hits);
    }
    expect(seen.at(-1)).toMatchObject({ total: newTotal, hits: 100 });
  });
});
