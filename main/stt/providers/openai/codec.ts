/**
 * OpenAI Realtime, transcription-only mode (stt-protocols.md §4). After `session.created`
 * the client sends the GA `session.update` with a transcription session (24 kHz PCM).
 * Deltas are incremental: APPENDED per item_id (unlike Together); `…completed` replaces
 * the item with its final transcript. Models that reject turn detection get none and the
 * client commits the buffer itself.
 */
import type { ErrorCode } from '../../../../shared/errors.js';
import type { DecodeContext, ProviderCodec, ProviderEvent, ProviderOptions } from '../../provider.js';
import type { WireMessage } from '../../transport.js';
import { appendAudioEvent, COMMIT_EVENT } from '../shared/audio-messages.js';
import { parseJsonObject, scrubKey } from '../shared/wire-text.js';

/** Models that refuse `turn_detection` (§4): omit it and commit manually. */
export const MANUAL_COMMIT_MODELS: readonly string[] = ['gpt-realtime-whisper', 'gpt-live-transcribe'];

export interface OpenAiCodecOptions extends ProviderOptions {
  model: string;
  /** null = no server VAD (manual commit). */
  turnDetection: Record<string, unknown> | null;
  noiseReduction?: string | undefined;
}

/** In-band `error.code` values. Codes are OpenAI's public API codes; most are UNCONFIRMED for realtime. */
export function openAiErrorMeaning(code: string, type: string): { code: ErrorCode; fatal: boolean } | 'commit-empty' {
  const c = code.toLowerCase();
  if (c === 'input_audio_buffer_commit_empty') return 'commit-empty';
  if (/api_key|authentication|unauthori[sz]ed|insufficient_quota|account/.test(c) || type === 'authentication_error') {
    return { code: 'AUTH_REFUSED', fatal: true };
  }
  if (/model|language|invalid_value|unknown_parameter|invalid_type|missing_required/.test(c)) return { code: 'CONFIG_REJECTED', fatal: true };
  if (c.includes('rate_limit')) return { code: 'RATE_LIMITED', fatal: false };
  if (c.includes('session_expired') || c.includes('max_duration')) return { code: 'SESSION_EXPIRED', fatal: false };
  return { code: 'SERVER_ERROR', fatal: false };
}

/** At 24 kHz: commit after ≥1.5 s of audio at a ≥0.4 s pause, or every 12 s regardless. */
const MANUAL_COMMIT = { minSamples: 36_000, pauseSamples: 9_600, maxSamples: 288_000, quietPeak: 600 };

interface Item {
  text: string;
  start: number | undefined;
  end: number | undefined;
}

export class OpenAiCodec implements ProviderCodec {
  private readonly items = new Map<string, Item>();
  private readonly pending = new Set<string>();
  private eosSent = false;
  private commitAnswered = false;
  private flushed = false;
  /** Manual-commit mode: each commit closes the audio sent since the previous one. */
  private lastCommitAt = 0;
  /** Manual-commit mode: samples sent since the last commit, and how many of the last were quiet. */
  private sinceCommit = 0;
  private quietRun = 0;

  constructor(private readonly options: OpenAiCodecOptions) {}

  start(): WireMessage[] {
    const transcription: Record<string, unknown> = { model: this.options.model };
    if (this.options.language) transcription.language = this.options.language;
    if (this.options.prompt) transcription.prompt = this.options.prompt;
    const input: Record<string, unknown> = { format: { type: 'audio/pcm', rate: 24000 }, transcription };
    if (this.options.noiseReduction) input.noise_reduction = { type: this.options.noiseReduction };
    if (this.options.turnDetection) input.turn_detection = this.options.turnDetection;
    return [JSON.stringify({ type: 'session.update', session: { type: 'transcription', audio: { input } } })];
  }

  encodeAudio(pcm: Int16Array): WireMessage {
    if (!this.options.turnDetection) this.trackPause(pcm);
    return appendAudioEvent(pcm);
  }

  /**
   * Models without server turn detection transcribe only what is committed, so the codec
   * commits at the first pause after enough speech (or after a long stretch without one);
   * otherwise the whole stream would be one ever-growing caption.
   */
  afterAudio(): WireMessage[] {
    if (this.options.turnDetection || this.eosSent) return [];
    const pauseDue = this.sinceCommit >= MANUAL_COMMIT.minSamples && this.quietRun >= MANUAL_COMMIT.pauseSamples;
    if (!pauseDue && this.sinceCommit < MANUAL_COMMIT.maxSamples) return [];
    this.sinceCommit = 0;
    this.quietRun = 0;
    return [COMMIT_EVENT];
  }

  private trackPause(pcm: Int16Array): void {
    let peak = 0;
    for (let i = 0; i < pcm.length; i++) peak = Math.max(peak, Math.abs(pcm[i]!));
    this.sinceCommit += pcm.length;
    this.quietRun = peak < MANUAL_COMMIT.quietPeak ? this.quietRun + pcm.length : 0;
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
    const raw = data.toString();
    const msg = parseJsonObject(raw);
    if (!msg) return [{ type: 'malformed', detail: `not JSON: ${scrubKey(raw, this.options.apiKey, 80)}` }];
    const type = typeof msg.type === 'string' ? msg.type : '';
    const id = typeof msg.item_id === 'string' && msg.item_id ? msg.item_id : undefined;
    const out: ProviderEvent[] = [];
    switch (type) {
      case 'session.created':
      case 'transcription_session.created':
        out.push({ type: 'ready' });
        break;
      case 'input_audio_buffer.speech_started':
        if (id) {
          this.item(id).start = ms(msg.audio_start_ms);
          this.pending.add(id);
        }
        out.push({ type: 'info', what: type });
        break;
      case 'input_audio_buffer.speech_stopped':
        if (id) this.item(id).end = ms(msg.audio_end_ms);
        out.push({ type: 'info', what: type });
        break;
      case 'input_audio_buffer.committed':
        if (id) {
          this.pending.add(id);
          // Without server VAD there are no speech events: the commit closes the sent audio.
          const item = this.item(id);
          if (!this.options.turnDetection) {
            item.end ??= ctx.sentSeconds;
            this.lastCommitAt = ctx.sentSeconds;
          }
        }
        if (this.eosSent) this.commitAnswered = true;
        out.push({ type: 'info', what: type });
        break;
      case 'conversation.item.input_audio_transcription.delta': {
        if (!id) return [{ type: 'malformed', detail: 'delta without item_id' }];
        const item = this.item(id);
        this.pending.add(id);
        const delta = typeof msg.delta === 'string' ? msg.delta : '';
        item.text += delta;
        const text = item.text.trim();
        if (text) out.push({ type: 'segment', id, text, start: item.start, end: item.end, final: false });
        break;
      }
      case 'conversation.item.input_audio_transcription.completed': {
        if (!id) return [{ type: 'malformed', detail: 'completed without item_id' }];
        const item = this.item(id);
        const shown = item.text.trim();
        const text = typeof msg.transcript === 'string' ? msg.transcript.trim() : shown;
        item.text = text;
        this.pending.delete(id);
        if (text) out.push({ type: 'segment', id, text, start: item.start, end: item.end, final: true });
        else if (shown) out.push({ type: 'retract', id });
        this.items.delete(id);
        break;
      }
      case 'conversation.item.input_audio_transcription.failed': {
        out.push(this.onError(msg.error));
        if (id) {
          const item = this.items.get(id);
          this.pending.delete(id);
          this.items.delete(id);
          const text = item?.text.trim();
          if (text) out.push({ type: 'segment', id, text, start: item!.start, end: item!.end, final: true });
        }
        break;
      }
      case 'error': {
        const ev = this.onError(msg.error);
        if (ev.type === 'info' && this.eosSent) this.commitAnswered = true;
        out.push(ev);
        break;
      }
      case '':
        out.push({ type: 'malformed', detail: 'message without type' });
        break;
      default:
        // session.updated, conversation.item.added/done, rate_limits.updated and newer events.
        out.push({ type: 'info', what: type });
    }
    if (this.eosSent && !this.flushed && this.commitAnswered && this.pending.size === 0) {
      this.flushed = true;
      out.push({ type: 'flushed' });
    }
    return out;
  }

  private item(id: string): Item {
    let item = this.items.get(id);
    if (!item) {
      item = { text: '', start: this.options.turnDetection ? undefined : this.lastCommitAt, end: undefined };
      this.items.set(id, item);
    }
    return item;
  }

  private onError(raw: unknown): ProviderEvent {
    const err = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
    const code = typeof err.code === 'string' ? err.code : '';
    const type = typeof err.type === 'string' ? err.type : '';
    const message = typeof err.message === 'string' ? err.message : typeof raw === 'string' ? raw : 'unknown error';
    const meaning = openAiErrorMeaning(code, type);
    // At the end, a commit of an empty buffer (server VAD already committed it) is the answer.
    if (meaning === 'commit-empty') return { type: 'info', what: `error ${code}` };
    const detail = scrubKey(`${code || type || 'error'}: ${message}`, this.options.apiKey, 300);
    return { type: 'error', code: meaning.code, detail, fatal: meaning.fatal };
  }
}

function ms(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v / 1000 : undefined;
}
