/**
 * Shape checks for what arrives from outside the page (IPC or the HTTP overlay feed).
 * A payload that fails is dropped and counted by the caller, never rendered.
 */
import type { CaptionDiff, CaptionSnapshot, Segment } from '../../shared/captions.js';
import type { AudioLevel, ConnectionStatus } from '../../shared/status.js';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function isSegment(v: unknown): v is Segment {
  return isObj(v) && typeof v.id === 'string' && typeof v.text === 'string'
    && isNum(v.start) && isNum(v.end) && typeof v.final === 'boolean';
}

export function isCaptionSnapshot(v: unknown): v is CaptionSnapshot {
  return isObj(v) && isNum(v.rev) && Array.isArray(v.segments) && v.segments.every(isSegment);
}

export function isCaptionDiff(v: unknown): v is CaptionDiff {
  return isObj(v) && isNum(v.rev) && Array.isArray(v.upserts) && v.upserts.every(isSegment)
    && Array.isArray(v.removals) && v.removals.every((r) => typeof r === 'string');
}

const STATUS_KINDS = new Set(['idle', 'connecting', 'live', 'reconnecting', 'finishing', 'paused', 'stopped', 'error', 'streams']);
/** A meeting has two streams; a few more would still show, hundreds would be an attack on the bar. */
const MAX_STREAMS = 8;

export function isConnectionStatus(v: unknown): v is ConnectionStatus {
  if (!isObj(v) || typeof v.kind !== 'string' || !STATUS_KINDS.has(v.kind)) return false;
  switch (v.kind) {
    case 'streams':
      return isNum(v.echoSuppressed) && Array.isArray(v.streams) && v.streams.length > 0 && v.streams.length <= MAX_STREAMS
        && v.streams.every((s) => isObj(s) && typeof s.label === 'string' && typeof s.source === 'string'
          && isObj(s.status) && s.status.kind !== 'streams' && isConnectionStatus(s.status));
    case 'connecting': case 'live': case 'finishing': return typeof v.provider === 'string';
    case 'reconnecting':
      return typeof v.provider === 'string' && isNum(v.backlogSeconds) && isNum(v.retryInMs) && isErrorInfo(v.reason);
    case 'error': return isErrorInfo(v.error);
    default: return true;
  }
}

function isErrorInfo(v: unknown): boolean {
  return isObj(v) && typeof v.code === 'string' && typeof v.message === 'string';
}

export function isAudioLevel(v: unknown): v is AudioLevel {
  return isObj(v) && isNum(v.rmsDb) && isNum(v.peakDb)
    && (v.stream === undefined || (isObj(v.stream) && isNum(v.stream.index) && typeof v.stream.label === 'string'));
}
