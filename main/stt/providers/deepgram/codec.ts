/**
 * Deepgram live `/v1/listen` codec (stt-protocols.md §5). Audio is raw linear16 binary.
 * Interim `Results` for the same audio range share their `start`, so segments are keyed by
 * start time; `is_final` means that range will not change again. `KeepAlive` must be a TEXT
 * frame, or the server closes with 1011 NET-0001 after 10 s without audio.
 * At the end, `Finalize` + `CloseStream`: final results, then `Metadata`, then close 1000.
 */
import type { DecodeContext, ProviderCodec, ProviderEvent, ProviderOptions } from '../../provider.js';
import type { WireMessage } from '../../transport.js';
import { pcmBytes } from '../shared/audio-messages.js';
import { finiteNumber, parseJsonObject, scrubKey } from '../shared/wire-text.js';

interface Alternative {
  transcript: string;
  words: { start: number; end: number }[];
}

export class DeepgramCodec implements ProviderCodec {
  /** Segment ids that currently show text, so an emptied range is withdrawn. */
  private readonly shown = new Set<string>();
  private eosSent = false;
  private flushed = false;

  constructor(private readonly options: ProviderOptions) {}

  start(): WireMessage[] {
    return [];
  }

  encodeAudio(pcm: Int16Array): WireMessage {
    return pcmBytes(pcm);
  }

  endOfStream(): WireMessage[] {
    this.eosSent = true;
    return [JSON.stringify({ type: 'Finalize' }), JSON.stringify({ type: 'CloseStream' })];
  }

  keepAlive(): WireMessage | null {
    return JSON.stringify({ type: 'KeepAlive' });
  }

  decode(data: string | Buffer, binary: boolean, _ctx: DecodeContext): ProviderEvent[] {
    if (binary) return [{ type: 'malformed', detail: 'unexpected binary message' }];
    const raw = data.toString();
    const msg = parseJsonObject(raw);
    if (!msg) return [{ type: 'malformed', detail: `not JSON: ${scrubKey(raw, this.options.apiKey, 80)}` }];
    const type = typeof msg.type === 'string' ? msg.type : '';
    switch (type) {
      case 'Results':
        return this.onResults(msg);
      case 'Metadata':
        if (this.eosSent && !this.flushed) {
          this.flushed = true;
          return [{ type: 'flushed' }];
        }
        return [{ type: 'info', what: 'Metadata' }];
      case 'Error': {
        const text = [msg.err_code, msg.description, msg.message, msg.err_msg].filter((v) => typeof v === 'string' && v).join(': ');
        return [{ type: 'error', code: 'SERVER_ERROR', detail: scrubKey(text || 'unknown error', this.options.apiKey, 300), fatal: false }];
      }
      case '':
        return [{ type: 'malformed', detail: 'message without type' }];
      default:
        // SpeechStarted, UtteranceEnd and anything newer carry nothing for captions.
        return [{ type: 'info', what: type }];
    }
  }

  private onResults(msg: Record<string, unknown>): ProviderEvent[] {
    const start = finiteNumber(msg.start);
    const duration = finiteNumber(msg.duration);
    if (start === undefined) return [{ type: 'malformed', detail: 'Results without start' }];
    const alt = firstAlternative(msg.channel);
    if (!alt) return [{ type: 'malformed', detail: 'Results without channel.alternatives' }];
    const id = `s${Math.round(start * 1000)}`;
    const final = msg.is_final === true;
    const text = alt.transcript.trim();
    if (!text) {
      if (!this.shown.delete(id)) return [];
      return [{ type: 'retract', id }];
    }
    this.shown.add(id);
    const words = alt.words;
    const segStart = words.length > 0 ? words[0]!.start : start;
    const segEnd = words.length > 0 ? words[words.length - 1]!.end : duration !== undefined ? start + duration : undefined;
    return [{ type: 'segment', id, text, start: segStart, end: segEnd, final }];
  }
}

function firstAlternative(channel: unknown): Alternative | undefined {
  if (!channel || typeof channel !== 'object') return undefined;
  const alts = (channel as { alternatives?: unknown }).alternatives;
  if (!Array.isArray(alts) || alts.length === 0) return { transcript: '', words: [] };
  const a = alts[0] as Record<string, unknown> | null;
  if (!a || typeof a !== 'object') return undefined;
  const words = Array.isArray(a.words)
    ? a.words.flatMap((w: unknown) => {
        const o = w as Record<string, unknown> | null;
        const s = finiteNumber(o?.start);
        const e = finiteNumber(o?.end);
        return s !== undefined && e !== undefined ? [{ start: s, end: e }] : [];
      })
    : [];
  return { transcript: typeof a.transcript === 'string' ? a.transcript : '', words };
}
