/**
 * File transcription end to end over real loopback HTTP: the real multipart upload
 * (form-data, streamed from disk) and the real retry policy against the Fireworks-faithful
 * pre-recorded server, with WAV and FLAC tone speech whose words are known exactly, and the
 * server's faults: 401, 413, 429 with Retry-After, 503, and a connection dropped mid-upload.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EarshotError } from '../../shared/errors.js';
import { fireworksPrerecorded } from '../../main/prerecorded/fireworks-service.js';
import { httpUpload } from '../../main/prerecorded/http-upload.js';
import { transcribeFile, type JobStatus, type TranscribeJob } from '../../main/prerecorded/transcribe-job.js';
import type { PrerecordedService, TranscribeOptions } from '../../main/prerecorded/types.js';
import { systemClock } from '../../main/util/clock.js';
import { startPrerecordedServer, type PrerecordedFault, type PrerecordedServer } from '../fakes/prerecorded-server.js';
import { makeToneSpeech, type ToneSpeech } from '../fakes/tone-asr.js';
import { toMultichannel, writeWav } from '../fakes/wav-writer.js';

const KEY = 'fw-prerecorded-secret-4242';
let dir: string;
let speech: ToneSpeech;
let wav: string;
let flac: string;
let server: PrerecordedServer | null = null;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-prerecorded-'));
  speech = makeToneSpeech({ words: 24, seed: 7, rate: 44100, sentence: { min: 4, max: 6 } });
  wav = join(dir, 'meeting.wav');
  writeWav(wav, toMultichannel(speech.samples, 2), 44100, 2);
  flac = join(dir, 'meeting.flac');
  execFileSync('sox', [wav, flac]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => { await server?.close(); server = null; });

const OPTIONS: TranscribeOptions = { model: 'whisper-v3', diarize: false, translate: false };

async function run(path: string, opts: Partial<TranscribeOptions> = {}, script: PrerecordedFault[] = [], extra: Partial<TranscribeJob> = {}, maxBytes?: number) {
  server = await startPrerecordedServer({ key: KEY, script, ...(maxBytes ? { maxBytes } : {}) });
  const statuses: JobStatus[] = [];
  const job: TranscribeJob = {
    path, service: fireworksPrerecorded, options: { ...OPTIONS, ...opts }, apiKey: KEY, endpoint: server.url,
    onStatus: (s) => statuses.push(s), ...extra,
  };
  const started = performance.now();
  const result = transcribeFile(job, { upload: httpUpload, clock: systemClock, random: () => 0.05, epochNow: () => Date.now(), maxAttempts: 4 });
  return { result, statuses, server, started };
}

async function failure(p: Promise<unknown>): Promise<EarshotError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(EarshotError);
  return err as EarshotError;
}

describe('file transcription (Fireworks pre-recorded, real HTTP)', () => {
  it('uploads a WAV with the documented fields and returns its exact words as timed segments', async () => {
    const t = await run(wav, { language: 'en', prompt: 'NATO alphabet', temperature: 0.2 });
    const r = await t.result;
    expect(r.text).toBe(speech.text);
    expect(r.segments.map((s) => s.text).join(' ')).toBe(speech.text);
    expect(r.segments[0]).toMatchObject({ id: '1', start: expect.closeTo(speech.words[0]!.start, 1) });
    expect(r.segments.every((s) => s.speaker === undefined)).toBe(true);
    expect(r).toMatchObject({ language: 'en', task: 'transcribe', duration: expect.closeTo(speech.samples.length / 44100, 1) });
    const req = t.server.requests[0]!;
    expect(req.path).toBe('/v1/audio/transcriptions');
    expect(req.authorization).toBe(`Bearer ${KEY}`);
    expect(req.fields).toEqual({ model: 'whisper-v3', response_format: 'verbose_json', timestamp_granularities: 'word,segment', language: 'en', prompt: 'NATO alphabet', temperature: '0.2' });
    expect(req.file).toMatchObject({ filename: 'meeting.wav' });
    expect(req.contentLength).toBeGreaterThan(req.file!.bytes);
    // Progress reached the whole body, then the wait for the service.
    const uploads = t.statuses.filter((s): s is Extract<JobStatus, { phase: 'uploading' }> => s.phase === 'uploading');
    expect(uploads.at(-1)!.sent).toBe(uploads.at(-1)!.total);
    expect(uploads.at(-1)!.total).toBe(req.contentLength);
    expect(t.statuses.at(-1)).toEqual({ phase: 'transcribing', attempt: 1 });
  });

  it('takes FLAC the same way', async () => {
    const r = await (await run(flac)).result;
    expect(r.text).toBe(speech.text);
  });

  it('labels speakers Speaker A, Speaker B… when diarizing', async () => {
    const t = await run(wav, { diarize: true });
    const r = await t.result;
    expect(t.server.requests[0]!.fields.diarize).toBe('true');
    expect(r.segments.map((s) => s.speaker)).toEqual(r.segments.map((_, i) => (i % 2 === 0 ? 'Speaker A' : 'Speaker B')));
    expect(r.segments.map((s) => s.text).join(' ')).toBe(speech.text);
  });

  it('translates through /v1/audio/translations, without diarization fields', async () => {
    const t = await run(wav, { translate: true, diarize: true, language: 'de' });
    const r = await t.result;
    expect(t.server.requests[0]!.path).toBe('/v1/audio/translations');
    expect(t.server.requests[0]!.fields.diarize).toBeUndefined();
    expect(t.server.requests[0]!.fields.language).toBe('de');
    expect(r.task).toBe('translate');
  });

  it('a refused key is fatal at once, names the provider and never the key', async () => {
    server = await startPrerecordedServer({ key: 'another-key' });
    const err = await failure(transcribeFile(
      { path: wav, service: fireworksPrerecorded, options: OPTIONS, apiKey: KEY, endpoint: server.url },
      { upload: httpUpload, clock: systemClock, random: () => 0, epochNow: () => Date.now() },
    ));
    expect(err.code).toBe('AUTH_REFUSED');
    expect(err.message).toContain('Fireworks AI answered HTTP 401');
    expect(err.message).not.toContain(KEY);
    expect(server.requests).toHaveLength(1);
  });

  it('413 from the service is not retried and says what to do', async () => {
    const t = await run(wav, {}, [], {}, 10_000);
    const err = await failure(t.result);
    expect(err.code).toBe('FILE_TOO_LARGE');
    expect(err.message).toMatch(/in parts/);
    expect(t.server.requests).toHaveLength(1);
  });

  it('waits as Retry-After says after 429, retries 503 and a dropped upload, then succeeds', async () => {
    const t = await run(wav, {}, [
      { kind: 'status', status: 429, retryAfter: '1' },
      { kind: 'status', status: 503 },
      { kind: 'drop', afterBytes: 40_000 },
    ]);
    const r = await t.result;
    expect(r.text).toBe(speech.text);
    expect(t.server.requests.map((q) => q.outcome)).toEqual([429, 503, 'dropped', 200]);
    const retries = t.statuses.filter((s): s is Extract<JobStatus, { phase: 'retrying' }> => s.phase === 'retrying');
    expect(retries.map((s) => s.attempt)).toEqual([1, 2, 3]);
    expect(retries[0]!.inMs).toBe(1000);
    expect(retries[0]!.reason).toContain('HTTP 429');
    expect(retries[2]!.reason).toMatch(/reset|closed|socket hang up/);
    expect(performance.now() - t.started).toBeGreaterThanOrEqual(1000);
  });

  it('gives up after the last attempt with the service\'s cause', async () => {
    const t = await run(wav, {}, Array.from({ length: 4 }, () => ({ kind: 'status', status: 503 }) as PrerecordedFault));
    const err = await failure(t.result);
    expect(err.code).toBe('TRANSCRIPTION_FAILED');
    expect(err.message).toMatch(/HTTP 503: fake fault 503; gave up after 4 attempts/);
  });

  it('says "connection refused" when nothing listens', async () => {
    const probe = await startPrerecordedServer({ key: KEY });
    const url = probe.url;
    await probe.close();
    const err = await failure(transcribeFile(
      { path: wav, service: fireworksPrerecorded, options: OPTIONS, apiKey: KEY, endpoint: url },
      { upload: httpUpload, clock: systemClock, random: () => 0, epochNow: () => Date.now(), maxAttempts: 2 },
    ));
    expect(err.code).toBe('TRANSCRIPTION_FAILED');
    expect(err.message).toContain(`connection refused (${url}/v1/audio/transcriptions)`);
  });

  it('cancels an upload in progress', async () => {
    const controller = new AbortController();
    const t = await run(wav, {}, [{ kind: 'delay', ms: 5000 }], {
      signal: controller.signal,
      onStatus: (s) => { if (s.phase === 'transcribing') controller.abort(); },
    });
    const err = await failure(t.result);
    expect(err.code).toBe('CANCELLED');
    expect(performance.now() - t.started).toBeLessThan(4000);
  });

  it('refuses a missing, folder, empty, unreadable or oversized file before sending anything', async () => {
    server = await startPrerecordedServer({ key: KEY });
    const empty = join(dir, 'empty.wav');
    writeFileSync(empty, '');
    const folder = join(dir, 'folder.wav');
    mkdirSync(folder, { recursive: true });
    const locked = join(dir, 'locked.wav');
    writeFileSync(locked, 'RIFF');
    chmodSync(locked, 0);
    const tiny: PrerecordedService = { ...fireworksPrerecorded, maxBytes: 1000 };
    const cases: [string, PrerecordedService, string, RegExp][] = [
      [join(dir, 'missing.wav'), fireworksPrerecorded, 'FILE_NOT_FOUND', /no such file/],
      [folder, fireworksPrerecorded, 'FILE_NOT_FOUND', /is a folder/],
      [empty, fireworksPrerecorded, 'FILE_NOT_FOUND', /is empty/],
      [wav, tiny, 'FILE_TOO_LARGE', /takes at most 1000 bytes/],
    ];
    // Root reads any file whatever its mode; the check only means something for other users.
    if (process.getuid?.() !== 0) cases.push([locked, fireworksPrerecorded, 'FILE_NOT_FOUND', /cannot be read/]);
    for (const [path, service, code, message] of cases) {
      const err = await failure(transcribeFile(
        { path, service, options: OPTIONS, apiKey: KEY, endpoint: server.url },
        { upload: httpUpload, clock: systemClock, random: () => 0, epochNow: () => Date.now() },
      ));
      expect(err.code, path).toBe(code);
      expect(err.message, path).toMatch(message);
    }
    expect(server.requests).toHaveLength(0);
  });
});
