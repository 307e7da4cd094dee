/**
 * The real StreamingSession + real WsTransport against the Deepgram-faithful loopback
 * server: binary linear16, interim Results replaced by start time, is_final/speech_final,
 * Finalize + CloseStream → Metadata → 1000 at the end, TEXT KeepAlives during a pause so the
 * idle close (1011 NET-0001, shortened here) never comes, and recovery when it does.
 */
import { describe, expect, it } from 'vitest';
import { deepgramSpec } from '../../main/stt/providers/deepgram/spec.js';
import type { ProviderSpec } from '../../main/stt/provider.js';
import { startDeepgramServer, type DeepgramServer, type DeepgramServerOptions } from '../fakes/deepgram-server.js';
import { compareWithSpeech } from '../fakes/stream-checks.js';
import { makeToneSpeech } from '../fakes/tone-asr.js';
import { expectCleanRun, runLiveSession, type LiveRun } from './helpers/live-session.js';

const KEY = 'dg_test_SECRET_key_0123456789abcdef';
const SPEED = 4;
const RATE = 16000;
/** The server's idle limit in these tests (the real one is 10 s); the keepalive is scaled alike. */
const IDLE_MS = 1200;

type Outcome = LiveRun<DeepgramServer>;

async function runCase(o: { server?: Partial<DeepgramServerOptions>; spec?: ProviderSpec; key?: string; seed?: number; pause?: { atSec: number; forMs: number } } = {}): Promise<Outcome> {
  const server = await startDeepgramServer({ apiKey: KEY, ...o.server });
  return runLiveSession(server, {
    spec: o.spec ?? deepgramSpec,
    provider: { apiKey: o.key ?? KEY, endpoint: server.url, language: 'en', prompt: 'Earshot, tone words' },
    speech: makeToneSpeech({ words: 10, seed: o.seed ?? 31 }),
    rate: RATE,
    speed: SPEED,
    pause: o.pause,
  });
}

function expectClean(out: Outcome): void {
  expectCleanRun(out, { key: KEY, frameSamples: { min: 0.02 * RATE, max: 0.25 * RATE } });
  expect(compareWithSpeech(out.rec.finals(), out.speech.words)).toEqual([]);
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
