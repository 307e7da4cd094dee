/**
 * `earshot transcribe` as a user runs it: the built command, a real WAV and FLAC of tone
 * speech, the Fireworks-faithful pre-recorded server on loopback. Exact words out, speakers
 * where asked, progress on stderr, Ctrl+C cancels, bad usage is exit 2 before any upload.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPrerecordedServer, type PrerecordedServer } from '../fakes/prerecorded-server.js';
import { makeToneSpeech, type ToneSpeech } from '../fakes/tone-asr.js';
import { writeWav } from '../fakes/wav-writer.js';
import { runCli, startCli } from './helpers/run-cli.js';

const KEY = 'fw-cli-transcribe-key-5150';
let dir: string;
let speech: ToneSpeech;
let wav: string;
let flac: string;
let server: PrerecordedServer | null = null;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-cli-transcribe-'));
  speech = makeToneSpeech({ words: 16, seed: 11, rate: 16000, sentence: { min: 3, max: 5 } });
  wav = join(dir, 'talk.wav');
  writeWav(wav, speech.samples, 16000, 1);
  flac = join(dir, 'talk.flac');
  execFileSync('sox', [wav, flac]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => { await server?.close(); server = null; });

const env = { FIREWORKS_API_KEY: KEY };

describe('earshot transcribe', () => {
  it('prints the exact words of a FLAC file as text, with a summary on stderr', async () => {
    server = await startPrerecordedServer({ key: KEY });
    const r = await runCli(['transcribe', flac, '--endpoint', server.url], env);
    expect(r.stderr).not.toContain(KEY);
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\s+/g, ' ').trim()).toBe(speech.text);
    expect(r.stderr).toMatch(/uploading talk\.flac \(\d+(\.\d)? KB\)/);
    expect(r.stderr).toMatch(/transcribed talk\.flac: \d+ segments, 0:\d\d of audio, language en/);
    expect(server.requests[0]!.fields.language).toBeUndefined(); // auto: the service detects it
  });

  it('writes a diarized WebVTT with voice spans, and JSON with speaker fields', async () => {
    server = await startPrerecordedServer({ key: KEY });
    const vtt = join(dir, 'talk.vtt');
    const r = await runCli(['transcribe', wav, '--endpoint', server.url, '--diarize', '--language', 'en', '--out', vtt], env);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(vtt, 'utf8');
    expect(text).toMatch(/^WEBVTT\n/);
    expect(text).toContain('<v Speaker A>');
    expect(text).toContain('<v Speaker B>');
    const json = join(dir, 'talk.json');
    expect((await runCli(['transcribe', wav, '--endpoint', server.url, '--diarize', '--out', json, '--quiet'], env)).code).toBe(0);
    const parsed = JSON.parse(readFileSync(json, 'utf8')) as { segments: { speaker: string; text: string }[]; text: string };
    expect(parsed.text).toBe(speech.text);
    expect(new Set(parsed.segments.map((s) => s.speaker))).toEqual(new Set(['Speaker A', 'Speaker B']));
  });

  it('fails with exit 1 on a refused key, naming the provider and never the key', async () => {
    server = await startPrerecordedServer({ key: 'other' });
    const r = await runCli(['transcribe', wav, '--endpoint', server.url], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refused the API key.*Fireworks AI answered HTTP 401/s);
    expect(r.stderr).not.toContain(KEY);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('Ctrl+C while the service works cancels at once: exit 1, nothing written', async () => {
    server = await startPrerecordedServer({ key: KEY, script: [{ kind: 'delay', ms: 20_000 }] });
    const out = join(dir, 'cancelled.txt');
    const cli = startCli(['transcribe', wav, '--endpoint', server.url, '--out', out], env);
    await cli.waitFor(/transcribing/);
    const t0 = performance.now();
    cli.child.kill('SIGINT');
    const r = await cli.result;
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Cancelled');
    expect(() => readFileSync(out)).toThrow();
  });

  it('refuses bad usage with exit 2 before uploading anything', async () => {
    server = await startPrerecordedServer({ key: KEY });
    const cases: string[][] = [
      ['transcribe'],
      ['transcribe', wav, wav],
      ['transcribe', wav, '--provider', 'deepgram'],
      ['transcribe', wav, '--model', 'whisper-9'],
      ['transcribe', wav, '--diarize', '--translate'],
      ['transcribe', wav, '--endpoint', 'http://example.com'],
      ['transcribe', wav, '--out', join(dir, 'missing-folder', 'x.txt')],
      ['transcribe', wav, '--out', wav],
      ['transcribe', wav, '--out', join(dir, 'x.srt'), '--format', 'json'],
      ['transcribe', wav, '--language', 'english please'],
    ];
    for (const args of cases) {
      const r = await runCli([...args, ...(args.includes('--endpoint') ? [] : ['--endpoint', server.url])], env);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^earshot: /);
    }
    const missing = await runCli(['transcribe', join(dir, 'nope.wav'), '--endpoint', server.url], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope.wav: no such file');
    const noKey = await runCli(['transcribe', wav, '--endpoint', server.url], {});
    expect(noKey.stderr).toContain('pass --api-key KEY or set the FIREWORKS_API_KEY environment variable');
    expect(server.requests).toHaveLength(0);
  });
});
