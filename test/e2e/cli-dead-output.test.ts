/**
 * The terminal or the disk failing must not cost the transcript. The built `earshot`
 * process runs against the Fireworks-faithful server while its stdout or stderr dies in
 * every way a person meets: a reader that quits (`| head -1`), a stream closed from the
 * start, a full disk (`> /dev/full`), both at once, and the terminal hanging up (SIGHUP).
 * Each time the process must keep captioning, exit 0 and leave the whole --out transcript.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { startFireworksServer, type FireworksServer } from '../fakes/fireworks-server.js';
import { makeToneSpeech, type ToneSpeech } from '../fakes/tone-asr.js';
import { writeWav } from '../fakes/wav-writer.js';
import { assertBuilt, CLI, ROOT, startCli } from './helpers/run-cli.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const KEY = 'fw-dead-output-key-4321';
let dir: string;
let speech: ToneSpeech;
let wav: string;
const servers: FireworksServer[] = [];

beforeAll(() => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'earshot-dead-out-'));
  speech = makeToneSpeech({ words: 16, seed: 5, rate: 16000 });
  wav = join(dir, 'speech.wav');
  writeWav(wav, speech.samples, 16000, 1);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

type Sink = 'pipe' | 'closed' | 'reader-quits-after-one-line' | 'dev-full';

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  stdoutLines: number;
}

/**
 * Starts the CLI with stdout and stderr each sent to `sink`. `hangUp` sends SIGHUP once the
 * first caption line is out (seen on a readable stream, or in the autosaved --out file).
 */
async function run(stdoutSink: Sink, stderrSink: Sink, out: string, opts: { speed: number; hangUp?: 'once' | 'twice' }): Promise<Run & { server: FireworksServer }> {
  const server = await startFireworksServer({ apiKey: KEY });
  servers.push(server);
  const files: number[] = [];
  const stdio = (sink: Sink): 'pipe' | number => {
    if (sink !== 'dev-full') return 'pipe';
    const fd = openSync('/dev/full', 'w');
    files.push(fd);
    return fd;
  };
  const child: ChildProcess = spawn(process.execPath, [CLI, 'caption', '--source', `file:${wav}`, '--endpoint', server.url, '--api-key', KEY, '--speed', String(opts.speed), '--out', out], {
    cwd: ROOT,
    env: { ...process.env, FIREWORKS_API_KEY: undefined } as NodeJS.ProcessEnv,
    stdio: ['ignore', stdio(stdoutSink), stdio(stderrSink)],
  });
  for (const fd of files) closeSync(fd);
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  let stderr = '';
  let stdoutLines = 0;
  let firstLine!: () => void;
  const sawFirstLine = new Promise<void>((resolve) => (firstLine = resolve));
  if (stdoutSink === 'closed') child.stdout!.destroy();
  if (stderrSink === 'closed') child.stderr!.destroy();
  if (child.stdout && stdoutSink !== 'closed') {
    child.stdout.on('data', (d: Buffer) => {
      stdoutLines += d.toString('utf8').split('\n').length - 1;
      if (stdoutLines > 0) {
        firstLine();
        // Like `head -1`: read one line, then close the pipe.
        if (stdoutSink === 'reader-quits-after-one-line') child.stdout!.destroy();
      }
    });
  }
  if (child.stderr && stderrSink !== 'closed') child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  if (opts.hangUp) {
    // With no readable stdout, the autosaved --out shows when the first caption is final.
    const poll = setInterval(() => {
      if (existsSync(out) && JSON.parse(readFileSync(out, 'utf8')).segments.length > 0) firstLine();
    }, 100);
    await sawFirstLine;
    clearInterval(poll);
    child.kill('SIGHUP');
    // The kernel and the shell both send one when a terminal closes.
    if (opts.hangUp === 'twice') setTimeout(() => child.kill('SIGHUP'), 20);
  }
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  clearTimeout(killer);
  return { code, signal, stderr, stdoutLines, server };
}

function transcriptText(out: string): string {
  return (JSON.parse(readFileSync(out, 'utf8')) as { text: string }).text;
}

describe('earshot caption with stdout or stderr gone', () => {
  const cases: [string, Sink, Sink][] = [
    ['stdout read by a reader that quits after one line (| head -1)', 'reader-quits-after-one-line', 'pipe'],
    ['stdout closed from the start', 'closed', 'pipe'],
    ['stdout on a full disk (> /dev/full)', 'dev-full', 'pipe'],
    ['stderr closed from the start', 'pipe', 'closed'],
    ['stderr on a full disk (2> /dev/full)', 'pipe', 'dev-full'],
    ['both closed (a closed terminal)', 'closed', 'closed'],
    ['stdout quits after one line, stderr on a full disk', 'reader-quits-after-one-line', 'dev-full'],
  ];
  it.each(cases)('%s: keeps captioning, exits 0 and writes the whole --out', async (name, stdoutSink, stderrSink) => {
    const out = join(dir, `${name.replace(/\W+/g, '-')}.json`);
    const r = await run(stdoutSink, stderrSink, out, { speed: 6 });
    expect(r.signal).toBeNull();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/EPIPE|ENOSPC|Unhandled|at .*\.js:\d+/);
    // Every word of the file: captioning went on after the stream died.
    expect(transcriptText(out)).toBe(speech.text);
    expect(r.server.connections[0]!.responder.finalTraceSeen).toBe(true);
    if (stdoutSink === 'pipe') expect(r.stdoutLines).toBeGreaterThan(1);
  });
});

describe('earshot caption on SIGHUP', () => {
  it.each<[string, Sink, Sink, 'once' | 'twice']>([
    ['with the terminal still readable', 'pipe', 'pipe', 'once'],
    ['after the terminal is gone (both streams closed)', 'closed', 'closed', 'once'],
    ['sent twice, as a closing terminal does', 'closed', 'pipe', 'twice'],
  ])('%s: stops like Ctrl+C, keeps the open caption, exits 0', async (name, stdoutSink, stderrSink, hangUp) => {
    const out = join(dir, `hup-${name.replace(/\W+/g, '-')}.json`);
    const r = await run(stdoutSink, stderrSink, out, { speed: 1, hangUp });
    expect(r.signal, r.stderr).toBeNull();
    expect(r.code, r.stderr).toBe(0);
    if (stderrSink === 'pipe') expect(r.stderr).toMatch(/SIGHUP: stopping capture/);
    const text = transcriptText(out);
    // A prefix of the words (nothing invented or doubled), including the flushed tail, and
    // not the whole file: the run stopped early.
    expect(speech.text.startsWith(text)).toBe(true);
    expect(text.length).toBeLessThan(speech.text.length);
    const responder = r.server.connections[0]!.responder;
    expect(responder.finalTraceSeen).toBe(true);
    // The open caption is kept: the transcript holds every word the server heard, the ones
    // it only finished on the final flush included (quitting at once would drop those).
    expect(text).toBe(responder.recognizer.words().map((w) => w.text).join(' '));
  });
});

describe('earshot caption when the hang-up comes twice and the service is slow to flush', () => {
  it('waits for the flush instead of quitting, so the open caption is kept', async () => {
    // Answers the first audio with an open caption and the final flush only after 600 ms.
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/v1/audio/transcriptions/streaming' });
    await new Promise((resolve) => wss.once('listening', resolve));
    const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/v1/audio/transcriptions/streaming`;
    const result = (final: boolean) => JSON.stringify({
      task: 'transcribe', language: 'en', text: ' still open',
      segments: [{ id: 0, text: ' still open', start: 0.1, end: 0.9, words: [{ word: ' still', start: 0.1, end: 0.4, is_final: final }, { word: ' open', start: 0.5, end: 0.9, is_final: final }] }],
    });
    wss.on('connection', (ws) => {
      let answered = false;
      ws.on('message', (data, binary) => {
        if (binary && !answered) {
          answered = true;
          ws.send(result(false));
        } else if (!binary && JSON.parse(data.toString()).trace_id === 'final') {
          setTimeout(() => {
            ws.send(result(true));
            ws.send(JSON.stringify({ object: 'stt.output.trace', trace_id: 'final' }));
          }, 600);
        }
      });
    });
    try {
      const out = join(dir, 'hup-twice-slow.json');
      const cli = startCli(['caption', '--source', `file:${wav}`, '--endpoint', url, '--api-key', KEY, '--speed', '1', '--out', out]);
      await cli.waitFor(/streaming to/, 20_000, 'stderr');
      await sleep(500);
      cli.child.kill('SIGHUP');
      await sleep(100);
      cli.child.kill('SIGHUP');
      const r = await cli.result;
      expect(r.code, r.stderr).toBe(0);
      expect(transcriptText(out)).toBe('still open');
    } finally {
      for (const c of wss.clients) c.terminate();
      await new Promise((resolve) => wss.close(resolve));
    }
  });
});
