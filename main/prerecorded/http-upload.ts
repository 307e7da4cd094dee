/**
 * One multipart POST with the audio streamed from disk (never read whole into memory), the
 * bytes sent reported as they leave, a cap on the answer's size, an idle timeout and an
 * abort signal. form-data builds the body with an exact Content-Length from the file's size,
 * so servers and proxies that refuse chunked uploads take it too. The only importer of
 * node:http(s) in this folder; tests drive transcribe-job.ts through a fake of this port.
 */
import { createReadStream } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Transform } from 'node:stream';
import FormData from 'form-data';
import type { FormField } from './types.js';

export interface UploadRequest {
  url: string;
  headers: Record<string, string>;
  fields: readonly FormField[];
  file: { path: string; size: number; name: string };
  signal?: AbortSignal;
  /** Bytes of the whole body sent so far, and the body's total. */
  onProgress?(sent: number, total: number): void;
  /** The whole body has been handed to the network: the service is working. */
  onUploaded?(): void;
  /** No byte in either direction for this long ends the attempt (the service may take minutes). */
  idleTimeoutMs?: number;
  maxResponseBytes?: number;
}

export interface UploadResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A failure before any HTTP answer: refused, reset, timed out, aborted. */
export class UploadNetworkError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
    this.name = 'UploadNetworkError';
  }
}

export type Upload = (req: UploadRequest) => Promise<UploadResponse>;

const DEFAULT_IDLE_MS = 600_000; // Fireworks' SDK waits 600 s for an answer
const DEFAULT_MAX_RESPONSE = 64 * 1024 * 1024;

export const httpUpload: Upload = (r) => new Promise<UploadResponse>((resolve, reject) => {
  const form = new FormData();
  for (const [name, value] of r.fields) form.append(name, value);
  const file = createReadStream(r.file.path);
  form.append('file', file, { filename: r.file.name, knownLength: r.file.size });
  const total = form.getLengthSync();
  const url = new URL(r.url);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  let settled = false;
  const fail = (err: UploadNetworkError) => {
    if (settled) return;
    settled = true;
    file.destroy();
    req.destroy();
    reject(err);
  };
  const req = send(url, {
    method: 'POST',
    headers: { ...form.getHeaders(), ...r.headers, 'Content-Length': String(total), Accept: 'application/json' },
  });
  if (r.signal?.aborted) { fail(new UploadNetworkError('cancelled', 'ABORT_ERR')); return; }
  const onAbort = () => fail(new UploadNetworkError('cancelled', 'ABORT_ERR'));
  r.signal?.addEventListener('abort', onAbort, { once: true });
  req.setTimeout(r.idleTimeoutMs ?? DEFAULT_IDLE_MS, () => fail(new UploadNetworkError(`no answer for ${Math.round((r.idleTimeoutMs ?? DEFAULT_IDLE_MS) / 1000)} s`, 'ETIMEDOUT')));
  req.on('error', (err: NodeJS.ErrnoException) => fail(new UploadNetworkError(err.message, err.code ?? 'ENETWORK')));
  file.on('error', (err: NodeJS.ErrnoException) => fail(new UploadNetworkError(`reading ${r.file.path}: ${err.message}`, err.code ?? 'EIO')));
  req.on('response', (res: IncomingMessage) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const limit = r.maxResponseBytes ?? DEFAULT_MAX_RESPONSE;
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) { fail(new UploadNetworkError(`the answer is larger than ${limit} bytes`, 'ETOOBIG')); return; }
      chunks.push(c);
    });
    res.on('error', (err: NodeJS.ErrnoException) => fail(new UploadNetworkError(err.message, err.code ?? 'ENETWORK')));
    res.on('end', () => {
      if (settled) return;
      settled = true;
      r.signal?.removeEventListener('abort', onAbort);
      // A server may answer (413, 401) before reading the whole upload: stop sending.
      file.destroy();
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
    });
  });
  let sent = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      sent += chunk.length;
      r.onProgress?.(sent, total);
      done(null, chunk);
    },
  });
  req.on('finish', () => { if (!settled) r.onUploaded?.(); });
  form.pipe(counter).pipe(req);
});
