/**
 * The real StreamingSession + real WsTransport against the Deepgram-faithful loopback
 * server: binary linear16, interim Results replaced by start time, is_final/speech_final,
 * Finalize + CloseStream → Metadata → 1000 at the end, TEXT KeepAlives during a pause so the
 * idle close (1011 NET-0001, shortened here) never comes, and recovery when it does.
 */
import { describe, expect, it } from 'vitest';
import { deepgramSpec } from '../../main/stt/providers/deepgram/spec.js';
import type { ProviderSpec } from '../../main/stt/provider.js';
import { StreamingSession, type FinishResult } from '../../main/stt/streaming-session.js';
import { createWsTransport } from '../../main/stt/ws-transport.js';
import { systemClock } from '../../main/util/clock.js';
import { startDeepgramServer, type DeepgramServer, type DeepgramServerOptions } from '../fakes/deepgram-server.js';
import { seededRandom } from '../fakes/fake-clock.js';
import { CaptionRecorder, checkCoverage, compareWithSpeech } from '../fakes/stream-checks.js';
import { makeToneSpeech, type ToneSpeech } from '../fakes/tone-asr.js';

const KEY = 'dg_test_SECRET_key_0123456789abcdef';
const SPEED = 4;
const RATE = 16000;
/** The server's idle limit in these tests (the real one is 10 s); the keepalive is scaled alike. */
const IDLE_MS = 1200;

interface Outcome {
  server: DeepgramServer;
  rec: CaptionRecorder;
  result: FinishResult;
  speech: ToneSpeech;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runCase(o: { server?: Partial<DeepgramServerOptions>; spec?: ProviderSpec; key?: string; seed?: number; pause?: { atSec: number; forMs: number } } = {}): Promise<Outcome> {
  const server = await startDeepgramServer({ apiKey: KEY, ...o.server });
  const speech = makeToneSpeech({ words: 10, seed: o.seed ?? 31 });
  const rec = new CaptionRecorder();
  const session = new StreamingSession(
    {
      spec: o.spec ?? deepgramSpec,
      provider: { apiKey: o.key ?? KEY, endpoint: server.url, language: 'en', prompt: 'Earshot, tone words' },
      speed: SPEED,
      backoff: { baseMs: 30, capMs: 150, minUptimeMs: 5000 },
    },
    { transport: createWsTransport, clock: systemClock, random: seededRandom(3) },
  );
  session.on(rec.listener);
  let t0 = performance.now();
  session.start();
  let pushed = 0;
  let paused = false;
  while (pushed < speech.samples.length && rec.fatals.length === 0) {
    await sleep(20);
    let due = Math.min(speech.samples.length, Math.floor(((performance.now() - t0) / 1000) * RATE * SPEED));
    if (o.pause && !paused && due >= o.pause.atSec * RATE) {
      due = o.pause.atSec * RATE;
      session.pushAudio(speech.samples.slice(pushed, due));
      pushed = due;
      // The source goes quiet (e.g. paused): no samples at all, the link must stay up.
      paused = true;
      await sleep(o.pause.forMs);
      t0 += o.pause.forMs;
      continue;
    }
    if (due > pushed) session.pushAudio(speech.samples.slice(pushed, due));
    pushed = Math.max(pushed, due);
  }
  const result = await session.finish();
  for (let i = 0; i < 50 && server.connections.some((c) => c.closeCode === undefined); i++) await sleep(20);
  await server.close();
  return { server, rec, result, speech };
}

function expectClean(out: Outcome): void {
  const { rec, server, speech } = out;
  expect(rec.fatals).toEqual([]);
  expect(rec.problems).toEqual([]);
  expect(server.violations()).toEqual([]);
  expect(compareWithSpeech(rec.finals(), speech.words)).toEqual([]);
  expect(checkCoverage(server.connections.map((c) => c.responder.audio()), speech.samples).problems).toEqual([]);
  for (const c of server.connections) {
    for (const f of c.responder.frames) {
      expect(f.samples).toBeGreaterThanOrEqual(0.02 * RATE);
      expect(f.samples).toBeLessThanOrEqual(0.25 * RATE);
    }
  }
  expect(rec.dump()).not.toContain(KEY);
  expect(out.result.flushed).toBe(true);
}

describe.concurrent('Deepgram live over a real socket', () => {
  it('streams linear16 with interim results, then Finalize + CloseStream → Metadata → 1000', async () => {
    const out = await runCase();
    expectClean(out);
    expect(out.server.connections).toHaveLength(1);
    const c = out.server.connections[0]!;
    expect(c.authorization).toBe(`Token ${KEY}`);
    expect(Object.fromEntries(c.query)).toMatchObject({ model: 'nova-3', encoding: 'linear16', sample_rate: '16000', channels: '1', interim_results: 'true', language: 'en' });
    expect(c.query.getAll('keyterm')).toEqual(['Earshot', 'tone words']);
    expect(c.responder.texts.slice(-2)).toEqual(['{"type":"Finalize"}', '{"type":"CloseStream"}']);
    expect(c.closedBy).toBe('server');
    expect(c.closeCode).toBe(1000);
    // Interim results were shown before their finals.
    expect(out.rec.events.some((e) => e.type === 'caption' && e.change.kind === 'upsert' && !e.change.segment.final)).toBe(true);
  });

  it('keeps a paused link alive with TEXT KeepAlives: no idle close, one connection', async () => {
    const spec = { ...deepgramSpec, keepAliveMs: IDLE_MS / 3 };
    const out = await runCase({ spec, seed: 32, server: { idleMs: IDLE_MS }, pause: { atSec: 3, forMs: IDLE_MS * 2 } });
    expectClean(out);
    const c = out.server.connections[0]!;
    expect(out.server.connections).toHaveLength(1);
    expect(c.responder.keepAlives).toBeGreaterThanOrEqual(3);
    expect(c.longestGapMs).toBeLessThan(IDLE_MS);
  });

  it('without KeepAlive the server closes 1011 NET-0001; the session reconnects and loses nothing', async () => {
    const spec = { ...deepgramSpec, keepAliveMs: 0 };
    const out = await runCase({ spec, seed: 33, server: { idleMs: IDLE_MS }, pause: { atSec: 3, forMs: IDLE_MS * 1.5 } });
    expectClean(out);
    expect(out.server.connections[0]!.closeCode).toBe(1011);
    expect(out.server.connections.length).toBeGreaterThanOrEqual(2);
    expect(out.rec.statuses.some((s) => s.kind === 'reconnecting' && s.reason.code === 'LINK_STALLED')).toBe(true);
  });

  it('replays after an abrupt drop and after a 1011 server error', async () => {
    const out = await runCase({
      seed: 34,
      server: {
        script: (n) =>
          n === 0 ? { fault: { kind: 'drop', afterSamples: 2.4 * RATE } }
          : n === 1 ? { fault: { kind: 'close', afterSamples: 2.9 * RATE, code: 1011, reason: 'NET-0000' } }
          : undefined,
      },
    });
    expectClean(out);
    expect(out.server.connections.map((c) => c.closeCode)).toEqual([1006, 1011, 1000]);
  });

  it('stops at once on HTTP 401', async () => {
    const out = await runCase({ key: 'dg_wrong_key_4444444' });
    expect(out.rec.fatals.map((f) => f.code)).toEqual(['AUTH_REFUSED']);
    expect(out.server.attempts.map((a) => a.status)).toEqual([401]);
    expect(out.rec.dump()).not.toContain('dg_wrong_key_4444444');
  });

  it('a 1008 DATA-0000 close (undecodable audio) is a client bug: reported once, no loop', async () => {
    const out = await runCase({ seed: 35, server: { script: () => ({ fault: { kind: 'close', afterSamples: 1 * RATE, code: 1008, reason: 'DATA-0000' } }) } });
    expect(out.rec.fatals.map((f) => f.code)).toEqual(['CLIENT_REJECTED']);
    expect(out.server.connections).toHaveLength(1);
  });
});
