// One progress bar style for all benchmarks (on stderr, so stdout stays the report).
import cliProgress from 'cli-progress';

export function progressBar(label: string, unit: string) {
  return new cliProgress.SingleBar(
    {
      format: `${label.padEnd(18)} [{bar}] {value}/{total} ${unit} | {duration_formatted} | ETA {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: false,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
}
