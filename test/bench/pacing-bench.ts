/**
 * Pacing jitter: how late each 50 ms frame leaves compared with its schedule, over 30 s of
 * real time on the real clock, while the event loop also does other work (as in the app).
 */
import { pace } from '../../main/pipeline/pacer.js';
import { systemClock } from '../../main/util/clock.js';

export interface JitterStats { frames: number; p50: number; p99: number; max: number; driftMs: number }

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function measurePacing(seconds: number, frameMs: number, busyMsPerTick = 0): Promise<JitterStats> {
  const rate = 16000;
  const frameSamples = (rate * frameMs) / 1000;
  const total = Math.round((seconds * 1000) / frameMs);
  async function* source(): AsyncGenerator<Int16Array> {
    for (let i = 0; i < total; i++) yield new Int16Array(frameSamples);
  }
  const lateness: number[] = [];
  let lastDue = 0;
  let lastReleased = 0;
  // Simulated load: a busy callback every 20 ms (like caption rendering or IPC work).
  const busy = busyMsPerTick > 0 ? setInterval(() => { const end = performance.now() + busyMsPerTick; while (performance.now() < end) { /* spin */ } }, 20) : undefined;
  for await (const _ of pace(source(), {
    frameSamples, sampleRate: rate, clock: systemClock,
    onRelease: ({ dueMs, releasedMs }) => { lateness.push(releasedMs - dueMs); lastDue = dueMs; lastReleased = releasedMs; },
  })) { /* consume */ }
  if (busy) clearInterval(busy);
  const sorted = [...lateness].sort((a, b) => a - b);
  return { frames: lateness.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1]!, driftMs: lastReleased - lastDue };
}

export async function runPacingBench(seconds = 30): Promise<string> {
  const idle = await measurePacing(seconds, 50);
  const loaded = await measurePacing(seconds, 50, 5);
  const row = (name: string, s: JitterStats) =>
    `| ${name} | ${s.frames} | ${s.p50.toFixed(2)} | ${s.p99.toFixed(2)} | ${s.max.toFixed(2)} | ${s.driftMs.toFixed(2)} |`;
  return [
    `Pacing jitter, 50 ms frames, ${seconds} s on the real clock (lateness of each frame against its schedule, ms)`,
    '',
    '| event loop | frames | p50 | p99 | max | lateness of last frame |',
    '|---|---|---|---|---|---|',
    row('idle', idle),
    row('busy 5 ms every 20 ms', loaded),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await runPacingBench(Number(process.argv[2] ?? 30)));
}
