// The lock takeover race of issue 12, as a user meets it: two writer processes (two servers on
// one index folder, or a server and `papertalk ingest`) start writing within a fraction of a
// millisecond, round after round, with a lock left by a killed writer; and, as the baseline in
// the same run, the same rounds without a stale lock. Exit code 1 on any lost confirmed write,
// broken index or unexpected failure.
//
//   npm run test:lock-race -- [--rounds 300] [--baseline-rounds 100] [--writers 2] [--json]
import { parseArgs } from 'node:util';
import { runLockRace, type RaceReport } from '../test/support/lock-race.js';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '300' },
    'baseline-rounds': { type: 'string', default: '100' },
    writers: { type: 'string', default: '2' },
    json: { type: 'boolean', default: false },
  },
});

const writers = Number(args.writers);
const started = performance.now();
const stale = await runLockRace({ rounds: Number(args.rounds), stale: true, writers });
const fresh = await runLockRace({ rounds: Number(args['baseline-rounds']), stale: false, writers });
const seconds = (performance.now() - started) / 1000;

const row = (name: string, r: RaceReport) =>
  `| ${name} | ${r.rounds} | ${r.confirmed} | ${r.refused} | ${r.bothConfirmed} | ${r.failed} | **${r.lost}** | **${r.broken}** |`;
if (args.json) {
  console.log(JSON.stringify({ writers, seconds, stale, fresh }, null, 2));
} else {
  console.log(`lock race: ${writers} writer processes per round, started within ~0.1 ms (${seconds.toFixed(0)} s)\n`);
  console.log('| rounds | n | writes confirmed | refused (lock busy) | rounds with 2+ confirmed | other failures | lost confirmed writes | broken indexes |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  console.log(row('with a stale lock of a killed writer', stale));
  console.log(row('baseline: no stale lock', fresh));
  const failures = [...stale.failures, ...fresh.failures];
  if (failures.length) console.log(`\n${failures.slice(0, 20).join('\n')}`);
}
const bad = (r: RaceReport) => r.lost > 0 || r.broken > 0 || r.failed > 0;
process.exitCode = bad(stale) || bad(fresh) ? 1 : 0;
