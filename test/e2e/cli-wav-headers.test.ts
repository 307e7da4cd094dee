/**
 * Damaged WAV files through the real `earshot` command: a header that would make the work
 * unbounded is refused at once (exit 1, as for every bad file, with the file and the problem
 * named and no stack trace) instead of pinning a core; a truncated file is captioned to its
 * real end with a warning that says how much audio is missing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFireworksServer, type FireworksServer } from '../fakes/fireworks-server.js';
import { makeToneSpeech } from '../fakes/tone-asr.js';
import { wavBytes } from '../fakes/wav-writer.js';
import { runCli } from './helpers/run-cli.js';

const KEY = 'fw-test-secret-key-4321';
let dir: string;
let server: FireworksServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-hostile-cli-'));
  server = await startFireworksServer({ apiKey: KEY });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A one-second 16-bit mono WAV with the fmt fields patched. */
function patched(name: string, patch: (b: Buffer) => void): string {
  const bytes = wavBytes(new Int16Array(48000).fill(100), 48000, 1);
  patch(bytes);
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('earshot caption with a damaged WAV header', () => {
  const hostile: Array<[string, (b: Buffer) => void, RegExp]> = [
    ['rate-3hz.wav', (b) => b.writeUInt32LE(3, 24), /sample rate is 3 Hz \(1000-384000 Hz are read\); its byte rate suggests 48000 Hz/],
    ['rate-383999hz.wav', (b) => { b.writeUInt32LE(383_999, 24); b.writeUInt32LE(383_999 * 2, 28); }, /resampling 383999 Hz to 16000 Hz would need/],
    ['list-4gb.wav', (b) => { b.write('LIST', 36, 'latin1'); b.writeUInt32LE(0xfffffff0, 40); }, /"LIST" chunk claims 4294967280 bytes/],
  ];
  for (const [name, patch, detail] of hostile) {
    it(`refuses ${name} at once with a clear message`, async () => {
      const path = patched(name, patch);
      const r = await runCli(['caption', '--source', `file:${path}`, '--api-key', KEY, '--endpoint', server.url], {}, 20_000);
      expect(r.signal, 'still running after 20 s').toBeNull();
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(name);
      expect(r.stderr).toMatch(detail);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.stdout).toBe('');
    }, 30_000);
  }

  it('captions a truncated file to its real end and says how much is missing', async () => {
    const speech = makeToneSpeech({ words: 6, seed: 4, rate: 16000 });
    const full = wavBytes(speech.samples, 16000, 1);
    // Declare 10 s more than the file holds, as a recorder that crashed before fixing its header would.
    full.writeUInt32LE(speech.samples.length * 2 + 16000 * 2 * 10, 40);
    const path = join(dir, 'cut.wav');
    writeFileSync(path, full);
    const out = join(dir, 'cut.json');
    const before = server.connections.length;
    const r = await runCli(['caption', '--source', `file:${path}`, '--api-key', KEY, '--endpoint', server.url, '--speed', '8', '--out', out], {}, 30_000);
    expect(r.code, r.stderr).toBe(0);
    const seconds = (speech.samples.length / 16000).toFixed(1);
    expect(r.stderr).toContain(`cut.wav is cut short: its header promises ${(speech.samples.length / 16000 + 10).toFixed(1)} s of audio but the file holds ${seconds} s; the missing 10.0 s at the end cannot be captioned`);
    expect(r.stdout.trim().split('\n').join(' ')).toBe(speech.text);
    expect(server.connections.slice(before).reduce((n, c) => n + c.responder.samples, 0)).toBeGreaterThanOrEqual(speech.samples.length);
  }, 40_000);
});
