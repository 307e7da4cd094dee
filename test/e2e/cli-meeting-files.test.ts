/**
 * `earshot caption --source A+B` end to end with two WAV files (tone speech with no word in
 * common), each on its own connection to the Fireworks-faithful server over real sockets:
 * every line lands under its own label and source, the JSON `text` is both streams in time
 * order, the terminal names each line, and a drop on one connection loses nothing.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFireworksServer, type AttemptScript, type FireworksServer } from '../fakes/fireworks-server.js';
import { makeToneSpeech, VOCABULARY, type ToneSpeech } from '../fakes/tone-asr.js';
import { writeWav } from '../fakes/wav-writer.js';
import { runCli, startCli } from './helpers/run-cli.js';

const KEY = 'fw-meeting-files-key-1234';
let dir: string;
let a: ToneSpeech;
let b: ToneSpeech;
let wavA: string;
let wavB: string;
const servers: FireworksServer[] = [];

async function server(script?: (attempt: number) => AttemptScript | undefined): Promise<FireworksServer> {
  const s = await startFireworksServer({ apiKey: KEY, ...(script ? { script } : {}) });
  servers.push(s);
  return s;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-meeting-'));
  const half = VOCABULARY.length / 2;
  a = makeToneSpeech({ words: VOCABULARY.slice(0, half).map((w) => w.text), seed: 41 });
  b = makeToneSpeech({ words: VOCABULARY.slice(half).map((w) => w.text), seed: 42, leadInMs: 900 });
  // The second file's name holds a "+", so its term must be quoted.
  wavA = join(dir, 'me.wav');
  wavB = join(dir, 'them+co.wav');
  writeWav(wavA, a.samples, 16000, 1);
  writeWav(wavB, b.samples, 16000, 1);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

interface Json {
  segments: { id: string; text: string; start: number; end: number; source: string; label: string }[];
  text: string;
}

describe('earshot caption with two sources', () => {
  it('labels every line by its stream and writes both transcripts in time order', async () => {
    const s = await server();
    const out = join(dir, 'meeting.json');
    const termB = `file:"${wavB}"`;
    const r = await runCli(['caption', '--source', `file:${wavA}+${termB}`, '--labels', 'Me,Them', '--endpoint', s.url, '--api-key', KEY, '--speed', '4', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(readFileSync(out, 'utf8')) as Json;
    const of = (label: string) => json.segments.filter((x) => x.label === label);
    expect(of('Me').map((x) => x.text).join(' ')).toBe(a.text);
    expect(of('Them').map((x) => x.text).join(' ')).toBe(b.text);
    expect(new Set(of('Me').map((x) => x.source))).toEqual(new Set([`file:${wavA}`]));
    expect(new Set(of('Them').map((x) => x.source))).toEqual(new Set([termB]));
    // One timeline: sorted by start, both streams interleaved, and `text` follows it.
    const starts = json.segments.map((x) => x.start);
    expect(starts).toEqual([...starts].sort((p, q) => p - q));
    expect(json.text).toBe(json.segments.map((x) => x.text).join(' '));
    expect(json.segments.map((x) => x.label).join(',')).toMatch(/Me,Them.*Me|Them,Me.*Them/);
    // Two connections, one per stream; the terminal names each line.
    expect(s.connections).toHaveLength(2);
    const lines = r.stdout.trim().split('\n');
    expect(lines.every((l) => /^(Me|Them): /.test(l))).toBe(true);
    expect(lines.filter((l) => l.startsWith('Me: ')).map((l) => l.slice(4)).join(' ')).toBe(a.text);
    expect(r.stderr).toMatch(/source: Me: .*me\.wav.* \+ Them: .*them\+co\.wav/);
  });

  it('writes You:/Others: prefixes to SRT', async () => {
    const s = await server();
    const srt = join(dir, 'meeting.srt');
    const r = await runCli(['caption', '--source', `file:${wavA}+file:"${wavB}"`, '--labels', 'You,Others', '--endpoint', s.url, '--api-key', KEY, '--speed', '4', '--out', srt]);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(srt, 'utf8');
    expect(text).toMatch(/\nYou: /);
    expect(text).toMatch(/\nOthers: /);
  });

  it('loses nothing when one stream’s connection drops mid-word; the other is not touched', async () => {
    // The second connection made (whichever stream it is) is dropped mid-word after 2 s.
    const s = await server((n) => (n === 1 ? { fault: { kind: 'drop', afterSamples: 16000 * 2, midWord: true } } : undefined));
    const out = join(dir, 'dropped.json');
    const r = await runCli(['caption', '--source', `file:${wavA}+file:"${wavB}"`, '--endpoint', s.url, '--api-key', KEY, '--speed', '4', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/reconnecting/);
    const json = JSON.parse(readFileSync(out, 'utf8')) as Json;
    const labels = [...new Set(json.segments.map((x) => x.label))];
    expect(labels).toHaveLength(2);
    const texts = labels.map((l) => json.segments.filter((x) => x.label === l).map((x) => x.text).join(' ')).sort();
    expect(texts).toEqual([a.text, b.text].sort());
    expect(s.connections).toHaveLength(3);
    expect(s.violations()).toEqual([]);
  });

  it('exits 1 naming the stream when one stream’s key is refused, and keeps the other’s transcript', async () => {
    // Attempt 1 (the second stream to connect) is refused with 401.
    const s = await server((n) => (n === 1 ? { handshake: 401 } : undefined));
    const out = join(dir, 'half.json');
    const r = await runCli(['caption', '--source', `file:${wavA}+file:"${wavB}"`, '--labels', 'You,Others', '--endpoint', s.url, '--api-key', KEY, '--speed', '4', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/earshot: .*refused the API key.*(You|Others) \(file:/);
    const json = JSON.parse(readFileSync(out, 'utf8')) as Json;
    const kept = [...new Set(json.segments.map((x) => x.label))];
    expect(kept).toHaveLength(1);
    expect(json.segments.map((x) => x.text).join(' ')).toBe(kept[0] === 'You' ? a.text : b.text);
  });

  it('on Ctrl+C stops both streams, lets both services finish, writes --out and exits 0 within 2 s', async () => {
    const s = await server();
    const out = join(dir, 'interrupted.json');
    const cli = startCli(['caption', '--source', `file:${wavA}+file:"${wavB}"`, '--labels', 'You,Others', '--endpoint', s.url, '--api-key', KEY, '--speed', '1', '--out', out]);
    // A finished line from each side, then interrupt as a person would.
    await cli.waitFor(/^You: .+\n(.*\n)*Others: .+\n|^Others: .+\n(.*\n)*You: .+\n/m, 30_000, 'stdout');
    const sentAt = Date.now();
    cli.child.kill('SIGINT');
    const r = await cli.result;
    const tookMs = Date.now() - sentAt;
    expect(r.code, r.stderr).toBe(0);
    expect(tookMs).toBeLessThan(2500);
    const json = JSON.parse(readFileSync(out, 'utf8')) as Json;
    // Each side's text is a prefix of its file's words: nothing invented, nothing doubled, nothing mixed.
    const said = (label: string) => json.segments.filter((x) => x.label === label).map((x) => x.text).join(' ');
    expect(said('You').length).toBeGreaterThan(0);
    expect(said('Others').length).toBeGreaterThan(0);
    expect(a.text.startsWith(said('You'))).toBe(true);
    expect(b.text.startsWith(said('Others'))).toBe(true);
    expect(s.connections.every((c) => c.responder.finalTraceSeen)).toBe(true);
  }, 60_000);
});
