/**
 * A Together realtime transcription server for tests (stt-protocols.md §2), in two layers:
 * - TogetherResponder: the protocol without sockets. JSON text frames only; base64 audio in
 *   `input_audio_buffer.append` goes to the tone-word recogniser; server VAD (query
 *   parameters min_silence_duration_ms, max_speech_duration_s) cuts items; each delta is the
 *   CUMULATIVE text of its item (a client that appends shows every word several times);
 *   `completed` is final; `commit` finishes the open item. The server never closes.
 * - startTogetherServer(): the same on the shared loopback server (fake-ws-server.ts) with
 *   the Bearer handshake (HTTP 401 or an in-band `invalid_api_key` on a socket that stays
 *   open) and scripted faults: abrupt drop, in-band error, silent stall.
 */
import { startFakeWsServer, type AttemptScript, type ConnectionRecord, type FakeWsServer, type Json, type ServerOptions } from './fake-ws-server.js';
import { FakeResponder, pcmFromBytes } from './fake-responder.js';
import type { RecognizedWord } from './tone-asr.js';

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

export class TogetherResponder extends FakeResponder<FrameRecord> {
  readonly sentTypes: string[] = [];
  committed = false;
  private item = 0;
  private first = 0;
  private lastSignature = '';

  constructor(private readonly options: TogetherResponderOptions) {
    super(16000);
  }

  sessionCreated(model: string): Json {
    return { type: 'session.created', session: { id: 'session-test', object: 'realtime.session', modalities: ['audio'], model } };
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
      const pcm = pcmFromBytes(bytes);
      this.frames.push({ samples: pcm.length, at: this.options.now() });
      if (this.committed) this.violations.push('audio after the final commit');
      this.hear(pcm);
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

export type TogetherAttempt = AttemptScript<TogetherFault>;

export interface TogetherServerOptions extends Omit<TogetherResponderOptions, 'now' | 'minSilenceMs' | 'maxSpeechS'>, ServerOptions<TogetherAttempt> {
  /** A wrong key: HTTP 401, or accepted with an in-band `invalid_api_key` error and left open. */
  refuseKeyWith?: 'http' | 'inband';
}

export type TogetherConnection = ConnectionRecord<TogetherResponder>;
export type TogetherServer = FakeWsServer<TogetherConnection>;

export function startTogetherServer(options: TogetherServerOptions): Promise<TogetherServer> {
  const now = () => performance.now();
  return startFakeWsServer<TogetherConnection, TogetherAttempt>({
    path: '/v1/realtime',
    authorization: `Bearer ${options.apiKey}`,
    acceptBadKey: options.refuseKeyWith === 'inband',
    refusalBody: (status) => ({ error: { message: status === 401 ? 'Invalid API key provided' : `refused with ${status}`, code: status === 401 ? 'invalid_api_key' : 'error' } }),
    script: options.script,
    connection: (base) => {
      const num = (name: string) => (base.query.has(name) ? Number(base.query.get(name)) : undefined);
      return { ...base, responder: new TogetherResponder({ ...options, minSilenceMs: num('min_silence_duration_ms'), maxSpeechS: num('max_speech_duration_s'), now }) };
    },
    serve: (link, script) => {
      const { responder, query } = link.record;
      if (query.get('input_audio_format') !== 'pcm_s16le_16000') responder.violations.push(`input_audio_format=${query.get('input_audio_format')}`);
      if (link.badKey) {
        // Accepted, refused in-band, and (like every Together socket) never closed by the server.
        link.send([responder.error('Invalid API key provided', 'invalid_api_key')]);
        return link.mute();
      }
      link.send([responder.sessionCreated(query.get('model') ?? '')]);
      link.onMessage((data, isBinary) => {
        link.send(isBinary ? responder.onBinary() : responder.onText(data.toString('utf8')));
        const fault = link.due(script?.fault);
        if (fault?.kind === 'drop') link.drop();
        else if (fault?.kind === 'stall') link.mute();
        else if (fault?.kind === 'error') link.send([responder.error(fault.message, fault.code)]);
      });
    },
  });
}
