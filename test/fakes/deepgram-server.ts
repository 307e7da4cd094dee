/**
 * A Deepgram live `/v1/listen` server for tests (stt-protocols.md §5), in two layers:
 * - DeepgramResponder: the protocol without sockets. Binary linear16 goes to the tone-word
 *   recogniser; interim `Results` cover the open range [start, cursor) and share its `start`;
 *   after `endpointing` ms of silence the range is sent once more with is_final and
 *   speech_final and the next range starts at the cursor. `Finalize` flushes (from_finalize),
 *   `CloseStream` flushes, sends `Metadata` and closes with 1000.
 * - startDeepgramServer(): the same on a real `ws` server at 127.0.0.1:0 with the `Token`
 *   handshake (HTTP 401), the idle close (1011 NET-0001 when neither audio nor a TEXT
 *   KeepAlive arrives within `idleMs`, 10 s by default) and scripted faults.
 */
import { createServer, STATUS_CODES, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { ToneRecognizer, type RecognizedWord } from './tone-asr.js';

type Json = Record<string, unknown>;

export interface FrameRecord {
  samples: number;
  at: number;
}

export class DeepgramResponder {
  readonly frames: FrameRecord[] = [];
  readonly texts: string[] = [];
  readonly violations: string[] = [];
  readonly recognizer = new ToneRecognizer({ rate: 16000 });
  keepAlives = 0;
  closeStreamSeen = false;
  private readonly chunks: Int16Array[] = [];
  private first = 0;
  private rangeStart = 0;
  private lastSignature = '';

  constructor(
    private readonly now: () => number,
    /** Silence (ms) that ends an utterance; Deepgram's `endpointing`. */
    private readonly endpointingMs = 300,
  ) {}

  audio(): Int16Array {
    const out = new Int16Array(this.chunks.reduce((n, c) => n + c.length, 0));
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
    if (this.closeStreamSeen) this.violations.push('audio after CloseStream');
    if (bytes.byteLength % 2) this.violations.push(`frame of ${bytes.byteLength} bytes`);
    const pcm = new Int16Array(bytes.byteLength >> 1);
    pcm.set(new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + pcm.length * 2)));
    this.frames.push({ samples: pcm.length, at: this.now() });
    this.chunks.push(pcm);
    this.recognizer.feed(pcm);
    return this.results(false);
  }

  /** Returns the replies and whether the server now closes (after CloseStream). */
  onText(text: string): { send: Json[]; close: boolean } {
    this.texts.push(text);
    let msg: Json;
    try {
      msg = JSON.parse(text) as Json;
    } catch {
      this.violations.push(`text that is not JSON: ${text.slice(0, 40)}`);
      return { send: [], close: false };
    }
    switch (msg.type) {
      case 'KeepAlive':
        this.keepAlives++;
        return { send: [], close: false };
      case 'Finalize':
        this.recognizer.flush();
        return { send: this.results(true), close: false };
      case 'CloseStream': {
        this.closeStreamSeen = true;
        this.recognizer.flush();
        const send = this.results(true);
        send.push({ type: 'Metadata', transaction_key: 'deprecated', request_id: 'req-test', sha256: '0', created: new Date(0).toISOString(), duration: this.samples / 16000, channels: 1 });
        return { send, close: true };
      }
      default:
        this.violations.push(`unknown message ${text.slice(0, 40)}`);
        return { send: [], close: false };
    }
  }

  private results(flush: boolean): Json[] {
    const words = this.recognizer.words().slice(this.first);
    const cursor = this.recognizer.position / this.recognizer.rate;
    if (words.length === 0) return [];
    const last = words[words.length - 1]!;
    const endpoint = words.every((w) => w.final) && (flush || (cursor - last.end) * 1000 >= this.endpointingMs);
    if (endpoint) {
      const msg = this.result(words, cursor, true, !flush, flush);
      this.first += words.length;
      this.rangeStart = cursor;
      this.lastSignature = '';
      return [msg];
    }
    const signature = words.map((w) => `${w.text}${w.final ? '!' : ''}`).join(' ');
    if (signature === this.lastSignature) return [];
    this.lastSignature = signature;
    return [this.result(words, cursor, false, false, false)];
  }

  private result(words: RecognizedWord[], cursor: number, isFinal: boolean, speechFinal: boolean, fromFinalize: boolean): Json {
    return {
      type: 'Results',
      channel_index: [0, 1],
      start: round(this.rangeStart),
      duration: round(cursor - this.rangeStart),
      is_final: isFinal,
      speech_final: speechFinal,
      from_finalize: fromFinalize,
      channel: {
        alternatives: [{
          transcript: words.map((w) => w.text).join(' '),
          confidence: 0.98,
          words: words.map((w) => ({ word: w.text, start: round(w.start), end: round(w.end), confidence: 0.9, punctuated_word: w.text })),
        }],
      },
      metadata: { request_id: 'req-test', model_info: { name: 'general-nova-3', version: 'test', arch: 'nova-3' }, model_uuid: 'uuid-test' },
    };
  }
}

const round = (x: number) => Math.round(x * 10000) / 10000;

// ---------------------------------------------------------------- real server

export type DeepgramFault =
  | { kind: 'drop'; afterSamples: number }
  | { kind: 'close'; afterSamples: number; code: number; reason: string };

export interface DeepgramAttempt {
  handshake?: number;
  fault?: DeepgramFault;
}

export interface DeepgramServerOptions {
  apiKey: string;
  /** Close with 1011 NET-0001 after this long without audio or a text message. */
  idleMs?: number;
  script?: (attempt: number) => DeepgramAttempt | undefined;
}

export interface DeepgramConnection {
  attempt: number;
  query: URLSearchParams;
  authorization: string | undefined;
  responder: DeepgramResponder;
  closeCode: number | undefined;
  closedBy: 'server' | 'client' | undefined;
  fault: string | undefined;
  /** Longest gap between two client messages, in ms. */
  longestGapMs: number;
}

export interface DeepgramServer {
  readonly url: string;
  readonly attempts: { attempt: number; status: number }[];
  readonly connections: DeepgramConnection[];
  violations(): string[];
  close(): Promise<void>;
}

export async function startDeepgramServer(options: DeepgramServerOptions): Promise<DeepgramServer> {
  const now = () => performance.now();
  const attempts: DeepgramServer['attempts'] = [];
  const connections: DeepgramConnection[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const http = createServer((_req, res) => res.writeHead(426).end());
  http.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const attempt = attempts.length;
    const url = new URL(req.url ?? '/', 'http://localhost');
    const authorization = req.headers.authorization;
    const script = options.script?.(attempt);
    const status = url.pathname !== '/v1/listen' ? 404 : authorization !== `Token ${options.apiKey}` ? 401 : script?.handshake ?? 101;
    attempts.push({ attempt, status });
    if (status !== 101) {
      const body = JSON.stringify({ err_code: status === 401 ? 'INVALID_AUTH' : 'ERROR', err_msg: status === 401 ? 'Invalid credentials.' : `refused with ${status}`, request_id: 'req-test' });
      socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, socket, attempt, url.searchParams, authorization, script?.fault));
  });

  function onConnection(ws: WebSocket, socket: Socket, attempt: number, query: URLSearchParams, authorization: string | undefined, fault: DeepgramFault | undefined): void {
    const endpointing = Number(query.get('endpointing') ?? 10);
    const responder = new DeepgramResponder(now, Number.isFinite(endpointing) ? endpointing : 10);
    const record: DeepgramConnection = { attempt, query, authorization, responder, closeCode: undefined, closedBy: undefined, fault: undefined, longestGapMs: 0 };
    connections.push(record);
    for (const [name, value] of [['encoding', 'linear16'], ['sample_rate', '16000'], ['channels', '1']]) {
      if (query.get(name!) !== value) responder.violations.push(`${name}=${query.get(name!)}`);
    }
    let done = false;
    let lastHeard = now();
    let idle: NodeJS.Timeout | undefined;
    const closeWith = (code: number, reason: string) => {
      if (done) return;
      done = true;
      record.closedBy = 'server';
      record.closeCode = code;
      ws.close(code, reason);
    };
    const armIdle = () => {
      if (idle) {
        clearTimeout(idle);
        timers.delete(idle);
      }
      idle = setTimeout(() => closeWith(1011, 'NET-0001'), options.idleMs ?? 10_000);
      timers.add(idle);
    };
    const send = (msgs: Json[]) => {
      if (!done) for (const m of msgs) ws.send(JSON.stringify(m));
    };
    ws.on('error', () => undefined);
    ws.on('close', (code) => {
      record.closeCode ??= code;
      record.closedBy ??= 'client';
      if (idle) clearTimeout(idle);
    });
    armIdle();
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (done) return;
      const t = now();
      record.longestGapMs = Math.max(record.longestGapMs, t - lastHeard);
      lastHeard = t;
      armIdle();
      if (!isBinary) {
        const r = responder.onText(data.toString('utf8'));
        send(r.send);
        if (r.close) closeWith(1000, '');
        return;
      }
      send(responder.onBinary(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
      if (!fault || record.fault || responder.samples < fault.afterSamples) return;
      record.fault = fault.kind;
      if (fault.kind === 'drop') {
        done = true;
        record.closedBy = 'server';
        record.closeCode = 1006;
        socket.destroy();
      } else {
        closeWith(fault.code, fault.reason);
      }
    });
  }

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/v1/listen`,
    attempts,
    connections,
    violations: () => connections.flatMap((c) => c.responder.violations.map((v) => `connection ${c.attempt}: ${v}`)),
    close: async () => {
      for (const t of timers) clearTimeout(t);
      for (const client of wss.clients) client.terminate();
      for (const s of sockets) s.destroy();
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
