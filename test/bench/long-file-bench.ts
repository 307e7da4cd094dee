/**
 * Memory against file length: the real `earshot` process streaming 10 and 60 minutes of
 * 16 kHz mono tone speech at --speed 20 to the Fireworks-faithful server. Peak RSS must not
 * depend on the length (within 10 %): nothing may keep audio alive for the whole run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeLongFile, runLongFile, type LongRun } from '../e2e/helpers/long-file-run.js';

const SPEED = 20;

export async function runLongFileBench(minutesList = [10, 30, 60]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-bench-long-'));
  const rows: { minutes: number; run: LongRun; exact: boolean }[] = [];
  try {
    for (const minutes of minutesList) {
      const file = makeLongFile(dir, minutes);
      const run = await runLongFile(file, { speed: SPEED, outDir: dir, timeoutMs: 20 * 60_000 });
      rows.push({ minutes, run, exact: run.code === 0 && run.transcript === file.speech.text && run.coverageProblems.length === 0 });
      rmSync(file.path);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const base = rows[0]!.run.peakMb;
  const worst = Math.max(...rows.map((r) => Math.abs(r.run.peakMb - base) / base));
  const last = rows.at(-1)!.run;
  // Growth that is not the file's length shows as a plateau: the middle row equals the last.
  const middle = rows.length > 2 ? rows[rows.length - 2]!.run : undefined;
  return [
    `Peak RSS of the \`earshot\` process against file length (16 kHz mono WAV, --speed ${SPEED}, 50 ms frames)`,
    '',
    '| audio min | wall s | peak RSS MB | vs first row | every sample sent, transcript exact |',
    '|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.minutes} | ${r.run.wallSeconds.toFixed(1)} | ${r.run.peakMb.toFixed(1)} | ${(((r.run.peakMb - base) / base) * 100).toFixed(1)} % | ${r.exact ? 'yes' : `NO (exit ${r.run.code})`} |`,
    ),
    '',
    `Within 10 % of each other: ${worst <= 0.1 ? 'yes' : 'NO'} (largest difference ${(worst * 100).toFixed(1)} %)`,
    ...(middle ? [`${rows[rows.length - 2]!.minutes} → ${rows.at(-1)!.minutes} min: ${(((last.peakMb - middle.peakMb) / middle.peakMb) * 100).toFixed(1)} % (an hour of retained 16 kHz audio would add 115 MB)`] : []),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await runLongFileBench());
}
