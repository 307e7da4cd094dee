/**
 * `npm run bench`: every benchmark in one run, printed as markdown tables (the README's
 * numbers come from here). Not pass/fail.
 */
import { runPacingBench } from './pacing-bench.js';
import { runMeetingBench, runPipelineBench } from './pipeline-bench.js';

type Bench = { name: string; run: () => Promise<string> };

const benches: Bench[] = [
  { name: 'resampler', run: async () => (await import('./resampler-bench.js')).runResamplerBench() },
  { name: 'pacing', run: () => runPacingBench(Number(process.env.EARSHOT_BENCH_PACING_SECONDS ?? 30)) },
  { name: 'pipeline', run: runPipelineBench },
  { name: 'meeting', run: runMeetingBench },
  { name: 'long-file', run: async () => (await import('./long-file-bench.js')).runLongFileBench() },
  { name: 'overlay', run: async () => (await import('./overlay-bench.js')).runOverlayBench() },
  { name: 'transcribe', run: async () => (await import('./transcribe-bench.js')).runTranscribeBench() },
];

const only = process.argv.slice(2);
for (const b of benches) {
  if (only.length && !only.includes(b.name)) continue;
  console.log(`\n## ${b.name}\n`);
  try {
    console.log(await b.run());
  } catch (err) {
    console.log(`(failed: ${err instanceof Error ? err.stack : String(err)})`);
  }
}
