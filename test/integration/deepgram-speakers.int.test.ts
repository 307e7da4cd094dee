/**
 * Live speaker labels with Deepgram over a real socket (stt-protocols.md §5): the real
 * StreamingSession + WsTransport against the Deepgram-faithful server, whose words carry
 * `speaker` (the tone speech's voice) when `diarize=true`. A result in which the speaker
 * changes becomes one caption per speaker run; `diarize` is sent only when asked.
 */
import { describe, expect, it } from 'vitest';
import { deepgramSpec } from '../../main/stt/providers/deepgram/spec.js';
import { startDeepgramServer, type DeepgramServer } from '../fakes/deepgram-server.js';
import { compareWithSpeech } from '../fakes/stream-checks.js';
import { makeToneSpeech } from '../fakes/tone-asr.js';
import { expectCleanRun, runLiveSession, type LiveRun } from './helpers/live-session.js';

const KEY = 'dg_test_SECRET_key_0123456789abcdef';
const SPEED = 4;
const RATE = 16000;

/** Two sentences in which the speaker changes mid-sentence: B answers A, then A answers B. */
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
const VOICES = [0, 0, 1, 1, 1, 0];

async function runCase(speakers: boolean): Promise<LiveRun<DeepgramServer>> {
  const server = await startDeepgramServer({ apiKey: KEY });
  return runLiveSession(server, {
    spec: deepgramSpec,
    // A result then runs to the sentence pause (600 ms), so one result holds both speakers.
    provider: { apiKey: KEY, endpoint: server.url, language: 'en', speakerLabels: speakers, extra: { endpointing: '600' } },
    speech: makeToneSpeech({ words: WORDS, voices: VOICES, seed: 7, sentence: { min: 3, max: 3 } }),
    rate: RATE,
    speed: SPEED,
  });
}

describe.concurrent('Deepgram live speaker labels', () => {
  it('asks for diarize and splits a result at each change of speaker, labelled in order of appearance', async () => {
    const out = await runCase(true);
    expectCleanRun(out, { key: KEY, frameSamples: { min: 0.02 * RATE, max: 0.25 * RATE } });
    const finals = out.rec.finals();
    expect(compareWithSpeech(finals, out.speech.words)).toEqual([]);
    expect(out.server.connections[0]!.query.get('diarize')).toBe('true');
    expect(finals.map((s) => [s.text, s.speaker])).toEqual([
      ['alpha bravo', 'Speaker A'], ['charlie', 'Speaker B'], ['delta echo', 'Speaker B'], ['foxtrot', 'Speaker A'],
    ]);
    // Each pair came from one result (the second part carries the range's id plus ~1).
    expect(finals.filter((s) => s.id.endsWith('~1'))).toHaveLength(2);
  });

  it('sends no diarize and shows no labels unless asked: one caption per result, as before', async () => {
    const out = await runCase(false);
    expectCleanRun(out, { key: KEY, frameSamples: { min: 0.02 * RATE, max: 0.25 * RATE } });
    expect(out.server.connections[0]!.query.has('diarize')).toBe(false);
    expect(out.rec.finals().map((s) => [s.text, s.speaker])).toEqual([['alpha bravo charlie', undefined], ['delta echo foxtrot', undefined]]);
  });
});
