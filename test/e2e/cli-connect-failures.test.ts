/**
 * The built `earshot caption` against services it cannot reach, over real sockets on
 * 127.0.0.1: a port with nothing listening, a plain TCP server behind a wss:// URL, HTTP 404
 * and 431 answers to the upgrade, and a server that accepts TCP but never answers the
 * handshake. Each run must exit 1 (never 0) and say why, on the first failure, on every
 * status line after it and in the final message. Ctrl+C during a hanging handshake ends the
 * process within 2 s.
 */
import { mkdtempSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeWav } from '../fakes/wav-writer.js';
import { runCli, startCli } from './helpers/run-cli.js';

const KEY = 'fw-test-secret-key-4242';
let wav: string;
const servers: Array<Server | HttpServer> = [];
const sockets = new Set<Socket>();

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-connect-'));
  wav = join(dir, 'quiet.wav');
  // 4 s of faint noise: enough audio that a lost connection matters.
  const pcm = new Int16Array(16000 * 4).map((_, i) => ((i * 7919) % 200) - 100);
  writeWav(wav, pcm, 16000, 1);
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

async function listen<T extends Server | HttpServer>(server: T): Promise<number> {
  servers.push(server);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

/** A port that was just free: bound, then closed, so nothing listens there. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

function caption(endpoint: string, extra: string[] = []): string[] {
  return ['caption', '--source', `file:${wav}`, '--endpoint', endpoint, '--api-key', KEY, '--speed', '4', ...extra];
}

/** Exit 1, the cause in the final message and on every status line from the first failure on. */
function expectFailure(r: { code: number | null; stderr: string; stdout: string }, cause: string | RegExp, statusLines: boolean): void {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).not.toContain(KEY);
  const lines = r.stderr.trim().split('\n');
  const last = lines.at(-1)!;
  expect(last).toMatch(/^earshot: /);
  expect(last).toMatch(cause);
  if (!statusLines) return;
  const first = lines.findIndex((l) => /reconnecting/.test(l));
  expect(first, r.stderr).toBeGreaterThan(-1);
  const after = lines.slice(first, -1).filter((l) => /^\[earshot\] (reconnecting|connecting)/.test(l));
  expect(after.length).toBeGreaterThanOrEqual(3);
  for (const l of after) expect(l).toMatch(cause);
  expect(last).toMatch(/could not connect to the speech service/);
}

describe('earshot caption when the service cannot be reached', () => {
  it('nothing listening: "connection refused", exit 1', async () => {
    const port = await closedPort();
    const url = `ws://127.0.0.1:${port}/x`;
    const r = await runCli(caption(url));
    expectFailure(r, new RegExp(`cannot connect to ws://127\\.0\\.0\\.1:${port}/x: connection refused`), true);
  });

  it('TLS to a plain TCP server: says the server does not speak TLS, exit 1', async () => {
    const port = await listen(createServer((s) => s.on('data', () => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'))));
    const r = await runCli(caption(`wss://127.0.0.1:${port}/x`));
    expectFailure(r, new RegExp(`cannot connect to wss://127\\.0\\.0\\.1:${port}/x: TLS handshake failed: the server does not speak TLS`), true);
  });

  it('HTTP 404 to the upgrade: fatal at once with the status, exit 1', async () => {
    const server = createHttpServer();
    server.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nnot found'));
    const port = await listen(server);
    const r = await runCli(caption(`ws://127.0.0.1:${port}/nowhere`));
    expectFailure(r, new RegExp(`cannot connect to ws://127\\.0\\.0\\.1:${port}/nowhere: HTTP 404: not found`), false);
  });

  it('HTTP 431 to an oversized prompt: the status on every line, exit 1', async () => {
    // Node itself answers 431 when the request line and headers exceed maxHeaderSize.
    const port = await listen(createHttpServer({ maxHeaderSize: 2048 }));
    const r = await runCli(caption(`ws://127.0.0.1:${port}/x`, ['--prompt', 'word '.repeat(1000).trim()]));
    expectFailure(r, new RegExp(`cannot connect to ws://127\\.0\\.0\\.1:${port}/x: HTTP 431`), true);
  });

  it('a handshake that never completes: each attempt times out, then exit 1 naming the hang', async () => {
    const port = await listen(createServer(() => undefined));
    const r = await runCli(caption(`ws://127.0.0.1:${port}/x`), {}, 90_000);
    expectFailure(r, new RegExp(`cannot connect to ws://127\\.0\\.0\\.1:${port}/x: no answer within 10 s \\(the handshake never completed\\)`), true);
  }, 90_000);

  it('Ctrl+C during a handshake that hangs: the process ends within 2 s, exit 1, and says why', async () => {
    const port = await listen(createServer(() => undefined));
    const cli = startCli(['caption', '--source', `file:${wav}`, '--endpoint', `ws://127.0.0.1:${port}/x`, '--api-key', KEY, '--speed', '1']);
    await cli.waitFor(/source: file/, 20_000, 'stderr');
    const sentAt = Date.now();
    cli.child.kill('SIGINT');
    const r = await cli.result;
    const tookMs = Date.now() - sentAt;
    expect(tookMs, r.stderr).toBeLessThan(2000);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(new RegExp(`^earshot: .*cannot connect to ws://127\\.0\\.0\\.1:${port}/x: stopped after [\\d.]+ s without an answer`));
  });
});
