// A progress bar for ingest on a terminal: the phase (reading files, indexing papers, embedding,
// writing), done/total, a rate and an ETA per phase. Silent when stderr is not a TTY.
import cliProgress from 'cli-progress';
import type { IngestPhase } from '../engine.js';
import type { Io } from './output.js';

const UNITS: Record<IngestPhase, string> = { reading: 'files', indexing: 'papers', embedding: 'papers', writing: 'papers' };

export interface IngestProgressBar {
  update(done: number, total: number, phase?: IngestPhase): void;
  stop(): void;
}

export function ingestProgress(io: Io, stream: NodeJS.WritableStream = process.stderr): IngestProgressBar {
  if (!io.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      format: '{phase} [{bar}] {value}/{total} {unit} | {rate} {unit}/s | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: true,
      stream,
      // Repaint on every update too: indexing yields between batches, not on a timer's schedule.
      forceRedraw: true,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  let phase: IngestPhase | undefined;
  let phaseStarted = 0;
  return {
    update(done, total, next = 'indexing') {
      if (next !== phase) {
        // A new phase is a new bar: its own total, rate and ETA.
        if (phase) bar.stop();
        phase = next;
        phaseStarted = Date.now();
        bar.start(Math.max(total, 1), done, { phase: next.padEnd(9), unit: UNITS[next], rate: '0' });
        return;
      }
      const seconds = (Date.now() - phaseStarted) / 1000;
      bar.setTotal(Math.max(total, 1));
      bar.update(done, { rate: seconds > 0 ? (done / seconds).toFixed(0) : '0' });
    },
    stop() {
      if (phase) bar.stop();
    },
  };
}
