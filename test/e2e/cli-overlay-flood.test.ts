/**
 * The browser overlay is a server anyone who can reach the port may connect to. A flood of
 * 2000 idle TCP sockets against the overlay of a real `earshot caption` process must not
 * use up its file descriptors (read from /proc/PID/fd), must not stop the --out autosave,
 * and must not lock real pages out for good: sockets past the cap are closed at once, idle
 * ones when their time is up, and the overlay answers again.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFireworksServer, type FireworksServer } from '../fakes/fireworks-server.js';
import { makeToneSpeech, type ToneSpeech } from '../fakes/tone-asr.js';
import { writeWav } from '../fakes/wav-writer.js';
import { startCli } from './helpers/run-cli.js';

const KEY = 'fw-flood-key-1357';
const FLOOD = 2000;
let dir: string;
let speech: ToneSpeech;
let wav: string;
let server: FireworksServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-flood-'));
  // About 40 s of speech at real time: the run outlasts the flood and the idle timeout.
  speech = makeToneSpeech({ words: 60, seed: 9, rate: 16000 });
  wav = join(dir, 'speech.wav');
  writeWav(wav, speech.samples, 16000, 1);
  server = await startFireworksServer({ apiKey: KEY });
});

afterAll(async () => {
  await server.close();
});

const fdCount = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function savedSegments(out: string): number {
  try {
    return (JSON.parse(readFileSync(out, 'utf8')) as { segments: unknown[] }).segments.length;
  } catch {
    return 0;
  }
}

async function until(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function status(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      res.resume();
      resolve(res.statusCode!);
    }).on('error', reject).setTimeout(5000, function (this: { destroy(): void }) {
      this.destroy();
    });
  });
}

describe('earshot caption --overlay-port under a socket flood', () => {
  it('stays up with bounded descriptors, keeps autosaving, and serves pages again', { timeout: 120_000 }, async () => {
    const out = join(dir, 'flood.json');
    const cli = startCli(['caption', '--source', `file:${wav}`, '--endpoint', server.url, '--api-key', KEY, '--speed', '1',
      '--out', out, '--overlay-port', '0'], {}, 110_000);
    const overlayUrl = (await cli.waitFor(/http:\/\/127\.0\.0\.1:\d+\/overlay\?token=\S+/, 20_000, 'stderr'));
    const url = new URL(overlayUrl);
    const pid = cli.child.pid!;
    await until('the first autosave', () => existsSync(out) && savedSegments(out) > 0, 20_000);
    const baseline = fdCount(pid);

    const sockets: Socket[] = [];
    let closed = 0;
    let settled = 0;
    for (let i = 0; i < FLOOD; i++) {
      const s = connect(Number(url.port), '127.0.0.1');
      let done = false;
      const settle = () => {
        if (!done) settled++;
        done = true;
      };
      s.on('connect', settle);
      s.on('close', settle);
      s.on('error', () => undefined);
      s.on('close', () => closed++);
      s.resume();
      sockets.push(s);
      if (i % 200 === 199) await sleep(20);
    }
    await until('every flood socket to connect or close', () => settled >= FLOOD, 20_000);
    await sleep(500);

    // Bounded: the cap (64) plus what the run itself holds, nowhere near 2000.
    const during = fdCount(pid);
    expect(during - baseline, `fds went from ${baseline} to ${during}`).toBeLessThan(100);
    expect(cli.child.exitCode).toBeNull();
    // Everything past the cap was closed by the server at once.
    expect(closed).toBeGreaterThanOrEqual(FLOOD - 100);

    // Autosave goes on while the flood holds its sockets.
    const savedBefore = savedSegments(out);
    await until('the autosave to catch a new caption during the flood', () => savedSegments(out) > savedBefore, 15_000);

    // Idle sockets are closed when their time is up, and a real page gets in again.
    await until('the idle flood sockets to be closed', () => closed >= FLOOD, 15_000);
    expect(await status(`${url.origin}/api/snapshot?token=${url.searchParams.get('token')}`)).toBe(200);
    expect(cli.child.exitCode).toBeNull();

    for (const s of sockets) s.destroy();
    cli.child.kill('SIGINT');
    const r = await cli.result;
    expect(r.code, r.stderr).toBe(0);
    const text = (JSON.parse(readFileSync(out, 'utf8')) as { text: string }).text;
    expect(speech.text.startsWith(text)).toBe(true);
  });
});

describe('earshot caption --overlay-host beyond this machine', () => {
  it('warns that the overlay is exposed and prints a URL that works from another machine', async () => {
    const cli = startCli(['caption', '--source', `file:${wav}`, '--endpoint', server.url, '--api-key', KEY, '--speed', '1',
      '--overlay-port', '0', '--overlay-host', '0.0.0.0'], {}, 60_000);
    const warning = await cli.waitFor(/warning: the overlay listens on 0\.0\.0\.0.*/, 20_000, 'stderr');
    expect(warning).toMatch(/other machines/);
    const remote = /from another machine open (http:\/\/\S+)/.exec(warning)?.[1];
    expect(remote, warning).toBeDefined();
    expect(remote).not.toMatch(/\/\/(0\.0\.0\.0|127\.)/);
    expect(await status(remote!.replace('/overlay?', '/api/snapshot?'))).toBe(200);
    cli.child.kill('SIGINT');
    expect((await cli.result).code).toBe(0);
  });

  it('says nothing of the kind for the default loopback bind', async () => {
    const cli = startCli(['caption', '--source', `file:${wav}`, '--endpoint', server.url, '--api-key', KEY, '--speed', '1', '--overlay-port', '0'], {}, 60_000);
    await cli.waitFor(/overlay: http:\/\/127\.0\.0\.1:\d+/, 20_000, 'stderr');
    cli.child.kill('SIGINT');
    const r = await cli.result;
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/other machines/);
  });
});
