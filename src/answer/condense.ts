// Follow-up questions ("which of those use LoRA?") make poor search queries on their own: with an
// LLM, the follow-up is rewritten into a standalone query (prompts/condense.md), searched beside
// the deterministic rewrite of follow-up.ts.
import type { LlmClient } from './llm.js';
import type { Prompts } from './prompts.js';
import type { ChatMessage } from './types.js';

/** The condense prompt sees the recent conversation only, each turn clipped: enough to resolve "those". */
const CONDENSE_TURNS = 6;
const CONDENSE_TURN_CHARS = 1200;
/** The condensed query is a search query, not an essay. */
const MAX_QUERY_CHARS = 400;

/** The conversation before the last question, as plain text for a prompt. */
export function historyText(history: readonly ChatMessage[]): string {
  if (history.length === 0) return '(none)';
  return history.map((m) => `${m.role === 'user' ? 'User' : 'Assistant'}: ${m.content.trim()}`).join('\n\n');
}

/** Asks the LLM for a standalone query; '' when its reply is unusable (the caller then rewrites it without the LLM). */
export async function condenseWithLlm(
  llm: LlmClient,
  prompts: Prompts,
  messages: readonly ChatMessage[],
  signal?: AbortSignal,
): Promise<string> {
  const question = messages.at(-1)!.content;
  const recent = messages
    .slice(0, -1)
    .slice(-CONDENSE_TURNS)
    .map((m) => ({ ...m, content: m.content.slice(0, CONDENSE_TURN_CHARS) }));
  const prompt = prompts.render('condense', { history: historyText(recent), question });
  let reply = '';
  for await (const piece of llm.stream([{ role: 'user', content: prompt }], { signal, maxTokens: 96 })) {
    reply += piece;
    if (reply.length > MAX_QUERY_CHARS * 2) break;
  }
  return cleanQuery(reply);
}

function cleanQuery(reply: string): string {
  const line = reply
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0) ?? '';
  return line
    .replace(/^(standalone )?query:\s*/i, '')
    .replace(/^["'“”]+|["'“”]+$/g, '')
    .trim()
    .slice(0, MAX_QUERY_CHARS);
}
