/**
 * The real StreamingSession + real WsTransport against the OpenAI-faithful loopback server
 * (transcription intent): the GA session.update before any audio, 24 kHz base64 frames,
 * incremental deltas appended per item, `completed` finals, a commit at the end (quietly
 * answered when server VAD already committed everything), manual commits for
 * gpt-realtime-whisper, and refusals that stop at once without leaking the key.
 */
import { describe, expect, it } from 'vitest';
import { openAiSpec } from '../../main/stt/providers/openai/spec.js';
import { startOpenAiServer, type OpenAiServer, type OpenAiServerOptions } from '../fakes/openai-server.js';
import { compareWithSpeech } from '../fakes/stream-checks.js';
import { makeToneSpeech } from '../fakes/tone-asr.js';
import { expectCleanRun, runLiveSession, type LiveRun } from './helpers/live-session.js';

const KEY = 'sk-test-SECRET-key-0123456789abcdef';
const SPEED = 4;
const RATE = 24000;
const WORDS = ['delta', 'hotel', 'one', 'quebec', 'sierra', 'four', 'lima', 'victor', 'alpha', 'oscar', 'two'];

type Outcome = LiveRun<OpenAiServer>;

async function runCase(o: { server?: Partial<OpenAiServerOptions>; key?: string; model?: string; endpointQuery?: string; seed?: number } = {}): Promise<Outcome> {
  const server = await startOpenAiServer({ apiKey: KEY, ...o.server });
  return runLiveSession(server, {
    spec: openAiSpec,
    provider: { apiKey: o.key ?? KEY, endpoint: `${server.url}${o.endpointQuery ?? ''}`, model: o.model, language: 'en' },
    speech: makeToneSpeech({ words: WORDS, seed: o.seed ?? 21, rate: RATE }),
    rate: RATE,
    speed: SPEED,
  });
}

function expectClean(out: Outcome, checkTimes = true): void {
  const { rec, server, speech } = out;
  expectCleanRun(out, { key: KEY, frameSamples: { min: 0.02 * RATE, max: 0.5 * RATE } });
  if (checkTimes) expect(compareWithSpeech(rec.finals(), speech.words)).toEqual([]);
  else expect(rec.transcript()).toBe(speech.text);
  for (const c of server.connections) expect(JSON.parse(c.responder.texts[0]!).type).toBe('session.update');
}

describe.concurrent('OpenAI Realtime transcription over a real socket', () => {
  it('configures a 24 kHz transcription session, then streams; server VAD items come out once each', async () => {
    const out = await runCase();
    expectClean(out);
    expect(out.server.connections).toHaveLength(1);
    const c = out.server.connections[0]!;
    expect(c.authorization).toBe(`Bearer ${KEY}`);
    expect([...c.query.keys()]).toEqual(['intent']);
    const input = (c.responder.configured as { audio: { input: Record<string, unknown> } }).audio.input;
    expect(input.format).toEqual({ type: 'audio/pcm', rate: 24000 });
    expect(input.transcription).toEqual({ model: 'gpt-4o-transcribe', language: 'en' });
    expect(input.turn_detection).toMatchObject({ type: 'server_vad' });
    expect(out.rec.finals().length).toBe(new Set(out.speech.words.map((w) => w.sentence)).size);
  });

  it('gpt-realtime-whisper: no turn detection, deltas appended, Earshot commits at pauses and at the end', async () => {
    const out = await runCase({ model: 'gpt-realtime-whisper', seed: 22 });
    // Items are cut by Earshot's own commits: their times are the commits', not the words'.
    expectClean(out, false);
    expect(out.rec.finals().length).toBeGreaterThan(1);
    const input = (out.server.connections[0]!.responder.configured as { audio: { input: Record<string, unknown> } }).audio.input;
    expect(input).not.toHaveProperty('turn_detection');
    const partials = out.rec.events.flatMap((e) => (e.type === 'caption' && e.change.kind === 'upsert' && !e.change.segment.final ? [e.change.segment.text] : []));
    expect(partials.length).toBeGreaterThan(3);
    for (const p of partials) expect(out.speech.text.includes(p)).toBe(true);
  });

  it('replays after an abrupt drop, and after a server_error event with close 1011', async () => {
    const out = await runCase({
      seed: 23,
      server: {
        script: (n) =>
          n === 0 ? { fault: { kind: 'drop', afterSamples: 2.2 * RATE } }
          : n === 1 ? { fault: { kind: 'error', afterSamples: 2.8 * RATE, closeCode: 1011 } }
          : undefined,
      },
    });
    expectClean(out);
    expect(out.server.connections.map((c) => c.closeCode)).toEqual([1006, 1011, 1000]);
    expect(out.rec.warnings.map((w) => w.code)).toContain('SERVER_ERROR');
  });

  it('a model in the URL opens a conversation session: invalid_model is a settings error, no retry', async () => {
    const out = await runCase({ endpointQuery: '?model=gpt-4o-transcribe' });
    expect(out.rec.fatals.map((f) => f.code)).toEqual(['CONFIG_REJECTED']);
    expect(out.rec.fatals[0]!.detail).toMatch(/invalid_model/);
    expect(out.server.connections).toHaveLength(1);
    expect(out.server.attempts).toHaveLength(1);
  });

  it('stops at once on HTTP 401', async () => {
    const out = await runCase({ key: 'sk-wrong-key-55555555' });
    expect(out.rec.fatals.map((f) => f.code)).toEqual(['AUTH_REFUSED']);
    expect(out.server.attempts.map((a) => a.status)).toEqual([401]);
  });

  it('stops at once on an in-band invalid_api_key that echoes the key, and never repeats it', async () => {
    const out = await runCase({ key: 'sk-wrong-key-55555555', server: { refuseKeyWith: 'inband' } });
    expect(out.rec.fatals.map((f) => f.code)).toEqual(['AUTH_REFUSED']);
    expect(out.server.connections).toHaveLength(1);
    expect(out.rec.dump()).not.toContain('sk-wrong-key-55555555');
    expect(out.elapsedMs).toBeLessThan(5000);
  });
});
