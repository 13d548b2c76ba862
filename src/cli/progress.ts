// A progress bar for ingest on a terminal (papers/s and ETA); silent when stderr is not a TTY.
import cliProgress from 'cli-progress';
import type { Io } from './output.js';

export function ingestProgress(io: Io): { update(done: number, total: number): void; stop(): void } {
  if (!io.isTTY) return { update: () => undefined, stop: () => undefined };
  const started = Date.now();
  const bar = new cliProgress.SingleBar(
    {
      format: 'ingest [{bar}] {value}/{total} papers | {rate} papers/s | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: true,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  let started_ = false;
  return {
    update(done, total) {
      if (!started_) {
        bar.start(total, 0, { rate: '0' });
        started_ = true;
      }
      const seconds = (Date.now() - started) / 1000;
      bar.update(done, { rate: seconds > 0 ? (done / seconds).toFixed(0) : '0' });
    },
    stop() {
      if (started_) bar.stop();
    },
  };
}
