/**
 * Resampler benchmark (not pass/fail): Earshot's pure-TS polyphase FIR against
 * @echogarden/speex-resampler-wasm (SIMD build, q3/q5) and @alexanderolsen/libsamplerate-js
 * (streaming `full` API), 48 kHz and 44.1 kHz stereo → 16 kHz mono, in one run.
 *
 * Speed: the whole path per 100 ms chunk — s16 stereo bytes → float → mono → resample → int16 —
 * where only the resampling stage differs. Quality is measured on mono floats (no int16 noise):
 * gains from least-squares sine fits, worst alias = output RMS for full-scale tones from 8.8 kHz to
 * Nyquist, delay = cross-correlation lag against the exact band-limited signal at the output times,
 * held back = output still owed after all input went in (latency that a flush would release).
 *
 * Run standalone: `node out/test/bench/resampler-bench.js` after `npm run build`.
 */
import { pathToFileURL } from 'node:url';
import { decodeToFloat, downmixToMono, floatToInt16 } from '../../main/audio/pcm.js';
import { Resampler } from '../../main/audio/resampler.js';
import { db, fitAmplitude, rms, sine } from '../unit/audio/sine-fit.js';

const OUT = 16000;
const SPEED_SECONDS = 30;

interface Stage {
  push(x: Float64Array): ArrayLike<number>;
  dispose(): void;
}
interface Candidate {
  name: string;
  make(inRate: number): Promise<Stage>;
}

function ours(): Candidate {
  return {
    name: 'Earshot polyphase FIR (pure TS)',
    make: async (inRate) => {
      const r = new Resampler(inRate, OUT);
      return { push: (x) => r.push(x), dispose: () => undefined };
    },
  };
}

interface SpeexModule {
  _malloc(n: number): number;
  _free(p: number): void;
  _speex_resampler_init(ch: number, inRate: number, outRate: number, q: number, errPtr: number): number;
  _speex_resampler_process_float(st: number, ch: number, inPtr: number, inLenPtr: number, outPtr: number, outLenPtr: number): number;
  _speex_resampler_destroy(st: number): void;
  HEAPF32: Float32Array;
  HEAPU32: Uint32Array;
}

let speexModule: Promise<SpeexModule> | null = null;
function speex(quality: number): Candidate {
  return {
    name: `speex-resampler-wasm SIMD q${quality}`,
    make: async (inRate) => {
      speexModule ??= import('@echogarden/speex-resampler-wasm/simd' as string).then((m: { default: () => Promise<SpeexModule> }) => m.default());
      const m = await speexModule;
      const maxIn = inRate; // 1 s per call is plenty for 100 ms chunks
      const maxOut = OUT + 64;
      const scratch = m._malloc(8 + 4 * (maxIn + maxOut) + 4);
      const inLen = scratch;
      const outLen = scratch + 4;
      const inPtr = scratch + 8;
      const outPtr = inPtr + 4 * maxIn;
      const err = outPtr + 4 * maxOut;
      const st = m._speex_resampler_init(1, inRate, OUT, quality, err);
      if (!st) throw new Error('speex_resampler_init failed');
      return {
        push: (x) => {
          const pieces: Float32Array[] = [];
          for (let at = 0; at < x.length; at += maxIn) {
            const piece = x.subarray(at, Math.min(x.length, at + maxIn));
            m.HEAPF32.set(piece, inPtr >> 2); // the heap view can change when memory grows: read it each time
            m.HEAPU32[inLen >> 2] = piece.length;
            m.HEAPU32[outLen >> 2] = maxOut;
            m._speex_resampler_process_float(st, 0, inPtr, inLen, outPtr, outLen);
            pieces.push(m.HEAPF32.slice(outPtr >> 2, (outPtr >> 2) + m.HEAPU32[outLen >> 2]));
          }
          return pieces.length === 1 ? pieces[0] : Float32Array.from(pieces.flatMap((p) => Array.from(p)));
        },
        dispose: () => {
          m._speex_resampler_destroy(st);
          m._free(scratch);
        },
      };
    },
  };
}

interface Lsr {
  create(ch: number, inRate: number, outRate: number, o: { converterType: number }): Promise<{ full(x: Float32Array): Float32Array; destroy(): void }>;
}
function libsamplerate(label: string, converterType: number): Candidate {
  return {
    name: `libsamplerate-js ${label}`,
    make: async (inRate) => {
      const mod = (await import('@alexanderolsen/libsamplerate-js')) as unknown as { default?: Lsr } & Lsr;
      const src = await (mod.default ?? mod).create(1, inRate, OUT, { converterType });
      return { push: (x) => src.full(Float32Array.from(x)), dispose: () => src.destroy() };
    },
  };
}

export const CANDIDATES: Candidate[] = [
  ours(),
  speex(3),
  speex(5),
  libsamplerate('SINC_FASTEST', 2),
  libsamplerate('SINC_MEDIUM', 1),
  libsamplerate('SINC_BEST', 0),
];

/** Speech-like stereo s16: a 140 Hz harmonic series with vibrato plus noise; channels differ. */
function speechLike(rate: number, seconds: number): Buffer {
  const n = rate * seconds;
  const b = Buffer.alloc(n * 4);
  let seed = 12345;
  const noise = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 0.05;
  let phase = 0;
  for (let i = 0; i < n; i++) {
    phase += (2 * Math.PI * (140 + 10 * Math.sin((2 * Math.PI * 3 * i) / rate))) / rate;
    let v = 0;
    for (let h = 1; h <= 20; h++) v += Math.sin(h * phase) / (h * 4);
    b.writeInt16LE(Math.round((v + noise()) * 12000), i * 4);
    b.writeInt16LE(Math.round((v * 0.9 + noise()) * 12000), i * 4 + 2);
  }
  return b;
}

async function speed(c: Candidate, inRate: number, pcm: Buffer): Promise<number> {
  const chunk = (inRate / 10) * 4;
  let best = Infinity;
  for (let run = 0; run < 2; run++) {
    const stage = await c.make(inRate);
    const t0 = performance.now();
    for (let at = 0; at < pcm.length; at += chunk) {
      const mono = downmixToMono(decodeToFloat(pcm.subarray(at, at + chunk), 's16'), 2);
      floatToInt16(stage.push(mono));
    }
    best = Math.min(best, performance.now() - t0);
    stage.dispose();
  }
  return SPEED_SECONDS / (best / 1000);
}

async function toneOut(c: Candidate, inRate: number, f: number, amp: number): Promise<ArrayLike<number>> {
  const stage = await c.make(inRate);
  const y = stage.push(sine(f, inRate, Math.round(inRate * 0.15), amp, 0.4));
  stage.dispose();
  return y;
}

async function gainDb(c: Candidate, inRate: number, f: number): Promise<number> {
  const y = await toneOut(c, inRate, f, 0.5);
  return db(fitAmplitude(y, f, OUT, 480, y.length - 320) / 0.5);
}

async function worstAliasDb(c: Candidate, inRate: number): Promise<number> {
  let worst = -Infinity;
  const tones: number[] = [];
  for (let f = 8800; f < inRate / 2 - 100; f += 200) tones.push(f);
  tones.push(inRate / 2 - 20);
  for (const f of tones) {
    const y = await toneOut(c, inRate, f, 1);
    worst = Math.max(worst, db(rms(y, 480, y.length - 320) * Math.SQRT2));
  }
  return worst;
}

/** Delay (ms) by cross-correlation with the exact signal at the output times; and output held back (ms). */
async function delay(c: Candidate, inRate: number): Promise<{ delayMs: number; heldMs: number }> {
  let seed = 99;
  const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const parts = Array.from({ length: 40 }, () => ({ f: 100 + rnd() * 3400, p: rnd() * 2 * Math.PI }));
  const at = (t: number) => parts.reduce((s, q) => s + 0.02 * Math.sin(2 * Math.PI * q.f * t + q.p), 0);
  const n = inRate; // 1 s
  const x = Float64Array.from({ length: n }, (_, i) => at(i / inRate));
  const stage = await c.make(inRate);
  const y = stage.push(x);
  stage.dispose();
  const ideal = Float64Array.from({ length: OUT }, (_, k) => at(k / OUT));
  const score = (lag: number) => {
    let s = 0;
    for (let k = 2000; k < 14000; k++) s += (y[k + lag] ?? 0) * ideal[k];
    return s;
  };
  let bestLag = 0;
  for (let lag = -20; lag <= 400; lag++) if (score(lag) > score(bestLag)) bestLag = lag;
  const [a, b, c2] = [score(bestLag - 1), score(bestLag), score(bestLag + 1)];
  const frac = a - 2 * b + c2 === 0 ? 0 : (0.5 * (a - c2)) / (a - 2 * b + c2);
  return { delayMs: ((bestLag + frac) / OUT) * 1000, heldMs: ((OUT - y.length) / OUT) * 1000 };
}

export async function runResamplerBench(): Promise<string> {
  const rows: string[] = [
    '| resampler | input | × real time | gain @1k dB | gain @6k dB | gain @7k dB | worst alias dB (8.8 kHz–Nyquist) | delay ms | held back ms |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const inRate of [48000, 44100]) {
    const pcm = speechLike(inRate, SPEED_SECONDS);
    for (const c of CANDIDATES) {
      const xrt = await speed(c, inRate, pcm);
      const g = [await gainDb(c, inRate, 1000), await gainDb(c, inRate, 6000), await gainDb(c, inRate, 7000)];
      const alias = await worstAliasDb(c, inRate);
      const d = await delay(c, inRate);
      rows.push(
        `| ${c.name} | ${inRate / 1000} kHz stereo | ${xrt.toFixed(0)}× | ${g.map((v) => v.toFixed(2)).join(' | ')} | ` +
          `${alias.toFixed(1)} | ${d.delayMs.toFixed(2)} | ${d.heldMs.toFixed(2)} |`,
      );
    }
  }
  return [
    `Resamplers, stereo s16 → 16 kHz mono s16 in 100 ms chunks (Node ${process.version}, ${SPEED_SECONDS} s of audio, best of 2).`,
    '',
    ...rows,
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runResamplerBench().then((table) => console.log(table));
}
