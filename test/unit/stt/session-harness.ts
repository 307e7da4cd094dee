/**
 * Drives a real StreamingSession with the Fireworks spec over FakeLinks answered by the
 * FireworksResponder, on a FakeClock: audio is pushed in real-time chunks, faults are
 * scheduled at fake times, and everything is checked after the run. Instant and exact.
 */
import { fireworksSpec } from '../../../main/stt/providers/fireworks/spec.js';
import { StreamingSession, type FinishResult, type StreamingSessionOptions } from '../../../main/stt/streaming-session.js';
import { attachFireworksResponder, type FireworksResponder, type FireworksResponderOptions } from '../../fakes/fireworks-server.js';
import { FakeClock, seededRandom } from '../../fakes/fake-clock.js';
import { FakeTransportHub, type FakeLink } from '../../fakes/fake-transport.js';
import { CaptionRecorder } from '../../fakes/stream-checks.js';
import { makeToneSpeech, type ToneSpeech } from '../../fakes/tone-asr.js';

export const KEY = 'fw_SECRET_key_0123456789abcdef';
export const ENDPOINT = 'ws://127.0.0.1:9/v1/audio/transcriptions/streaming';

export interface Harness {
  clock: FakeClock;
  hub: FakeTransportHub;
  session: StreamingSession;
  rec: CaptionRecorder;
  responders: FireworksResponder[];
  /** Max links open at once, sampled after every step. */
  maxOpen: number;
}

export interface HarnessOptions {
  session?: Partial<StreamingSessionOptions>;
  responder?: FireworksResponderOptions;
  /** What a new link does; default: opens after 30 ms and gets a responder. */
  onLink?: (link: FakeLink, h: Harness, defaultOpen: (delayMs?: number) => void) => void;
  seed?: number;
}

export function harness(options: HarnessOptions = {}): Harness {
  const clock = new FakeClock();
  const hub = new FakeTransportHub(clock);
  const session = new StreamingSession(
    { spec: fireworksSpec, provider: { apiKey: KEY, endpoint: ENDPOINT, language: 'en' }, ...options.session },
    { transport: hub.factory, clock, random: seededRandom(options.seed ?? 7) },
  );
  const rec = new CaptionRecorder();
  session.on(rec.listener);
  const h: Harness = { clock, hub, session, rec, responders: [], maxOpen: 0 };
  hub.onConnect = (link) => {
    const defaultOpen = (delayMs = 30) => {
      h.responders[link.index] = attachFireworksResponder(link, clock, options.responder);
      clock.setTimeout(() => link.open(), delayMs);
    };
    if (options.onLink) options.onLink(link, h, defaultOpen);
    else defaultOpen();
  };
  return h;
}

export interface RunOptions {
  speech?: ToneSpeech;
  words?: number;
  seed?: number;
  chunkMs?: number;
  speed?: number;
  /** [fake ms after start, action] */
  at?: Array<[number, (h: Harness) => void]>;
  /** Give up waiting for finish() after this much fake time. */
  finishLimitMs?: number;
}

export interface RunResult {
  speech: ToneSpeech;
  result: FinishResult | undefined;
  /** [fake time, pushed head (samples)] after each push. */
  pushes: Array<[number, number]>;
  startedAt: number;
}

export async function run(h: Harness, o: RunOptions = {}): Promise<RunResult> {
  const speech = o.speech ?? makeToneSpeech({ words: o.words ?? 12, seed: o.seed ?? 3 });
  const chunk = Math.round(((o.chunkMs ?? 20) * speech.rate * (o.speed ?? 1)) / 1000);
  const startedAt = h.clock.now();
  for (const [ms, action] of o.at ?? []) h.clock.setTimeout(() => action(h), ms);
  h.session.start();
  const pushes: Array<[number, number]> = [];
  for (let i = 0; i < speech.samples.length; i += chunk) {
    const part = speech.samples.subarray(i, Math.min(i + chunk, speech.samples.length));
    h.session.pushAudio(part);
    pushes.push([h.clock.now(), i + part.length]);
    h.clock.advance(o.chunkMs ?? 20);
    h.maxOpen = Math.max(h.maxOpen, h.hub.openCount());
  }
  let result: FinishResult | undefined;
  void h.session.finish().then((r) => (result = r));
  const limit = h.clock.now() + (o.finishLimitMs ?? 120_000);
  while (result === undefined && h.clock.now() < limit) {
    await h.clock.advanceAsync(50);
    h.maxOpen = Math.max(h.maxOpen, h.hub.openCount());
  }
  return { speech, result, pushes, startedAt };
}

/** Audio each link carried, as int16 (padding included). */
export function linkAudio(link: FakeLink): Int16Array {
  const frames = link.audioFrames();
  const out = new Int16Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}
