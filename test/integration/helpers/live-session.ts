/**
 * One provider session run end to end for the per-provider integration tests: the real
 * StreamingSession and WsTransport against a fake server on 127.0.0.1, fed tone speech paced
 * like a live source at `speed` × real time, then finished; and the checks every such run
 * must pass whatever the provider (nothing lost, frames in range, the key nowhere).
 */
import { expect } from 'vitest';
import type { ProviderOptions, ProviderSpec } from '../../../main/stt/provider.js';
import { StreamingSession, type FinishResult, type StreamingSessionOptions } from '../../../main/stt/streaming-session.js';
import { createWsTransport } from '../../../main/stt/ws-transport.js';
import { systemClock } from '../../../main/util/clock.js';
import { seededRandom } from '../../fakes/fake-clock.js';
import { CaptionRecorder, checkCoverage } from '../../fakes/stream-checks.js';
import type { ToneSpeech } from '../../fakes/tone-asr.js';

/** What the run and the checks read of a provider's fake server. */
export interface LiveServer {
  readonly connections: readonly {
    closeCode: number | undefined;
    responder: { audio(): Int16Array; readonly frames: readonly { samples: number }[] };
  }[];
  violations(): string[];
  close(): Promise<void>;
}

export interface LiveRunOptions {
  spec: ProviderSpec;
  provider: ProviderOptions;
  speech: ToneSpeech;
  /** The speech's sample rate. */
  rate: number;
  /** Pushing pace and the session's `speed`, as a multiple of real time. */
  speed: number;
  session?: Partial<StreamingSessionOptions>;
  /** The source goes quiet (e.g. paused) at `atSec` for `forMs`: no samples at all. */
  pause?: { atSec: number; forMs: number };
}

export interface LiveRun<S> {
  server: S;
  rec: CaptionRecorder;
  result: FinishResult;
  speech: ToneSpeech;
  elapsedMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the session to its finish, then closes `server` (after its last close handshake). */
export async function runLiveSession<S extends LiveServer>(server: S, o: LiveRunOptions): Promise<LiveRun<S>> {
  const { speech, rate, speed } = o;
  const rec = new CaptionRecorder();
  const session = new StreamingSession(
    { spec: o.spec, provider: o.provider, speed, backoff: { baseMs: 30, capMs: 150, minUptimeMs: 5000 }, ...o.session },
    { transport: createWsTransport, clock: systemClock, random: seededRandom(3) },
  );
  session.on(rec.listener);
  let t0 = performance.now();
  const started = t0;
  session.start();
  // Paced like a live source: at each tick, everything that is due at `speed` × real time.
  let pushed = 0;
  let paused = false;
  while (pushed < speech.samples.length && rec.fatals.length === 0) {
    await sleep(20);
    let due = Math.min(speech.samples.length, Math.floor(((performance.now() - t0) / 1000) * rate * speed));
    if (o.pause && !paused && due >= o.pause.atSec * rate) {
      due = o.pause.atSec * rate;
      session.pushAudio(speech.samples.slice(pushed, due));
      pushed = due;
      paused = true;
      await sleep(o.pause.forMs);
      t0 += o.pause.forMs;
      continue;
    }
    if (due > pushed) session.pushAudio(speech.samples.slice(pushed, due));
    pushed = Math.max(pushed, due);
  }
  const result = await session.finish();
  const elapsedMs = performance.now() - started;
  // Let the server see the last close handshake before it is torn down.
  for (let i = 0; i < 50 && server.connections.some((c) => c.closeCode === undefined); i++) await sleep(20);
  await server.close();
  return { server, rec, result, speech, elapsedMs };
}

/**
 * What every run without a fatal error must show: no broken caption promise, no protocol
 * violation, every source sample received in contiguous stretches, each frame within
 * `frameSamples`, the key in no event, and a flushed finish. Captions are the caller's to compare.
 */
export function expectCleanRun(out: LiveRun<LiveServer>, o: { key: string; frameSamples: { min: number; max: number } }): void {
  const { rec, server, speech } = out;
  expect(rec.fatals).toEqual([]);
  expect(rec.problems).toEqual([]);
  expect(server.violations()).toEqual([]);
  expect(checkCoverage(server.connections.map((c) => c.responder.audio()), speech.samples).problems).toEqual([]);
  for (const c of server.connections) {
    for (const f of c.responder.frames) {
      expect(f.samples).toBeGreaterThanOrEqual(o.frameSamples.min);
      expect(f.samples).toBeLessThanOrEqual(o.frameSamples.max);
    }
  }
  expect(rec.dump()).not.toContain(o.key);
  expect(out.result.flushed).toBe(true);
}
