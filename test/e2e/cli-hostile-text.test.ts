/**
 * A speech service that answers with terminal escapes, an OSC window title, BEL, NUL, bidi
 * overrides and line breaks inside caption text. The built `earshot` process must show and
 * write only the words (stdout, stderr, SRT, VTT, TXT) and keep the text as received in JSON.
 * The server speaks just enough Fireworks for one session: a result on the first audio
 * frame, the same result and the trace echo when the client flushes.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { makeToneSpeech } from '../fakes/tone-asr.js';
import { writeWav } from '../fakes/wav-writer.js';
import { runCli } from './helpers/run-cli.js';

const FORBIDDEN = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const HOSTILE = [
  '\x1b]0;pwned\x07Hello \x1b[2J\x1b[Hthere',
  '\u202eevil\u202c and\x00 \x1b]8;;https://x.example/\x1b\\link\x1b]8;;\x1b\\\nnext\rline\x9b2K',
];

let dir: string;
let wav: string;
let wss: WebSocketServer;
let url: string;

function result(): string {
  return JSON.stringify({
    task: 'transcribe',
    language: 'en',
    text: HOSTILE.join(' '),
    segments: HOSTILE.map((text, id) => ({
      id, text, start: id, end: id + 0.9,
      words: [{ word: text, start: id, end: id + 0.9, is_final: true }],
    })),
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-hostile-'));
  wav = join(dir, 'speech.wav');
  writeWav(wav, makeToneSpeech({ words: 3, seed: 2, rate: 16000 }).samples, 16000, 1);
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/v1/audio/transcriptions/streaming' });
  await new Promise((resolve) => wss.once('listening', resolve));
  url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/v1/audio/transcriptions/streaming`;
  wss.on('connection', (ws) => {
    let answered = false;
    ws.on('message', (data, binary) => {
      if (binary && !answered) {
        answered = true;
        ws.send(result());
      } else if (!binary && JSON.parse(data.toString()).trace_id === 'final') {
        ws.send(result());
        ws.send(JSON.stringify({ object: 'stt.output.trace', trace_id: 'final' }));
      }
    });
  });
});

afterAll(async () => {
  for (const c of wss.clients) c.terminate();
  await new Promise((resolve) => wss.close(resolve));
});

describe('earshot caption with hostile caption text', () => {
  it.each(['srt', 'vtt', 'txt'])('shows and writes (%s) only printable text', async (format) => {
    const out = join(dir, `t.${format}`);
    const r = await runCli(['caption', '--source', `file:${wav}`, '--endpoint', url, '--api-key', 'k-hostile-1', '--speed', '8', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(FORBIDDEN.test(r.stdout), JSON.stringify(r.stdout)).toBe(false);
    expect(FORBIDDEN.test(r.stderr), JSON.stringify(r.stderr)).toBe(false);
    expect(r.stdout).toBe('Hello there\nevil and link next line2K\n');
    const file = readFileSync(out, 'utf8');
    expect(FORBIDDEN.test(file), JSON.stringify(file)).toBe(false);
    expect(file.replace(/\s+/g, ' ')).toContain('Hello there');
    expect(file).not.toContain('pwned');
  });

  it('keeps the text as received in the JSON transcript', async () => {
    const out = join(dir, 't.json');
    const r = await runCli(['caption', '--source', `file:${wav}`, '--endpoint', url, '--api-key', 'k-hostile-1', '--speed', '8', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(readFileSync(out, 'utf8')) as { segments: { text: string }[] };
    expect(json.segments.map((s) => s.text)).toEqual(HOSTILE.map((t) => t.trim().replace(/\s+/g, ' ')));
  });
});
