/**
 * Transcribes one file with a pre-recorded service: checks the file before anything is sent
 * (missing, a folder, unreadable, empty, over the service's limit), uploads it, retries what
 * can succeed later (408, 429, 502-504, 520, dropped connections) with full-jitter backoff
 * that honours Retry-After, and stops at once on what cannot (a refused key, a file the
 * service calls too large, a rejected option). Every error names the provider and the
 * cause, never the key. Time, chance and the network come in through deps.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { EarshotError } from '../../shared/errors.js';
import { fullJitterDelay } from '../stt/backoff.js';
import type { Clock, Random } from '../util/clock.js';
import { UploadNetworkError, type Upload, type UploadResponse } from './http-upload.js';
import { parseRetryAfter } from './retry-after.js';
import type { FileTranscript, PrerecordedService, TranscribeOptions } from './types.js';

export type JobStatus =
  | { phase: 'uploading'; sent: number; total: number; attempt: number }
  | { phase: 'transcribing'; attempt: number }
  | { phase: 'retrying'; attempt: number; inMs: number; reason: string };

export interface TranscribeJob {
  path: string;
  service: PrerecordedService;
  options: TranscribeOptions;
  apiKey: string;
  /** Overrides the service's base URL (https://, or http:// to a loopback host). */
  endpoint?: string;
  signal?: AbortSignal;
  onStatus?(s: JobStatus): void;
}

export interface TranscribeDeps {
  upload: Upload;
  clock: Clock;
  random: Random;
  /** Wall-clock epoch ms, only to read an HTTP-date Retry-After. */
  epochNow(): number;
  maxAttempts?: number;
  idleTimeoutMs?: number;
}

const RETRY_STATUSES = new Set([408, 429, 502, 503, 504, 520]);
const BACKOFF = { baseMs: 1000, capMs: 30_000 };
const MAX_RETRY_AFTER_MS = 120_000;

export async function transcribeFile(job: TranscribeJob, deps: TranscribeDeps): Promise<FileTranscript> {
  const { service, options } = job;
  const size = await checkFile(job.path, service);
  const base = (job.endpoint ?? service.baseUrl(options.model)).replace(/\/+$/, '');
  const url = `${base}${service.path(options.translate)}`;
  const maxAttempts = deps.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    throwIfCancelled(job.signal);
    let res: UploadResponse;
    try {
      res = await deps.upload({
        url,
        headers: service.authHeader(job.apiKey),
        fields: service.fields(options),
        file: { path: job.path, size, name: basename(job.path) },
        ...(job.signal ? { signal: job.signal } : {}),
        ...(deps.idleTimeoutMs !== undefined ? { idleTimeoutMs: deps.idleTimeoutMs } : {}),
        onProgress: (sent, total) => job.onStatus?.({ phase: 'uploading', sent, total, attempt }),
        onUploaded: () => job.onStatus?.({ phase: 'transcribing', attempt }),
      });
    } catch (err) {
      throwIfCancelled(job.signal);
      if (!(err instanceof UploadNetworkError)) throw err;
      const reason = `${describeNetwork(err)} (${url})`;
      if (attempt >= maxAttempts) throw new EarshotError('TRANSCRIPTION_FAILED', `${service.label}: ${reason}; gave up after ${attempt} attempts`);
      await retryLater(job, deps, attempt, undefined, reason);
      continue;
    }
    if (res.status >= 200 && res.status < 300) return parseAnswer(service, res, options.translate, job.apiKey);
    const why = `${service.label} answered HTTP ${res.status}${serverMessage(res.body, job.apiKey)}`;
    if (res.status === 401 || res.status === 403) throw new EarshotError('AUTH_REFUSED', why);
    if (res.status === 413) throw new EarshotError('FILE_TOO_LARGE', `${why}: the file is ${formatBytes(size)}`);
    if (RETRY_STATUSES.has(res.status) && attempt < maxAttempts) {
      await retryLater(job, deps, attempt, parseRetryAfter(res.headers['retry-after'], deps.epochNow()), why);
      continue;
    }
    if (res.status === 400 || res.status === 422) throw new EarshotError('CONFIG_REJECTED', why);
    throw new EarshotError('TRANSCRIPTION_FAILED', RETRY_STATUSES.has(res.status) ? `${why}; gave up after ${attempt} attempts` : why);
  }
}

async function checkFile(path: string, service: PrerecordedService): Promise<number> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new EarshotError('FILE_NOT_FOUND', code === 'ENOENT' ? `${path}: no such file` : `${path}: ${(err as Error).message}`);
  }
  if (info.isDirectory()) throw new EarshotError('FILE_NOT_FOUND', `${path} is a folder; give the path of an audio file`);
  if (!info.isFile()) throw new EarshotError('FILE_NOT_FOUND', `${path} is not a regular file`);
  try {
    await access(path, constants.R_OK);
  } catch {
    throw new EarshotError('FILE_NOT_FOUND', `${path} cannot be read (permission denied)`);
  }
  if (info.size === 0) throw new EarshotError('FILE_NOT_FOUND', `${path} is empty`);
  if (info.size > service.maxBytes) {
    throw new EarshotError('FILE_TOO_LARGE', `${path} is ${formatBytes(info.size)}; ${service.label} takes at most ${formatBytes(service.maxBytes)}`);
  }
  return info.size;
}

function parseAnswer(service: PrerecordedService, res: UploadResponse, translate: boolean, key: string): FileTranscript {
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    throw new EarshotError('PROTOCOL', `${service.label} answered HTTP ${res.status} with something that is not JSON: ${scrub(res.body.slice(0, 120), key)}`);
  }
  try {
    return service.parse(body, translate);
  } catch (err) {
    throw new EarshotError('PROTOCOL', `${service.label}: ${(err as Error).message}`);
  }
}

async function retryLater(job: TranscribeJob, deps: TranscribeDeps, attempt: number, retryAfterMs: number | undefined, reason: string): Promise<void> {
  const inMs = retryAfterMs !== undefined ? Math.min(retryAfterMs, MAX_RETRY_AFTER_MS) : fullJitterDelay(attempt - 1, BACKOFF, deps.random);
  job.onStatus?.({ phase: 'retrying', attempt, inMs, reason });
  await new Promise<void>((resolve, reject) => {
    const timer = deps.clock.setTimeout(() => { job.signal?.removeEventListener('abort', onAbort); resolve(); }, inMs);
    const onAbort = () => { deps.clock.clearTimeout(timer); reject(new EarshotError('CANCELLED')); };
    job.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new EarshotError('CANCELLED');
}

/** The service's own words, from the usual JSON error shapes, without the key. */
function serverMessage(body: string, key: string): string {
  let text = body.trim();
  try {
    const j = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown; detail?: unknown };
    const m = typeof j.error === 'object' ? j.error?.message : j.error ?? j.message ?? j.detail;
    if (typeof m === 'string') text = m;
  } catch { /* not JSON: the raw text */ }
  text = scrub(text.replace(/\s+/g, ' ').slice(0, 200), key);
  return text ? `: ${text}` : '';
}

function scrub(text: string, key: string): string {
  return key.length >= 4 ? text.split(key).join('****') : text;
}

const NETWORK_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused', ECONNRESET: 'the connection was reset', EPIPE: 'the connection was closed while sending',
  ETIMEDOUT: 'timed out', ENOTFOUND: 'host not found', EAI_AGAIN: 'host not found (DNS)', EHOSTUNREACH: 'host unreachable',
};

function describeNetwork(err: UploadNetworkError): string {
  const words = NETWORK_WORDS[err.code];
  return words && err.code !== 'ETIMEDOUT' ? words : err.message;
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(n % 1024 ** 3 === 0 ? 0 : 2)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}
