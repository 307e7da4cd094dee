/**
 * CPU and memory of the whole file → socket pipeline at 48 kHz stereo: the real `earshot`
 * command (WAV reader, converter, pacer, session, caption store, terminal view) streaming to
 * the Fireworks-faithful server, which runs in this process so the child's numbers are the
 * pipeline's alone. Read from /proc (Linux).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { systemClock } from '../../main/util/clock.js';
import { startFireworksServer } from '../fakes/fireworks-server.js';
import { makeToneSpeech } from '../fakes/tone-asr.js';
import { toMultichannel, writeWav } from '../fakes/wav-writer.js';

const CLI = resolve(import.meta.dirname, '../../main/cli/earshot.js');
const TICK = 100; // USER_HZ on Linux

function procStat(pid: number): { cpuMs: number; rssKb: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / TICK;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { cpuMs, rssKb };
  } catch {
    return null;
  }
}

export interface PipelineStats { audioSeconds: number; speed: number; wallSeconds: number; cpuPercent: number; cpuMsPerAudioSecond: number; peakRssMb: number; baselineRssMb: number; words: number; ok: boolean }

/** `streams` 2 = a meeting (`--source file:A+file:B`): two converters, pacers and sessions. */
export async function measurePipeline(audioWords: number, speed: number, streams: 1 | 2 = 1): Promise<PipelineStats> {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-bench-'));
  const terms: string[] = [];
  let speech = makeToneSpeech({ words: audioWords, seed: 5, rate: 48000 });
  for (let i = 0; i < streams; i++) {
    speech = makeToneSpeech({ words: audioWords, seed: 5 + i, rate: 48000 });
    const wav = join(dir, `bench-${i}.wav`);
    writeWav(wav, toMultichannel(speech.samples, 2), 48000, 2);
    terms.push(`file:${wav}`);
  }
  const key = 'bench-key-0000';
  const server = await startFireworksServer({ apiKey: key });
  const out = join(dir, 'out.json');
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, 'caption', '--source', terms.join('+'), '--endpoint', server.url, '--api-key', key, '--speed', String(speed), '--out', out, '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let peakRss = 0;
  let baseline = 0;
  let last = { cpuMs: 0, rssKb: 0 };
  const timer = setInterval(() => {
    const s = procStat(child.pid!);
    if (!s) return;
    if (!baseline) baseline = s.rssKb;
    peakRss = Math.max(peakRss, s.rssKb);
    last = s;
  }, 50);
  const code: number = await new Promise((res) => child.on('close', (c) => res(c ?? -1)));
  clearInterval(timer);
  const wall = (performance.now() - started) / 1000;
  await server.close();
  const audioSeconds = speech.samples.length / 48000;
  let words = 0;
  try { words = (JSON.parse(readFileSync(out, 'utf8')) as { text: string }).text.split(' ').length; } catch { /* reported as not ok */ }
  return {
    audioSeconds, speed, wallSeconds: wall,
    cpuPercent: (last.cpuMs / 1000 / wall) * 100,
    cpuMsPerAudioSecond: last.cpuMs / audioSeconds,
    peakRssMb: peakRss / 1024, baselineRssMb: baseline / 1024,
    words, ok: code === 0 && words === audioWords * streams,
  };
}

export async function runPipelineBench(): Promise<string> {
  const rows = [await measurePipeline(40, 1), await measurePipeline(160, 8)];
  const fmt = (s: PipelineStats) =>
    `| ${s.audioSeconds.toFixed(1)} | ${s.speed}× | ${s.wallSeconds.toFixed(1)} | ${s.cpuPercent.toFixed(2)} % | ${s.cpuMsPerAudioSecond.toFixed(1)} | ${s.peakRssMb.toFixed(1)} | ${s.ok ? `yes (${s.words} words)` : 'NO'} |`;
  return [
    'Whole pipeline, 48 kHz stereo WAV → 16 kHz mono → paced 50 ms frames → WebSocket (the `earshot` process, including Node start-up)',
    '',
    '| audio s | speed | wall s | CPU (of one core) | CPU ms per audio s | peak RSS MB | transcript exact |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(fmt),
  ].join('\n');
}

/** Issue 8: what a meeting (two streams) costs against one stream, same audio length, one run. */
export async function runMeetingBench(): Promise<string> {
  const lines: string[] = [];
  for (const [words, speed] of [[40, 1], [160, 8]] as const) {
    const one = await measurePipeline(words, speed, 1);
    const two = await measurePipeline(words, speed, 2);
    const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : '–');
    for (const [n, s] of [[1, one], [2, two]] as const) {
      lines.push(`| ${n} | ${s.audioSeconds.toFixed(1)} | ${s.speed}× | ${s.cpuPercent.toFixed(2)} % | ${s.cpuMsPerAudioSecond.toFixed(1)} | ${s.peakRssMb.toFixed(1)} | ${s.ok ? `yes (${s.words} words)` : 'NO'} |`);
    }
    lines.push(`| 2 ÷ 1 | | | ${ratio(two.cpuPercent, one.cpuPercent)} | ${ratio(two.cpuMsPerAudioSecond, one.cpuMsPerAudioSecond)} | ${ratio(two.peakRssMb, one.peakRssMb)} | |`);
  }
  // The echo stage a microphone + system meeting adds, measured in this process on 60 s of audio.
  const aec = await measureEchoCanceller(60);
  return [
    'Meeting (two sources, two connections) against one source: the `earshot` process with 48 kHz stereo WAVs, each stream converted, paced and sent on its own WebSocket',
    '',
    '| streams | audio s each | speed | CPU (of one core) | CPU ms per audio s | peak RSS MB | transcripts exact |',
    '|---|---|---|---|---|---|---|',
    ...lines,
    '',
    `Echo cancelling (WebRTC AEC3 in WebAssembly, on the microphone stream of mic+system meetings): ${aec.cpuMsPerAudioSecond.toFixed(1)} ms CPU per audio second (${((aec.cpuMsPerAudioSecond / 1000) * 100).toFixed(1)} % of one core), ${aec.rssDeltaMb.toFixed(1)} MB more RSS after loading it; measured in process on ${aec.audioSeconds} s of speech-like noise.`,
  ].join('\n');
}

async function measureEchoCanceller(seconds: number): Promise<{ audioSeconds: number; cpuMsPerAudioSecond: number; rssDeltaMb: number }> {
  const { EchoCanceller, loadAec3 } = await import('../../main/audio/echo-canceller.js');
  const rate = 16000;
  const rssBefore = process.memoryUsage().rss;
  const canceller = new EchoCanceller({ rate, clock: systemClock });
  canceller.attach(await loadAec3(rate));
  const frame = rate / 20;
  const render = new Int16Array(frame);
  const capture = new Int16Array(frame);
  let seed = 7;
  const noise = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff - 0.5) * 8000;
  const cpu = process.cpuUsage();
  for (let f = 0; f < seconds * 20; f++) {
    for (let i = 0; i < frame; i++) render[i] = noise();
    for (let i = 0; i < frame; i++) capture[i] = render[i]! / 4 + noise() / 8;
    canceller.render(render);
    canceller.capture(capture);
  }
  canceller.flush();
  const used = process.cpuUsage(cpu);
  return { audioSeconds: seconds, cpuMsPerAudioSecond: (used.user + used.system) / 1000 / seconds, rssDeltaMb: (process.memoryUsage().rss - rssBefore) / 1048576 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await runPipelineBench());
}
