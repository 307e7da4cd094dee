/**
 * A Together realtime transcription server for tests (stt-protocols.md §2), in two layers:
 * - TogetherResponder: the protocol without sockets. JSON text frames only; base64 audio in
 *   `input_audio_buffer.append` goes to the tone-word recogniser; server VAD (query
 *   parameters min_silence_duration_ms, max_speech_duration_s) cuts items; each delta is the
 *   CUMULATIVE text of its item (a client that appends shows every word several times);
 *   `completed` is final; `commit` finishes the open item. The server never closes.
 * - startTogetherServer(): the same on a real `ws` server at 127.0.0.1:0 with the Bearer
 *   handshake (HTTP 401 or an in-band `invalid_api_key` on a socket that stays open) and
 *   scripted faults: abrupt drop, in-band error, silent stall.
 */
import { createServer, STATUS_CODES, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { ToneRecognizer, type RecognizedWord } from './tone-asr.js';

type Json = Record<string, unknown>;

export interface TogetherResponderOptions {
  minSilenceMs?: number;
  maxSpeechS?: number;
  /** Where partial text goes: the documented `delta`, or `transcript` as Pipecat reads it. */
  partialField?: 'delta' | 'transcript';
  /** Error shape: `{error:{message,code}}` (reference, Pipecat) or a top-level `message` (guide samples). */
  errorShape?: 'nested' | 'top-level';
  now: () => number;
}

export interface FrameRecord {
  samples: number;
  at: number;
}

export class TogetherResponder {
  readonly frames: FrameRecord[] = [];
  readonly texts: string[] = [];
  readonly violations: string[] = [];
  readonly recognizer = new ToneRecognizer({ rate: 16000 });
  readonly sentTypes: string[] = [];
  committed = false;
  private readonly chunks: Int16Array[] = [];
  private item = 0;
  private first = 0;
  private lastSignature = '';

  constructor(private readonly options: TogetherResponderOptions) {}

  sessionCreated(model: string): Json {
    return { type: 'session.created', session: { id: 'session-test', object: 'realtime.session', modalities: ['audio'], model } };
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

  error(message: string, code: string): Json {
    return this.options.errorShape === 'top-level' ? { type: 'error', message, code } : { type: 'error', error: { message, code } };
  }

  onBinary(): Json[] {
    this.violations.push('binary frame (Together takes base64 audio in JSON)');
    return [this.error('Binary frames are not supported', 'invalid_request_error')];
  }

  onText(text: string): Json[] {
    this.texts.push(text);
    let msg: Json;
    try {
      msg = JSON.parse(text) as Json;
    } catch {
      this.violations.push(`not JSON: ${text.slice(0, 40)}`);
      return [this.error('Invalid JSON', 'invalid_request_error')];
    }
    if (msg.type === 'input_audio_buffer.append' && typeof msg.audio === 'string') {
      const bytes = Buffer.from(msg.audio, 'base64');
      if (bytes.length % 2) this.violations.push(`append of ${bytes.length} bytes`);
      const pcm = new Int16Array(bytes.length >> 1);
      for (let i = 0; i < pcm.length; i++) pcm[i] = bytes.readInt16LE(i * 2);
      this.frames.push({ samples: pcm.length, at: this.options.now() });
      if (this.committed) this.violations.push('audio after the final commit');
      this.chunks.push(pcm);
      this.recognizer.feed(pcm);
      return this.track(this.updates(false));
    }
    if (msg.type === 'input_audio_buffer.commit') {
      this.committed = true;
      this.recognizer.flush();
      return this.track(this.updates(true));
    }
    this.violations.push(`unexpected message type ${String(msg.type)}`);
    return [this.error(`Unknown event type: ${String(msg.type)}`, 'invalid_request_error')];
  }

  private track(out: Json[]): Json[] {
    for (const m of out) this.sentTypes.push(String(m.type));
    return out;
  }

  private updates(commit: boolean): Json[] {
    const all = this.recognizer.words();
    const open = all.slice(this.first);
    const rate = this.recognizer.rate;
    const out: Json[] = [];
    const id = () => `item_${this.item}`;
    if (commit) {
      out.push({ type: 'input_audio_buffer.committed', item_id: id() });
      out.push(this.completed(open));
      return out;
    }
    if (open.length === 0) return out;
    // max_speech_duration_s: a long item is cut after its last final word.
    const finals = open.findIndex((w) => !w.final);
    const k = finals < 0 ? open.length : finals;
    if (k > 0 && open[k - 1]!.end - open[0]!.start >= (this.options.maxSpeechS ?? 5) && k < open.length) {
      out.push(this.completed(open.slice(0, k)));
      this.first += k;
      return out.concat(this.updates(false));
    }
    const last = open[open.length - 1]!;
    const silence = this.recognizer.position / rate - last.end;
    if (k === open.length && silence * 1000 >= (this.options.minSilenceMs ?? 500)) {
      out.push(this.completed(open));
      this.first = all.length;
      return out;
    }
    const text = open.map((w) => w.text).join(' ');
    const signature = `${this.item}|${text}`;
    if (signature === this.lastSignature) return out;
    this.lastSignature = signature;
    out.push({
      type: 'conversation.item.input_audio_transcription.delta',
      [this.options.partialField ?? 'delta']: text,
      item_id: id(),
      start: round(open[0]!.start),
      duration: round(last.end - open[0]!.start),
    });
    return out;
  }

  private completed(words: RecognizedWord[]): Json {
    const first = words[0];
    const last = words[words.length - 1];
    const msg: Json = {
      type: 'conversation.item.input_audio_transcription.completed',
      transcript: words.map((w) => w.text).join(' '),
      item_id: `item_${this.item}`,
    };
    if (first && last) Object.assign(msg, { start: round(first.start), duration: round(last.end - first.start) });
    this.item++;
    return msg;
  }
}

const round = (x: number) => Math.round(x * 10000) / 10000;

// ---------------------------------------------------------------- real server

export type TogetherFault =
  | { kind: 'drop'; afterSamples: number }
  /** Stop answering anything (pings too); the socket stays open. */
  | { kind: 'stall'; afterSamples: number }
  /** An in-band error; the socket stays open (the server never closes). */
  | { kind: 'error'; afterSamples: number; message: string; code: string };

export interface TogetherAttempt {
  handshake?: number;
  fault?: TogetherFault;
}

export interface TogetherServerOptions extends Omit<TogetherResponderOptions, 'now' | 'minSilenceMs' | 'maxSpeechS'> {
  apiKey: string;
  /** A wrong key: HTTP 401, or accepted with an in-band `invalid_api_key` error and left open. */
  refuseKeyWith?: 'http' | 'inband';
  script?: (attempt: number) => TogetherAttempt | undefined;
}

export interface TogetherConnection {
  attempt: number;
  query: URLSearchParams;
  authorization: string | undefined;
  responder: TogetherResponder;
  closeCode: number | undefined;
  closedBy: 'server' | 'client' | undefined;
  fault: string | undefined;
}

export interface TogetherServer {
  readonly url: string;
  readonly attempts: { attempt: number; status: number }[];
  readonly connections: TogetherConnection[];
  violations(): string[];
  close(): Promise<void>;
}

export async function startTogetherServer(options: TogetherServerOptions): Promise<TogetherServer> {
  const now = () => performance.now();
  const attempts: TogetherServer['attempts'] = [];
  const connections: TogetherConnection[] = [];
  const sockets = new Set<Socket>();
  // Pongs are sent by hand so a stalled connection can stop answering pings too.
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, autoPong: false });
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
    const badKey = authorization !== `Bearer ${options.apiKey}`;
    const status = url.pathname !== '/v1/realtime' ? 404 : badKey && options.refuseKeyWith !== 'inband' ? 401 : script?.handshake ?? 101;
    attempts.push({ attempt, status });
    if (status !== 101) {
      const body = JSON.stringify({ error: { message: status === 401 ? 'Invalid API key provided' : `refused with ${status}`, code: status === 401 ? 'invalid_api_key' : 'error' } });
      socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, socket, attempt, url.searchParams, authorization, badKey, script?.fault));
  });

  function onConnection(ws: WebSocket, socket: Socket, attempt: number, query: URLSearchParams, authorization: string | undefined, badKey: boolean, fault: TogetherFault | undefined): void {
    const num = (name: string) => (query.has(name) ? Number(query.get(name)) : undefined);
    const responder = new TogetherResponder({ ...options, minSilenceMs: num('min_silence_duration_ms'), maxSpeechS: num('max_speech_duration_s'), now });
    const record: TogetherConnection = { attempt, query, authorization, responder, closeCode: undefined, closedBy: undefined, fault: undefined };
    connections.push(record);
    if (query.get('input_audio_format') !== 'pcm_s16le_16000') responder.violations.push(`input_audio_format=${query.get('input_audio_format')}`);
    let silent = false;
    const send = (msgs: Json[]) => {
      if (!silent) for (const m of msgs) ws.send(JSON.stringify(m));
    };
    ws.on('error', () => undefined);
    ws.on('ping', (data) => {
      if (!silent) ws.pong(data);
    });
    ws.on('close', (code) => {
      record.closeCode ??= code;
      record.closedBy ??= 'client';
    });
    if (badKey) {
      // Accepted, refused in-band, and (like every Together socket) never closed by the server.
      silent = true;
      ws.send(JSON.stringify(responder.error('Invalid API key provided', 'invalid_api_key')));
      return;
    }
    send([responder.sessionCreated(query.get('model') ?? '')]);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (silent) return;
      send(isBinary ? responder.onBinary() : responder.onText(data.toString('utf8')));
      if (!fault || record.fault || responder.samples < fault.afterSamples) return;
      record.fault = fault.kind;
      if (fault.kind === 'drop') {
        silent = true;
        record.closedBy = 'server';
        record.closeCode = 1006;
        socket.destroy();
      } else if (fault.kind === 'stall') {
        // Not socket.pause(): ws resumes a paused socket whenever its receiver drains.
        silent = true;
      } else {
        send([responder.error(fault.message, fault.code)]);
      }
    });
  }

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/v1/realtime`,
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
