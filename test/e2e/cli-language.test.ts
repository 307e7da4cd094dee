/**
 * `--language auto`: no language goes to the service, which detects it and says which it
 * heard; the command shows that on stderr. Services that cannot detect are refused (exit 2).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFireworksServer, type FireworksServer } from '../fakes/fireworks-server.js';
import { makeToneSpeech } from '../fakes/tone-asr.js';
import { writeWav } from '../fakes/wav-writer.js';
import { runCli } from './helpers/run-cli.js';

const KEY = 'fw-language-key-7070';
let dir: string;
let wav: string;
let server: FireworksServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-cli-language-'));
  const speech = makeToneSpeech({ words: 6, seed: 5, rate: 16000 });
  wav = join(dir, 'speech.wav');
  writeWav(wav, speech.samples, 16000, 1);
  server = await startFireworksServer({ apiKey: KEY, language: 'de' });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('earshot caption --language auto', () => {
  it('sends no language and says which one the service heard', async () => {
    const r = await runCli(['caption', '--source', `file:${wav}`, '--endpoint', server.url, '--language', 'auto', '--speed', '8'], { FIREWORKS_API_KEY: KEY });
    expect(r.code, r.stderr).toBe(0);
    expect(server.attempts[0]!.query.has('language')).toBe(false);
    expect(r.stderr).toContain('language: de (German)');
    expect(r.stderr.match(/language: de/g)).toHaveLength(1); // once, not per result
  });

  it('refuses auto for services that cannot detect the language, before connecting', async () => {
    for (const provider of ['together', 'deepgram']) {
      const r = await runCli(['caption', '--source', `file:${wav}`, '--provider', provider, '--language', 'auto'], { TOGETHER_API_KEY: 'k', DEEPGRAM_API_KEY: 'k' });
      expect(r.code, provider).toBe(2);
      expect(r.stderr).toMatch(/cannot detect the spoken language; pass --language CODE/);
    }
  });
});
