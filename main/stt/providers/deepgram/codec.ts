/**
 * Deepgram live `/v1/listen` codec (stt-protocols.md §5). Audio is raw linear16 binary.
 * Interim `Results` for the same audio range share their `start`, so segments are keyed by
 * start time; `is_final` means that range will not change again. `KeepAlive` must be a TEXT
 * frame, or the server closes with 1011 NET-0001 after 10 s without audio.
 * At the end, `Finalize` + `CloseStream`: final results, then `Metadata`, then close 1000.
 *
 * With `diarize=true` every word carries `speaker` (0, 1…). A result whose words change
 * speaker is split into one segment per run of the same speaker, rather than labelled by the
 * majority: a result runs until a pause, which a quick reply ("Yes. No, I meant…") need not
 * leave, and a majority label would put one person's words under another's name. Splitting
 * shows exactly what the service said, as the pre-recorded path does with diarised words.
 */
import { SpeakerLabels } from '../../../../shared/speaker-labels.js';
import type { DecodeContext, ProviderCodec, ProviderEvent, ProviderOptions } from '../../provider.js';
import type { WireMessage } from '../../transport.js';
import { pcmBytes } from '../shared/audio-messages.js';
import { finiteNumber, parseJsonObject, scrubKey } from '../shared/wire-text.js';

interface Word {
  start: number;
  end: number;
  /** punctuated_word, else word. */
  text: string;
  speaker: number | undefined;
}

interface Alternative {
  transcript: string;
  words: Word[];
}

interface Part {
  text: string;
  start: number | undefined;
  end: number | undefined;
  speaker: string | undefined;
}

export class DeepgramCodec implements ProviderCodec {
  /** How many segments each range (by its id) shows now, so an emptied or re-cut range withdraws the rest. */
  private readonly shown = new Map<string, number>();
  /** Per socket: a new connection numbers its speakers afresh. */
  private readonly speakers = new SpeakerLabels();
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
    const parts = this.partsOf(alt, start, duration);
    const events: ProviderEvent[] = parts.map((p, k) => ({
      type: 'segment', id: partId(id, k), text: p.text, start: p.start, end: p.end, final, ...(p.speaker ? { speaker: p.speaker } : {}),
    }));
    const before = this.shown.get(id) ?? 0;
    for (let k = parts.length; k < before; k++) events.push({ type: 'retract', id: partId(id, k) });
    if (parts.length > 0) this.shown.set(id, parts.length);
    else this.shown.delete(id);
    return events;
  }

  /** The range as segments: one, or one per speaker run when speakers are asked for and change. */
  private partsOf(alt: Alternative, start: number, duration: number | undefined): Part[] {
    const text = alt.transcript.trim();
    if (!text) return [];
    const words = alt.words;
    const runs = this.options.speakerLabels ? speakerRuns(words) : [];
    if (runs.length <= 1) {
      const segStart = words.length > 0 ? words[0]!.start : start;
      const segEnd = words.length > 0 ? words[words.length - 1]!.end : duration !== undefined ? start + duration : undefined;
      return [{ text, start: segStart, end: segEnd, speaker: this.name(runs[0]?.speaker) }];
    }
    return runs.map((r) => ({
      text: r.words.map((w) => w.text).join(' '),
      start: r.words[0]!.start,
      end: r.words[r.words.length - 1]!.end,
      speaker: this.name(r.speaker),
    }));
  }

  private name(raw: number | undefined): string | undefined {
    return raw === undefined ? undefined : this.speakers.label(raw);
  }
}

/** The first part keeps the range's id, so a range that is one speaker behaves as without labels. */
function partId(id: string, k: number): string {
  return k === 0 ? id : `${id}~${k}`;
}

/**
 * Words grouped by speaker, in order. A word without a speaker (or without text) stays with
 * the run it is in, so only a change the service stated cuts a line.
 */
function speakerRuns(words: readonly Word[]): { speaker: number | undefined; words: Word[] }[] {
  const runs: { speaker: number | undefined; words: Word[] }[] = [];
  for (const w of words) {
    if (!w.text) continue;
    const run = runs[runs.length - 1];
    if (run && (w.speaker === undefined || run.speaker === undefined || run.speaker === w.speaker)) {
      run.speaker ??= w.speaker;
      run.words.push(w);
    } else {
      runs.push({ speaker: w.speaker, words: [w] });
    }
  }
  return runs;
}

function firstAlternative(channel: unknown): Alternative | undefined {
  if (!channel || typeof channel !== 'object') return undefined;
  const alts = (channel as { alternatives?: unknown }).alternatives;
  if (!Array.isArray(alts) || alts.length === 0) return { transcript: '', words: [] };
  const a = alts[0] as Record<string, unknown> | null;
  if (!a || typeof a !== 'object') return undefined;
  const words = Array.isArray(a.words)
    ? a.words.flatMap((w: unknown): Word[] => {
        const o = w as Record<string, unknown> | null;
        const s = finiteNumber(o?.start);
        const e = finiteNumber(o?.end);
        if (s === undefined || e === undefined) return [];
        const text = typeof o?.punctuated_word === 'string' ? o.punctuated_word : typeof o?.word === 'string' ? o.word : '';
        const speaker = finiteNumber(o?.speaker);
        return [{ start: s, end: e, text: text.trim(), speaker: speaker !== undefined && Number.isInteger(speaker) && speaker >= 0 ? speaker : undefined }];
      })
    : [];
  return { transcript: typeof a.transcript === 'string' ? a.transcript : '', words };
}
