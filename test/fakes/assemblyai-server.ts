/**
 * An AssemblyAI Universal Streaming v3 server for tests (stt-protocols.md §3), in two layers:
 * - AssemblyAiResponder: the protocol without sockets. Checks every binary message holds
 *   50-1000 ms and that audio does not arrive faster than real time (beyond an allowance),
 *   answering both with the `Error` frame + close 3007 the real server sends; turns the
 *   tone-word recogniser's words into `Turn` messages (same turn_order replaces, integer-ms
 *   word times, end_of_turn, optional formatted turn); `Terminate` → last turn,
 *   `Termination`, close 1000; bad JSON → 3006.
 * - startAssemblyAiServer(): the same on a real `ws` server at 127.0.0.1:0 with the raw-key
 *   handshake (HTTP 401 or close 1008), and scripted faults per attempt: a close before
 *   `Begin`, session expiry 3008 mid-stream, abrupt drop, any close code.
 */
import { createServer, STATUS_CODES, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { ToneRecognizer, type RecognizedWord } from './tone-asr.js';

type Json = Record<string, unknown>;

export interface Reply {
  send: Json[];
  /** Close the socket after sending (with an `Error` frame already in `send` when due). */
  close?: { code: number; reason: string };
}

export interface AssemblyAiResponderOptions {
  rate?: number;
  formatTurns?: boolean;
  /** Silence after a turn's last final word that ends the turn. */
  turnSilenceMs?: number;
  /** Allowed real-time multiple (tests run at --speed N). */
  speed?: number;
  /** Seconds of audio the client may be ahead of real time (catch-up after a reconnect). */
  aheadAllowanceSec?: number;
  now: () => number;
}

export interface FrameRecord {
  samples: number;
  at: number;
}

export class AssemblyAiResponder {
  readonly frames: FrameRecord[] = [];
  readonly texts: string[] = [];
  readonly violations: string[] = [];
  readonly recognizer: ToneRecognizer;
  readonly turns: Json[] = [];
  terminated = false;
  private readonly chunks: Int16Array[] = [];
  private readonly rate: number;
  private readonly openedAt: number;
  private turnOrder = 0;
  private turnFirst = 0;
  private lastSignature = '';

  constructor(private readonly options: AssemblyAiResponderOptions) {
    this.rate = options.rate ?? 16000;
    this.recognizer = new ToneRecognizer({ rate: this.rate });
    this.openedAt = options.now();
  }

  begin(model: string): Json {
    return { type: 'Begin', id: 'sess-test', expires_at: Math.floor(Date.now() / 1000) + 10800, configuration: { model, mode: 'balanced', api_version: '1.0.0' } };
  }

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

  onBinary(bytes: Uint8Array): Reply {
    const now = this.options.now();
    const samples = Math.floor(bytes.byteLength / 2);
    this.frames.push({ samples, at: now });
    if (this.terminated) this.violations.push('audio after Terminate');
    const ms = (samples / this.rate) * 1000;
    if (ms < 50 - 1e-9 || ms > 1000 + 1e-9) {
      return this.error(3007, `Input Duration Error: Input Duration Violation: ${ms.toFixed(1)} ms. Expected between 50 and 1000 ms`);
    }
    const pcm = new Int16Array(samples);
    pcm.set(new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + samples * 2)));
    this.chunks.push(pcm);
    this.recognizer.feed(pcm);
    const audioSec = this.recognizer.position / this.rate;
    const elapsedSec = (now - this.openedAt) / 1000;
    if (audioSec > elapsedSec * (this.options.speed ?? 1) + (this.options.aheadAllowanceSec ?? 5)) {
      return this.error(3007, `Audio Transmission Rate Exceeded: Received ${audioSec.toFixed(1)} sec. audio in ${elapsedSec.toFixed(1)} sec`);
    }
    return { send: this.turnUpdates(false) };
  }

  onText(text: string): Reply {
    this.texts.push(text);
    let msg: Json;
    try {
      msg = JSON.parse(text) as Json;
      if (!msg || typeof msg !== 'object' || Array.isArray(msg)) throw new Error('not an object');
    } catch {
      return this.error(3006, 'Invalid JSON');
    }
    switch (msg.type) {
      case 'Terminate': {
        this.terminated = true;
        this.recognizer.flush();
        const send = this.turnUpdates(true);
        send.push({ type: 'Termination', audio_duration_seconds: Math.round(this.samples / this.rate), session_duration_seconds: Math.round((this.options.now() - this.openedAt) / 1000) });
        return { send, close: { code: 1000, reason: '' } };
      }
      case 'KeepAlive':
      case 'UpdateConfiguration':
        return { send: [] };
      case 'ForceEndpoint':
        return { send: this.turnUpdates(true) };
      default:
        return this.error(3006, 'Invalid Message Type');
    }
  }

  /** The `Error` frame, then the close with the same code (§3.4). */
  error(code: number, message: string): Reply {
    const reason = Buffer.byteLength(message) <= 123 ? message : 'See Error message for details';
    return { send: [{ type: 'Error', error_code: code, error: message }], close: { code, reason } };
  }

  private turnUpdates(force: boolean): Json[] {
    const all = this.recognizer.words();
    const words = all.slice(this.turnFirst);
    if (words.length === 0) return [];
    const last = words[words.length - 1]!;
    const silence = this.recognizer.position / this.rate - last.end;
    const endOfTurn = words.every((w) => w.final) && (force || silence * 1000 >= (this.options.turnSilenceMs ?? 500));
    const signature = `${this.turnOrder}|${words.map((w) => `${w.text}${w.final ? '!' : ''}`).join(' ')}|${endOfTurn}`;
    if (signature === this.lastSignature) return [];
    this.lastSignature = signature;
    const out: Json[] = [this.turn(words, endOfTurn, false)];
    if (endOfTurn) {
      if (this.options.formatTurns) out.push(this.turn(words, true, true));
      this.turnOrder++;
      this.turnFirst = all.length;
    }
    this.turns.push(...out);
    return out;
  }

  private turn(words: RecognizedWord[], endOfTurn: boolean, formatted: boolean): Json {
    const finals = words.filter((w) => w.final).map((w) => w.text).join(' ');
    const transcript = formatted ? `${finals.charAt(0).toUpperCase()}${finals.slice(1)}.` : finals;
    return {
      type: 'Turn',
      turn_order: this.turnOrder,
      turn_is_formatted: formatted,
      end_of_turn: endOfTurn,
      transcript,
      end_of_turn_confidence: endOfTurn ? 0.9 : 0.01,
      utterance: endOfTurn ? transcript : '',
      words: words.map((w) => ({ start: Math.round(w.start * 1000), end: Math.round(w.end * 1000), text: w.text, confidence: 0.9, word_is_final: w.final })),
    };
  }
}

// ---------------------------------------------------------------- real server

export type AssemblyAiFault =
  /** Destroy the TCP socket (client sees 1006). */
  | { kind: 'drop'; afterSamples: number }
  /** The 3-hour limit: `Error` 3008, close 3008. */
  | { kind: 'expire'; afterSamples: number }
  /** An `Error` frame with this code, then the close. */
  | { kind: 'error'; afterSamples: number; code: number; message: string }
  /** A close with no `Error` frame. */
  | { kind: 'close'; afterSamples: number; code: number; reason?: string };

export interface AssemblyAiAttempt {
  handshake?: number;
  /** Accept the socket, then close before `Begin` (e.g. 1008 or 3009). */
  closeBeforeBegin?: { code: number; reason: string };
  fault?: AssemblyAiFault;
}

export interface AssemblyAiServerOptions extends Omit<AssemblyAiResponderOptions, 'now'> {
  apiKey: string;
  /** How a wrong key is refused: HTTP 401 at the handshake, or accepted then closed with 1008. */
  refuseKeyWith?: 'http' | 'close';
  script?: (attempt: number) => AssemblyAiAttempt | undefined;
}

export interface AssemblyAiConnection {
  attempt: number;
  query: URLSearchParams;
  authorization: string | undefined;
  responder: AssemblyAiResponder;
  closeCode: number | undefined;
  closedBy: 'server' | 'client' | undefined;
  fault: string | undefined;
}

export interface AssemblyAiServer {
  /** ws://127.0.0.1:PORT/v3/ws */
  readonly url: string;
  readonly attempts: { attempt: number; status: number; authorization: string | undefined; query: URLSearchParams }[];
  readonly connections: AssemblyAiConnection[];
  violations(): string[];
  close(): Promise<void>;
}

export async function startAssemblyAiServer(options: AssemblyAiServerOptions): Promise<AssemblyAiServer> {
  const now = () => performance.now();
  const attempts: AssemblyAiServer['attempts'] = [];
  const connections: AssemblyAiConnection[] = [];
  const sockets = new Set<Socket>();
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
    const badKey = authorization !== options.apiKey;
    const status = url.pathname !== '/v3/ws' ? 404 : badKey && options.refuseKeyWith !== 'close' ? 401 : script?.handshake ?? 101;
    attempts.push({ attempt, status, authorization, query: url.searchParams });
    if (status !== 101) {
      const body = JSON.stringify({ error: status === 401 ? 'Invalid API key' : `refused with ${status}` });
      socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const closeEarly = badKey ? { code: 1008, reason: 'Unauthorized Connection: Invalid API key' } : script?.closeBeforeBegin;
      onConnection(ws, socket, attempt, url.searchParams, authorization, closeEarly, script?.fault);
    });
  });

  function onConnection(
    ws: WebSocket, socket: Socket, attempt: number, query: URLSearchParams, authorization: string | undefined,
    closeEarly: { code: number; reason: string } | undefined, fault: AssemblyAiFault | undefined,
  ): void {
    const responder = new AssemblyAiResponder({ ...options, formatTurns: query.get('format_turns') === 'true' || options.formatTurns, now });
    const record: AssemblyAiConnection = { attempt, query, authorization, responder, closeCode: undefined, closedBy: undefined, fault: undefined };
    connections.push(record);
    checkQuery(query, responder.violations);
    let done = false;
    const reply = (r: Reply) => {
      if (done) return;
      for (const m of r.send) ws.send(JSON.stringify(m));
      if (r.close) {
        done = true;
        record.closedBy = 'server';
        record.closeCode = r.close.code;
        ws.close(r.close.code, r.close.reason);
      }
    };
    ws.on('error', () => undefined);
    ws.on('close', (code) => {
      record.closeCode ??= code;
      record.closedBy ??= 'client';
    });
    if (closeEarly) return reply({ send: [], close: closeEarly });
    reply({ send: [responder.begin(query.get('speech_model') ?? 'universal-3-5-pro')] });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (done) return;
      if (!isBinary) return reply(responder.onText(data.toString('utf8')));
      reply(responder.onBinary(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
      if (done || !fault || record.fault || responder.samples < fault.afterSamples) return;
      record.fault = fault.kind;
      switch (fault.kind) {
        case 'drop':
          done = true;
          record.closedBy = 'server';
          record.closeCode = 1006;
          socket.destroy();
          return;
        case 'expire':
          return reply(responder.error(3008, 'Session Expired: Maximum session duration exceeded'));
        case 'error':
          return reply(responder.error(fault.code, fault.message));
        case 'close':
          return reply({ send: [], close: { code: fault.code, reason: fault.reason ?? '' } });
      }
    });
  }

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/v3/ws`,
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

/** What the real server needs in the query (§3.2); it silently ignores the rest. */
function checkQuery(q: URLSearchParams, violations: string[]): void {
  if (q.getAll('speech_model').length !== 1) violations.push(`speech_model sent ${q.getAll('speech_model').length} times`);
  if (q.get('sample_rate') !== '16000') violations.push(`sample_rate=${q.get('sample_rate')}`);
  if (q.get('encoding') !== 'pcm_s16le') violations.push(`encoding=${q.get('encoding')}`);
  const terms = q.get('keyterms_prompt');
  if (terms !== null) {
    try {
      const parsed: unknown = JSON.parse(terms);
      if (!Array.isArray(parsed)) violations.push('keyterms_prompt is not a JSON array');
    } catch {
      violations.push('keyterms_prompt is not JSON');
    }
  }
}
