/**
 * A Deepgram live `/v1/listen` server for tests (stt-protocols.md §5), in two layers:
 * - DeepgramResponder: the protocol without sockets. Binary linear16 goes to the tone-word
 *   recogniser; interim `Results` cover the open range [start, cursor) and share its `start`;
 *   after `endpointing` ms of silence the range is sent once more with is_final and
 *   speech_final and the next range starts at the cursor. `Finalize` flushes (from_finalize),
 *   `CloseStream` flushes, sends `Metadata` and closes with 1000. With `diarize=true` every
 *   word carries `speaker`: the tone-asr voice it is spoken in (0, 1…), as told from its level.
 * - startDeepgramServer(): the same on the shared loopback server (fake-ws-server.ts) with
 *   the `Token` handshake (HTTP 401), the idle close (1011 NET-0001 when neither audio nor
 *   a TEXT KeepAlive arrives within `idleMs`, 10 s by default) and scripted faults.
 */
import { startFakeWsServer, type AttemptScript, type ConnectionRecord, type FakeWsServer, type Json, type ServerOptions } from './fake-ws-server.js';
import { FakeResponder, pcmFromBytes } from './fake-responder.js';
import type { RecognizedWord } from './tone-asr.js';

export interface FrameRecord {
  samples: number;
  at: number;
}

export class DeepgramResponder extends FakeResponder<FrameRecord> {
  keepAlives = 0;
  closeStreamSeen = false;
  private first = 0;
  private rangeStart = 0;
  private lastSignature = '';

  constructor(
    private readonly now: () => number,
    /** Silence (ms) that ends an utterance; Deepgram's `endpointing`. */
    private readonly endpointingMs = 300,
    /** The query asked for `diarize=true`. */
    private readonly diarize = false,
  ) {
    super(16000);
  }

  onBinary(bytes: Uint8Array): Json[] {
    if (this.closeStreamSeen) this.violations.push('audio after CloseStream');
    if (bytes.byteLength % 2) this.violations.push(`frame of ${bytes.byteLength} bytes`);
    const pcm = pcmFromBytes(bytes);
    this.frames.push({ samples: pcm.length, at: this.now() });
    this.hear(pcm);
    return this.results(false);
  }

  /** Returns the replies and whether the server now closes (after CloseStream). */
  onText(text: string): { send: Json[]; close: boolean } {
    this.texts.push(text);
    let msg: Json;
    try {
      msg = JSON.parse(text) as Json;
    } catch {
      this.violations.push(`text that is not JSON: ${text.slice(0, 40)}`);
      return { send: [], close: false };
    }
    switch (msg.type) {
      case 'KeepAlive':
        this.keepAlives++;
        return { send: [], close: false };
      case 'Finalize':
        this.recognizer.flush();
        return { send: this.results(true), close: false };
      case 'CloseStream': {
        this.closeStreamSeen = true;
        this.recognizer.flush();
        const send = this.results(true);
        send.push({ type: 'Metadata', transaction_key: 'deprecated', request_id: 'req-test', sha256: '0', created: new Date(0).toISOString(), duration: this.samples / 16000, channels: 1 });
        return { send, close: true };
      }
      default:
        this.violations.push(`unknown message ${text.slice(0, 40)}`);
        return { send: [], close: false };
    }
  }

  private results(flush: boolean): Json[] {
    const words = this.recognizer.words().slice(this.first);
    const cursor = this.recognizer.position / this.recognizer.rate;
    if (words.length === 0) return [];
    const last = words[words.length - 1]!;
    const endpoint = words.every((w) => w.final) && (flush || (cursor - last.end) * 1000 >= this.endpointingMs);
    if (endpoint) {
      const msg = this.result(words, cursor, true, !flush, flush);
      this.first += words.length;
      this.rangeStart = cursor;
      this.lastSignature = '';
      return [msg];
    }
    const signature = words.map((w) => `${w.text}${w.final ? '!' : ''}`).join(' ');
    if (signature === this.lastSignature) return [];
    this.lastSignature = signature;
    return [this.result(words, cursor, false, false, false)];
  }

  private result(words: RecognizedWord[], cursor: number, isFinal: boolean, speechFinal: boolean, fromFinalize: boolean): Json {
    return {
      type: 'Results',
      channel_index: [0, 1],
      start: round(this.rangeStart),
      duration: round(cursor - this.rangeStart),
      is_final: isFinal,
      speech_final: speechFinal,
      from_finalize: fromFinalize,
      channel: {
        alternatives: [{
          transcript: words.map((w) => w.text).join(' '),
          confidence: 0.98,
          words: words.map((w) => ({ word: w.text, start: round(w.start), end: round(w.end), confidence: 0.9, punctuated_word: w.text, ...(this.diarize ? { speaker: w.voice, speaker_confidence: 0.8 } : {}) })),
        }],
      },
      metadata: { request_id: 'req-test', model_info: { name: 'general-nova-3', version: 'test', arch: 'nova-3' }, model_uuid: 'uuid-test' },
    };
  }
}

const round = (x: number) => Math.round(x * 10000) / 10000;

// ---------------------------------------------------------------- real server

export type DeepgramFault =
  | { kind: 'drop'; afterSamples: number }
  | { kind: 'close'; afterSamples: number; code: number; reason: string };

export type DeepgramAttempt = AttemptScript<DeepgramFault>;

export interface DeepgramServerOptions extends ServerOptions<DeepgramAttempt> {
  /** Close with 1011 NET-0001 after this long without audio or a text message. */
  idleMs?: number;
}

export interface DeepgramConnection extends ConnectionRecord<DeepgramResponder> {
  /** Longest gap between two client messages, in ms. */
  longestGapMs: number;
}

export type DeepgramServer = FakeWsServer<DeepgramConnection>;

export function startDeepgramServer(options: DeepgramServerOptions): Promise<DeepgramServer> {
  const now = () => performance.now();
  return startFakeWsServer<DeepgramConnection, DeepgramAttempt>({
    path: '/v1/listen',
    authorization: `Token ${options.apiKey}`,
    refusalBody: (status) => ({ err_code: status === 401 ? 'INVALID_AUTH' : 'ERROR', err_msg: status === 401 ? 'Invalid credentials.' : `refused with ${status}`, request_id: 'req-test' }),
    script: options.script,
    connection: (base) => {
      const endpointing = Number(base.query.get('endpointing') ?? 10);
      return { ...base, responder: new DeepgramResponder(now, Number.isFinite(endpointing) ? endpointing : 10, base.query.get('diarize') === 'true'), longestGapMs: 0 };
    },
    serve: (link, script) => {
      const { record } = link;
      const { responder, query } = record;
      for (const [name, value] of [['encoding', 'linear16'], ['sample_rate', '16000'], ['channels', '1']]) {
        if (query.get(name!) !== value) responder.violations.push(`${name}=${query.get(name!)}`);
      }
      const diarize = query.get('diarize');
      if (diarize !== null && diarize !== 'true' && diarize !== 'false') responder.violations.push(`diarize=${diarize}`);
      let lastHeard = now();
      let cancelIdle: () => void = () => undefined;
      const armIdle = () => {
        cancelIdle();
        cancelIdle = link.setTimeout(() => link.close(1011, 'NET-0001'), options.idleMs ?? 10_000);
      };
      armIdle();
      link.onMessage((data, isBinary) => {
        const t = now();
        record.longestGapMs = Math.max(record.longestGapMs, t - lastHeard);
        lastHeard = t;
        armIdle();
        if (!isBinary) {
          const r = responder.onText(data.toString('utf8'));
          link.send(r.send);
          if (r.close) link.close(1000, '');
          return;
        }
        link.send(responder.onBinary(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
        const fault = link.due(script?.fault);
        if (fault?.kind === 'drop') link.drop();
        else if (fault?.kind === 'close') link.close(fault.code, fault.reason);
      });
    },
  });
}
