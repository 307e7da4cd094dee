/**
 * An AssemblyAI Universal Streaming v3 server for tests (stt-protocols.md §3), in two layers:
 * - AssemblyAiResponder: the protocol without sockets. Checks every binary message holds
 *   50-1000 ms and that audio does not arrive faster than real time (beyond an allowance),
 *   answering both with the `Error` frame + close 3007 the real server sends; turns the
 *   tone-word recogniser's words into `Turn` messages (same turn_order replaces, integer-ms
 *   word times, end_of_turn, optional formatted turn); `Terminate` → last turn,
 *   `Termination`, close 1000; bad JSON → 3006. With `speaker_labels=true` (diarisation),
 *   each Turn names the voice most of its words are in (tone-asr voices: 0 → "A", 1 → "B"),
 *   final words carry `speaker`, and one `SpeakerRevision` comes between the last Turn and
 *   `Termination`. Its entries are the turns listed in `mislabelTurns`, whose live label was
 *   deliberately wrong (the fake's stand-in for an early guess that hindsight corrects).
 * - startAssemblyAiServer(): the same on the shared loopback server (fake-ws-server.ts) with
 *   the raw-key handshake (HTTP 401 or close 1008), and scripted faults per attempt: a close
 *   before `Begin`, session expiry 3008 mid-stream, abrupt drop, any close code.
 */
import { startFakeWsServer, type AttemptScript, type ConnectionRecord, type FakeWsServer, type Json, type ServerOptions } from './fake-ws-server.js';
import { FakeResponder, pcmFromBytes } from './fake-responder.js';
import type { RecognizedWord } from './tone-asr.js';

export interface Reply {
  send: Json[];
  /** Close the socket after sending (with an `Error` frame already in `send` when due). */
  close?: { code: number; reason: string };
}

export interface AssemblyAiResponderOptions {
  rate?: number;
  formatTurns?: boolean;
  /** Silence after a turn's last final word that ends the turn. */
  turnSilenceMs?: number;
  /** Allowed real-time multiple (tests run at --speed N). */
  speed?: number;
  /** Seconds of audio the client may be ahead of real time (catch-up after a reconnect). */
  aheadAllowanceSec?: number;
  /** The query asked for `speaker_labels=true`. */
  speakerLabels?: boolean;
  /** Turn orders labelled with the wrong voice live, then corrected by SpeakerRevision. */
  mislabelTurns?: readonly number[];
  now: () => number;
}

export interface FrameRecord {
  samples: number;
  at: number;
}

export class AssemblyAiResponder extends FakeResponder<FrameRecord> {
  readonly turns: Json[] = [];
  terminated = false;
  private readonly rate: number;
  private readonly openedAt: number;
  private turnOrder = 0;
  private turnFirst = 0;
  private lastSignature = '';
  /** Ended turns whose live label was wrong: the corrected revision entry of each. */
  private readonly revisions: Json[] = [];

  constructor(private readonly options: AssemblyAiResponderOptions) {
    super(options.rate ?? 16000);
    this.rate = options.rate ?? 16000;
    this.openedAt = options.now();
  }

  begin(model: string): Json {
    return { type: 'Begin', id: 'sess-test', expires_at: Math.floor(Date.now() / 1000) + 10800, configuration: { model, mode: 'balanced', api_version: '1.0.0' } };
  }

  onBinary(bytes: Uint8Array): Reply {
    const now = this.options.now();
    const samples = Math.floor(bytes.byteLength / 2);
    this.frames.push({ samples, at: now });
    if (this.terminated) this.violations.push('audio after Terminate');
    const ms = (samples / this.rate) * 1000;
    if (ms < 50 - 1e-9 || ms > 1000 + 1e-9) {
      return this.error(3007, `Input Duration Error: Input Duration Violation: ${ms.toFixed(1)} ms. Expected between 50 and 1000 ms`);
    }
    const pcm = pcmFromBytes(bytes);
    this.hear(pcm);
    const audioSec = this.recognizer.position / this.rate;
    const elapsedSec = (now - this.openedAt) / 1000;
    if (audioSec > elapsedSec * (this.options.speed ?? 1) + (this.options.aheadAllowanceSec ?? 5)) {
      return this.error(3007, `Audio Transmission Rate Exceeded: Received ${audioSec.toFixed(1)} sec. audio in ${elapsedSec.toFixed(1)} sec`);
    }
    return { send: this.turnUpdates(false) };
  }

  onText(text: string): Reply {
    this.texts.push(text);
    let msg: Json;
    try {
      msg = JSON.parse(text) as Json;
      if (!msg || typeof msg !== 'object' || Array.isArray(msg)) throw new Error('not an object');
    } catch {
      return this.error(3006, 'Invalid JSON');
    }
    switch (msg.type) {
      case 'Terminate': {
        this.terminated = true;
        this.recognizer.flush();
        const send = this.turnUpdates(true);
        // Diarising sessions get their revised labels just before the end (§3.4), possibly none.
        if (this.options.speakerLabels) send.push({ type: 'SpeakerRevision', revisions: this.revisions });
        send.push({ type: 'Termination', audio_duration_seconds: Math.round(this.samples / this.rate), session_duration_seconds: Math.round((this.options.now() - this.openedAt) / 1000) });
        return { send, close: { code: 1000, reason: '' } };
      }
      case 'KeepAlive':
      case 'UpdateConfiguration':
        return { send: [] };
      case 'ForceEndpoint':
        return { send: this.turnUpdates(true) };
      default:
        return this.error(3006, 'Invalid Message Type');
    }
  }

  /** The `Error` frame, then the close with the same code (§3.4). */
  error(code: number, message: string): Reply {
    const reason = Buffer.byteLength(message) <= 123 ? message : 'See Error message for details';
    return { send: [{ type: 'Error', error_code: code, error: message }], close: { code, reason } };
  }

  private turnUpdates(force: boolean): Json[] {
    const all = this.recognizer.words();
    const words = all.slice(this.turnFirst);
    if (words.length === 0) return [];
    const last = words[words.length - 1]!;
    const silence = this.recognizer.position / this.rate - last.end;
    const endOfTurn = words.every((w) => w.final) && (force || silence * 1000 >= (this.options.turnSilenceMs ?? 500));
    const signature = `${this.turnOrder}|${words.map((w) => `${w.text}${w.final ? '!' : ''}`).join(' ')}|${endOfTurn}`;
    if (signature === this.lastSignature) return [];
    this.lastSignature = signature;
    const out: Json[] = [this.turn(words, endOfTurn, false)];
    if (endOfTurn) {
      if (this.options.formatTurns) out.push(this.turn(words, true, true));
      if (this.options.speakerLabels && this.mislabelled()) {
        this.revisions.push({ turn_order: this.turnOrder, speaker_label: speakerLetter(majorityVoice(words)), words: this.wordsJson(words, false) });
      }
      this.turnOrder++;
      this.turnFirst = all.length;
    }
    this.turns.push(...out);
    return out;
  }

  private turn(words: RecognizedWord[], endOfTurn: boolean, formatted: boolean): Json {
    const finals = words.filter((w) => w.final).map((w) => w.text).join(' ');
    const transcript = formatted ? `${finals.charAt(0).toUpperCase()}${finals.slice(1)}.` : finals;
    return {
      type: 'Turn',
      turn_order: this.turnOrder,
      turn_is_formatted: formatted,
      end_of_turn: endOfTurn,
      transcript,
      end_of_turn_confidence: endOfTurn ? 0.9 : 0.01,
      utterance: endOfTurn ? transcript : '',
      words: this.wordsJson(words, this.mislabelled()),
      ...(this.options.speakerLabels ? { speaker_label: speakerLetter(majorityVoice(words), this.mislabelled()) } : {}),
    };
  }

  private mislabelled(): boolean {
    return this.options.mislabelTurns?.includes(this.turnOrder) ?? false;
  }

  /** Only final words name their speaker (the docs' word-level labels). */
  private wordsJson(words: RecognizedWord[], wrong: boolean): Json[] {
    return words.map((w) => ({
      start: Math.round(w.start * 1000), end: Math.round(w.end * 1000), text: w.text, confidence: 0.9, word_is_final: w.final,
      ...(this.options.speakerLabels && w.final ? { speaker: speakerLetter(w.voice, wrong) } : {}),
    }));
  }
}

/** The voice most words are in (ties: the first such voice). */
function majorityVoice(words: readonly RecognizedWord[]): number {
  const counts = new Map<number, number>();
  for (const w of words) counts.set(w.voice, (counts.get(w.voice) ?? 0) + 1);
  let best = words[0]?.voice ?? 0;
  for (const [voice, n] of counts) if (n > (counts.get(best) ?? 0)) best = voice;
  return best;
}

/** Voice 0 → "A", 1 → "B"…; a wrong guess swaps A↔B, C↔D. */
function speakerLetter(voice: number, wrong = false): string {
  return String.fromCharCode(65 + (wrong ? voice ^ 1 : voice));
}

// ---------------------------------------------------------------- real server

export type AssemblyAiFault =
  /** Destroy the TCP socket (client sees 1006). */
  | { kind: 'drop'; afterSamples: number }
  /** The 3-hour limit: `Error` 3008, close 3008. */
  | { kind: 'expire'; afterSamples: number }
  /** An `Error` frame with this code, then the close. */
  | { kind: 'error'; afterSamples: number; code: number; message: string }
  /** A close with no `Error` frame. */
  | { kind: 'close'; afterSamples: number; code: number; reason?: string };

export interface AssemblyAiAttempt extends AttemptScript<AssemblyAiFault> {
  /** Accept the socket, then close before `Begin` (e.g. 1008 or 3009). */
  closeBeforeBegin?: { code: number; reason: string };
}

export interface AssemblyAiServerOptions extends Omit<AssemblyAiResponderOptions, 'now'>, ServerOptions<AssemblyAiAttempt> {
  /** How a wrong key is refused: HTTP 401 at the handshake, or accepted then closed with 1008. */
  refuseKeyWith?: 'http' | 'close';
}

export type AssemblyAiConnection = ConnectionRecord<AssemblyAiResponder>;
export type AssemblyAiServer = FakeWsServer<AssemblyAiConnection>;

export function startAssemblyAiServer(options: AssemblyAiServerOptions): Promise<AssemblyAiServer> {
  const now = () => performance.now();
  return startFakeWsServer<AssemblyAiConnection, AssemblyAiAttempt>({
    path: '/v3/ws',
    authorization: options.apiKey,
    acceptBadKey: options.refuseKeyWith === 'close',
    refusalBody: (status) => ({ error: status === 401 ? 'Invalid API key' : `refused with ${status}` }),
    script: options.script,
    connection: (base) => ({
      ...base,
      responder: new AssemblyAiResponder({ ...options, formatTurns: base.query.get('format_turns') === 'true' || options.formatTurns, speakerLabels: base.query.get('speaker_labels') === 'true', now }),
    }),
    serve: (link, script) => {
      const { responder, query } = link.record;
      checkQuery(query, responder.violations);
      const reply = (r: Reply) => {
        link.send(r.send);
        if (r.close) link.close(r.close.code, r.close.reason);
      };
      const closeEarly = link.badKey ? { code: 1008, reason: 'Unauthorized Connection: Invalid API key' } : script?.closeBeforeBegin;
      if (closeEarly) return link.close(closeEarly.code, closeEarly.reason);
      link.send([responder.begin(query.get('speech_model') ?? 'universal-3-5-pro')]);
      link.onMessage((data, isBinary) => {
        if (!isBinary) return reply(responder.onText(data.toString('utf8')));
        reply(responder.onBinary(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
        const fault = link.due(script?.fault);
        if (fault?.kind === 'drop') link.drop();
        else if (fault?.kind === 'expire') reply(responder.error(3008, 'Session Expired: Maximum session duration exceeded'));
        else if (fault?.kind === 'error') reply(responder.error(fault.code, fault.message));
        else if (fault?.kind === 'close') link.close(fault.code, fault.reason ?? '');
      });
    },
  });
}

/** What the real server needs in the query (§3.2); it silently ignores the rest. */
function checkQuery(q: URLSearchParams, violations: string[]): void {
  if (q.getAll('speech_model').length !== 1) violations.push(`speech_model sent ${q.getAll('speech_model').length} times`);
  if (q.get('sample_rate') !== '16000') violations.push(`sample_rate=${q.get('sample_rate')}`);
  if (q.get('encoding') !== 'pcm_s16le') violations.push(`encoding=${q.get('encoding')}`);
  const labels = q.get('speaker_labels');
  if (labels !== null && labels !== 'true' && labels !== 'false') violations.push(`speaker_labels=${labels}`);
  const most = q.get('max_speakers');
  if (most !== null && (labels !== 'true' || !/^([1-9]|10)$/.test(most))) violations.push(`max_speakers=${most} with speaker_labels=${labels}`);
  const terms = q.get('keyterms_prompt');
  if (terms !== null) {
    try {
      const parsed: unknown = JSON.parse(terms);
      if (!Array.isArray(parsed)) violations.push('keyterms_prompt is not a JSON array');
    } catch {
      violations.push('keyterms_prompt is not JSON');
    }
  }
}
