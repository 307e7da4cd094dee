/**
 * Every mistake on the command line is bad usage: the built `earshot` process says what is
 * wrong and exits 2 before it opens a connection, so no audio (and no paid minute) is sent
 * for a run that could not keep its transcript or its overlay. The fake server counts
 * connection attempts; each case must leave it at zero.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFireworksServer, type FireworksServer } from '../fakes/fireworks-server.js';
import { makeToneSpeech } from '../fakes/tone-asr.js';
import { writeWav } from '../fakes/wav-writer.js';
import { runCli } from './helpers/run-cli.js';

const KEY = 'fw-preflight-key-2468';
let dir: string;
let wav: string;
let server: FireworksServer;
let busy: Server;
let busyPort: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-preflight-'));
  wav = join(dir, 'speech.wav');
  writeWav(wav, makeToneSpeech({ words: 4, seed: 3, rate: 16000 }).samples, 16000, 1);
  symlinkSync(wav, join(dir, 'link-to-speech.wav'));
  mkdirSync(join(dir, 'a-folder'));
  execFileSync('mkfifo', [join(dir, 'a-fifo')]);
  writeFileSync(join(dir, 'not-a-folder'), 'x');
  server = await startFireworksServer({ apiKey: KEY });
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as { port: number }).port;
});

afterAll(async () => {
  await server.close();
  await new Promise((resolve) => busy.close(resolve));
});

/** Runs `earshot caption` on the test file against the fake server, plus `extra`. */
function caption(extra: string[], env: Record<string, string | undefined> = { FIREWORKS_API_KEY: KEY }) {
  const hasSource = extra.includes('--source');
  const hasEndpoint = extra.includes('--endpoint');
  return runCli(['caption', ...(hasSource ? [] : ['--source', `file:${wav}`]), ...(hasEndpoint ? [] : ['--endpoint', server.url]), '--speed', '8', ...extra], env);
}

describe('earshot caption refuses bad usage before connecting (exit 2)', () => {
  const cases: [string, () => string[], RegExp][] = [
    // --out
    ['--out in a folder that does not exist', () => ['--out', join(dir, 'missing', 'x.json')], /folder .*missing does not exist/],
    ['--out naming a folder', () => ['--out', join(dir, 'a-folder')], /is a folder/],
    ['--out naming a folder, with a format', () => ['--out', join(dir, 'a-folder'), '--format', 'json'], /is a folder/],
    ['--out under a file used as a folder', () => ['--out', join(dir, 'not-a-folder', 'x.json')], /not a folder/],
    ['--out where nobody may write (/proc)', () => ['--out', '/proc/earshot-transcript.json'], /cannot be written/],
    // A FIFO stands for every special file (/dev/null, /dev/stdout, a socket): renaming a
    // transcript over one would replace it. Never point this test at a real device: code
    // without the check replaces it with a regular file.
    ['--out on a special file (a FIFO), not a regular file', () => ['--out', join(dir, 'a-fifo'), '--format', 'txt'], /not a regular file/],
    ['--out is the input file', () => ['--out', wav, '--format', 'txt'], /is the audio file being captioned/],
    ['--out is the input file through a symlink', () => ['--out', join(dir, 'link-to-speech.wav'), '--format', 'json'], /is the audio file being captioned/],
    ['--out with no transcript extension and no --format', () => ['--out', join(dir, 'notes.doc')], /Cannot tell the transcript format/],
    ['--format contradicting the --out extension', () => ['--out', join(dir, 'x.srt'), '--format', 'json'], /--format json contradicts --out/],
    // overlay
    ['--overlay-port already in use', () => ['--overlay-port', String(busyPort)], /port is in use/],
    // provider options, every provider's names checked (Fireworks included)
    ['an unknown --option for Fireworks', () => ['--option', 'vad_threshold=0.5'], /Fireworks has no option "vad_threshold"/],
    ['--option temperature (a flag of its own)', () => ['--option', 'temperature=0.4'], /use --temperature instead/],
    ['--option response_format, which would break the protocol', () => ['--option', 'response_format=json'], /Fireworks has no option "response_format"/],
    ['an out-of-range Fireworks --option', () => ['--option', 'text_timeout_seconds=60'], /out of range/],
    ['--temperature for a provider without one', () => ['--provider', 'deepgram', '--temperature', '0.2'], /--temperature is only used by fireworks/],
    // consistency
    ['--speed with live audio', () => ['--source', 'mic', '--speed', '4'], /--speed only applies to --source file/],
    ['an --endpoint that is not a URL', () => ['--endpoint', 'not a url'], /--endpoint: .*not a URL/],
    ['a plain ws:// --endpoint on a remote host', () => ['--endpoint', 'ws://example.com/stream'], /ws:\/\/ is only allowed for loopback/],
    ['an --endpoint with the key in it', () => ['--endpoint', `${'wss://example.com/x'}?api_key=abc`], /--endpoint: .*api_key/],
  ];

  it.each(cases)('%s', async (_name, args, message) => {
    const before = server.attempts.length;
    const r = await caption(args());
    expect(r.stderr).toMatch(message);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(server.attempts.length).toBe(before);
    // Refused before the session even began connecting (a handshake may not reach the server in time to count).
    expect(r.stderr).not.toMatch(/connecting to/);
    // The input was not touched.
    expect(readFileSync(wav).subarray(0, 4).toString('latin1')).toBe('RIFF');
  });

  it('accepts a documented Fireworks --option and sends it', async () => {
    const out = join(dir, 'ok.json');
    const r = await caption(['--option', 'text_timeout_seconds=1.5', '--option', 'skip_vad=false', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const q = server.connections.at(-1)!.query;
    expect(q.get('text_timeout_seconds')).toBe('1.5');
    expect(q.get('skip_vad')).toBe('false');
    expect(q.get('response_format')).toBe('verbose_json');
  });

  it('accepts --format for an --out name without a transcript extension', async () => {
    const out = join(dir, 'captions.log');
    const r = await caption(['--out', out, '--format', 'txt']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8').trim().length).toBeGreaterThan(0);
  });

  it('tells a command-line user how to give the key (flag or variable), not "settings"', async () => {
    for (const env of [{ FIREWORKS_API_KEY: undefined }, { FIREWORKS_API_KEY: '   ' }]) {
      const r = await caption([], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/--api-key/);
      expect(r.stderr).toMatch(/FIREWORKS_API_KEY/);
      expect(r.stderr).not.toMatch(/settings/i);
    }
  });
});
