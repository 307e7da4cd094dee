/**
 * Live speaker labels with AssemblyAI v3 over a real socket (stt-protocols.md §3): the real
 * StreamingSession + WsTransport against the AssemblyAI-faithful server, which diarises the
 * tone speech by voice level. `speaker_labels=true` is sent only when asked; turns arrive
 * labelled "Speaker A"/"Speaker B"; the SpeakerRevision before Termination relabels a final
 * turn whose live label was wrong, and the words of that turn do not change.
 */
import { describe, expect, it } from 'vitest';
import type { Segment } from '../../shared/captions.js';
import { assemblyAiSpec } from '../../main/stt/providers/assemblyai/spec.js';
import { startAssemblyAiServer, type AssemblyAiServer } from '../fakes/assemblyai-server.js';
import { compareWithSpeech } from '../fakes/stream-checks.js';
import { makeToneSpeech, type ToneWord } from '../fakes/tone-asr.js';
import { expectCleanRun, runLiveSession, type LiveRun } from './helpers/live-session.js';

const KEY = 'aai_test_SECRET_key_0123456789';
const SPEED = 4;
const RATE = 16000;

async function runCase(o: { speakers: boolean; mislabelTurns?: number[]; extra?: Record<string, string> }): Promise<LiveRun<AssemblyAiServer>> {
  const server = await startAssemblyAiServer({ apiKey: KEY, speed: SPEED, mislabelTurns: o.mislabelTurns });
  return runLiveSession(server, {
    spec: assemblyAiSpec,
    provider: { apiKey: KEY, endpoint: server.url, language: 'en', speakerLabels: o.speakers, extra: o.extra },
    // Sentences take turns between two voices; each sentence is one turn (pauses ~900 ms).
    speech: makeToneSpeech({ words: 14, seed: 5, voices: 2 }),
    rate: RATE,
    speed: SPEED,
  });
}

/** The voice of the source words inside `s` (all must share one). */
function voiceOf(s: Segment, words: readonly ToneWord[]): number {
  const inside = words.filter((w) => w.start >= s.start - 0.02 && w.start <= s.end + 0.02);
  const voices = new Set(inside.map((w) => w.voice));
  expect(voices.size, `"${s.text}" holds one voice`).toBe(1);
  return inside[0]!.voice;
}

describe.concurrent('AssemblyAI live speaker labels', () => {
  it('labels every turn by its speaker, and the SpeakerRevision relabels a final turn without touching its words', async () => {
    const out = await runCase({ speakers: true, mislabelTurns: [1], extra: { max_speakers: '2' } });
    expectCleanRun(out, { key: KEY, frameSamples: { min: 800, max: 16000 } });
    const finals = out.rec.finals();
    expect(compareWithSpeech(finals, out.speech.words)).toEqual([]);
    const [c] = out.server.connections;
    expect(c!.query.get('speaker_labels')).toBe('true');
    expect(c!.query.get('max_speakers')).toBe('2');
    expect(finals.length).toBeGreaterThanOrEqual(3);
    // Voice 0 speaks first, so it is Speaker A; after the revision every line is right.
    for (const s of finals) expect(s.speaker, s.text).toBe(`Speaker ${'AB'[voiceOf(s, out.speech.words)]}`);

    // Turn 1 (voice 1) was shown final as Speaker A live, then revised to Speaker B.
    const second = finals[1]!;
    const finalLabels = out.rec.events.flatMap((e) =>
      e.type === 'caption' && e.change.kind === 'upsert' && e.change.segment.id === second.id && e.change.segment.final ? [e.change.segment.speaker] : []);
    expect(finalLabels).toEqual(['Speaker A', 'Speaker B']);
    expect(out.rec.relabels).toBe(1);
  });

  it('sends no speaker_labels and shows no labels unless asked, even when two voices speak', async () => {
    const out = await runCase({ speakers: false });
    expectCleanRun(out, { key: KEY, frameSamples: { min: 800, max: 16000 } });
    expect(compareWithSpeech(out.rec.finals(), out.speech.words)).toEqual([]);
    const [c] = out.server.connections;
    expect(c!.query.has('speaker_labels')).toBe(false);
    expect(c!.query.has('max_speakers')).toBe(false);
    expect(out.rec.finals().every((s) => s.speaker === undefined)).toBe(true);
    expect(c!.responder.turns.every((t) => !('speaker_label' in t))).toBe(true);
  });
});
