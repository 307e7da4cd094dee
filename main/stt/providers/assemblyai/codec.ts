/**
 * AssemblyAI Universal Streaming v3 codec (stt-protocols.md §3). Audio is raw binary, and
 * every message must hold 50-1000 ms or the server closes with 3007. `Turn` messages
 * replace each other by `turn_order`; word times are integer milliseconds from the start
 * of this socket's audio. The end of stream is `Terminate`, answered by `Termination`.
 */
import type { ErrorCode } from '../../../../shared/errors.js';
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
      case 'Warning':
        return [{ type: 'info', what: `Warning ${String(msg.warning_code ?? '')}: ${scrubKey(String(msg.warning ?? ''), this.options.apiKey, 200)}` }];
      default:
        // SpeechStarted, Heartbeat, SpeakerRevision, LLMGatewayResponse and anything newer.
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
    return [...heard, { type: 'segment', id, text, start, end, final }];
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
