// One writer of the lock race (test/support/lock-race.ts), in its own process like a second
// server or a CLI ingest: on each "go" it loads the index, then at the agreed instant writes
// one paper through the real write path and reports whether the write was confirmed.
import { applyPapers, openIndex } from '../../src/index/store.js';
import { toPapers } from '../../src/ingest/to-papers.js';
import type { PaperInput } from '../../src/types.js';

export interface RaceOrder {
  dir: string;
  paper: PaperInput;
  /** performance.timeOrigin + performance.now() at which to start the write. */
  at: number;
}

export type RaceResult = { ok: true; id: string } | { ok: false; code: string; message: string };

const now = () => performance.timeOrigin + performance.now();

process.on('message', async (order: RaceOrder) => {
  let result: RaceResult;
  try {
    const snapshot = await openIndex(order.dir);
    while (now() < order.at - 2) await new Promise((resolve) => setTimeout(resolve, 1));
    while (now() < order.at); // the last 2 ms spinning: both writers start within a fraction of a millisecond
    const papers = toPapers([order.paper]);
    await applyPapers(snapshot, papers);
    result = { ok: true, id: papers[0]!.id };
  } catch (error) {
    const { code = 'unknown', message = String(error) } = error as { code?: string; message?: string };
    result = { ok: false, code, message };
  }
  process.send!(result);
});
process.send!({ ready: true });
