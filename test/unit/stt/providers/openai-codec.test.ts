import { describe, expect, it } from 'vitest';
import { OpenAiCodec, openAiErrorMeaning } from '../../../../main/stt/providers/openai/codec.js';
import type { ProviderEvent } from '../../../../main/stt/provider.js';

const KEY = 'sk-proj-SECRET-abcdef123456';
const VAD = { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 500 };
const codec = (o: Partial<ConstructorParameters<typeof OpenAiCodec>[0]> = {}) =>
  new OpenAiCodec({ apiKey: KEY, model: 'gpt-4o-transcribe', turnDetection: VAD, ...o });
let sent = 3;
const feed = (c: OpenAiCodec, ...m: unknown[]): ProviderEvent[] =>
  m.flatMap((x) => c.decode(typeof x === 'string' ? x : JSON.stringify(x), false, { sentSeconds: sent }));
const DELTA = 'conversation.item.input_audio_transcription.delta';
const DONE = 'conversation.item.input_audio_transcription.completed';

describe('OpenAiCodec encoding', () => {
  it('configures a GA transcription session at 24 kHz with model, language and prompt', () => {
    const [update] = codec({ language: 'de', prompt: 'Earshot, Fireworks' }).start();
    expect(JSON.parse(update as string)).toEqual({
      type: 'session.update',
      session: {
        type: 'transcription',
        audio: {
          input: {
            format: { type: 'audio/pcm', rate: 24000 },
            transcription: { model: 'gpt-4o-transcribe', language: 'de', prompt: 'Earshot, Fireworks' },
            turn_detection: VAD,
          },
        },
      },
    });
  });

  it('omits turn_detection when the model rejects it, and leaves out unset fields', () => {
    const input = JSON.parse(codec({ model: 'gpt-realtime-whisper', turnDetection: null }).start()[0] as string).session.audio.input;
    expect(input).toEqual({ format: { type: 'audio/pcm', rate: 24000 }, transcription: { model: 'gpt-realtime-whisper' } });
  });

  it('sends base64 audio in input_audio_buffer.append and commits at the end', () => {
    const c = codec();
    const m = JSON.parse(c.encodeAudio(new Int16Array([256, -1])) as string);
    expect(m.type).toBe('input_audio_buffer.append');
    expect(Buffer.from(m.audio, 'base64')).toEqual(Buffer.from([0, 1, 0xff, 0xff]));
    expect(c.endOfStream()).toEqual(['{"type":"input_audio_buffer.commit"}']);
    expect(c.keepAlive()).toBeNull();
  });
});

describe('OpenAiCodec decoding', () => {
  it('is ready on session.created', () => {
    expect(feed(codec(), { type: 'session.created', session: {} })).toEqual([{ type: 'ready' }]);
  });

  it('appends deltas per item_id and replaces them with the completed transcript', () => {
    const c = codec();
    const events = feed(
      c,
      { type: 'input_audio_buffer.speech_started', item_id: 'A', audio_start_ms: 1200 },
      { type: DELTA, item_id: 'A', content_index: 0, delta: 'Hel' },
      { type: DELTA, item_id: 'A', content_index: 0, delta: 'lo wor' },
      { type: 'input_audio_buffer.speech_started', item_id: 'B', audio_start_ms: 4000 },
      { type: DELTA, item_id: 'B', content_index: 0, delta: 'Next' },
      { type: DELTA, item_id: 'A', content_index: 0, delta: 'ld' },
      { type: 'input_audio_buffer.speech_stopped', item_id: 'A', audio_end_ms: 2500 },
      { type: DONE, item_id: 'A', content_index: 0, transcript: 'Hello world.' },
    ).filter((e) => e.type !== 'info');
    expect(events).toEqual([
      { type: 'segment', id: 'A', text: 'Hel', start: 1.2, end: undefined, final: false },
      { type: 'segment', id: 'A', text: 'Hello wor', start: 1.2, end: undefined, final: false },
      { type: 'segment', id: 'B', text: 'Next', start: 4, end: undefined, final: false },
      { type: 'segment', id: 'A', text: 'Hello world', start: 1.2, end: undefined, final: false },
      { type: 'segment', id: 'A', text: 'Hello world.', start: 1.2, end: 2.5, final: true },
    ]);
  });

  it('without server VAD, times an item by the commits around it', () => {
    const c = codec({ model: 'gpt-realtime-whisper', turnDetection: null });
    sent = 4;
    feed(c, { type: DELTA, item_id: 'X', delta: 'a' });
    const events = feed(c, { type: 'input_audio_buffer.committed', item_id: 'X', previous_item_id: null }, { type: DONE, item_id: 'X', transcript: 'a' });
    expect(events[1]).toEqual({ type: 'segment', id: 'X', text: 'a', start: 0, end: 4, final: true });
    sent = 9;
    expect(feed(c, { type: DELTA, item_id: 'Y', delta: 'b' })[0]).toMatchObject({ start: 4 });
    sent = 3;
  });

  it('maps error events: bad key and bad model are fatal, the key never shows', () => {
    const events = feed(
      codec(),
      { type: 'error', error: { type: 'invalid_request_error', code: 'invalid_api_key', message: `Incorrect API key provided: ${KEY}.`, param: null, event_id: null } },
      { type: 'error', error: { type: 'invalid_request_error', code: 'invalid_model', message: 'Model "x" is not supported in transcription mode.' } },
      { type: 'error', error: { type: 'server_error', code: 'server_error', message: 'oops' } },
    );
    expect(events.map((e) => (e.type === 'error' ? [e.code, e.fatal] : e.type))).toEqual([
      ['AUTH_REFUSED', true], ['CONFIG_REJECTED', true], ['SERVER_ERROR', false],
    ]);
    expect(JSON.stringify(events)).not.toContain(KEY);
  });

  it('reports a failed item as a warning and keeps what it had shown, as final', () => {
    const c = codec();
    feed(c, { type: DELTA, item_id: 'F', delta: 'par' });
    const events = feed(c, { type: 'conversation.item.input_audio_transcription.failed', item_id: 'F', error: { code: 'transcription_failed', message: 'nope' } });
    expect(events).toEqual([
      { type: 'error', code: 'SERVER_ERROR', detail: 'transcription_failed: nope', fatal: false },
      { type: 'segment', id: 'F', text: 'par', start: undefined, end: undefined, final: true },
    ]);
  });

  it('survives malformed input', () => {
    const events = feed(codec(), 'x', { no: 'type' }, { type: DELTA, delta: 'no id' }, { type: 'rate_limits.updated' });
    expect(events.map((e) => e.type)).toEqual(['malformed', 'malformed', 'malformed', 'info']);
  });
});

describe('OpenAiCodec end of stream', () => {
  it('is flushed when the final commit is acknowledged and its item completed', () => {
    const c = codec();
    feed(c, { type: 'input_audio_buffer.speech_started', item_id: 'A', audio_start_ms: 0 });
    c.endOfStream();
    expect(feed(c, { type: 'input_audio_buffer.committed', item_id: 'A' }).map((e) => e.type)).toEqual(['info']);
    expect(feed(c, { type: DONE, item_id: 'A', transcript: 'done' }).map((e) => e.type)).toEqual(['segment', 'flushed']);
  });

  it('treats an empty-buffer commit error as the answer, quietly', () => {
    const c = codec();
    c.endOfStream();
    expect(feed(c, { type: 'error', error: { type: 'invalid_request_error', code: 'input_audio_buffer_commit_empty', message: 'buffer too small' } }))
      .toEqual([{ type: 'info', what: 'error input_audio_buffer_commit_empty' }, { type: 'flushed' }]);
  });

  it('waits for items still being transcribed', () => {
    const c = codec();
    feed(c, { type: 'input_audio_buffer.committed', item_id: 'A' }, { type: DELTA, item_id: 'A', delta: 'x' });
    c.endOfStream();
    expect(feed(c, { type: 'error', error: { code: 'input_audio_buffer_commit_empty' } }).map((e) => e.type)).toEqual(['info']);
    expect(feed(c, { type: DONE, item_id: 'A', transcript: 'x' }).map((e) => e.type)).toEqual(['segment', 'flushed']);
  });
});

describe('openAiErrorMeaning', () => {
  it.each([
    ['invalid_api_key', 'invalid_request_error', 'AUTH_REFUSED', true],
    ['insufficient_quota', '', 'AUTH_REFUSED', true],
    ['', 'authentication_error', 'AUTH_REFUSED', true],
    ['invalid_model', '', 'CONFIG_REJECTED', true],
    ['model_not_found', '', 'CONFIG_REJECTED', true],
    ['rate_limit_exceeded', '', 'RATE_LIMITED', false],
    ['session_expired', '', 'SESSION_EXPIRED', false],
    ['', 'server_error', 'SERVER_ERROR', false],
  ])('%s/%s -> %s', (code, type, expected, fatal) => {
    expect(openAiErrorMeaning(code, type)).toEqual({ code: expected, fatal });
  });
});

describe('manual commit for models without turn detection', () => {
  const frame = (ms: number, amplitude: number) => {
    const pcm = new Int16Array((24000 * ms) / 1000);
    for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(amplitude * Math.sin(i / 5));
    return pcm;
  };
  const commitsWhile = (c: ReturnType<typeof codec>, frames: Int16Array[]) => {
    const out: number[] = [];
    frames.forEach((f, i) => {
      c.encodeAudio(f);
      if ((c.afterAudio?.() ?? []).some((m) => JSON.parse(m as string).type === 'input_audio_buffer.commit')) out.push(i);
    });
    return out;
  };

  it('commits at the first pause after enough speech, not during speech', () => {
    const c = codec({ model: 'gpt-realtime-whisper', turnDetection: null });
    const speech = Array.from({ length: 40 }, () => frame(50, 8000)); // 2 s
    const pause = Array.from({ length: 10 }, () => frame(50, 20)); // 0.5 s
    // The pause reaches 0.4 s on its 8th frame (index 47).
    expect(commitsWhile(c, [...speech, ...pause])).toEqual([47]);
  });

  it('does not commit a short burst at a pause, and commits a long monologue every 12 s', () => {
    const c = codec({ model: 'gpt-realtime-whisper', turnDetection: null });
    const short = [...Array.from({ length: 10 }, () => frame(50, 8000)), ...Array.from({ length: 10 }, () => frame(50, 0))];
    expect(commitsWhile(c, short)).toEqual([]);
    const c2 = codec({ model: 'gpt-realtime-whisper', turnDetection: null });
    expect(commitsWhile(c2, Array.from({ length: 500 }, () => frame(50, 8000)))).toEqual([239, 479]);
  });

  it('never commits by itself when server VAD is on', () => {
    const c = codec();
    expect(commitsWhile(c, Array.from({ length: 300 }, (_, i) => frame(50, i % 60 < 40 ? 8000 : 0)))).toEqual([]);
  });
});
