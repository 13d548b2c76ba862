// The real `papertalk` command as a child process, for tests about what happens to a process
// (kill -9, a refused start): spawned with its own environment, output captured.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './corpus.js';

export interface CliProcess {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
}

/** Environment for a child papertalk: lexical only, no seed, nothing remote, loopback only. */
export function cliEnv(indexDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    PAPERTALK_INDEX_DIR: indexDir,
    PAPERTALK_DENSE: 'false',
    PAPERTALK_ALLOW_REMOTE_MODELS: 'false',
    PAPERTALK_SEED_CORPUS: '',
    PAPERTALK_HOST: '127.0.0.1',
    OLLAMA_HOST: 'http://127.0.0.1:9',
    ...extra,
  };
}

export function runCli(args: string[], env: Record<string, string>): CliProcess {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'papertalk.js'), ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { child, output: () => output, exited };
}

/** `papertalk serve --port 0`; resolves with its URL once it listens, rejects if it exits first. */
export async function startServeProcess(env: Record<string, string>, timeoutMs = 20_000): Promise<CliProcess & { url: string }> {
  // The "serving … at URL" line is logged at info level: never quieter than that here.
  const proc = runCli(['serve', '--port', '0'], { ...env, PAPERTALK_LOG_LEVEL: 'info' });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.child.kill('SIGKILL');
      reject(new Error(`serve did not start in ${timeoutMs} ms:\n${proc.output()}`));
    }, timeoutMs);
    const check = () => {
      const match = /serving .* at (http:\/\/127\.0\.0\.1:\d+)/.exec(proc.output());
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    proc.child.stdout!.on('data', check);
    proc.child.stderr!.on('data', check);
    void proc.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before listening:\n${proc.output()}`));
    });
  });
  return { ...proc, url };
}
