// One writer at a time per index folder, across processes: a lock file holding the writer's pid.
// A lock left by a killed process (pid gone) is taken over, so a crash never blocks ingest forever.
import { open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { PapertalkError } from '../errors.js';

const LOCK_FILE = 'ingest.lock';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function acquireWriteLock(dir: string): Promise<() => Promise<void>> {
  const file = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new PapertalkError(
          'index_write_failed',
          `another papertalk process (pid ${pid}) is writing the index in ${dir}; wait for it to finish`,
        );
      }
      await rm(file, { force: true }); // stale: its writer is gone
    }
  }
  throw new PapertalkError('index_write_failed', `could not lock the index in ${dir} (remove ${file} if no ingest is running)`);
}
