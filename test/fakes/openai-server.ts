/**
 * An OpenAI Realtime transcription-mode server for tests (stt-protocols.md §4), in two layers:
 * - OpenAiResponder: the protocol without sockets. `session.created` first; the GA
 *   `session.update` is checked (type transcription, audio/pcm at 24000, a known model, no
 *   turn_detection for models that reject it, not in a conversation session opened with
 *   `?model=`) and answered with `session.updated` or an `error` event. Base64 24 kHz audio
 *   goes to the tone-word recogniser. With server VAD each sentence is an item:
 *   speech_started → speech_stopped → committed → INCREMENTAL deltas → completed. Without
 *   it (gpt-realtime-whisper) deltas stream as words end and only `commit` completes the item.
 * - startOpenAiServer(): the same on a real `ws` server at 127.0.0.1:0 with the Bearer
 *   handshake (HTTP 401 or an in-band `invalid_api_key` echoing the key) and scripted faults.
 */
import { createServer, STATUS_CODES, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { ToneRecognizer, type RecognizedWord } from './tone-asr.js';

type Json = Record<string, unknown>;

export const OPENAI_TRANSCRIBE_MODELS = ['whisper-1', 'gpt-4o-transcribe', 'gpt-4o-mini-transcribe', 'gpt-4o-transcribe-diarize', 'gpt-realtime-whisper'];
const REJECT_TURN_DETECTION = ['gpt-realtime-whisper', 'gpt-live-transcribe'];

export interface FrameRecord {
  samples: number;
  at: number;
}

export class OpenAiResponder {
  readonly frames: FrameRecord[] = [];
  readonly texts: string[] = [];
  readonly violations: string[] = [];
  readonly recognizer = new ToneRecognizer({ rate: 24000 });
  configured: Json | undefined;
  private readonly chunks: Int16Array[] = [];
  private vad: { silenceMs: number } | null = null;
  private itemNo = 0;
  private previous: string | null = null;
  private first = 0;
  private started = false;
  private streamed = 0;
  private uncommitted = 0;
  private event = 0;

  constructor(
    private readonly now: () => number,
    /** The socket was opened with `?model=`: a conversation session (§4). */
    private readonly conversation = false,
  ) {}

  sessionCreated(): Json {
    return this.ev({ type: 'session.created', session: { id: 'sess_test', object: 'realtime.session', type: this.conversation ? 'realtime' : 'transcription' } });
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

  error(type: string, code: string, message: string, param: string | null = null): Json {
    return this.ev({ type: 'error', error: { type, code, message, param, event_id: null } });
  }

  onText(text: string): Json[] {
    this.texts.push(text);
    let msg: Json;
    try {
      msg = JSON.parse(text) as Json;
    } catch {
      return [this.error('invalid_request_error', 'invalid_json', 'The server could not parse the event.')];
    }
    switch (msg.type) {
      case 'session.update':
        return [this.onUpdate(msg.session as Json | undefined)];
      case 'input_audio_buffer.append': {
        if (!this.configured) this.violations.push('audio before a successful session.update');
        const bytes = Buffer.from(String(msg.audio ?? ''), 'base64');
        const pcm = new Int16Array(bytes.length >> 1);
        for (let i = 0; i < pcm.length; i++) pcm[i] = bytes.readInt16LE(i * 2);
        this.frames.push({ samples: pcm.length, at: this.now() });
        this.chunks.push(pcm);
        this.uncommitted += pcm.length;
        this.recognizer.feed(pcm);
        return this.vad ? this.vadUpdates(false) : this.streamDeltas();
      }
      case 'input_audio_buffer.commit': {
        if (this.uncommitted === 0) {
          return [this.error('invalid_request_error', 'input_audio_buffer_commit_empty', 'Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has 0.00ms of audio.')];
        }
        this.recognizer.flush();
        return this.vad ? this.vadUpdates(true) : [...this.streamDeltas(), ...this.commitItem(this.openWords())];
      }
      default:
        this.violations.push(`unexpected event ${String(msg.type)}`);
        return [this.error('invalid_request_error', 'unknown_event', `Unknown event type ${String(msg.type)}`)];
    }
  }

  private onUpdate(session: Json | undefined): Json {
    const input = ((session?.audio as Json | undefined)?.input ?? {}) as Json;
    const format = (input.format ?? {}) as Json;
    const tr = (input.transcription ?? {}) as Json;
    const model = String(tr.model ?? '');
    if (this.conversation || session?.type !== 'transcription') {
      return this.error('invalid_request_error', 'invalid_model', `Model "${model}" is not supported in this session type.`, 'session.audio.input.transcription.model');
    }
    if (format.type !== 'audio/pcm' || format.rate !== 24000) {
      return this.error('invalid_request_error', 'invalid_value', 'audio/pcm requires rate 24000.', 'session.audio.input.format');
    }
    if (!OPENAI_TRANSCRIBE_MODELS.includes(model)) {
      return this.error('invalid_request_error', 'invalid_model', `Model "${model}" is not supported for transcription.`, 'session.audio.input.transcription.model');
    }
    const td = input.turn_detection as Json | null | undefined;
    if (td && REJECT_TURN_DETECTION.includes(model)) {
      return this.error('invalid_request_error', 'invalid_value', `turn_detection is not supported with ${model}; set it to null.`, 'session.audio.input.turn_detection');
    }
    this.vad = td ? { silenceMs: typeof td.silence_duration_ms === 'number' ? td.silence_duration_ms : 500 } : null;
    this.configured = session;
    return this.ev({ type: 'session.updated', session });
  }

  private openWords(): RecognizedWord[] {
    return this.recognizer.words().slice(this.first);
  }

  private id(): string {
    return `item_${this.itemNo}`;
  }

  /** Server VAD: one item per sentence, transcribed after its commit. */
  private vadUpdates(commit: boolean): Json[] {
    const words = this.openWords();
    const out: Json[] = [];
    if (words.length > 0 && !this.started) {
      this.started = true;
      out.push(this.ev({ type: 'input_audio_buffer.speech_started', item_id: this.id(), audio_start_ms: ms(words[0]!.start) }));
    }
    if (!this.started) {
      if (commit) out.push(...this.commitItem([]));
      return out;
    }
    const last = words[words.length - 1]!;
    const silence = this.recognizer.position / this.recognizer.rate - last.end;
    if (commit || (words.every((w) => w.final) && silence * 1000 >= this.vad!.silenceMs)) {
      const id = this.id();
      out.push(this.ev({ type: 'input_audio_buffer.speech_stopped', item_id: id, audio_end_ms: ms(last.end) }));
      // Transcription runs after the commit; the deltas come between committed and completed.
      const [committed, completed] = this.commitItem(words);
      out.push(committed!, ...words.map((w, i) => this.delta(id, `${i ? ' ' : ''}${w.text}`)), completed!);
    }
    return out;
  }

  /** No VAD: deltas stream as words end; the item stays open until `commit`. */
  private streamDeltas(): Json[] {
    const out: Json[] = [];
    const words = this.openWords();
    while (this.streamed < words.length && words[this.streamed]!.final) {
      out.push(this.delta(this.id(), `${this.streamed ? ' ' : ''}${words[this.streamed]!.text}`));
      this.streamed++;
    }
    return out;
  }

  /** Deltas are increments: a client must append them per item_id. */
  private delta(itemId: string, delta: string): Json {
    return this.ev({ type: 'conversation.item.input_audio_transcription.delta', item_id: itemId, content_index: 0, delta });
  }

  private commitItem(words: RecognizedWord[]): Json[] {
    const id = this.id();
    const committed = this.ev({ type: 'input_audio_buffer.committed', item_id: id, previous_item_id: this.previous });
    const completed = this.ev({ type: 'conversation.item.input_audio_transcription.completed', item_id: id, content_index: 0, transcript: words.map((w) => w.text).join(' '), usage: { type: 'duration', seconds: 1 } });
    this.previous = id;
    this.itemNo++;
    this.first = this.recognizer.words().length;
    this.started = false;
    this.streamed = 0;
    this.uncommitted = 0;
    return [committed, completed];
  }

  private ev(m: Json): Json {
    return { event_id: `event_${++this.event}`, ...m };
  }
}

const ms = (s: number) => Math.round(s * 1000);

// ---------------------------------------------------------------- real server

export type OpenAiFault =
  | { kind: 'drop'; afterSamples: number }
  /** A server_error event, then a close with this code. */
  | { kind: 'error'; afterSamples: number; closeCode: number };

export interface OpenAiAttempt {
  handshake?: number;
  fault?: OpenAiFault;
}

export interface OpenAiServerOptions {
  apiKey: string;
  refuseKeyWith?: 'http' | 'inband';
  script?: (attempt: number) => OpenAiAttempt | undefined;
}

export interface OpenAiConnection {
  attempt: number;
  query: URLSearchParams;
  authorization: string | undefined;
  responder: OpenAiResponder;
  closeCode: number | undefined;
  fault: string | undefined;
}

export interface OpenAiServer {
  readonly url: string;
  readonly attempts: { attempt: number; status: number }[];
  readonly connections: OpenAiConnection[];
  violations(): string[];
  close(): Promise<void>;
}

export async function startOpenAiServer(options: OpenAiServerOptions): Promise<OpenAiServer> {
  const now = () => performance.now();
  const attempts: OpenAiServer['attempts'] = [];
  const connections: OpenAiConnection[] = [];
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
    const badKey = authorization !== `Bearer ${options.apiKey}`;
    const status = url.pathname !== '/v1/realtime' ? 404 : badKey && options.refuseKeyWith !== 'inband' ? 401 : script?.handshake ?? 101;
    attempts.push({ attempt, status });
    if (status !== 101) {
      const body = JSON.stringify({ error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } });
      socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, socket, attempt, url.searchParams, authorization, badKey, script?.fault));
  });

  function onConnection(ws: WebSocket, socket: Socket, attempt: number, query: URLSearchParams, authorization: string | undefined, badKey: boolean, fault: OpenAiFault | undefined): void {
    const responder = new OpenAiResponder(now, query.has('model'));
    const record: OpenAiConnection = { attempt, query, authorization, responder, closeCode: undefined, fault: undefined };
    connections.push(record);
    if (query.get('intent') !== 'transcription') responder.violations.push(`intent=${query.get('intent')}`);
    let silent = false;
    const send = (msgs: Json[]) => {
      if (!silent) for (const m of msgs) ws.send(JSON.stringify(m));
    };
    ws.on('error', () => undefined);
    ws.on('close', (code) => (record.closeCode ??= code));
    if (badKey) {
      // The worst case for a leak: the error text carries the whole key the client sent.
      const sent = (authorization ?? '').replace(/^Bearer /, '');
      send([responder.error('invalid_request_error', 'invalid_api_key', `Incorrect API key provided: ${sent}. You can find your API key in your account settings.`)]);
      silent = true;
      record.closeCode = 1008;
      ws.close(1008, 'invalid_api_key');
      return;
    }
    send([responder.sessionCreated()]);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (silent) return;
      if (isBinary) {
        responder.violations.push('binary frame');
        return send([responder.error('invalid_request_error', 'invalid_event', 'Binary frames are not supported.')]);
      }
      send(responder.onText(data.toString('utf8')));
      if (!fault || record.fault || responder.samples < fault.afterSamples) return;
      record.fault = fault.kind;
      silent = true;
      if (fault.kind === 'drop') {
        record.closeCode = 1006;
        socket.destroy();
      } else {
        ws.send(JSON.stringify(responder.error('server_error', 'server_error', 'The server had an error while processing your request.')));
        record.closeCode = fault.closeCode;
        ws.close(fault.closeCode, 'server_error');
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
