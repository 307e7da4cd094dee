/**
 * AssemblyAI Universal Streaming v3 codec (stt-protocols.md §3). Audio is raw binary, and
 * every message must hold 50-1000 ms or the server closes with 3007. `Turn` messages
 * replace each other by `turn_order`; word times are integer milliseconds from the start
 * of this socket's audio. The end of stream is `Terminate`, answered by `Termination`.
 * With speaker labels, each Turn names its dominant speaker (`speaker_label`, "A"…, or null
 * while unsure), and one `SpeakerRevision` just before `Termination` corrects the turns whose
 * speaker changed in hindsight (§3.4). Labels are kept per turn, as the service gives them:
 * turns end at pauses, so one turn is mostly one voice.
 */
import type { ErrorCode } from '../../../../shared/errors.js';
import { SpeakerLabels } from '../../../../shared/speaker-labels.js';
import type { DecodeContext, ProviderCodec, ProviderEvent, ProviderOptions } from '../../provider.js';
import type { WireMessage } from '../../transport.js';
import { pcmBytes } from '../shared/audio-messages.js';
import { parseJsonObject, scrubKey } from '../shared/wire-text.js';

export interface AssemblyAiCodecOptions extends ProviderOptions {
  /** With format_turns the end-of-turn message is followed by a formatted one; only that one is final. */
  formatTurns: boolean;
}

/** In-band `Error` codes and close codes share one table (§3.5): the close code equals error_code. */
export function assemblyAiCodeMeaning(code: number, reason = ''): { code: ErrorCode; retryable: boolean; minDelayMs?: number } {
  switch (code) {
    case 3005: return { code: 'SERVER_ERROR', retryable: true };
    // Bad JSON or bad audio, and frames out of 50-1000 ms or faster than real time: our bugs.
    case 3006: case 3007: return { code: 'CLIENT_REJECTED', retryable: false };
    case 3008: return { code: 'SESSION_EXPIRED', retryable: true };
    case 3009: return { code: 'RATE_LIMITED', retryable: true, minDelayMs: 30_000 };
    case 1008:
      // The older scheme also used 1008 for the concurrency limit (§3.5); that one passes.
      return /too many concurrent/i.test(reason)
        ? { code: 'RATE_LIMITED', retryable: true, minDelayMs: 30_000 }
        : { code: 'AUTH_REFUSED', retryable: false };
    case 1013: return { code: 'SERVER_ERROR', retryable: true };
    case 1011: return { code: 'SERVER_ERROR', retryable: true };
    case 1002: case 1003: case 1007: return { code: 'CLIENT_REJECTED', retryable: false };
    // Legacy v2 codes still in both SDKs' tables (perf-reliability.md B1); v3 should not send them.
    case 4000: return { code: 'CONFIG_REJECTED', retryable: false };
    case 4001: case 4002: case 4003: return { code: 'AUTH_REFUSED', retryable: false };
    case 4008: return { code: 'SESSION_EXPIRED', retryable: true };
    case 4029: return { code: 'RATE_LIMITED', retryable: true, minDelayMs: 5_000 };
    case 4031: return { code: 'LINK_STALLED', retryable: true };
    case 4102: return { code: 'RATE_LIMITED', retryable: true, minDelayMs: 30_000 };
    case 4103: return { code: 'NETWORK', retryable: true };
    default:
      if (code >= 4000 && code < 5000) return { code: 'CLIENT_REJECTED', retryable: false };
      return { code: 'NETWORK', retryable: true };
  }
}

interface Word {
  start: number;
  end: number;
  text: string;
}

export class AssemblyAiCodec implements ProviderCodec {
  private eosSent = false;
  private flushedSent = false;
  /** Per socket: a new session numbers its speakers afresh. */
  private readonly speakers = new SpeakerLabels();

  constructor(private readonly options: AssemblyAiCodecOptions) {}

  start(): WireMessage[] {
    return [];
  }

  encodeAudio(pcm: Int16Array): WireMessage {
    // Frames are cut by the session within spec.frameMs (50-1000 ms) and its short last frame
    // is padded with silence there; padding here would shift every later timestamp.
    return pcmBytes(pcm);
  }

  endOfStream(): WireMessage[] {
    this.eosSent = true;
    return [JSON.stringify({ type: 'Terminate' })];
  }

  keepAlive(): WireMessage | null {
    // No idle timeout unless inactivity_timeout is set, which Earshot does not do.
    return null;
  }

  decode(data: string | Buffer, binary: boolean, _ctx: DecodeContext): ProviderEvent[] {
    if (binary) return [{ type: 'malformed', detail: 'unexpected binary message' }];
    const text = data.toString();
    const msg = parseJsonObject(text);
    if (!msg) return [{ type: 'malformed', detail: `not JSON: ${scrubKey(text, this.options.apiKey, 80)}` }];
    const type = typeof msg.type === 'string' ? msg.type : undefined;
    switch (type) {
      case 'Begin':
        return [{ type: 'ready' }];
      case 'Turn':
        return this.onTurn(msg);
      case 'Termination':
        if (this.flushedSent || !this.eosSent) return [{ type: 'info', what: 'Termination' }];
        this.flushedSent = true;
        return [{ type: 'flushed' }];
      case 'Error':
        return [this.onError(msg.error_code, msg.error)];
      case undefined:
        // Older servers send a bare {"error": "..."} (§3.4).
        if ('error' in msg) return [this.onError(undefined, msg.error)];
        return [{ type: 'malformed', detail: 'message without type' }];
      case 'SpeakerRevision':
        return this.onSpeakerRevision(msg);
      case 'Warning':
        return [{ type: 'info', what: `Warning ${String(msg.warning_code ?? '')}: ${scrubKey(String(msg.warning ?? ''), this.options.apiKey, 200)}` }];
      default:
        // SpeechStarted, Heartbeat, LLMGatewayResponse and anything newer.
        return [{ type: 'info', what: type }];
    }
  }

  private onTurn(msg: Record<string, unknown>): ProviderEvent[] {
    const order = typeof msg.turn_order === 'number' ? msg.turn_order : Number(msg.turn_order);
    if (!Number.isInteger(order) || order < 0) return [{ type: 'malformed', detail: 'Turn without turn_order' }];
    const words = parseWords(msg.words);
    const transcript = typeof msg.transcript === 'string' ? msg.transcript.trim() : '';
    const endOfTurn = msg.end_of_turn === true;
    const final = endOfTurn && (!this.options.formatTurns || msg.turn_is_formatted === true);
    const fromWords = words.map((w) => w.text).join(' ').replace(/\s+/g, ' ').trim();
    // `transcript` holds only finalised words; partials show the unfinished tail from
    // `words` too (lower caption latency), and early partials have an empty transcript (§6 #11).
    const text = endOfTurn ? transcript || fromWords : fromWords || transcript;
    const start = words.length > 0 ? words[0]!.start / 1000 : undefined;
    const end = words.length > 0 ? words[words.length - 1]!.end / 1000 : undefined;
    const id = `t${order}`;
    // With language_detection, finished turns carry the language heard (§3).
    const heard: ProviderEvent[] = typeof msg.language_code === 'string' && msg.language_code ? [{ type: 'language', code: msg.language_code }] : [];
    if (!text) return final ? [...heard, { type: 'retract', id }] : heard;
    const speaker = this.speakerOf(msg.speaker_label);
    return [...heard, { type: 'segment', id, text, start, end, final, ...(speaker ? { speaker } : {}) }];
  }

  /**
   * `{"revisions":[{"turn_order":3,"speaker_label":"B","words":[…]}]}` lists only the turns
   * whose speaker changed (§3.4). A flat `{turn_order, speaker_label}` is read too: some
   * third-party clients were written against that shape.
   */
  private onSpeakerRevision(msg: Record<string, unknown>): ProviderEvent[] {
    if (!this.options.speakerLabels) return [{ type: 'info', what: 'SpeakerRevision' }];
    const entries: unknown[] | undefined = Array.isArray(msg.revisions) ? msg.revisions : 'turn_order' in msg ? [msg] : undefined;
    if (!entries) return [{ type: 'malformed', detail: 'SpeakerRevision without revisions' }];
    const out: ProviderEvent[] = [];
    for (const raw of entries) {
      if (!raw || typeof raw !== 'object') continue;
      const r = raw as Record<string, unknown>;
      const order = typeof r.turn_order === 'number' ? r.turn_order : Number(r.turn_order);
      if (!Number.isInteger(order) || order < 0) continue;
      out.push({ type: 'speaker', id: `t${order}`, speaker: this.speakerOf(r.speaker_label) });
    }
    // No entry: no turn changed speaker.
    return out.length > 0 ? out : [{ type: 'info', what: 'SpeakerRevision' }];
  }

  /** "Speaker A"… for a label the service gave; undefined when it gave none or is unsure (null). */
  private speakerOf(raw: unknown): string | undefined {
    if (!this.options.speakerLabels) return undefined;
    if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
    const label = String(raw).trim();
    // The SDK examples print UNKNOWN for a missing label; should the service send it, it is no speaker.
    if (!label || /^unknown$/i.test(label)) return undefined;
    return this.speakers.label(label);
  }

  private onError(codeRaw: unknown, errRaw: unknown): ProviderEvent {
    const num = typeof codeRaw === 'number' ? codeRaw : Number(codeRaw);
    const message = typeof errRaw === 'string' ? errRaw : JSON.stringify(errRaw ?? 'unknown error');
    const meaning = Number.isFinite(num) && codeRaw !== undefined ? assemblyAiCodeMeaning(num, message) : { code: 'SERVER_ERROR' as ErrorCode, retryable: true };
    const detail = scrubKey(`${Number.isFinite(num) && codeRaw !== undefined ? `${num}: ` : ''}${message}`, this.options.apiKey, 300);
    // The close that follows decides between retry and stop (classifyClose gets this code).
    return { type: 'error', code: meaning.code, detail, fatal: false };
  }
}

function parseWords(raw: unknown): Word[] {
  if (!Array.isArray(raw)) return [];
  const out: Word[] = [];
  for (const w of raw) {
    if (!w || typeof w !== 'object') continue;
    const o = w as Record<string, unknown>;
    if (typeof o.text !== 'string' || typeof o.start !== 'number' || typeof o.end !== 'number') continue;
    out.push({ text: o.text.trim(), start: o.start, end: o.end });
  }
  return out.filter((w) => w.text);
}
