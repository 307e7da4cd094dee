/**
 * What the capture child (capture-child.ts) and its parent (child-capture-source.ts) say to each
 * other. Control messages travel on the IPC channel as plain objects; PCM travels on its own pipe
 * as length-prefixed frames, because a pipe may split or merge writes and the AudioSource contract
 * promises whole audio frames per chunk (and the chunk size is the capture's timing grain).
 */
import { EarshotError, ERROR_TABLE, toErrorInfo, type ErrorInfo } from '../../shared/errors.js';
import type { AudioDevice, AudioFormat } from './types.js';

/** Parent → child. */
export type ParentMessage =
  /** `format`: open with exactly this rate and layout (a reopen after a sound-server restart must match the first open). */
  | { type: 'open'; spec: string; maxQueuedMs?: number; format?: { sampleRate: number; channels: number } }
  | { type: 'start' }
  | { type: 'stop' }
  | { type: 'list-inputs' };

/** Child → parent. */
export type ChildMessage =
  | { type: 'opened'; format: AudioFormat; description: string }
  | { type: 'overflow'; lostMs: number; where: 'driver' | 'queue' }
  /** `text` is the error's full message, so the parent can rebuild it exactly. */
  | { type: 'error'; error: ErrorInfo; text: string }
  | { type: 'inputs'; devices: AudioDevice[] }
  | { type: 'end' };

export function errorMessage(err: unknown): ChildMessage {
  const error = toErrorInfo(err);
  const text = err instanceof EarshotError ? err.message : ''; // else the table's message plus detail, as in-process
  return { type: 'error', error, text };
}

/** The EarshotError the child threw, with its code, detail and message intact. */
export function errorFromMessage(m: Extract<ChildMessage, { type: 'error' }>): EarshotError {
  const { code, detail } = m.error;
  return new EarshotError(code, detail, m.text || undefined);
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function isFormat(v: unknown): v is AudioFormat {
  return isObj(v) && isNum(v.sampleRate) && v.sampleRate > 0 && isNum(v.channels) && v.channels > 0 && v.sampleFormat === 's16';
}

function isErrorInfo(v: unknown): v is ErrorInfo {
  return isObj(v) && typeof v.code === 'string' && Object.hasOwn(ERROR_TABLE, v.code) && (v.detail === undefined || typeof v.detail === 'string');
}

/** Validates a message from the child; null for anything malformed (treated as a protocol fault). */
export function parseChildMessage(m: unknown): ChildMessage | null {
  if (!isObj(m)) return null;
  switch (m.type) {
    case 'opened':
      return isFormat(m.format) && typeof m.description === 'string' ? { type: 'opened', format: m.format, description: m.description } : null;
    case 'overflow':
      return isNum(m.lostMs) && (m.where === 'driver' || m.where === 'queue') ? { type: 'overflow', lostMs: m.lostMs, where: m.where } : null;
    case 'error':
      if (!isErrorInfo(m.error)) return null;
      return { type: 'error', error: m.error, text: typeof m.text === 'string' ? m.text : '' };
    case 'inputs':
      return Array.isArray(m.devices) ? { type: 'inputs', devices: m.devices as AudioDevice[] } : null;
    case 'end':
      return { type: 'end' };
    default:
      return null;
  }
}

export function parseParentMessage(m: unknown): ParentMessage | null {
  if (!isObj(m)) return null;
  switch (m.type) {
    case 'open':
      if (typeof m.spec !== 'string') return null;
      return {
        type: 'open',
        spec: m.spec,
        ...(isNum(m.maxQueuedMs) ? { maxQueuedMs: m.maxQueuedMs } : {}),
        ...(isObj(m.format) && isNum(m.format.sampleRate) && m.format.sampleRate > 0 && isNum(m.format.channels) && m.format.channels > 0
          ? { format: { sampleRate: m.format.sampleRate, channels: m.format.channels } }
          : {}),
      };
    case 'start':
    case 'stop':
    case 'list-inputs':
      return { type: m.type };
    default:
      return null;
  }
}

export const FRAME_HEADER_BYTES = 4;
/** Far above any real chunk (a 20 ms callback pair is ~7 KB); a larger length means a corrupt stream. */
export const MAX_FRAME_BYTES = 1 << 20;

/** The 4-byte little-endian length that precedes each PCM chunk on the pipe. */
export function frameHeader(length: number): Buffer {
  if (!Number.isInteger(length) || length < 0 || length > MAX_FRAME_BYTES) {
    throw new EarshotError('INTERNAL', `PCM frame of ${length} bytes cannot be sent to the capture parent`);
  }
  const h = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  h.writeUInt32LE(length, 0);
  return h;
}

export function encodeFrame(chunk: Buffer): Buffer {
  return Buffer.concat([frameHeader(chunk.length), chunk]);
}

/** Reassembles frames from pipe reads of any size. Holds at most one partial frame. */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  /** Returns every frame completed by `data`. Throws EarshotError on a corrupt length. */
  push(data: Buffer): Buffer[] {
    let buf = this.pending.length ? Buffer.concat([this.pending, data]) : data;
    const out: Buffer[] = [];
    while (buf.length >= FRAME_HEADER_BYTES) {
      const len = buf.readUInt32LE(0);
      if (len > MAX_FRAME_BYTES) throw new EarshotError('INTERNAL', `the capture process sent a corrupt PCM frame length (${len})`);
      if (buf.length < FRAME_HEADER_BYTES + len) break;
      out.push(buf.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + len));
      buf = buf.subarray(FRAME_HEADER_BYTES + len);
    }
    // Copy the remainder so a small tail never pins a large read buffer.
    this.pending = buf.length ? Buffer.from(buf) : Buffer.alloc(0);
    return out;
  }

  /** Bytes of an unfinished frame (non-zero at end of stream means the child died mid-write). */
  get partialBytes(): number {
    return this.pending.length;
  }
}
