/**
 * The browser overlay, measured in real Chromium (Debian's, driven by playwright-core):
 *
 * (a) Latency from a provider message to its text in the overlay's DOM, through the whole
 *     chain: a Fireworks-protocol server (the test FireworksResponder on a real `ws` socket,
 *     in this process, timestamping each result as it sends it) → the real `earshot caption`
 *     process (session, caption store, diff coalescer, overlay server) → SSE → the overlay
 *     page, where a MutationObserver timestamps every change of the caption text.
 * (b) The page's memory over one simulated hour of captions, fed through the real overlay
 *     server (in this process) time-accelerated; JS heap and DOM node count after a forced GC.
 *
 * Not pass/fail: prints markdown tables for `npm run bench`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { WebSocketServer } from 'ws';
import type { CaptionDiff, Segment } from '../../shared/captions.js';
import { DEFAULT_STYLE } from '../../shared/overlay-style.js';
import { startOverlayServer } from '../../main/overlay/overlay-server.js';
import { seededRandom } from '../fakes/fake-clock.js';
import { FireworksResponder } from '../fakes/fireworks-server.js';
import { makeToneSpeech } from '../fakes/tone-asr.js';
import { writeWav } from '../fakes/wav-writer.js';

const OUT = resolve(import.meta.dirname, '../..');
const CLI = join(OUT, 'main/cli/earshot.js');
const RENDERER = join(OUT, 'renderer');
const CHROMIUM = process.env.EARSHOT_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Wall-clock milliseconds with sub-millisecond resolution. The page uses the same formula
 * (performance.timeOrigin + performance.now()): both are anchored to the system's wall clock
 * at their origin and advance monotonically after it. What is left between the two processes
 * (the origins are read at different moments of possible NTP slewing) is measured with
 * round trips and subtracted; see clockOffset().
 */
const wallNow = () => performance.timeOrigin + performance.now();

/** The page's document, for predicates that run in the page (this file is compiled without DOM types). */
type PageDoc = { querySelector(selector: string): { textContent: string | null } | null };

/** Waits in the page for `selector`'s text to contain `text` (a function, not a string: the page's CSP forbids eval). */
function waitForText(page: Page, selector: string, text: string, exact = false): Promise<unknown> {
  return page.waitForFunction(([sel, want, whole]) => {
    const got = (globalThis as unknown as { document: PageDoc }).document.querySelector(sel)?.textContent ?? '';
    return whole ? got === want : got.includes(want);
  }, [selector, text, exact] as const, { timeout: 20_000 });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** Page clock minus this process's clock, from the round trip with the smallest RTT. */
async function clockOffset(page: Page, rounds = 25): Promise<{ offsetMs: number; uncertaintyMs: number }> {
  let best = { offsetMs: 0, uncertaintyMs: Infinity };
  for (let i = 0; i < rounds; i++) {
    const t0 = wallNow();
    const p = await page.evaluate('performance.timeOrigin + performance.now()') as number;
    const t1 = wallNow();
    if ((t1 - t0) / 2 < best.uncertaintyMs) best = { offsetMs: p - (t0 + t1) / 2, uncertaintyMs: (t1 - t0) / 2 };
  }
  return best;
}

// ------------------------------------------------------------------ (a) latency

interface Sent { at: number; text: string }

/** A Fireworks-protocol server on 127.0.0.1 that notes when each result leaves, and its text. */
async function startTimedFireworks(apiKey: string): Promise<{ url: string; sent: Sent[]; close(): Promise<void> }> {
  const sent: Sent[] = [];
  const sockets = new Set<Socket>();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const http = createServer((_req, res) => res.writeHead(426).end());
  http.on('connection', (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    if (req.headers.authorization !== apiKey) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const responder = new FireworksResponder({ now: () => performance.now() });
      ws.on('error', () => undefined);
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        const replies = isBinary
          ? responder.onBinary(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
          : responder.onText(data.toString('utf8'));
        for (const r of replies) {
          const payload = JSON.stringify(r);
          if (typeof r.text === 'string') sent.push({ at: wallNow(), text: r.text.split(/\s+/).filter(Boolean).join(' ') });
          ws.send(payload);
        }
      });
    });
  });
  await new Promise<void>((ok) => http.listen(0, '127.0.0.1', ok));
  return {
    url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/v1/audio/transcriptions/streaming`,
    sent,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      for (const s of sockets) s.destroy();
      wss.close();
      await new Promise<void>((ok) => http.close(() => ok()));
    },
  };
}

/** In the page before its scripts: every change of the caption text, with the page's wall time. */
const RECORD_CAPTIONS = `(() => {
  const log = [];
  window.__captionLog = log;
  let last = '';
  new MutationObserver(() => {
    const at = performance.timeOrigin + performance.now();
    let s = '';
    for (const line of document.querySelectorAll('.captions .line')) s += ' ' + line.textContent;
    const text = s.split(/\\s+/).filter(Boolean).join(' ');
    if (text !== last) { last = text; log.push([at, text]); }
  }).observe(document, { subtree: true, childList: true, characterData: true });
})();`;

export interface LatencyStats {
  samples: number;
  unmatched: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  min: number;
  offsetMs: number;
  offsetUncertaintyMs: number;
  offsetDriftMs: number;
  speed: number;
}

export async function measureLatency(browser: Browser, opts: { words?: number; speed?: number } = {}): Promise<LatencyStats> {
  const words = opts.words ?? 160;
  const speed = opts.speed ?? 4;
  const dir = mkdtempSync(join(tmpdir(), 'earshot-overlay-bench-'));
  // A long lead-in: the page is open and live before the first word is spoken.
  const speech = makeToneSpeech({ words, seed: 17, rate: 16000, leadInMs: 4000 * speed });
  const wav = join(dir, 'speech.wav');
  writeWav(wav, speech.samples, 16000, 1);
  const key = 'bench-overlay-key-0000';
  const server = await startTimedFireworks(key);
  const child = spawn(process.execPath, [CLI, 'caption', '--source', `file:${wav}`, '--endpoint', server.url, '--api-key', key, '--speed', String(speed), '--overlay-port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<number>((res) => child.on('close', (c) => res(c ?? -1)));
  const context = await browser.newContext({ viewport: { width: 1920, height: 600 } });
  try {
    let stderr = '';
    const url = await new Promise<string>((res, rej) => {
      const t = setTimeout(() => rej(new Error(`no overlay URL from earshot:\n${stderr}`)), 20_000);
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString('utf8');
        const m = /overlay: (http:\/\/\S+)/.exec(stderr);
        if (m) { clearTimeout(t); res(m[1]!); }
      });
      void exited.then(() => rej(new Error(`earshot exited early:\n${stderr}`)));
    });
    const page = await context.newPage();
    await page.addInitScript({ content: RECORD_CAPTIONS });
    // Small text and ten lines: the whole transcript stays in the DOM, so each text is findable.
    await page.goto(`${url}&fontSize=14&lines=10`);
    await waitForText(page, '.status .label', 'Live', true);
    const before = await clockOffset(page);
    const cutoff = wallNow();
    const code = await exited;
    if (code !== 0) throw new Error(`earshot exited with ${code}:\n${stderr}`);
    const after = await clockOffset(page);
    const log = await page.evaluate('window.__captionLog') as [number, string][];

    // The first message with each new text; interim results that repeat it change nothing on screen.
    const latencies: number[] = [];
    let unmatched = 0;
    let previous = '';
    let from = 0;
    for (const s of server.sent) {
      if (s.text === '' || s.text === previous) continue;
      previous = s.text;
      if (s.at < cutoff) continue;
      let i = from;
      while (i < log.length && !(log[i]![1] === s.text || log[i]![1].startsWith(`${s.text} `))) i++;
      if (i === log.length) { unmatched++; continue; }
      from = i;
      latencies.push(log[i]![0] - before.offsetMs - s.at);
    }
    latencies.sort((a, b) => a - b);
    return {
      samples: latencies.length, unmatched,
      p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99),
      max: latencies[latencies.length - 1]!, min: latencies[0]!,
      offsetMs: before.offsetMs, offsetUncertaintyMs: Math.max(before.uncertaintyMs, after.uncertaintyMs),
      offsetDriftMs: after.offsetMs - before.offsetMs, speed,
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await context.close();
    await server.close();
  }
}

// ------------------------------------------------------------------ (b) memory

const VOCAB = ('the of and to in is that it was for on are as with his they at be this from have or by one had not but what all were when we there can an your which their said if do will each about how up out them then she many some so these would other into has more her two like him see time could no make than first been its who now people my made over did down only way find use may water long little very after words called just where most know').split(' ');

interface TimedEvent { at: number; diff: CaptionDiff }

/** One hour of captions: a segment every ~2.5 s, its words revealed in 3-5 partial steps, then final. */
function simulatedHour(seconds: number): TimedEvent[] {
  const random = seededRandom(42);
  const events: TimedEvent[] = [];
  let rev = 0;
  for (let k = 0, start = 0; start < seconds; k++, start += 2 + random()) {
    const n = 6 + Math.floor(random() * 8);
    const text = Array.from({ length: n }, () => VOCAB[Math.floor(random() * VOCAB.length)]!);
    const steps = 3 + Math.floor(random() * 3);
    for (let s = 1; s <= steps + 1; s++) {
      const final = s > steps;
      const shown = final ? [...text, `(${k}).`] : text.slice(0, Math.ceil((s / steps) * n));
      const seg: Segment = { id: `1:${k}`, text: shown.join(' '), start, end: start + (final ? 1.9 : (s / steps) * 1.8), final };
      events.push({ at: start + (s / (steps + 1)) * 1.9, diff: { rev: ++rev, upserts: [seg], removals: [] } });
    }
  }
  return events;
}

export interface MemoryRow { minute: number; diffs: number; heapUsedMb: number; heapTotalMb: number; nodes: number; elements: number; listeners: number }

export async function measureMemory(browser: Browser, opts: { wallSeconds?: number } = {}): Promise<{ rows: MemoryRow[]; eventsSent: number; slowDropped: number; accel: number }> {
  const hour = 3600;
  const accel = hour / (opts.wallSeconds ?? 40);
  const events = simulatedHour(hour);
  const segments = new Map<string, Segment>();
  let rev = 0;
  const server = await startOverlayServer({
    port: 0,
    staticDir: RENDERER,
    getSnapshot: () => ({ rev, segments: [...segments.values()] }),
    getStyle: () => DEFAULT_STYLE,
  });
  const context = await browser.newContext({ viewport: { width: 960, height: 270 } });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    server.publish('status', { kind: 'live', provider: 'fireworks' });
    await page.goto(server.url);
    await waitForText(page, '.status .label', 'Live', true);

    const rows: MemoryRow[] = [];
    const measure = async (minute: number, diffs: number) => {
      for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = await cdp.send('Performance.getMetrics');
      const m = new Map(metrics.map((x) => [x.name, x.value]));
      const elements = await page.evaluate('document.getElementsByTagName("*").length') as number;
      rows.push({
        minute, diffs, elements,
        heapUsedMb: (m.get('JSHeapUsedSize') ?? 0) / 2 ** 20,
        heapTotalMb: (m.get('JSHeapTotalSize') ?? 0) / 2 ** 20,
        nodes: m.get('Nodes') ?? 0,
        listeners: m.get('JSEventListeners') ?? 0,
      });
    };
    await measure(0, 0);

    let next = 0;
    for (const minute of [15, 30, 60]) {
      const until = minute * 60;
      const wallStart = performance.now();
      const simStart = next < events.length ? events[next]!.at : until;
      while (next < events.length && events[next]!.at <= until) {
        const due = simStart + ((performance.now() - wallStart) / 1000) * accel;
        while (next < events.length && events[next]!.at <= Math.min(due, until)) {
          const { diff } = events[next++]!;
          rev = diff.rev;
          for (const s of diff.upserts) segments.set(s.id, s);
          server.publish('captions:diff', diff);
          server.publish('level', { rmsDb: -20 - 10 * Math.random(), peakDb: -8 });
        }
        await sleep(4);
      }
      // Let the page catch up with the last final segment before reading its memory.
      const lastText = events[next - 1]!.diff.upserts[0]!.text;
      const marker = lastText.slice(lastText.lastIndexOf(' ') + 1);
      await waitForText(page, '.captions', marker);
      await measure(minute, next);
    }
    const stats = server.stats();
    return { rows, eventsSent: stats.eventsSent, slowDropped: stats.slowClientsDropped, accel };
  } finally {
    await context.close();
    await server.close();
  }
}

// ------------------------------------------------------------------ report

export async function runOverlayBench(): Promise<string> {
  const browser = await launch();
  try {
    const lat = await measureLatency(browser);
    const mem = await measureMemory(browser);
    const f = (n: number, d = 1) => n.toFixed(d);
    return [
      'Server message → text in the overlay DOM, through the browser overlay: Fireworks-protocol server → `earshot caption --overlay-port 0` (separate process) → SSE → Chromium page (MutationObserver).',
      `Tone speech, ${lat.speed}× real time; one sample per result that changes the text (after the page was live). Both ends read wall time as performance.timeOrigin + performance.now(); the page-minus-bench clock offset (${f(lat.offsetMs, 2)} ms, ±${f(lat.offsetUncertaintyMs, 2)} ms from the best of 25 round trips, drift ${f(lat.offsetDriftMs, 2)} ms over the run) is subtracted.`,
      '',
      '| samples | p50 ms | p90 ms | p99 ms | max ms | min ms | not found in DOM |',
      '|---|---|---|---|---|---|---|',
      `| ${lat.samples} | ${f(lat.p50)} | ${f(lat.p90)} | ${f(lat.p99)} | ${f(lat.max)} | ${f(lat.min)} | ${lat.unmatched} |`,
      '',
      `Overlay page memory over one simulated hour (a segment every 2-3 s, 3-5 partial updates each, level updates with every diff), fed through the real overlay server at ${f(mem.accel, 0)}× real time; ${mem.eventsSent} SSE events, ${mem.slowDropped} slow-client drops. Read after three forced GCs (CDP HeapProfiler.collectGarbage, Performance.getMetrics).`,
      '',
      '| simulated min | diffs | JS heap used MB | JS heap total MB | DOM nodes | elements | JS listeners |',
      '|---|---|---|---|---|---|---|',
      ...mem.rows.map((r) => `| ${r.minute} | ${r.diffs} | ${f(r.heapUsedMb, 2)} | ${f(r.heapTotalMb, 2)} | ${r.nodes} | ${r.elements} | ${r.listeners} |`),
    ].join('\n');
  } finally {
    await browser.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await runOverlayBench());
}
