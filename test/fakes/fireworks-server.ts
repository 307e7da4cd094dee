/**
 * A Fireworks-faithful streaming server for tests (stt-protocols.md §1), in two layers:
 * - FireworksResponder: the protocol without sockets. Feeds binary PCM to the tone-word
 *   recogniser and answers with verbose_json results (full segment list, words with
 *   is_final, session-relative times), answers the final trace / legacy checkpoint, records
 *   every frame and notes protocol violations. Usable over a FakeLink (attachFireworksResponder).
 * - startFireworksServer(): the same on a real `ws` server at 127.0.0.1:0 with the handshake
 *   (Authorization header, 401), query parsing and scripted faults: abrupt drop, close
 *   with a code, handshake refusal, silent stall, in-band error.
 */
import { createServer, STATUS_CODES, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Clock } from '../../main/util/clock.js';
import type { WireMessage } from '../../main/stt/transport.js';
import type { FakeLink } from './fake-transport.js';
import { groupSentences, ToneRecognizer, type RecognizedWord } from './tone-asr.js';

export interface FireworksResponderOptions {
  rate?: number;
  /** How segment ids are written: 3, "3" or "seg_3". */
  idStyle?: 'number' | 'string' | 'seg';
  /** Every Nth result with two or more segments leaves out a trailing non-final segment. */
  retractEvery?: number;
  /** How the final trace is answered: current `stt.output.trace` or legacy checkpoint echo. */
  echo?: 'trace' | 'checkpoint' | 'none';
  /** Interim results while a word is open, every this much audio. */
  interimMs?: number;
  now?: () => number;
}

export interface FrameRecord {
  bytes: number;
  at: number;
}

type Json = Record<string, unknown>;

export class FireworksResponder {
  readonly frames: FrameRecord[] = [];
  readonly texts: string[] = [];
  readonly violations: string[] = [];
  readonly recognizer: ToneRecognizer;
  /** Result messages sent, including the final one. */
  results = 0;
  finalTraceSeen = false;
  private readonly chunks: Int16Array[] = [];
  private readonly rate: number;
  private shortFramePending = false;
  private lastSignature = '';

  constructor(private readonly options: FireworksResponderOptions = {}) {
    this.rate = options.rate ?? 16000;
    this.recognizer = new ToneRecognizer({ rate: this.rate });
  }

  /** All audio received, in order. */
  audio(): Int16Array {
    const total = this.chunks.reduce((n, c) => n + c.length, 0);
    const out = new Int16Array(total);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  get samples(): number {
    return this.recognizer.position;
  }

  onBinary(bytes: Uint8Array): Json[] {
    const now = this.options.now?.() ?? 0;
    this.frames.push({ bytes: bytes.byteLength, at: now });
    if (this.finalTraceSeen) this.violations.push('audio after the final trace');
    if (bytes.byteLength % 2) this.violations.push(`frame of ${bytes.byteLength} bytes is not whole 16-bit samples`);
    const ms = (bytes.byteLength / 2 / this.rate) * 1000;
    if (this.shortFramePending) this.violations.push('a frame shorter than 50 ms was not the last one');
    this.shortFramePending = ms < 50 - 1e-9;
    if (ms > 400 + 1e-9) this.violations.push(`frame of ${ms.toFixed(1)} ms is longer than 400 ms`);
    const copy = new Uint8Array(bytes.byteLength - (bytes.byteLength % 2));
    copy.set(bytes.subarray(0, copy.byteLength));
    const pcm = new Int16Array(copy.buffer);
    this.chunks.push(pcm);
    this.recognizer.feed(pcm);
    return this.maybeResult();
  }

  onText(text: string): Json[] {
    this.texts.push(text);
    let msg: Json;
    try {
      msg = JSON.parse(text) as Json;
    } catch {
      this.violations.push(`text that is not JSON: ${text.slice(0, 60)}`);
      return [];
    }
    if (msg.object === 'stt.input.trace' && typeof msg.trace_id === 'string') {
      if (msg.trace_id !== 'final') return [{ event_id: String(msg.event_id ?? ''), object: 'stt.output.trace', trace_id: msg.trace_id }];
      return this.finalAnswer(
        this.options.echo === 'checkpoint' ? { checkpoint_id: 'final' } : { event_id: `srv_${String(msg.event_id ?? '')}`, object: 'stt.output.trace', trace_id: 'final' },
      );
    }
    if ('checkpoint_id' in msg) {
      return msg.checkpoint_id === 'final' ? this.finalAnswer({ checkpoint_id: 'final' }) : [{ checkpoint_id: msg.checkpoint_id }];
    }
    if (msg.object === 'stt.state.clear') return [{ event_id: 'srv_clear', object: 'stt.state.cleared', reset_id: msg.reset_id }];
    this.violations.push(`unknown message: ${text.slice(0, 60)}`);
    return [];
  }

  private finalAnswer(echo: Json): Json[] {
    this.finalTraceSeen = true;
    this.shortFramePending = false;
    this.recognizer.flush();
    const out = [this.result(this.recognizer.words(), false)];
    if (this.options.echo !== 'none') out.push(echo);
    return out;
  }

  private maybeResult(): Json[] {
    const words = this.recognizer.words();
    const open = words.find((w) => !w.final);
    const step = ((this.options.interimMs ?? 200) / 1000) * this.rate;
    const signature = `${words.map((w) => `${w.text}${w.final ? '!' : ''}`).join(' ')}|${open ? Math.floor((open.end * this.rate) / step) : ''}`;
    if (signature === this.lastSignature || words.length === 0) return [];
    this.lastSignature = signature;
    const every = this.options.retractEvery ?? 0;
    return [this.result(words, every > 0 && (this.results + 1) % every === 0)];
  }

  private result(words: RecognizedWord[], retractLast: boolean): Json {
    this.results++;
    let groups = groupSentences(words);
    const last = groups[groups.length - 1];
    if (retractLast && groups.length >= 2 && last && last.some((w) => !w.final)) groups = groups.slice(0, -1);
    const wire = (w: RecognizedWord) => ({
      word: ` ${w.text}`,
      language: 'en',
      probability: 0.99,
      hallucination_score: 0.01,
      start: round(w.start),
      end: round(w.end),
      is_final: w.final,
    });
    const segments = groups.map((g, i) => ({
      id: this.options.idStyle === 'string' ? String(i) : this.options.idStyle === 'seg' ? `seg_${i}` : i,
      text: g.map((w) => ` ${w.text}`).join(''),
      language: 'en',
      start: round(g[0]!.start),
      end: round(g[g.length - 1]!.end),
      words: g.map(wire),
    }));
    return {
      task: 'transcribe',
      language: 'en',
      text: segments.map((s) => s.text).join(''),
      words: groups.flat().map(wire),
      segments,
    };
  }
}

const round = (x: number) => Math.round(x * 10000) / 10000;

/** Plays a Fireworks server over a FakeLink; replies arrive after `latencyMs` on `clock`. */
export function attachFireworksResponder(link: FakeLink, clock: Clock, options: FireworksResponderOptions & { latencyMs?: number } = {}): FireworksResponder {
  const responder = new FireworksResponder({ now: () => clock.now(), ...options });
  const deliver = (replies: Json[]) => {
    if (replies.length === 0) return;
    clock.setTimeout(() => replies.forEach((r) => link.receive(r)), options.latencyMs ?? 0);
  };
  link.onClientSend = (data: WireMessage, binary: boolean) => {
    deliver(binary ? responder.onBinary(data as Uint8Array) : responder.onText(data as string));
  };
  return responder;
}

// ---------------------------------------------------------------- real server

export type Fault =
  /** Destroy the TCP socket: no close frame (client sees 1006). */
  | { kind: 'drop'; afterSamples: number; midWord?: boolean }
  | { kind: 'close'; afterSamples: number; code: number; reason?: string; midWord?: boolean }
  /** Stop reading and answering (pings included): a half-open link. */
  | { kind: 'stall'; afterSamples: number; midWord?: boolean }
  | { kind: 'error'; afterSamples: number; error: string | object; thenClose?: number; midWord?: boolean };

export interface AttemptScript {
  /** Refuse the handshake with this HTTP status. */
  handshake?: number;
  fault?: Fault;
}

export interface FireworksServerOptions extends FireworksResponderOptions {
  apiKey: string;
  /** What to do on connection attempt n (0-based, counting refused ones). */
  script?: (attempt: number) => AttemptScript | undefined;
}

export interface AttemptRecord {
  attempt: number;
  at: number;
  status: number;
  authorization: string | undefined;
  query: URLSearchParams;
}

export interface ConnectionRecord {
  attempt: number;
  query: URLSearchParams;
  responder: FireworksResponder;
  openedAt: number;
  closedAt: number | undefined;
  closeCode: number | undefined;
  fault: string | undefined;
}

export interface FireworksServer {
  /** ws://127.0.0.1:PORT/v1/audio/transcriptions/streaming */
  readonly url: string;
  readonly attempts: AttemptRecord[];
  readonly connections: ConnectionRecord[];
  /** Every protocol violation seen on any connection. */
  violations(): string[];
  close(): Promise<void>;
}

const PATH = '/v1/audio/transcriptions/streaming';

export async function startFireworksServer(options: FireworksServerOptions): Promise<FireworksServer> {
  const now = () => performance.now();
  const attempts: AttemptRecord[] = [];
  const connections: ConnectionRecord[] = [];
  const sockets = new Set<Socket>();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const http = createServer((_req, res) => res.writeHead(426).end());
  http.on('connection', (s: Socket) => {
    // Clients reset connections on purpose (terminate): never an uncaught error here.
    s.on('error', () => undefined);
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const refuse = (socket: Socket, status: number, body: string) => {
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  };

  http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const attempt = attempts.length;
    const url = new URL(req.url ?? '/', 'http://localhost');
    const authorization = req.headers.authorization;
    const script = options.script?.(attempt);
    const status =
      url.pathname !== PATH ? 404 : authorization !== options.apiKey ? 401 : script?.handshake ?? 101;
    attempts.push({ attempt, at: now(), status, authorization, query: url.searchParams });
    if (status !== 101) {
      refuse(socket, status, JSON.stringify({ error: status === 401 ? 'unauthorized: invalid API key' : `refused with ${status}` }));
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, socket, attempt, url.searchParams, script?.fault));
  });

  function onConnection(ws: WebSocket, socket: Socket, attempt: number, query: URLSearchParams, fault: Fault | undefined): void {
    const responder = new FireworksResponder({ ...options, now });
    const record: ConnectionRecord = { attempt, query, responder, openedAt: now(), closedAt: undefined, closeCode: undefined, fault: undefined };
    connections.push(record);
    let silent = false;
    const send = (replies: Json[]) => {
      if (silent) return;
      for (const r of replies) ws.send(JSON.stringify(r));
    };
    ws.on('error', () => undefined);
    ws.on('close', (code) => {
      record.closedAt = now();
      record.closeCode = code;
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (silent) return;
      if (!isBinary) return send(responder.onText(data.toString('utf8')));
      send(responder.onBinary(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
      if (!fault || record.fault || responder.samples < fault.afterSamples) return;
      if (fault.midWord && !responder.recognizer.inWord) return;
      record.fault = fault.kind;
      switch (fault.kind) {
        case 'drop':
          silent = true;
          socket.destroy();
          return;
        case 'close':
          silent = true;
          ws.close(fault.code, fault.reason ?? '');
          return;
        case 'stall':
          silent = true;
          socket.pause();
          // ws resumes a paused socket when its receiver drains; a half-open link stays silent.
          socket.resume = () => socket;
          return;
        case 'error':
          ws.send(JSON.stringify({ error: fault.error }));
          if (fault.thenClose !== undefined) {
            silent = true;
            ws.close(fault.thenClose, 'error');
          }
          return;
      }
    });
  }

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}${PATH}`,
    attempts,
    connections,
    violations: () => connections.flatMap((c) => c.responder.violations.map((v) => `connection ${c.attempt}: ${v}`)),
    close: async () => {
      for (const client of wss.clients) client.terminate();
      for (const s of sockets) s.destroy();
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
