/**
 * The real StreamingSession + real WsTransport against the Together-faithful loopback server:
 * base64 audio in JSON, cumulative deltas that REPLACE the open item's text, `completed`
 * finals, a commit at the end and a socket that only the client closes. Drops, stalls,
 * in-band errors and short VAD items keep the transcript exact; a refused key stops at once.
 */
import { describe, expect, it } from 'vitest';
import { togetherSpec } from '../../main/stt/providers/together/spec.js';
import type { StreamingSessionOptions } from '../../main/stt/streaming-session.js';
import { startTogetherServer, type TogetherServer, type TogetherServerOptions } from '../fakes/together-server.js';
import { compareWithSpeech, type CaptionRecorder } from '../fakes/stream-checks.js';
import { makeToneSpeech } from '../fakes/tone-asr.js';
import { expectCleanRun, runLiveSession, type LiveRun } from './helpers/live-session.js';

const KEY = 'tgp_v1_test_SECRET_key_0123456789';
const SPEED = 4;
const RATE = 16000;
// No word twice in a row, so a client that appended cumulative deltas would show "x x".
const WORDS = ['alpha', 'kilo', 'echo', 'tango', 'mike', 'golf', 'zulu', 'hotel', 'one', 'romeo', 'bravo', 'xray'];

type Outcome = LiveRun<TogetherServer>;

async function runCase(o: { server?: Partial<TogetherServerOptions>; session?: Partial<StreamingSessionOptions>; key?: string; extra?: Record<string, string>; seed?: number } = {}): Promise<Outcome> {
  const server = await startTogetherServer({ apiKey: KEY, ...o.server });
  return runLiveSession(server, {
    spec: togetherSpec,
    provider: { apiKey: o.key ?? KEY, endpoint: server.url, language: 'en', extra: o.extra },
    speech: makeToneSpeech({ words: WORDS, seed: o.seed ?? 11 }),
    rate: RATE,
    speed: SPEED,
    session: o.session,
  });
}

/** Every caption ever shown, interim ones included, without a word repeated back to back. */
function doubledInterims(rec: CaptionRecorder): string[] {
  return rec.events.flatMap((e) => (e.type === 'caption' && e.change.kind === 'upsert' && /\b(\w+) \1\b/.test(e.change.segment.text) ? [e.change.segment.text] : []));
}

function expectClean(out: Outcome): void {
  expectCleanRun(out, { key: KEY, frameSamples: { min: 0.1 * RATE, max: 0.256 * RATE } });
  expect(compareWithSpeech(out.rec.finals(), out.speech.words)).toEqual([]);
  expect(doubledInterims(out.rec)).toEqual([]);
}

describe.concurrent('Together realtime over a real socket', () => {
  it('streams base64 audio, commits, waits for the last completed and closes the socket itself', async () => {
    const out = await runCase();
    expectClean(out);
    expect(out.server.connections).toHaveLength(1);
    const c = out.server.connections[0]!;
    expect(c.authorization).toBe(`Bearer ${KEY}`);
    expect(c.query.get('model')).toBe('openai/whisper-large-v3');
    expect(c.query.get('language')).toBe('en');
    expect(Number(c.query.get('max_speech_duration_s'))).toBeGreaterThan(5);
    expect(c.responder.texts.filter((t) => !t.includes('input_audio_buffer.append'))).toEqual(['{"type":"input_audio_buffer.commit"}']);
    expect(c.responder.sentTypes.slice(-2)).toEqual(['input_audio_buffer.committed', 'conversation.item.input_audio_transcription.completed']);
    // The server never closes: the client did, normally.
    expect(c.closedBy).toBe('client');
    expect(c.closeCode).toBe(1000);
  });

  it('reads partials from `transcript`, survives a top-level in-band error, and cuts long items', async () => {
    const out = await runCase({
      seed: 12,
      extra: { max_speech_duration_s: '1.2' },
      server: { partialField: 'transcript', errorShape: 'top-level', script: (n) => (n === 0 ? { fault: { kind: 'error', afterSamples: 2 * RATE, message: 'Temporary overload', code: 'server_busy' } } : undefined) },
    });
    expectClean(out);
    expect(out.server.connections).toHaveLength(1);
    expect(out.rec.warnings.map((w) => w.code)).toContain('SERVER_ERROR');
    // Items were cut inside sentences: more finals than sentences.
    expect(out.rec.finals().length).toBeGreaterThan(new Set(out.speech.words.map((w) => w.sentence)).size);
  });

  it('replays after an abrupt drop: nothing lost, nothing doubled', async () => {
    const out = await runCase({ seed: 13, server: { script: (n) => (n === 0 ? { fault: { kind: 'drop', afterSamples: 3.3 * RATE } } : undefined) } });
    expectClean(out);
    expect(out.server.connections).toHaveLength(2);
  });

  it('detects a stalled server (it never closes) and moves to a new socket', async () => {
    const out = await runCase({
      seed: 14,
      session: { pingIntervalMs: 200, deadAfterMs: 800 },
      server: { script: (n) => (n === 0 ? { fault: { kind: 'stall', afterSamples: 2.5 * RATE } } : undefined) },
    });
    expectClean(out);
    expect(out.server.connections.length).toBeGreaterThanOrEqual(2);
    expect(out.rec.statuses.some((s) => s.kind === 'reconnecting' && s.reason.code === 'LINK_STALLED')).toBe(true);
  });

  it('stops at once on HTTP 401', async () => {
    const out = await runCase({ key: 'tgp_wrong_key_777777' });
    expect(out.rec.fatals.map((f) => f.code)).toEqual(['AUTH_REFUSED']);
    expect(out.server.attempts.map((a) => a.status)).toEqual([401]);
    expect(out.rec.dump()).not.toContain('tgp_wrong_key_777777');
  });

  it('stops at once on an in-band invalid_api_key, although the server keeps the socket open', async () => {
    const out = await runCase({ key: 'tgp_wrong_key_777777', server: { refuseKeyWith: 'inband' } });
    expect(out.rec.fatals.map((f) => f.code)).toEqual(['AUTH_REFUSED']);
    expect(out.server.connections).toHaveLength(1);
    expect(out.server.connections[0]!.closedBy).toBe('client');
    expect(out.elapsedMs).toBeLessThan(5000);
  });
});
