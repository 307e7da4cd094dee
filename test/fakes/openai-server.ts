/**
 * An OpenAI Realtime transcription-mode server for tests (stt-protocols.md §4), in two layers:
 * - OpenAiResponder: the protocol without sockets. `session.created` first; the GA
 *   `session.update` is checked (type transcription, audio/pcm at 24000, a known model, no
 *   turn_detection for models that reject it, not in a conversation session opened with
 *   `?model=`) and answered with `session.updated` or an `error` event. Base64 24 kHz audio
 *   goes to the tone-word recogniser. With server VAD each sentence is an item:
 *   speech_started → speech_stopped → committed → INCREMENTAL deltas → completed. Without
 *   it (gpt-realtime-whisper) deltas stream as words end and only `commit` completes the item.
 * - startOpenAiServer(): the same on the shared loopback server (fake-ws-server.ts) with the
 *   Bearer handshake (HTTP 401 or an in-band `invalid_api_key` echoing the key) and
 *   scripted faults.
 */
import { startFakeWsServer, type AttemptScript, type ConnectionRecord, type FakeWsServer, type Json, type ServerOptions } from './fake-ws-server.js';
import { FakeResponder, pcmFromBytes } from './fake-responder.js';
import type { RecognizedWord } from './tone-asr.js';

export const OPENAI_TRANSCRIBE_MODELS = ['whisper-1', 'gpt-4o-transcribe', 'gpt-4o-mini-transcribe', 'gpt-4o-transcribe-diarize', 'gpt-realtime-whisper'];
const REJECT_TURN_DETECTION = ['gpt-realtime-whisper', 'gpt-live-transcribe'];

export interface FrameRecord {
  samples: number;
  at: number;
}

export class OpenAiResponder extends FakeResponder<FrameRecord> {
  configured: Json | undefined;
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
  ) {
    super(24000);
  }

  sessionCreated(): Json {
    return this.ev({ type: 'session.created', session: { id: 'sess_test', object: 'realtime.session', type: this.conversation ? 'realtime' : 'transcription' } });
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
        const pcm = pcmFromBytes(Buffer.from(String(msg.audio ?? ''), 'base64'));
        this.frames.push({ samples: pcm.length, at: this.now() });
        this.uncommitted += pcm.length;
        this.hear(pcm);
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

export type OpenAiAttempt = AttemptScript<OpenAiFault>;

export interface OpenAiServerOptions extends ServerOptions<OpenAiAttempt> {
  refuseKeyWith?: 'http' | 'inband';
}

export type OpenAiConnection = ConnectionRecord<OpenAiResponder>;
export type OpenAiServer = FakeWsServer<OpenAiConnection>;

export function startOpenAiServer(options: OpenAiServerOptions): Promise<OpenAiServer> {
  const now = () => performance.now();
  return startFakeWsServer<OpenAiConnection, OpenAiAttempt>({
    path: '/v1/realtime',
    authorization: `Bearer ${options.apiKey}`,
    acceptBadKey: options.refuseKeyWith === 'inband',
    refusalBody: () => ({ error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } }),
    script: options.script,
    connection: (base) => ({ ...base, responder: new OpenAiResponder(now, base.query.has('model')) }),
    serve: (link, script) => {
      const { responder, query, authorization } = link.record;
      if (query.get('intent') !== 'transcription') responder.violations.push(`intent=${query.get('intent')}`);
      if (link.badKey) {
        // The worst case for a leak: the error text carries the whole key the client sent.
        const sent = (authorization ?? '').replace(/^Bearer /, '');
        link.send([responder.error('invalid_request_error', 'invalid_api_key', `Incorrect API key provided: ${sent}. You can find your API key in your account settings.`)]);
        return link.close(1008, 'invalid_api_key');
      }
      link.send([responder.sessionCreated()]);
      link.onMessage((data, isBinary) => {
        if (isBinary) {
          responder.violations.push('binary frame');
          return link.send([responder.error('invalid_request_error', 'invalid_event', 'Binary frames are not supported.')]);
        }
        link.send(responder.onText(data.toString('utf8')));
        const fault = link.due(script?.fault);
        if (fault?.kind === 'drop') link.drop();
        else if (fault?.kind === 'error') {
          link.send([responder.error('server_error', 'server_error', 'The server had an error while processing your request.')]);
          link.close(fault.closeCode, 'server_error');
        }
      });
    },
  });
}
