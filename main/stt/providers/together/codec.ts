/**
 * Together realtime transcription codec (stt-protocols.md §2). JSON text frames only; audio
 * travels base64 inside `input_audio_buffer.append`. Each delta carries the whole open text
 * of its item (it REPLACES, unlike OpenAI); `completed` is final. The server never closes,
 * so the end of stream is `commit` + the last `completed`, then the client closes.
 */
import type { ErrorCode } from '../../../../shared/errors.js';
import type { DecodeContext, ProviderCodec, ProviderEvent, ProviderOptions } from '../../provider.js';
import type { WireMessage } from '../../transport.js';
import { appendAudioEvent, COMMIT_EVENT } from '../shared/audio-messages.js';
import { clip, parseJsonObject, scrubKey } from '../shared/wire-text.js';

/** Error codes from Together's reference (§2.3); auth and settings errors cannot be retried. */
export function togetherErrorCode(code: string | undefined, message: string): { code: ErrorCode; fatal: boolean } {
  const c = (code ?? '').toLowerCase();
  const m = message.toLowerCase();
  if (c === 'invalid_api_key' || c === 'missing_api_key' || c === 'unauthorized' || /api key|unauthori[sz]ed/.test(m)) {
    return { code: 'AUTH_REFUSED', fatal: true };
  }
  if (c === 'model_not_available' || c.includes('model')) return { code: 'CONFIG_REJECTED', fatal: true };
  if (c.includes('audio_format') || /audio format/.test(m)) return { code: 'CLIENT_REJECTED', fatal: true };
  if (c.includes('rate_limit')) return { code: 'RATE_LIMITED', fatal: false };
  return { code: 'SERVER_ERROR', fatal: false };
}

interface Item {
  text: string;
  start: number | undefined;
  end: number | undefined;
}

export class TogetherCodec implements ProviderCodec {
  private readonly open = new Map<string, Item>();
  /** Items the server may still finish: seen in a delta or `committed` but not `completed`. */
  private readonly pending = new Set<string>();
  private eosSent = false;
  private answeredAfterEos = false;
  private committedItem: string | undefined;
  /** Recently completed items (bounded): a commit can name one that VAD finished just before. */
  private readonly completed = new Set<string>();
  private flushed = false;
  /** Ids for events that come without `item_id` (the field is observed, not documented). */
  private anonymous = 0;

  constructor(private readonly options: ProviderOptions) {}

  start(): WireMessage[] {
    return [];
  }

  encodeAudio(pcm: Int16Array): WireMessage {
    return appendAudioEvent(pcm);
  }

  endOfStream(): WireMessage[] {
    this.eosSent = true;
    return [COMMIT_EVENT];
  }

  keepAlive(): WireMessage | null {
    return null;
  }

  decode(data: string | Buffer, binary: boolean, ctx: DecodeContext): ProviderEvent[] {
    if (binary) return [{ type: 'malformed', detail: 'unexpected binary message' }];
    const msg = parseJsonObject(data.toString());
    if (!msg) return [{ type: 'malformed', detail: `not JSON: ${clip(data.toString(), 80)}` }];
    const type = typeof msg.type === 'string' ? msg.type : '';
    const out: ProviderEvent[] = [];
    switch (type) {
      case 'session.created':
        out.push({ type: 'ready' });
        break;
      case 'conversation.item.input_audio_transcription.delta':
        this.onText(msg, false, ctx, out);
        break;
      case 'conversation.item.input_audio_transcription.completed':
        this.onText(msg, true, ctx, out);
        break;
      case 'input_audio_buffer.committed': {
        const id = typeof msg.item_id === 'string' && msg.item_id ? msg.item_id : undefined;
        if (this.eosSent && id && this.completed.has(id)) {
          // Already answered: its `completed` came first, and none will follow.
          this.answeredAfterEos = true;
        } else if (this.eosSent && id) {
          this.committedItem = id;
          this.pending.add(id);
        }
        out.push({ type: 'info', what: type });
        break;
      }
      case 'conversation.item.input_audio_transcription.failed':
      case 'error': {
        out.push(this.onError(msg));
        if (type.endsWith('.failed')) this.finishItem(msg, out);
        if (this.eosSent) this.answeredAfterEos = true;
        break;
      }
      default:
        if (!type && 'error' in msg) {
          out.push(this.onError(msg));
          break;
        }
        out.push(type ? { type: 'info', what: type } : { type: 'malformed', detail: 'message without type' });
    }
    this.checkFlushed(out);
    return out;
  }

  /**
   * After a commit of trailing silence the server may answer `committed` and nothing more
   * (Coval only waits 5 s for it, §2.4). That item showed no text, so nothing was missed;
   * only an item whose text was shown and never completed is a loss.
   */
  owesText(): boolean {
    for (const item of this.open.values()) if (item.text) return true;
    return false;
  }

  private onText(msg: Record<string, unknown>, final: boolean, ctx: DecodeContext, out: ProviderEvent[]): void {
    const id = this.itemId(msg, final);
    // Pipecat reads `transcript` for partials too; the docs say `delta`. Accept either.
    const raw = final ? (msg.transcript ?? msg.delta) : (msg.delta ?? msg.transcript);
    const text = typeof raw === 'string' ? raw.trim() : '';
    const item = this.open.get(id) ?? { text: '', start: undefined, end: undefined };
    const { start, end } = times(msg, ctx);
    if (start !== undefined) item.start = start;
    if (end !== undefined) item.end = end;
    const hadText = item.text !== '';
    item.text = text;
    if (final) {
      this.open.delete(id);
      this.pending.delete(id);
      this.completed.add(id);
      if (this.completed.size > 64) this.completed.delete(this.completed.values().next().value!);
      if (this.eosSent) this.answeredAfterEos = true;
      if (text) out.push({ type: 'segment', id, text, start: item.start, end: item.end, final: true });
      else if (hadText) out.push({ type: 'retract', id });
      return;
    }
    this.open.set(id, item);
    this.pending.add(id);
    if (text || hadText) out.push({ type: 'segment', id, text, start: item.start, end: item.end, final: false });
  }

  private itemId(msg: Record<string, unknown>, final: boolean): string {
    if (typeof msg.item_id === 'string' && msg.item_id) return msg.item_id;
    const id = `anon-${this.anonymous}`;
    if (final) this.anonymous += 1;
    return id;
  }

  private finishItem(msg: Record<string, unknown>, out: ProviderEvent[]): void {
    const id = typeof msg.item_id === 'string' ? msg.item_id : undefined;
    if (!id) return;
    const item = this.open.get(id);
    this.open.delete(id);
    this.pending.delete(id);
    // Keep what was already shown, but as final: the server will not revise it any more.
    if (item?.text) out.push({ type: 'segment', id, text: item.text, start: item.start, end: item.end, final: true });
  }

  private onError(msg: Record<string, unknown>): ProviderEvent {
    // Two shapes (§2.3): {error:{message,code}} and a top-level {message}.
    const err = msg.error;
    const obj = err && typeof err === 'object' ? (err as Record<string, unknown>) : undefined;
    const message = str(obj?.message) ?? str(err) ?? str(msg.message) ?? 'unknown error';
    const code = str(obj?.code) ?? str(msg.code);
    // An OpenAI-style answer to committing an empty buffer is the end of stream, not a fault.
    if (code?.includes('commit_empty')) return { type: 'info', what: `error ${code}` };
    const verdict = togetherErrorCode(code, message);
    const detail = scrubKey(`${code ? `${code}: ` : ''}${message}`, this.options.apiKey, 300);
    return { type: 'error', code: verdict.code, detail, fatal: verdict.fatal };
  }

  private checkFlushed(out: ProviderEvent[]): void {
    if (!this.eosSent || this.flushed || !this.answeredAfterEos) return;
    if (this.committedItem !== undefined && this.pending.has(this.committedItem)) return;
    if (this.pending.size > 0) return;
    this.flushed = true;
    out.push({ type: 'flushed' });
  }
}

/** `start` and `duration` are observed, not documented; probably seconds. Implausible values are dropped. */
function times(msg: Record<string, unknown>, ctx: DecodeContext): { start?: number; end?: number } {
  const start = typeof msg.start === 'number' && Number.isFinite(msg.start) && msg.start >= 0 ? msg.start : undefined;
  if (start === undefined || start > ctx.sentSeconds + 2) return {};
  const d = typeof msg.duration === 'number' && Number.isFinite(msg.duration) && msg.duration >= 0 ? msg.duration : undefined;
  return d === undefined ? { start } : { start, end: start + d };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}
