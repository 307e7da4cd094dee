/**
 * The `earshot` command end to end: a real WAV file (48 kHz stereo tone speech), the real
 * converter, pacer and reconnecting session, over real sockets to the Fireworks-faithful
 * server, with faults. The transcript must be exactly the words of the file.
 */
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFireworksServer, type FireworksServer, type AttemptScript } from '../fakes/fireworks-server.js';
import { makeToneSpeech, type ToneSpeech } from '../fakes/tone-asr.js';
import { toMultichannel, writeWav } from '../fakes/wav-writer.js';
import { runCli, startCli } from './helpers/run-cli.js';

const KEY = 'fw-test-secret-key-9876';
let dir: string;
let speech: ToneSpeech;
let wav48: string;
const servers: FireworksServer[] = [];

async function server(script?: (attempt: number) => AttemptScript | undefined): Promise<FireworksServer> {
  const s = await startFireworksServer({ apiKey: KEY, ...(script ? { script } : {}) });
  servers.push(s);
  return s;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-cli-'));
  speech = makeToneSpeech({ words: 14, seed: 11, rate: 48000 });
  wav48 = join(dir, 'speech-48k-stereo.wav');
  writeWav(wav48, toMultichannel(speech.samples, 2), 48000, 2);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

interface TranscriptJson {
  segments: { id: string; text: string; start: number; end: number; source: string }[];
  text: string;
}

function checkTranscript(path: string): TranscriptJson {
  const json = JSON.parse(readFileSync(path, 'utf8')) as TranscriptJson;
  expect(Object.keys(json).sort()).toEqual(['segments', 'text']);
  for (const s of json.segments) {
    // Every segment names its source term exactly as given; one source has no label.
    expect(Object.keys(s).sort()).toEqual(['end', 'id', 'source', 'start', 'text']);
    expect(s.source).toBe(`file:${wav48}`);
    expect(typeof s.id).toBe('string');
    expect(s.text).toBe(s.text.trim());
    expect(s.end).toBeGreaterThanOrEqual(s.start);
  }
  // Nothing lost, nothing doubled: exactly the words of the file, in order.
  expect(json.text).toBe(speech.text);
  expect(json.segments.map((s) => s.text).join(' ')).toBe(speech.text);
  // Continuous timeline: segments in order, and they line up with the words in the file.
  const starts = json.segments.map((s) => s.start);
  expect([...starts].sort((a, b) => a - b)).toEqual(starts);
  let w = 0;
  for (const s of json.segments) {
    const n = s.text.split(' ').length;
    expect(Math.abs(s.start - speech.words[w]!.start)).toBeLessThan(0.1);
    expect(Math.abs(s.end - speech.words[w + n - 1]!.end)).toBeLessThan(0.1);
    w += n;
  }
  return json;
}

describe('earshot caption --source file:', () => {
  it('captions a 48 kHz stereo file and writes the exact JSON transcript', async () => {
    const s = await server();
    const out = join(dir, 'plain.json');
    const r = await runCli(['caption', '--source', `file:${wav48}`, '--endpoint', s.url, '--speed', '8', '--out', out], { FIREWORKS_API_KEY: KEY });
    expect(r.stderr).not.toContain(KEY);
    expect(r.stdout).not.toContain(KEY);
    expect(r.code, r.stderr).toBe(0);
    checkTranscript(out);
    // Non-TTY output: one line per finished segment, nothing else on stdout.
    expect(r.stdout.trim().split('\n').join(' ')).toBe(speech.text);
    expect(s.connections).toHaveLength(1);
    expect(s.violations()).toEqual([]);
    expect(s.connections[0]!.query.get('timestamp_granularities')).toBe('word,segment');
    expect(s.connections[0]!.query.get('language')).toBe('en');
  });

  it('loses nothing and doubles nothing across a drop mid-word and a close 1011', async () => {
    const s = await server((a) =>
      a === 0 ? { fault: { kind: 'drop', afterSamples: 16000 * 2, midWord: true } }
        : a === 1 ? { fault: { kind: 'close', afterSamples: 16000 * 2, code: 1011, midWord: true } }
          : undefined);
    const out = join(dir, 'faults.srt');
    const json = join(dir, 'faults.json');
    const r = await runCli(['caption', '--source', `file:${wav48}`, '--endpoint', s.url, '--api-key', KEY, '--speed', '8', '--out', json]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/reconnecting/);
    expect(r.stderr).not.toContain(KEY);
    checkTranscript(json);
    expect(s.connections.length).toBeGreaterThanOrEqual(3);
    expect(s.violations()).toEqual([]);
    void out;
  });

  it('writes SRT when --out ends in .srt', async () => {
    const s = await server();
    const srt = join(dir, 'a.srt');
    const r = await runCli(['caption', '--source', `file:${wav48}`, '--endpoint', s.url, '--api-key', KEY, '--speed', '10', '--out', srt]);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(srt, 'utf8');
    expect(text).toMatch(/^1\r?\n\d\d:\d\d:\d\d,\d\d\d --> \d\d:\d\d:\d\d,\d\d\d/);
    for (const w of speech.words) expect(text).toContain(w.text);
  });

  it('stops at once with a clear message and exit 1 when the key is refused', async () => {
    const s = await server();
    const r = await runCli(['caption', '--source', `file:${wav48}`, '--endpoint', s.url, '--api-key', 'wrong-key-5555', '--speed', '8']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refused the API key/);
    expect(r.stderr).not.toContain('wrong-key-5555');
    expect(s.attempts).toHaveLength(1);
  });

  it('says what to do when no key is set', async () => {
    const r = await runCli(['caption', '--source', `file:${wav48}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/FIREWORKS_API_KEY/);
  });

  it('names a broken WAV file and says what is wrong', async () => {
    const broken = join(dir, 'broken.wav');
    writeFileSync(broken, Buffer.from('RIFF\x10\x00\x00\x00WAVEjunk', 'latin1'));
    const r = await runCli(['caption', '--source', `file:${broken}`, '--api-key', KEY, '--endpoint', 'ws://127.0.0.1:9/x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('broken.wav');
    const missing = await runCli(['caption', '--source', `file:${join(dir, 'nope.wav')}`, '--api-key', KEY]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope.wav');
  });

  it('refuses an insecure remote endpoint as bad usage', async () => {
    const r = await runCli(['caption', '--source', `file:${wav48}`, '--api-key', KEY, '--endpoint', 'ws://example.com/stream']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/wss:\/\//);
  });

  it('on SIGINT stops capture, flushes, writes --out and exits 0', async () => {
    const s = await server();
    const out = join(dir, 'interrupted.json');
    const cli = startCli(['caption', '--source', `file:${wav48}`, '--endpoint', s.url, '--api-key', KEY, '--speed', '1', '--out', out]);
    // Wait until at least two segments are final on screen, then interrupt.
    await cli.waitFor(/^.+\n.+\n/m, 20_000, 'stdout');
    cli.child.kill('SIGINT');
    const r = await cli.result;
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
    const json = JSON.parse(readFileSync(out, 'utf8')) as TranscriptJson;
    expect(json.segments.length).toBeGreaterThanOrEqual(2);
    // What was transcribed is a prefix of the file's words (nothing invented, nothing doubled).
    expect(speech.text.startsWith(json.text)).toBe(true);
    expect(s.connections[0]!.responder.finalTraceSeen).toBe(true);
  });
});

describe('earshot caption --out while running', () => {
  it('keeps --out current, so kill -9 loses seconds, not the session', async () => {
    const s = await server();
    const out = join(dir, 'killed.json');
    const cli = startCli(['caption', '--source', `file:${wav48}`, '--endpoint', s.url, '--api-key', KEY, '--speed', '1', '--out', out]);
    await cli.waitFor(/^.+\n.+\n/m, 20_000, 'stdout');
    const printed = cli.output().stdout.trim().split('\n');
    // The saver writes within 2 s of a caption becoming final.
    await new Promise((r) => setTimeout(r, 2500));
    cli.child.kill('SIGKILL');
    await cli.result;
    const json = JSON.parse(readFileSync(out, 'utf8')) as TranscriptJson;
    expect(json.segments.length).toBeGreaterThanOrEqual(printed.length);
    expect(speech.text.startsWith(json.text)).toBe(true);
  });
});

describe('earshot (usage)', () => {
  it('prints help and exits 2 on a bad option', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/earshot caption --source/);
    const bad = await runCli(['caption', '--frame-ms', '10']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/between 50 and 400/);
  });
});
