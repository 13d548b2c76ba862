// `papertalk ask` and `papertalk chat`: thin terminal faces over the chat service. The answer
// streams to stdout as it is written; the cited papers follow it.
import readline from 'node:readline';
import type { ChatService } from '../answer/chat-service.js';
import type { AnswerMode, ChatMessage, ChatResult } from '../answer/types.js';
import { describeError } from '../errors.js';
import { printJson, type Io } from './output.js';

/** Earlier messages kept in a session (the HTTP API accepts 50 in all). */
const MAX_HISTORY = 48;

export interface AskOptions {
  k?: number;
  mode?: AnswerMode;
  /** Print the whole result as JSON (the done fields plus sources) instead of streaming text. */
  json?: boolean;
  since?: string;
  until?: string;
  /** Print only the cited papers, formatted by this (e.g. BibTeX), instead of the answer. */
  exportCited?: (ids: string[]) => Promise<string>;
}

export interface ChatOptions {
  k?: number;
  mode?: AnswerMode;
  since?: string;
  until?: string;
  /** Where questions are read from; default stdin. */
  input?: NodeJS.ReadableStream;
  /** Where the prompt and typed input are echoed; default stdout. */
  output?: NodeJS.WritableStream;
  /** Treat input as a terminal (line editing, Ctrl-C); default: whether input is a TTY. */
  terminal?: boolean;
}

/** Answers one question; resolves to the process exit code. */
export async function runAsk(chat: ChatService, question: string, opts: AskOptions, io: Io): Promise<number> {
  const controller = new AbortController();
  // Ctrl-C stops the answer (and then the command) cleanly instead of killing it mid-write.
  const stop = () => controller.abort(new Error('stopped'));
  process.once('SIGINT', stop);
  try {
    const quiet = Boolean(opts.json || opts.exportCited);
    const result = await answerOnce(chat, [{ role: 'user', content: question }], opts, io, controller.signal, !quiet);
    if (!result) {
      io.err('stopped\n');
      return 130;
    }
    if (opts.exportCited) {
      if (result.citations.length === 0) io.err('papertalk: the answer cites no papers: nothing to export\n');
      else io.out(await opts.exportCited(result.citations.map((citation) => citation.id)));
    } else if (opts.json) printJson(io, result);
    return 0;
  } catch (error) {
    io.err(`papertalk: ${describeError(error)}\n`);
    return 1;
  } finally {
    process.removeListener('SIGINT', stop);
  }
}

/**
 * An interactive session: each question sees the conversation so far. Ctrl-C stops the answer
 * being written; at an empty prompt, a second Ctrl-C (or Ctrl-D) ends the session.
 */
export async function runChat(chat: ChatService, opts: ChatOptions, io: Io): Promise<number> {
  const input = opts.input ?? process.stdin;
  const terminal = opts.terminal ?? Boolean((input as { isTTY?: boolean }).isTTY);
  const rl = readline.createInterface({ input, output: opts.output ?? process.stdout, terminal, prompt: 'you> ' });
  const history: ChatMessage[] = [];
  let running: AbortController | undefined;
  let armedToExit = false;

  io.out('Ask about the indexed papers; follow up on one with "[2]" or "the second one". Ctrl-C stops an answer; Ctrl-D exits.\n');
  let ended = false;
  const closed = new Promise<void>((resolve) => rl.once('close', resolve)).then(() => (ended = true));

  rl.on('SIGINT', () => {
    if (running) {
      running.abort(new Error('stopped'));
      return;
    }
    if (rl.line !== '') {
      // Ctrl-C with a half-typed question clears it, as shells do.
      armedToExit = false;
      rl.write(null, { ctrl: true, name: 'u' });
      return;
    }
    if (armedToExit) return rl.close();
    armedToExit = true;
    io.out('\n(press Ctrl-C again or Ctrl-D to exit)\n');
    rl.prompt();
  });

  // Lines are answered one after another, also when several arrive at once (piped input).
  let queue = Promise.resolve();
  const ask = async (question: string) => {
    running = new AbortController();
    const messages: ChatMessage[] = [...history, { role: 'user', content: question }];
    try {
      const result = await answerOnce(chat, messages, opts, io, running.signal, true);
      if (result) {
        const sources = result.sources.map(({ n, id }) => ({ n, id }));
        history.push({ role: 'user', content: question }, { role: 'assistant', content: result.answer, sources });
        // The same bound as the HTTP API: the oldest turns go first.
        history.splice(0, Math.max(0, history.length - MAX_HISTORY));
      }
      else io.out('\n(stopped)\n');
    } catch (error) {
      io.err(`papertalk: ${describeError(error)}\n`);
    } finally {
      running = undefined;
    }
  };
  rl.on('line', (line) => {
    armedToExit = false;
    const question = line.trim();
    queue = queue.then(async () => {
      if (question) await ask(question);
      if (!ended) rl.prompt();
    });
  });

  rl.prompt();
  await closed;
  // End of input (Ctrl-D, or the last piped line): finish what was asked, then stop.
  await queue;
  io.out('\n');
  return 0;
}

/** Runs one answer, streaming tokens to io.out when `stream`; undefined when stopped. */
async function answerOnce(
  chat: ChatService,
  messages: ChatMessage[],
  opts: { k?: number; mode?: AnswerMode; since?: string; until?: string },
  io: Io,
  signal: AbortSignal,
  stream: boolean,
): Promise<ChatResult | undefined> {
  const result = await chat.answer(
    { messages, k: opts.k, mode: opts.mode, from: opts.since, to: opts.until },
    {
      signal,
      onEvent: (event) => {
        if (stream && event.type === 'token') io.out(unescapeMarkdown(event.data.text));
      },
    },
  );
  if (result && stream) io.out(`\n${formatAfterword(result)}`);
  return result;
}

/**
 * Answers are markdown, with quoted abstract text escaped so a page renders it literally
 * ("\\*\\*" for "**"); a terminal shows the characters themselves.
 */
export function unescapeMarkdown(text: string): string {
  return text.replace(/\\([\\`*_{}[\]<>~|#])/g, '$1');
}

/** What follows the streamed answer: fixes to it, the cited papers, and any notice. */
export function formatAfterword(result: ChatResult): string {
  const lines: string[] = [''];
  if (result.dropped_citations > 0) {
    lines.push(`(removed ${result.dropped_citations} citation(s) of papers that were not retrieved; corrected answer:)`, unescapeMarkdown(result.answer), '');
  }
  const cited = result.citations.length > 0 ? result.citations : [];
  if (cited.length > 0) {
    lines.push(result.relevant ? 'Cited papers:' : 'Closest papers (possibly unrelated):');
    for (const { n, id, title } of cited) lines.push(`  [${n}] ${title}  (${id})`);
  }
  for (const { n, sentence } of result.unsupported) lines.push(`  check: [${n}] may not support "${sentence}"`);
  if (result.notice) lines.push(`note: ${result.notice}`);
  return `${lines.join('\n')}\n`;
}
