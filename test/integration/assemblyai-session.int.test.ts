/**
 * The real StreamingSession + real WsTransport against the AssemblyAI-faithful loopback
 * server: every sample arrives once per link in 50-1000 ms messages, never faster than real
 * time, the transcript equals the source words across drops, session expiry (3008) and
 * server errors, and refusals (HTTP 401, 1008 before Begin, 3007) stop at once without loops.
 * Audio runs at SPEED × real time; the server's real-time check is scaled to match.
 */
import { describe, expect, it } from 'vitest';
import { assemblyAiSpec } from '../../main/stt/providers/assemblyai/spec.js';
import type { StreamingSessionOptions } from '../../main/stt/streaming-session.js';
import type { ProviderSpec } from '../../main/stt/provider.js';
import { startAssemblyAiServer, type AssemblyAiServer, type AssemblyAiServerOptions } from '../fakes/assemblyai-server.js';
import { compareWithSpeech } from '../fakes/stream-checks.js';
import { makeToneSpeech } from '../fakes/tone-asr.js';
import { expectCleanRun, runLiveSession, type LiveRun } from './helpers/live-session.js';

const KEY = 'aai_test_SECRET_key_0123456789';
const SPEED = 4;
const RATE = 16000;

type Outcome = LiveRun<AssemblyAiServer>;

async function runCase(o: {
  server?: Partial<AssemblyAiServerOptions>;
  session?: Partial<StreamingSessionOptions>;
  spec?: ProviderSpec;
  key?: string;
  extra?: Record<string, string>;
  words?: number;
  seed?: number;
  speed?: number;
}): Promise<Outcome> {
  const server = await startAssemblyAiServer({ apiKey: KEY, speed: SPEED, ...o.server });
  return runLiveSession(server, {
    spec: o.spec ?? assemblyAiSpec,
    provider: { apiKey: o.key ?? KEY, endpoint: server.url, language: 'en', extra: o.extra },
    speech: makeToneSpeech({ words: o.words ?? 10, seed: o.seed ?? 5 }),
    rate: RATE,
    speed: o.speed ?? SPEED,
    session: o.session,
  });
}

function expectCleanTranscript(out: Outcome, normalize = (t: string) => t): void {
  expectCleanRun(out, { key: KEY, frameSamples: { min: 800, max: 16000 } });
  const finals = out.rec.finals().map((s) => ({ ...s, text: normalize(s.text) }));
  expect(compareWithSpeech(finals, out.speech.words)).toEqual([]);
}

describe.concurrent('AssemblyAI v3 over a real socket', () => {
  it('streams, terminates and gets every word once, with the documented handshake', async () => {
    const out = await runCase({});
    expectCleanTranscript(out);
    const [c] = out.server.connections;
    expect(out.server.connections).toHaveLength(1);
    expect(c!.authorization).toBe(KEY);
    expect(c!.query.getAll('speech_model')).toEqual(['universal-streaming-english']);
    expect(c!.query.get('sample_rate')).toBe('16000');
    expect(c!.query.get('encoding')).toBe('pcm_s16le');
    expect(c!.responder.texts).toEqual(['{"type":"Terminate"}']);
    expect(c!.closeCode).toBe(1000);
    expect(c!.closedBy).toBe('server');
  });

  it('replays after an abrupt drop mid-stream: nothing lost, nothing doubled', async () => {
    const out = await runCase({ server: { script: (n) => (n === 0 ? { fault: { kind: 'drop', afterSamples: 3.1 * RATE } } : undefined) } });
    expectCleanTranscript(out);
    expect(out.server.connections.length).toBe(2);
    expect(out.server.connections[0]!.fault).toBe('drop');
  });

  it('reconnects seamlessly when the session expires (3008) and warns', async () => {
    const out = await runCase({ words: 12, server: { script: (n) => (n === 0 ? { fault: { kind: 'expire', afterSamples: 4 * RATE } } : undefined) } });
    expectCleanTranscript(out);
    expect(out.server.connections.length).toBe(2);
    expect(out.server.connections[0]!.closeCode).toBe(3008);
    expect(out.rec.warnings.map((w) => w.code)).toContain('SESSION_EXPIRED');
  });

  it('retries a server error (Error 3005 then close) and a close before Begin (1013)', async () => {
    const out = await runCase({
      server: {
        script: (n) =>
          n === 0 ? { closeBeforeBegin: { code: 1013, reason: 'Try again later' } }
          : n === 1 ? { fault: { kind: 'error', afterSamples: 2.5 * RATE, code: 3005, message: 'Session Cancelled: An error occurred' } }
          : undefined,
      },
    });
    expectCleanTranscript(out);
    expect(out.server.connections.map((c) => c.closeCode)).toEqual([1013, 3005, 1000]);
  });

  it('with format_turns, only the formatted end of turn is final', async () => {
    const out = await runCase({ extra: { format_turns: 'true' }, seed: 8 });
    expect(out.rec.fatals).toEqual([]);
    expect(out.rec.finals().every((s) => /^[A-Z].*\.$/.test(s.text))).toBe(true);
    expectCleanTranscript(out, (t) => t.replace(/\.$/, '').toLowerCase());
  });

  it('stops at once on HTTP 401, without a retry and without the key in any output', async () => {
    const out = await runCase({ key: 'aai_wrong_key_9999' });
    expect(out.rec.fatals.map((f) => f.code)).toEqual(['AUTH_REFUSED']);
    expect(out.server.attempts.map((a) => a.status)).toEqual([401]);
    expect(out.rec.dump()).not.toContain('aai_wrong_key_9999');
  });

  it('stops at once on a 1008 close before Begin (the connect does not hang)', async () => {
    const out = await runCase({ key: 'aai_wrong_key_9999', server: { refuseKeyWith: 'close' } });
    expect(out.rec.fatals.map((f) => f.code)).toEqual(['AUTH_REFUSED']);
    expect(out.server.connections).toHaveLength(1);
    expect(out.server.connections[0]!.closeCode).toBe(1008);
    expect(out.elapsedMs).toBeLessThan(5000);
  });

  it('a frame outside 50-1000 ms gets 3007 with its Error frame: a client bug, reported once, no loop', async () => {
    const spec = { ...assemblyAiSpec, frameMs: { min: 20, max: 1000, default: 20 } };
    const out = await runCase({ spec, session: { frameMs: 20 } });
    expect(out.rec.fatals.map((f) => f.code)).toEqual(['CLIENT_REJECTED']);
    expect(out.rec.warnings.map((w) => w.detail).join(' ')).toMatch(/3007: Input Duration Error: Input Duration Violation: 20\.0 ms/);
    expect(out.server.connections).toHaveLength(1);
    expect(out.server.connections[0]!.closeCode).toBe(3007);
  });

  it('audio faster than real time gets 3007 "Audio Transmission Rate Exceeded"', async () => {
    // The client runs at 5× but the server holds it to 1× (plus 1 s of allowance).
    const out = await runCase({ speed: 5, session: { speed: 5 }, server: { speed: 1, aheadAllowanceSec: 1 } });
    expect(out.rec.fatals.map((f) => f.code)).toEqual(['CLIENT_REJECTED']);
    expect(out.rec.warnings.map((w) => w.detail).join(' ')).toMatch(/Audio Transmission Rate Exceeded/);
    expect(out.server.connections).toHaveLength(1);
  });
});
