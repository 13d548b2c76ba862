// How the CLI prints: plain text for people, JSON for scripts, one line on error.
import type { SearchResponse } from '../types.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  isTTY: boolean;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  isTTY: Boolean(process.stderr.isTTY),
};

export function printJson(io: Io, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

export function formatSearch(response: Pick<SearchResponse, 'results' | 'mode' | 'took_ms'>): string {
  if (response.results.length === 0) return `No matching papers (${response.mode} search, ${response.took_ms} ms).\n`;
  const lines = response.results.map((hit, i) => {
    const found = hit.retrievers.join('+');
    return `${i + 1}. ${hit.title}\n   ${hit.snippet}\n   id: ${hit.id}  score: ${hit.score}  via: ${found}\n`;
  });
  return `${lines.join('\n')}\n${response.results.length} papers, ${response.mode} search, ${response.took_ms} ms\n`;
}
