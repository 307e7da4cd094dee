/**
 * Together's and OpenAI's pre-recorded APIs over real loopback HTTP (prerecorded.md §2, §3):
 * their own request fields and answer shapes, speakers from Together's speaker_segments and
 * OpenAI's diarized_json, and their upload limits checked before anything is sent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EarshotError } from '../../shared/errors.js';
import { httpUpload } from '../../main/prerecorded/http-upload.js';
import { openaiPrerecorded, togetherPrerecorded } from '../../main/prerecorded/openai-compatible-services.js';
import { transcribeFile } from '../../main/prerecorded/transcribe-job.js';
import type { PrerecordedService, TranscribeOptions } from '../../main/prerecorded/types.js';
import { systemClock } from '../../main/util/clock.js';
import { startPrerecordedServer, type PrerecordedServer } from '../fakes/prerecorded-server.js';
import { makeToneSpeech, type ToneSpeech } from '../fakes/tone-asr.js';
import { writeWav } from '../fakes/wav-writer.js';

const KEY = 'other-prerecorded-key-1357';
let dir: string;
let speech: ToneSpeech;
let wav: string;
let server: PrerecordedServer | null = null;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-prerecorded-others-'));
  speech = makeToneSpeech({ words: 12, seed: 9, rate: 16000, sentence: { min: 3, max: 4 } });
  wav = join(dir, 'talk.wav');
  writeWav(wav, speech.samples, 16000, 1);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => { await server?.close(); server = null; });

async function run(service: PrerecordedService, flavor: 'together' | 'openai', options: Partial<TranscribeOptions>) {
  server = await startPrerecordedServer({ key: KEY, flavor, detectedLanguage: 'de' });
  const result = await transcribeFile(
    { path: wav, service, options: { model: service.defaultModel, diarize: false, translate: false, ...options }, apiKey: KEY, endpoint: server.url },
    { upload: httpUpload, clock: systemClock, random: () => 0, epochNow: () => Date.now() },
  );
  return { result, request: server.requests[0]! };
}

describe('Together pre-recorded', () => {
  it('sends language=auto to detect (its default would be English) and reads the language heard', async () => {
    const { result, request } = await run(togetherPrerecorded, 'together', {});
    expect(request.fields).toMatchObject({ model: 'openai/whisper-large-v3', response_format: 'verbose_json', language: 'auto' });
    expect(request.authorization).toBe(`Bearer ${KEY}`);
    expect(result.text).toBe(speech.text);
    expect(result.language).toBe('de');
  });

  it('labels speakers from speaker_segments', async () => {
    const { result, request } = await run(togetherPrerecorded, 'together', { diarize: true, language: 'en' });
    expect(request.fields.diarize).toBe('true');
    expect(new Set(result.segments.map((s) => s.speaker))).toEqual(new Set(['Speaker A', 'Speaker B']));
    expect(result.segments.map((s) => s.text).join(' ')).toBe(speech.text);
  });

  it('never sends the source language to translations (there it names the output)', async () => {
    const { request } = await run(togetherPrerecorded, 'together', { translate: true, language: 'de' });
    expect(request.path).toBe('/v1/audio/translations');
    expect(request.fields.language).toBeUndefined();
  });
});

describe('OpenAI pre-recorded', () => {
  it('whisper-1 with verbose_json and timestamp_granularities[]', async () => {
    const { result, request } = await run(openaiPrerecorded, 'openai', { language: 'en' });
    expect(request.fields).toMatchObject({ model: 'whisper-1', response_format: 'verbose_json', 'timestamp_granularities[]': 'segment', language: 'en' });
    expect(result.text).toBe(speech.text);
  });

  it('speakers through gpt-4o-transcribe-diarize and diarized_json', async () => {
    const { result, request } = await run(openaiPrerecorded, 'openai', { diarize: true });
    expect(request.fields).toEqual({ model: 'gpt-4o-transcribe-diarize', response_format: 'diarized_json', chunking_strategy: 'auto' });
    expect(result.segments[0]).toMatchObject({ speaker: 'Speaker A' });
    expect(result.segments[1]).toMatchObject({ speaker: 'Speaker B' });
    expect(result.segments.map((s) => s.text).join(' ')).toBe(speech.text);
  });

  it('refuses a file over its 25 MB limit before uploading', async () => {
    server = await startPrerecordedServer({ key: KEY, flavor: 'openai' });
    const big = join(dir, 'big.wav');
    const samples = new Int16Array(14 * 1024 * 1024); // 28 MB
    writeWav(big, samples, 16000, 1);
    const err = await transcribeFile(
      { path: big, service: openaiPrerecorded, options: { model: 'whisper-1', diarize: false, translate: false }, apiKey: KEY, endpoint: server.url },
      { upload: httpUpload, clock: systemClock, random: () => 0, epochNow: () => Date.now() },
    ).then(() => null, (e: unknown) => e as EarshotError);
    expect(err?.code).toBe('FILE_TOO_LARGE');
    expect(err?.message).toMatch(/OpenAI takes at most 25\.0 MB/);
    expect(server.requests).toHaveLength(0);
  });
});
