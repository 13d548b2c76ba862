// The `papertalk` command run in-process through main(), output captured: shared by CLI specs.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/output.js';
import { repoRoot } from './corpus.js';

export interface Run {
  code: number;
  out: string;
  err: string;
}

/** Environment of a lexical-only CLI run against `indexDir`. */
export function cliEnv(indexDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PAPERTALK_INDEX_DIR: indexDir,
    PAPERTALK_DENSE: 'false',
    PAPERTALK_LOG_LEVEL: 'silent',
    OLLAMA_HOST: 'http://127.0.0.1:9',
    ...extra,
  };
}

export async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  let out = '';
  let err = '';
  const io: Io = { out: (text) => void (out += text), err: (text) => void (err += text), isTTY: false };
  const code = await main(argv, io, env);
  return { code, out, err };
}

/** Exactly one non-empty line on stderr, nothing on stdout. */
export function expectOneErrorLine(result: Run, ...mentions: string[]) {
  expect(result.out).toBe('');
  const lines = result.err.split('\n').filter(Boolean);
  expect(lines, result.err).toHaveLength(1);
  expect(lines[0]).toMatch(/^papertalk: /);
  for (const mention of mentions) expect(lines[0]).toContain(mention);
}

/** The real bin as a child process (the built CLI or the sources), environment as given. */
export function runBin(argv: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin/papertalk.js'), ...argv], { env: { PATH: process.env.PATH, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}
