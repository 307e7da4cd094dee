/**
 * `earshot caption --speakers`, run as a user would: with AssemblyAI the transcript names who
 * spoke each line, with the labels as revised at the end of the stream (SpeakerRevision);
 * with a provider that cannot label speakers live it is bad usage (exit 2) and nothing connects.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TranscriptJson } from '../../main/captions/export.js';
import { startAssemblyAiServer, type AssemblyAiServer } from '../fakes/assemblyai-server.js';
import { startFireworksServer, type FireworksServer } from '../fakes/fireworks-server.js';
import { makeToneSpeech, type ToneSpeech } from '../fakes/tone-asr.js';
import { writeWav } from '../fakes/wav-writer.js';
import { runCli } from './helpers/run-cli.js';

const KEY = 'aai-speakers-key-8080';
const SPEED = 8;
let dir: string;
let wav: string;
let speech: ToneSpeech;
let assembly: AssemblyAiServer;
let fireworks: FireworksServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-cli-speakers-'));
  speech = makeToneSpeech({ words: 12, seed: 6, voices: 2 });
  wav = join(dir, 'two-voices.wav');
  writeWav(wav, speech.samples, 16000, 1);
  assembly = await startAssemblyAiServer({ apiKey: KEY, speed: SPEED, mislabelTurns: [1] });
  fireworks = await startFireworksServer({ apiKey: 'fw-k' });
});
afterAll(async () => {
  await assembly.close();
  await fireworks.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('earshot caption --speakers', () => {
  it('writes each line with its speaker, as revised at the end of the stream', async () => {
    const out = join(dir, 'labelled.json');
    const r = await runCli(['caption', '--source', `file:${wav}`, '--provider', 'assemblyai', '--endpoint', assembly.url, '--speakers', '--speed', String(SPEED), '--out', out], { ASSEMBLYAI_API_KEY: KEY });
    expect(r.code, r.stderr).toBe(0);
    expect(assembly.connections[0]!.query.get('speaker_labels')).toBe('true');
    const t = JSON.parse(readFileSync(out, 'utf8')) as TranscriptJson;
    expect(t.text).toBe(speech.text);
    const sentences = [...new Set(speech.words.map((w) => w.sentence))];
    // One line per sentence (turns end at the sentence pauses), voices alternating A, B, A…
    expect(t.segments.map((s) => [s.text, s.speaker])).toEqual(sentences.map((n) => {
      const words = speech.words.filter((w) => w.sentence === n);
      return [words.map((w) => w.text).join(' '), `Speaker ${'AB'[words[0]!.voice]}`];
    }));
  });

  it('is bad usage for a provider without live speaker labels: exit 2, nothing connects', async () => {
    const r = await runCli(['caption', '--source', `file:${wav}`, '--provider', 'fireworks', '--endpoint', fireworks.url, '--speakers'], { FIREWORKS_API_KEY: 'fw-k' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Fireworks AI cannot label speakers live: .* AssemblyAI and Deepgram can/);
    expect(fireworks.attempts).toHaveLength(0);
  });
});
