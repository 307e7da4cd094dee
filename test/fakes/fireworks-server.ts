/**
 * A Fireworks-faithful streaming server for tests (stt-protocols.md §1), in two layers:
 * - FireworksResponder: the protocol without sockets. Feeds binary PCM to the tone-word
 *   recogniser (or the one its options make) and answers with verbose_json results (full segment list, words with
 *   is_final, session-relative times), answers the final trace / legacy checkpoint, records
 *   every frame and notes protocol violations. Usable over a FakeLink (attachFireworksResponder).
 * - startFireworksServer(): the same on the shared loopback server (fake-ws-server.ts) with
 *   the handshake (Authorization header, 401) and scripted faults: abrupt drop, close with
 *   a code, handshake refusal, silent stall, in-band error.
 */
import type { Clock } from '../../main/util/clock.js';
import type { WireMessage } from '../../main/stt/transport.js';
import type { FakeLink } from './fake-transport.js';
import {
  startFakeWsServer,
  type AttemptRecord,
  type AttemptScript as WsAttemptScript,
  type ConnectionRecord as WsConnection,
  type FakeWsServer,
  type Json,
  type ServerOptions,
} from './fake-ws-server.js';
import { FakeResponder, pcmFromBytes, type RecognizerFactory } from './fake-responder.js';
import { groupSentences, type RecognizedWord } from './tone-asr.js';

export interface FireworksResponderOptions {
  /** The language results say they heard (default en). */
  language?: string;
  rate?: number;
  /** How segment ids are written: 3, "3" or "seg_3". */
  idStyle?: 'number' | 'string' | 'seg';
  /** Every Nth result with two or more segments leaves out a trailing non-final segment. */
  retractEvery?: number;
  /** How the final trace is answered: current `stt.output.trace` or legacy checkpoint echo. */
  echo?: 'trace' | 'checkpoint' | 'none';
  /** Interim results while a word is open, every this much audio. */
  interimMs?: number;
  /**
   * Send only the newest N segments (ids unchanged) instead of the whole list. Segments a
   * message leaves out stay as the client holds them (stt-protocols.md §1.6), so this is
   * valid Fireworks; hour-long runs use it so that the fake's O(n²) traffic is not what
   * limits them.
   */
  tailSegments?: number;
  now?: () => number;
  /** Who hears the audio (default: the tone-word recogniser); e.g. passageRecognizer() for real speech. */
  recognizer?: RecognizerFactory;
}

export interface FrameRecord {
  bytes: number;
  at: number;
}

export class FireworksResponder extends FakeResponder<FrameRecord> {
  /** Result messages sent, including the final one. */
  results = 0;
  finalTraceSeen = false;
  private readonly rate: number;
  private shortFramePending = false;
  private lastSignature = '';

  constructor(private readonly options: FireworksResponderOptions = {}) {
    super(options.rate ?? 16000, options.recognizer);
    this.rate = options.rate ?? 16000;
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
    const pcm = pcmFromBytes(bytes);
    this.hear(pcm);
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
      language: this.options.language ?? 'en',
      probability: 0.99,
      hallucination_score: 0.01,
      start: round(w.start),
      end: round(w.end),
      is_final: w.final,
    });
    const first = this.options.tailSegments ? Math.max(0, groups.length - this.options.tailSegments) : 0;
    groups = groups.slice(first);
    const segments = groups.map((g, k) => ({
      id: this.options.idStyle === 'string' ? String(first + k) : this.options.idStyle === 'seg' ? `seg_${first + k}` : first + k,
      text: g.map((w) => ` ${w.text}`).join(''),
      language: this.options.language ?? 'en',
      start: round(g[0]!.start),
      end: round(g[g.length - 1]!.end),
      words: g.map(wire),
    }));
    return {
      task: 'transcribe',
      language: this.options.language ?? 'en',
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
  /** Stop answering anything (pings included): a half-open link. */
  | { kind: 'stall'; afterSamples: number; midWord?: boolean }
  | { kind: 'error'; afterSamples: number; error: string | object; thenClose?: number; midWord?: boolean };

export type AttemptScript = WsAttemptScript<Fault>;
export interface FireworksServerOptions extends FireworksResponderOptions, ServerOptions<AttemptScript> {}

export type { AttemptRecord };
export type ConnectionRecord = WsConnection<FireworksResponder>;
export type FireworksServer = FakeWsServer<ConnectionRecord>;

export function startFireworksServer(options: FireworksServerOptions): Promise<FireworksServer> {
  const now = () => performance.now();
  return startFakeWsServer<ConnectionRecord, AttemptScript>({
    path: '/v1/audio/transcriptions/streaming',
    authorization: options.apiKey,
    refusalBody: (status) => ({ error: status === 401 ? 'unauthorized: invalid API key' : `refused with ${status}` }),
    script: options.script,
    connection: (base) => ({ ...base, responder: new FireworksResponder({ ...options, now }) }),
    serve: (link, script) => {
      const { responder } = link.record;
      link.onMessage((data, isBinary) => {
        if (!isBinary) return link.send(responder.onText(data.toString('utf8')));
        link.send(responder.onBinary(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
        const fault = link.due(script?.fault);
        if (fault?.kind === 'drop') link.drop();
        else if (fault?.kind === 'close') link.close(fault.code, fault.reason ?? '');
        else if (fault?.kind === 'stall') link.mute();
        else if (fault?.kind === 'error') {
          link.send([{ error: fault.error }]);
          if (fault.thenClose !== undefined) link.close(fault.thenClose, 'error');
        }
      });
    },
  });
}
