/**
 * Hour-long file runs for the long-file test and benchmark: tone speech of N minutes as a
 * 16 kHz mono WAV, the real `earshot caption` process streaming it to the Fireworks-faithful
 * server (in this process, so the child's numbers are the pipeline's alone), and the child's
 * RSS sampled from /proc while it runs (Linux).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startFireworksServer } from '../../fakes/fireworks-server.js';
import { checkCoverage } from '../../fakes/stream-checks.js';
import { makeToneSpeech, type ToneSpeech } from '../../fakes/tone-asr.js';
import { writeWav } from '../../fakes/wav-writer.js';
import { CLI, assertBuilt } from './run-cli.js';

const RATE = 16000;
// Compiled into out/ (npm run bench) the command sits beside this file's tree; from the
// sources (vitest) it is the build's.
const besideCompiled = resolve(import.meta.dirname, '../../../main/cli/earshot.js');
const COMMAND = existsSync(besideCompiled) ? besideCompiled : CLI;
const KEY = 'long-file-key-0000';

export interface LongFile {
  path: string;
  speech: ToneSpeech;
  minutes: number;
}

/** About `minutes` of tone speech (words average 0.75 s with their pauses). */
export function makeLongFile(dir: string, minutes: number, seed = 3): LongFile {
  const speech = makeToneSpeech({ words: Math.round((minutes * 60) / 0.75), seed, rate: RATE });
  const path = join(dir, `long-${minutes}min.wav`);
  writeWav(path, speech.samples, RATE, 1);
  return { path, speech, minutes };
}

export interface RssSample {
  /** Seconds since the child started. */
  at: number;
  mb: number;
}

export interface LongRun {
  code: number | null;
  stderr: string;
  wallSeconds: number;
  rss: RssSample[];
  peakMb: number;
  connections: number;
  /** Problems found comparing what the server received with the file, sample by sample. */
  coverageProblems: string[];
  /** The words of the written transcript, joined by spaces. */
  transcript: string;
}

export async function runLongFile(file: LongFile, opts: { speed: number; frameMs?: number; outDir: string; timeoutMs?: number }): Promise<LongRun> {
  if (COMMAND === CLI) assertBuilt();
  // Only the newest segments in each message: valid Fireworks, and keeps the fake's own
  // O(n²) traffic from being what limits an hour-long run.
  const server = await startFireworksServer({ apiKey: KEY, tailSegments: 8 });
  const out = join(opts.outDir, `long-${file.minutes}-${opts.speed}.json`);
  const args = ['caption', '--source', `file:${file.path}`, '--endpoint', server.url, '--api-key', KEY, '--speed', String(opts.speed), '--out', out, '--quiet'];
  if (opts.frameMs) args.push('--frame-ms', String(opts.frameMs));
  const started = performance.now();
  const child = spawn(process.execPath, [COMMAND, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const rss: RssSample[] = [];
  const timer = setInterval(() => {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
      if (kb > 0) rss.push({ at: (performance.now() - started) / 1000, mb: kb / 1024 });
    } catch {
      // The child has just exited.
    }
  }, 200);
  const killer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
  const code: number | null = await new Promise((res) => child.on('close', (c) => res(c)));
  clearInterval(timer);
  clearTimeout(killer);
  const wallSeconds = (performance.now() - started) / 1000;
  const coverage = checkCoverage(server.connections.map((c) => c.responder.audio()), file.speech.samples);
  const connections = server.connections.length;
  await server.close();
  let transcript = '';
  try {
    transcript = (JSON.parse(readFileSync(out, 'utf8')) as { text: string }).text;
  } catch {
    // Left empty: the caller's comparison with the file's words fails and says so.
  }
  return { code, stderr, wallSeconds, rss, peakMb: Math.max(0, ...rss.map((s) => s.mb)), connections, coverageProblems: coverage.problems, transcript };
}

/** Highest RSS in the part of the run between fractions `from` and `to` of its wall time. */
export function peakBetween(run: LongRun, from: number, to: number): number {
  const inWindow = run.rss.filter((s) => s.at >= from * run.wallSeconds && s.at <= to * run.wallSeconds);
  return Math.max(0, ...inWindow.map((s) => s.mb));
}
