// The "References" block that faces for other tools (OpenAI-compatible chat, MCP) append to an
// answer: a client that shows only text still shows which paper each [n] is.
import type { Engine } from '../engine.js';
import type { ChatResult } from '../answer/types.js';

/** `[n] Title. URL` per cited paper, in order of first use; empty when nothing was cited. */
export async function referencesBlock(citations: ChatResult['citations'], engine: Pick<Engine, 'getPaper'>): Promise<string> {
  if (citations.length === 0) return '';
  const lines = await Promise.all(
    citations.map(async ({ n, id, title }) => {
      const url = (await engine.getPaper(id))?.url;
      return `[${n}] ${title}${url ? `. ${url}` : ` (${id})`}`;
    }),
  );
  return `\n\nReferences\n${lines.join('\n')}`;
}

/** The answer as a plain-text client should see it: text, then the references. */
export async function answerWithReferences(result: Pick<ChatResult, 'answer' | 'citations'>, engine: Pick<Engine, 'getPaper'>): Promise<string> {
  return result.answer.trimEnd() + (await referencesBlock(result.citations, engine));
}
