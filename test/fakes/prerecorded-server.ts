/**
 * A Fireworks-faithful pre-recorded transcription server for tests (prerecorded.md §1):
 * POST /v1/audio/{transcriptions,translations}, multipart parsed with busboy, the audio in
 * part `file`, `Authorization: Bearer KEY` or the raw key, verbose_json answers with word
 * and segment times and `speaker_id` when diarize=true. It "hears" the tone-word speech of
 * tone-asr.ts: any format sox reads (WAV, FLAC…) is converted to 16 kHz mono like the real
 * service does, then recognised exactly. Faults are scripted per request: an HTTP status
 * (with Retry-After), a size limit answered with 413, a connection dropped mid-upload, or a
 * slow answer.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import busboy from 'busboy';
import { groupSentences, ToneRecognizer } from './tone-asr.js';

export type PrerecordedFault =
  | { kind: 'status'; status: number; retryAfter?: string; body?: string }
  /** Destroy the socket after this many bytes of the request body. */
  | { kind: 'drop'; afterBytes: number }
  /** Wait this long before answering (after reading the whole upload). */
  | { kind: 'delay'; ms: number };

export interface PrerecordedRequestRecord {
  path: string;
  authorization: string | undefined;
  fields: Record<string, string>;
  file?: { filename: string; bytes: number; sha256: string };
  contentLength: number | undefined;
  /** What this request got back: a status, or 'dropped'. */
  outcome: number | 'dropped';
}

export interface PrerecordedServerOptions {
  key: string;
  /** Faults for requests 1, 2, …; requests past the list are answered normally. */
  script?: PrerecordedFault[];
  /** Uploads larger than this get 413 (the real limit is 1 GB). */
  maxBytes?: number;
  /** Language reported when none was asked for. */
  detectedLanguage?: string;
  /** Benchmarks: count and hash the upload without keeping it, answer an empty transcript. */
  discardAudio?: boolean;
  /**
   * Whose answers to give (prerecorded.md): Fireworks (speaker_id on words and segments),
   * Together (top-level speaker_segments), OpenAI (diarized_json segments with `speaker`).
   */
  flavor?: 'fireworks' | 'together' | 'openai';
}

export interface PrerecordedServer {
  url: string;
  requests: PrerecordedRequestRecord[];
  close(): Promise<void>;
}

function decodeTo16kMono(bytes: Buffer): Promise<Int16Array> {
  return new Promise((resolve, reject) => {
    const child = execFile('sox', ['-', '-t', 'raw', '-r', '16000', '-c', '1', '-e', 'signed', '-b', '16', '-L', '-'],
      { encoding: 'buffer', maxBuffer: 1024 * 1024 * 1024 }, (err, stdout) => {
        if (err) { reject(err); return; }
        const b = stdout as Buffer;
        resolve(new Int16Array(b.buffer, b.byteOffset, Math.floor(b.length / 2)));
      });
    child.stdin!.end(bytes);
  });
}

async function verboseJson(audio: Buffer, fields: Record<string, string>, translate: boolean, detected: string, flavor: NonNullable<PrerecordedServerOptions['flavor']>) {
  const pcm = await decodeTo16kMono(audio);
  const rec = new ToneRecognizer({ rate: 16000 });
  rec.feed(pcm);
  rec.flush();
  const words = rec.words();
  const diarize = !translate && fields.diarize === 'true' && flavor === 'fireworks';
  // Speakers take turns sentence by sentence, in a format the docs leave open ("SPEAKER_00").
  const sentences = groupSentences(words);
  const segments = sentences.map((ws, i) => {
    const speaker = diarize ? { speaker_id: `SPEAKER_0${i % 2}` } : {};
    return {
      id: i, start: ws[0]!.start, end: ws.at(-1)!.end, text: ` ${ws.map((w) => w.text).join(' ')}`,
      ...speaker,
      words: ws.map((w) => ({ word: w.text, start: w.start, end: w.end, probability: 0.99, hallucination_score: 0, language: 'en', ...speaker })),
    };
  });
  const heard = translate ? 'en' : fields.language && fields.language !== 'auto' ? fields.language : detected;
  const text = words.map((w) => w.text).join(' ');
  if (flavor === 'openai' && fields.response_format === 'diarized_json') {
    return {
      task: 'transcribe', duration: pcm.length / 16000, text,
      segments: sentences.map((ws, i) => ({ id: `seg_${i}`, type: 'transcript.text.segment', speaker: i % 2 ? 'B' : 'A', start: ws[0]!.start, end: ws.at(-1)!.end, text: ws.map((w) => w.text).join(' ') })),
    };
  }
  if (flavor === 'together' && fields.diarize === 'true' && !translate) {
    return {
      task: 'transcribe', language: heard, duration: pcm.length / 16000, text,
      segments: segments.map(({ words: _w, ...s }) => s),
      speaker_segments: sentences.map((ws, i) => ({
        id: i, speaker_id: `SPEAKER_0${i % 2}`, start: ws[0]!.start, end: ws.at(-1)!.end, text: ws.map((w) => w.text).join(' '),
        words: ws.map((w, k) => ({ id: k, word: w.text, start: w.start, end: w.end, speaker_id: `SPEAKER_0${i % 2}` })),
      })),
    };
  }
  return {
    task: translate ? 'translate' : 'transcribe',
    language: heard,
    duration: pcm.length / 16000,
    text: words.map((w) => w.text).join(' '),
    words: segments.flatMap((s) => s.words),
    segments,
  };
}

export async function startPrerecordedServer(options: PrerecordedServerOptions): Promise<PrerecordedServer> {
  const requests: PrerecordedRequestRecord[] = [];
  const script = [...(options.script ?? [])];
  const maxBytes = options.maxBytes ?? 1024 ** 3;
  const errorBody = (type: string, message: string) => JSON.stringify({ error: { object: 'error', type, message } });

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const fault = script.shift();
    const record: PrerecordedRequestRecord = {
      path: req.url ?? '', authorization: req.headers.authorization, fields: {},
      contentLength: req.headers['content-length'] ? Number(req.headers['content-length']) : undefined, outcome: 0,
    };
    requests.push(record);
    const answer = (status: number, body: string, headers: Record<string, string> = {}) => {
      record.outcome = status;
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers, Connection: 'close' });
      res.end(body);
      req.resume();
    };
    const translate = req.url === '/v1/audio/translations';
    if (req.method !== 'POST' || (req.url !== '/v1/audio/transcriptions' && !translate)) { answer(404, errorBody('not_found', 'Not found')); return; }
    const auth = req.headers.authorization ?? '';
    if (auth !== `Bearer ${options.key}` && auth !== options.key) { answer(401, errorBody('invalid_request_error', 'Invalid API key provided')); return; }
    if (record.contentLength !== undefined && record.contentLength > maxBytes) {
      answer(413, errorBody('invalid_request_error', 'Request entity too large'));
      return;
    }
    if (fault?.kind === 'status') {
      answer(fault.status, fault.body ?? errorBody(fault.status === 429 ? 'rate_limit_error' : 'server_error', `fake fault ${fault.status}`),
        fault.retryAfter ? { 'Retry-After': fault.retryAfter } : {});
      return;
    }
    let received = 0;
    if (fault?.kind === 'drop') {
      req.on('data', (c: Buffer) => {
        received += c.length;
        if (received >= fault.afterBytes && record.outcome === 0) { record.outcome = 'dropped'; req.socket.destroy(); }
      });
    }
    const parts: Buffer[] = [];
    const hash = createHash('sha256');
    let fileBytes = 0;
    let filename = '';
    const bb = busboy({ headers: req.headers, limits: { fileSize: maxBytes } });
    bb.on('field', (name, value) => { record.fields[name] = value; });
    bb.on('file', (_name, stream, info) => {
      filename = info.filename ?? '';
      stream.on('data', (c: Buffer) => {
        fileBytes += c.length;
        hash.update(c);
        if (!options.discardAudio) parts.push(c);
      });
    });
    bb.on('error', () => { if (record.outcome === 0) answer(400, errorBody('invalid_request_error', 'Malformed multipart body')); });
    bb.on('close', () => {
      if (record.outcome !== 0) return;
      const audio = Buffer.concat(parts);
      record.file = { filename, bytes: fileBytes, sha256: hash.digest('hex') };
      if (!fileBytes) { answer(400, errorBody('invalid_request_error', 'No file')); return; }
      if (options.discardAudio) { answer(200, JSON.stringify({ task: 'transcribe', language: 'en', duration: 0, text: '', segments: [] })); return; }
      const respond = () => {
        verboseJson(audio, record.fields, translate, options.detectedLanguage ?? 'en', options.flavor ?? 'fireworks').then(
          (body) => answer(200, JSON.stringify(body)),
          () => answer(400, errorBody('invalid_request_error', 'Could not decode the audio file')),
        );
      };
      if (fault?.kind === 'delay') setTimeout(respond, fault.ms);
      else respond();
    });
    req.pipe(bb);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
