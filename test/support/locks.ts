// The index write lock as a killed or busy writer leaves it, for tests and the lock-race bench.
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LOCK_DIR } from '../../src/index/lock.js';

/** Makes `pid` the holder of the index's write lock, as its writer left it (alive or killed). */
export async function plantLock(indexDir: string, pid: number): Promise<void> {
  const dir = path.join(indexDir, LOCK_DIR);
  await mkdir(dir, { recursive: true });
  const top = Math.max(0, ...(await readdir(dir)).filter((name) => /^\d{12}$/.test(name)).map(Number));
  await writeFile(path.join(dir, String(top + 1).padStart(12, '0')), String(pid));
}

/** The pid of a process that has exited: what a lock left by a kill -9 names. */
export function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

/** What the highest lock file says (a pid or "free"), or undefined when there is none. */
export async function lockState(indexDir: string): Promise<string | undefined> {
  const dir = path.join(indexDir, LOCK_DIR);
  const names = (await readdir(dir).catch(() => [])).filter((name) => /^\d{12}$/.test(name)).sort();
  const top = names.at(-1);
  return top === undefined ? undefined : (await readFile(path.join(dir, top), 'utf8')).trim();
}
