/**
 * Fireworks streaming transcription codec (stt-protocols.md §1). Audio goes out as binary
 * PCM frames; results come back as verbose_json messages carrying the current segment list.
 *
 * Merge (§1.6): a segment id in a message replaces that segment; local ids above the
 * message's highest id were withdrawn (`retract`); ids arrive as 3, "3" or "seg_3" and are
 * keyed by the integer.
 *
 * Finals: Fireworks has no segment-level flag, only words' `is_final`, and a segment whose
 * words are all final can still grow while it is the newest one (LiveKit, §1.6). So a
 * segment is final when all its words are final AND a later segment exists (the server
 * has moved on), or when the end-of-stream trace is answered (everything is final then).
 * Once reported final a segment stays final: later changes to it are ignored, so text that
 * was committed (and whose audio the session released) is never rewritten.
 */
import type { ErrorCode } from '../../../../shared/errors.js';
import type { DecodeContext, ProviderCodec, ProviderEvent } from '../../provider.js';
import type { WireMessage } from '../../transport.js';
import { clip, finiteNumber, parseJsonObject } from '../shared/wire-text.js';

export const END_OF_STREAM = { event_id: 'streaming_complete', object: 'stt.input.trace', trace_id: 'final' } as const;

interface SegmentState {
  text: string;
  start: number | undefined;
  end: number | undefined;
  wordsFinal: boolean;
  hasWords: boolean;
  final: boolean;
}

/** 3, "3", "seg_3" → 3; anything else → undefined. */
export function parseSegmentId(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isInteger(raw) && raw >= 0 ? raw : undefined;
  if (typeof raw !== 'string') return undefined;
  const m = /^(?:seg_?)?(\d+)$/i.exec(raw.trim());
  return m ? Number(m[1]) : undefined;
}

/** In-band errors: auth failures cannot be fixed by reconnecting, the rest may be transient. */
export function fireworksErrorCode(text: string): { code: ErrorCode; fatal: boolean } {
  if (/unauthori[sz]ed|api[ _-]?key|auth|forbidden|invalid key/i.test(text)) return { code: 'AUTH_REFUSED', fatal: true };
  return { code: 'SERVER_ERROR', fatal: false };
}

export class FireworksCodec implements ProviderCodec {
  private readonly segments = new Map<number, SegmentState>();
  private eosSent = false;
  private flushed = false;

  start(): WireMessage[] {
    return [];
  }

  encodeAudio(pcm: Int16Array): WireMessage {
    return new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  }

  endOfStream(): WireMessage[] {
    this.eosSent = true;
    return [JSON.stringify(END_OF_STREAM)];
  }

  keepAlive(): WireMessage | null {
    // Fireworks documents no keepalive and no idle limit; pings keep NATs open.
    return null;
  }

  decode(data: string | Buffer, binary: boolean, _ctx: DecodeContext): ProviderEvent[] {
    if (binary) return [{ type: 'malformed', detail: `unexpected binary message (${data.length} bytes)` }];
    const text = typeof data === 'string' ? data : data.toString('utf8');
    const msg = parseJsonObject(text);
    if (!msg) return [{ type: 'malformed', detail: `not a JSON object: ${clip(text, 80)}` }];

    if (msg.error !== undefined && msg.error !== null && msg.error !== '') {
      const e = msg.error;
      const detail = clip(typeof e === 'string' ? e : JSON.stringify(e) ?? String(e), 300);
      return [{ type: 'error', detail, ...fireworksErrorCode(detail) }];
    }
    if (msg.object === 'stt.output.trace') {
      return msg.trace_id === 'final' ? this.onFlushed('trace') : [{ type: 'info', what: `trace ${String(msg.trace_id)}` }];
    }
    if ('checkpoint_id' in msg) {
      return msg.checkpoint_id === 'final' ? this.onFlushed('checkpoint') : [{ type: 'info', what: `checkpoint ${String(msg.checkpoint_id)}` }];
    }
    if (msg.object === 'stt.state.cleared') return [{ type: 'info', what: 'state cleared' }];
    if (Array.isArray(msg.segments)) {
      const events = this.onSegments(msg.segments);
      // verbose_json carries the language it heard (detected when none was asked for).
      if (typeof msg.language === 'string' && msg.language && msg.language !== this.language) {
        this.language = msg.language;
        events.unshift({ type: 'language', code: msg.language });
      }
      return events;
    }
    if (typeof msg.text === 'string' || typeof msg.object === 'string') {
      return [{ type: 'info', what: `ignored ${typeof msg.object === 'string' ? msg.object : 'result without segments'}` }];
    }
    return [{ type: 'malformed', detail: `unknown message: ${clip(text, 80)}` }];
  }

  private language = '';

  private onSegments(list: unknown[]): ProviderEvent[] {
    const out: ProviderEvent[] = [];
    const seen: number[] = [];
    const updated = new Set<number>();
    for (const raw of list) {
      if (!raw || typeof raw !== 'object') {
        out.push({ type: 'malformed', detail: 'segment is not an object' });
        continue;
      }
      const seg = raw as Record<string, unknown>;
      const id = parseSegmentId(seg.id);
      if (id === undefined) {
        out.push({ type: 'malformed', detail: `segment id ${clip(JSON.stringify(seg.id) ?? 'missing', 40)}` });
        continue;
      }
      seen.push(id);
      const prev = this.segments.get(id);
      if (prev?.final) continue;
      updated.add(id);
      const words = Array.isArray(seg.words) ? seg.words.filter((w): w is Record<string, unknown> => !!w && typeof w === 'object') : [];
      const wordText = words.map((w) => (typeof w.word === 'string' ? w.word.trim() : '')).filter(Boolean).join(' ');
      this.segments.set(id, {
        text: (typeof seg.text === 'string' ? seg.text : wordText).trim().replace(/\s+/g, ' '),
        start: finiteNumber(seg.start) ?? finiteNumber(words[0]?.start),
        end: finiteNumber(seg.end) ?? finiteNumber(words[words.length - 1]?.end),
        hasWords: words.length > 0,
        wordsFinal: words.length > 0 && words.every((w) => w.is_final === true),
        // A segment-level flag is not documented but some servers send it; honour it.
        final: seg.is_final === true,
      });
    }
    if (seen.length === 0) {
      // An empty list carries no ids to truncate against; treat it as "nothing new".
      return out.length ? out : [{ type: 'info', what: 'result without segments' }];
    }
    const maxId = Math.max(...seen);
    for (const [id, s] of [...this.segments]) {
      if (id > maxId && !s.final) {
        this.segments.delete(id);
        out.push({ type: 'retract', id: String(id) });
      }
    }
    const ids = [...this.segments.keys()].sort((a, b) => a - b);
    const newest = ids[ids.length - 1]!;
    for (const id of ids) {
      const s = this.segments.get(id)!;
      const becameFinal = !s.final && id < newest && (s.wordsFinal || !s.hasWords);
      if (becameFinal) s.final = true;
      if (updated.has(id) || becameFinal) out.push(this.event(id, s));
    }
    return out;
  }

  private onFlushed(form: string): ProviderEvent[] {
    if (!this.eosSent || this.flushed) return [{ type: 'info', what: `unsolicited final ${form} echo` }];
    this.flushed = true;
    const out: ProviderEvent[] = [];
    for (const id of [...this.segments.keys()].sort((a, b) => a - b)) {
      const s = this.segments.get(id)!;
      if (s.final) continue;
      s.final = true;
      out.push(this.event(id, s));
    }
    out.push({ type: 'flushed' });
    return out;
  }

  private event(id: number, s: SegmentState): ProviderEvent {
    return { type: 'segment', id: String(id), text: s.text, start: s.start, end: s.end, final: s.final };
  }
}
