/**
 * The Fireworks session end to end on real sockets: WsTransport, the Fireworks-faithful fake
 * server on 127.0.0.1, the real clock. Tone speech is pushed at 6× real time; each scripted
 * fault runs concurrently in its own session. For every fault: the server received every
 * source sample (reconstructed from each connection's audio), frames were 50-400 ms, audio
 * was never ahead of the pushed head, the replay stayed within 2× speed (+1 frame), the final
 * captions equal the source words with matching times, and the key appears nowhere.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fireworksSpec } from '../../main/stt/providers/fireworks/spec.js';
import { StreamingSession, type FinishResult, type StreamingSessionOptions } from '../../main/stt/streaming-session.js';
import type { TransportFactory } from '../../main/stt/transport.js';
import { createWsTransport } from '../../main/stt/ws-transport.js';
import { systemClock, systemRandom } from '../../main/util/clock.js';
import { startFireworksServer, type AttemptScript, type FireworksResponderOptions, type FireworksServer } from '../fakes/fireworks-server.js';
import { CaptionRecorder, checkCoverage, compareWithSpeech } from '../fakes/stream-checks.js';
import { makeToneSpeech, type ToneSpeech } from '../fakes/tone-asr.js';

const KEY = 'fw_live_SECRET_0123456789abcdef';
const SPEED = 6;
const RATE = 16000;

const uncaught: unknown[] = [];
const onUncaught = (e: unknown) => uncaught.push(e);
beforeAll(() => {
  process.on('uncaughtException', onUncaught);
});
afterAll(() => {
  process.off('uncaughtException', onUncaught);
  expect(uncaught).toEqual([]);
});

interface Scenario {
  name: string;
  script?: (attempt: number) => AttemptScript | undefined;
  responder?: FireworksResponderOptions;
  session?: Partial<StreamingSessionOptions>;
  words?: number;
  seed: number;
}

interface Outcome {
  speech: ToneSpeech;
  server: FireworksServer;
  rec: CaptionRecorder;
  result: FinishResult;
  session: StreamingSession;
  pushes: Array<[number, number]>;
  /** Client-side send times of audio frames, per connection. */
  sends: Array<Array<{ at: number; samples: number }>>;
  wallMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runScenario(s: Scenario): Promise<Outcome> {
  const speech = makeToneSpeech({ words: s.words ?? 16, seed: s.seed });
  const server = await startFireworksServer({ apiKey: KEY, script: s.script, ...s.responder });
  // Wrap the real transport to time-stamp what the client sends, in the session's clock.
  const sends: Outcome['sends'] = [];
  const transport: TransportFactory = (req) => {
    const t = createWsTransport(req);
    const mine: Outcome['sends'][number] = [];
    sends.push(mine);
    const send = t.send.bind(t);
    t.send = (data) => {
      const at = systemClock.now();
      const ok = send(data);
      if (ok && typeof data !== 'string') mine.push({ at, samples: data.byteLength / 2 });
      return ok;
    };
    return t;
  };
  const session = new StreamingSession(
    {
      spec: fireworksSpec,
      provider: { apiKey: KEY, endpoint: server.url, language: 'en', prompt: 'tone words' },
      speed: SPEED,
      pingIntervalMs: 300,
      deadAfterMs: 1500,
      backoff: { baseMs: 200, capMs: 1000, minUptimeMs: 1000 },
      ...s.session,
    },
    { transport, clock: systemClock, random: systemRandom },
  );
  const rec = new CaptionRecorder();
  session.on(rec.listener);
  const started = performance.now();
  session.start();
  // A drift-free real-time pusher: chunk n is due at start + n × 20 ms.
  const chunkMs = 20;
  const chunk = Math.round((chunkMs / 1000) * RATE * SPEED);
  const pushes: Array<[number, number]> = [];
  for (let i = 0, n = 0; i < speech.samples.length && rec.fatals.length === 0; i += chunk, n++) {
    const wait = started + n * chunkMs - performance.now();
    if (wait > 0) await sleep(wait);
    const part = speech.samples.subarray(i, i + chunk);
    session.pushAudio(part);
    pushes.push([systemClock.now(), i + part.length]);
  }
  const result = await session.finish();
  const wallMs = performance.now() - started;
  await server.close();
  return { speech, server, rec, result, session, pushes, sends, wallMs };
}

/** Everything the issue asks of a session that survived its faults. */
function expectNothingLost(o: Outcome, frameMs = 50): void {
  const { server, speech, rec } = o;
  expect(o.result).toEqual({ flushed: true });
  expect(rec.problems).toEqual([]);
  expect(rec.fatals).toEqual([]);
  expect(server.violations()).toEqual([]);
  // Every source sample reached the server; each connection carried a contiguous stretch.
  const audio = server.connections.map((c) => c.responder.audio());
  const cov = checkCoverage(audio, speech.samples);
  expect(cov.problems).toEqual([]);
  // Frames 50-400 ms (only the last may be shorter; the session pads it anyway).
  for (const c of server.connections) {
    const frames = c.responder.frames;
    frames.forEach((f, i) => {
      const ms = (f.bytes / 2 / RATE) * 1000;
      expect(ms).toBeLessThanOrEqual(400);
      if (i < frames.length - 1) expect(ms).toBeGreaterThanOrEqual(50);
    });
  }
  // Never ahead of the pushed head: a frame that arrived at t ends at or before the head at t.
  server.connections.forEach((c, k) => {
    let pos = cov.offsets[k]!;
    for (const f of c.responder.frames) {
      pos += f.bytes / 2;
      const head = [...o.pushes].reverse().find(([t]) => t <= f.at)?.[1] ?? 0;
      if (pos <= speech.samples.length) expect(pos, `connection ${k}`).toBeLessThanOrEqual(head);
    }
  });
  // Replay bounded: over any window, at most 2 × speed × elapsed + one frame (client send
  // times). The session takes its own timestamp a moment before ours, so 3 ms of slack for
  // the measurement; the exact bound is proven on the fake clock in the unit tests.
  const ratePerMs = (2 * SPEED * RATE) / 1000;
  const frameSamples = (frameMs * RATE) / 1000 + 3 * ratePerMs;
  for (const frames of o.sends) {
    for (let i = 0; i < frames.length; i++) {
      let sum = 0;
      for (let j = i; j < frames.length; j++) {
        sum += frames[j]!.samples;
        expect(sum - ratePerMs * (frames[j]!.at - frames[i]!.at)).toBeLessThanOrEqual(frameSamples);
      }
    }
  }
  // Captions: exactly the source words, with their times, across all reconnects.
  expect(compareWithSpeech(rec.finals(), speech.words)).toEqual([]);
  expect(rec.transcript()).toBe(speech.text);
  const stats = o.session.stats();
  expect(stats).toMatchObject({ capturedSamples: speech.samples.length, sentSamples: speech.samples.length, droppedSamples: 0, malformedMessages: 0 });
  expectKeySafe(o);
}

function expectKeySafe(o: Outcome): void {
  expect(o.rec.dump()).not.toContain(KEY);
  expect(JSON.stringify(o.session.stats())).not.toContain(KEY);
  for (const a of o.server.attempts) {
    expect(a.query.toString()).not.toContain(KEY);
    expect(a.authorization).toBe(KEY);
  }
}

const reconnectReasons = (o: Outcome) =>
  o.rec.statuses.flatMap((s) => (s.kind === 'reconnecting' ? [s.reason.code] : []));

const scenarios: Scenario[] = [
  { name: 'clean run', seed: 1 },
  { name: 'abrupt drop mid-utterance', seed: 2, script: (n) => (n === 0 ? { fault: { kind: 'drop', afterSamples: 3 * RATE, midWord: true } } : undefined) },
  { name: 'close 1011, string ids', seed: 3, responder: { idStyle: 'string' }, script: (n) => (n === 0 ? { fault: { kind: 'close', afterSamples: 4 * RATE, code: 1011, reason: 'internal' } } : undefined) },
  { name: 'handshake 503 then success, "seg_N" ids, retractions', seed: 4, responder: { idStyle: 'seg', retractEvery: 3 }, script: (n) => (n === 0 ? { handshake: 503 } : undefined) },
  { name: 'silent stall', seed: 5, script: (n) => (n === 0 ? { fault: { kind: 'stall', afterSamples: 3 * RATE, midWord: true } } : undefined) },
  { name: 'error message then close', seed: 6, script: (n) => (n === 0 ? { fault: { kind: 'error', afterSamples: 2 * RATE, error: { message: 'model overloaded' }, thenClose: 1011 } } : undefined) },
  {
    name: 'three faults in a row, legacy checkpoint echo, 200 ms frames',
    seed: 7,
    words: 24,
    session: { frameMs: 200 },
    responder: { echo: 'checkpoint' },
    script: (n) =>
      n === 0 ? { fault: { kind: 'drop', afterSamples: 2.5 * RATE, midWord: true } }
      : n === 1 ? { fault: { kind: 'close', afterSamples: 3 * RATE, code: 1011 } }
      : n === 2 ? { handshake: 502 }
      : undefined,
  },
];

describe('Fireworks session on real sockets with scripted faults', () => {
  // All scenarios run at once (they wait on timers, not on the CPU); each test checks one.
  let outcomes: Promise<Map<string, Outcome>>;
  beforeAll(() => {
    outcomes = Promise.all(scenarios.map(async (s) => [s.name, await runScenario(s)] as const)).then((list) => new Map(list));
  });
  const get = async (name: string) => (await outcomes).get(name)!;

  test('clean run: one connection, query and header as documented', async () => {
    const o = await get('clean run');
    expectNothingLost(o);
    expect(o.server.connections).toHaveLength(1);
    const q = o.server.connections[0]!.query;
    expect(Object.fromEntries(q)).toEqual({
      response_format: 'verbose_json',
      language: 'en',
      prompt: 'tone words',
      timestamp_granularities: 'word,segment',
    });
    expect(o.server.connections[0]!.responder.texts).toEqual(['{"event_id":"streaming_complete","object":"stt.input.trace","trace_id":"final"}']);
    expect(o.server.connections[0]!.closeCode).toBe(1000);
  });

  test('abrupt drop mid-utterance: reconnect, backlog replayed, nothing lost or doubled', async () => {
    const o = await get('abrupt drop mid-utterance');
    expectNothingLost(o);
    expect(o.server.connections).toHaveLength(2);
    expect(o.server.connections[0]!.fault).toBe('drop');
    expect(reconnectReasons(o)).toEqual(['NETWORK']);
    expect(o.rec.removals).toBeGreaterThan(0);
  });

  test('close 1011: reconnect with reason SERVER_ERROR', async () => {
    const o = await get('close 1011, string ids');
    expectNothingLost(o);
    expect(reconnectReasons(o)).toEqual(['SERVER_ERROR']);
  });

  test('handshake 503 then success', async () => {
    const o = await get('handshake 503 then success, "seg_N" ids, retractions');
    expectNothingLost(o);
    expect(o.server.attempts.map((a) => a.status)).toEqual([503, 101]);
    expect(reconnectReasons(o)).toEqual(['HANDSHAKE_FAILED']);
  });

  test('silent stall: noticed by ping/pong within the dead-link timeout, replaced', async () => {
    const o = await get('silent stall');
    expectNothingLost(o);
    expect(o.server.connections[0]!.fault).toBe('stall');
    expect(reconnectReasons(o)).toEqual(['LINK_STALLED']);
  });

  test('{"error": ...} then close: warning shown, reconnect', async () => {
    const o = await get('error message then close');
    expectNothingLost(o);
    expect(o.rec.warnings.map((w) => w.code)).toContain('SERVER_ERROR');
    expect(o.rec.warnings.find((w) => w.code === 'SERVER_ERROR')!.detail).toContain('model overloaded');
  });

  test('several faults in a row keep time continuous; the legacy checkpoint echo ends the stream', async () => {
    const o = await get('three faults in a row, legacy checkpoint echo, 200 ms frames');
    expectNothingLost(o, 200);
    expect(o.server.attempts.map((a) => a.status)).toEqual([101, 101, 502, 101]);
    expect(new Set(o.rec.finals().map((s) => s.id.split(':')[0])).size).toBeGreaterThanOrEqual(2);
  });

  test('handshake 401: fatal at once, exactly one attempt, clear message, key redacted', async () => {
    const server = await startFireworksServer({ apiKey: 'the-right-key' });
    const session = new StreamingSession(
      { spec: fireworksSpec, provider: { apiKey: KEY, endpoint: server.url } },
      { transport: createWsTransport, clock: systemClock, random: systemRandom },
    );
    const rec = new CaptionRecorder();
    session.on(rec.listener);
    const t0 = performance.now();
    session.start();
    session.pushAudio(new Int16Array(RATE));
    while (rec.fatals.length === 0 && performance.now() - t0 < 5000) await sleep(10);
    const elapsed = performance.now() - t0;
    await sleep(1500);
    expect(rec.fatals).toHaveLength(1);
    expect(rec.fatals[0]).toMatchObject({ code: 'AUTH_REFUSED', retryable: false });
    expect(rec.fatals[0]!.message).toMatch(/API key/);
    expect(rec.fatals[0]!.detail).toContain('HTTP 401');
    expect(elapsed).toBeLessThan(3000);
    expect(server.attempts).toHaveLength(1);
    expect(rec.statuses.map((s) => s.kind)).toEqual(['connecting', 'error']);
    expect(await session.finish()).toEqual({ flushed: false });
    expect(rec.dump()).not.toContain(KEY);
    await server.close();
  });

  afterAll(async () => {
    const all = await outcomes;
    // For the report: how long each scenario took on the wall clock.
    const table = [...all].map(([name, o]) => `${name}: ${(o.wallMs / 1000).toFixed(1)} s, ${o.server.attempts.length} attempts`);
    console.log(`fireworks scenarios (speed ${SPEED}):\n  ${table.join('\n  ')}`);
  });
});
