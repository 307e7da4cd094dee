/**
 * Live speaker labels in the codecs and specs that offer them (AssemblyAI, Deepgram), and
 * the session's refusal for those that do not: asked for, the option reaches the wire and the
 * labels reach the segments as "Speaker A"…; not asked for, nothing changes.
 */
import { describe, expect, it } from 'vitest';
import { EarshotError } from '../../../../shared/errors.js';
import { PROVIDER_IDS, PROVIDERS, speakerLabelProviders, speakerLabelsRefusal } from '../../../../shared/providers.js';
import { AssemblyAiCodec } from '../../../../main/stt/providers/assemblyai/codec.js';
import { assemblyAiQuery } from '../../../../main/stt/providers/assemblyai/spec.js';
import { DeepgramCodec } from '../../../../main/stt/providers/deepgram/codec.js';
import { deepgramQuery } from '../../../../main/stt/providers/deepgram/spec.js';
import { getProvider } from '../../../../main/stt/providers/index.js';
import type { ProviderCodec, ProviderEvent } from '../../../../main/stt/provider.js';

const KEY = 'k_SECRET_1234';
const feed = (c: ProviderCodec, ...m: unknown[]): ProviderEvent[] =>
  m.flatMap((x) => c.decode(typeof x === 'string' ? x : JSON.stringify(x), false, { sentSeconds: 9 }));

describe('which providers label speakers live', () => {
  it('AssemblyAI and Deepgram do; the others say why, and the refusal names those that can', () => {
    expect(speakerLabelProviders().map((p) => p.id)).toEqual(['assemblyai', 'deepgram']);
    for (const id of PROVIDER_IDS) {
      const p = PROVIDERS[id];
      expect(speakerLabelsRefusal(id) === undefined).toBe(p.liveSpeakerLabels);
      if (!p.liveSpeakerLabels) {
        expect(p.noSpeakerLabelsWhy).toMatch(/sends no speaker labels/);
        expect(speakerLabelsRefusal(id)).toBe(`${p.label} cannot label speakers live: ${p.noSpeakerLabelsWhy}. AssemblyAI and Deepgram can`);
      }
    }
  });
});

describe('AssemblyAI speaker labels', () => {
  const codec = (speakerLabels: boolean) => new AssemblyAiCodec({ apiKey: KEY, formatTurns: false, speakerLabels });
  const word = (text: string, start: number, end: number, speaker?: string) => ({ text, start, end, confidence: 0.9, word_is_final: true, ...(speaker ? { speaker } : {}) });
  const turn = (order: number, label: unknown, endOfTurn = true) => ({
    type: 'Turn', turn_order: order, turn_is_formatted: false, end_of_turn: endOfTurn, end_of_turn_confidence: 0.9, utterance: '',
    transcript: `w${order}`, words: [word(`w${order}`, order * 1000, order * 1000 + 400)], speaker_label: label,
  });

  it('sends speaker_labels=true only when asked, and max_speakers only with it', () => {
    expect(assemblyAiQuery({ apiKey: KEY, speakerLabels: true }).speaker_labels).toBe('true');
    expect(assemblyAiQuery({ apiKey: KEY }).speaker_labels).toBeUndefined();
    expect(assemblyAiQuery({ apiKey: KEY, speakerLabels: true, extra: { max_speakers: '3' } }).max_speakers).toBe('3');
    expect(() => assemblyAiQuery({ apiKey: KEY, extra: { max_speakers: '3' } })).toThrow(/only applies when speaker labels are on/);
    expect(() => assemblyAiQuery({ apiKey: KEY, speakerLabels: true, extra: { max_speakers: '11' } })).toThrow(/out of range/);
    const url = new URL(getProvider('assemblyai').connectRequest({ apiKey: KEY, speakerLabels: true }).url);
    expect(url.searchParams.getAll('speaker_labels')).toEqual(['true']);
  });

  it('names each turn\'s speaker "Speaker A"…; a null or UNKNOWN label is no speaker', () => {
    const events = feed(codec(true), turn(0, 'A'), turn(1, 'B', false), turn(2, null), turn(3, 'UNKNOWN'), turn(4, 'B'));
    expect(events.map((e) => (e.type === 'segment' ? [e.id, e.speaker] : e.type))).toEqual([
      ['t0', 'Speaker A'], ['t1', 'Speaker B'], ['t2', undefined], ['t3', undefined], ['t4', 'Speaker B'],
    ]);
    expect(events.every((e) => e.type !== 'segment' || e.speaker !== undefined || !('speaker' in e))).toBe(true);
  });

  it('ignores labels it did not ask for', () => {
    const events = feed(codec(false), turn(0, 'A'), { type: 'SpeakerRevision', revisions: [{ turn_order: 0, speaker_label: 'B' }] });
    expect(events).toEqual([{ type: 'segment', id: 't0', text: 'w0', start: 0, end: 0.4, final: true }, { type: 'info', what: 'SpeakerRevision' }]);
  });

  it('turns SpeakerRevision entries into relabels of the turns it lists (and reads the flat shape too)', () => {
    const c = codec(true);
    feed(c, turn(0, 'A'), turn(1, 'A'));
    expect(feed(c, { type: 'SpeakerRevision', revisions: [{ turn_order: 1, speaker_label: 'B', words: [] }, { turn_order: 0, speaker_label: null }] })).toEqual([
      { type: 'speaker', id: 't1', speaker: 'Speaker B' },
      { type: 'speaker', id: 't0', speaker: undefined },
    ]);
    expect(feed(c, { type: 'SpeakerRevision', turn_order: 0, speaker_label: 'A' })).toEqual([{ type: 'speaker', id: 't0', speaker: 'Speaker A' }]);
    // Nothing changed: an empty list is news of nothing, not a malformed message.
    expect(feed(c, { type: 'SpeakerRevision', revisions: [] })).toEqual([{ type: 'info', what: 'SpeakerRevision' }]);
    expect(feed(c, { type: 'SpeakerRevision' }).map((e) => e.type)).toEqual(['malformed']);
  });
});

describe('Deepgram speaker labels', () => {
  const codec = (speakerLabels: boolean) => new DeepgramCodec({ apiKey: KEY, speakerLabels });
  /** [word, start, end, speaker] */
  function results(start: number, transcript: string, isFinal: boolean, words: [string, number, number, number?][]) {
    return {
      type: 'Results', start, duration: 3, is_final: isFinal, speech_final: isFinal, from_finalize: false,
      channel: { alternatives: [{ transcript, confidence: 0.9, words: words.map(([w, s, e, sp]) => ({ word: w.toLowerCase(), punctuated_word: w, start: s, end: e, confidence: 0.9, ...(sp === undefined ? {} : { speaker: sp }) })) }] },
    };
  }

  it('sends diarize=true only when asked', () => {
    expect(deepgramQuery({ apiKey: KEY, speakerLabels: true }).diarize).toBe('true');
    expect(deepgramQuery({ apiKey: KEY }).diarize).toBeUndefined();
    expect(new URL(getProvider('deepgram').connectRequest({ apiKey: KEY, speakerLabels: true }).url).searchParams.get('diarize')).toBe('true');
  });

  it('a result of one speaker keeps its transcript and id, and gets the label', () => {
    expect(feed(codec(true), results(0, 'Hi there.', true, [['Hi', 0.1, 0.3, 1], ['there.', 0.4, 0.7, 1]]))).toEqual([
      { type: 'segment', id: 's0', text: 'Hi there.', start: 0.1, end: 0.7, final: true, speaker: 'Speaker A' },
    ]);
  });

  it('splits a result at each change of speaker; a re-cut range withdraws the parts it no longer has', () => {
    const c = codec(true);
    const two = feed(c, results(1, 'Yes. No, I meant', false, [['Yes.', 1.1, 1.3, 0], ['No,', 1.5, 1.7, 1], ['I', 1.8, 1.9, undefined], ['meant', 2.0, 2.3, 1]]));
    expect(two).toEqual([
      { type: 'segment', id: 's1000', text: 'Yes.', start: 1.1, end: 1.3, final: false, speaker: 'Speaker A' },
      // A word without a speaker stays in its run.
      { type: 'segment', id: 's1000~1', text: 'No, I meant', start: 1.5, end: 2.3, final: false, speaker: 'Speaker B' },
    ]);
    const one = feed(c, results(1, 'Yes, no, I meant.', true, [['Yes,', 1.1, 1.3, 0], ['no,', 1.5, 1.7, 0], ['I', 1.8, 1.9, 0], ['meant.', 2.0, 2.3, 0]]));
    expect(one).toEqual([
      { type: 'segment', id: 's1000', text: 'Yes, no, I meant.', start: 1.1, end: 2.3, final: true, speaker: 'Speaker A' },
      { type: 'retract', id: 's1000~1' },
    ]);
    expect(feed(c, results(1, '', true, []))).toEqual([{ type: 'retract', id: 's1000' }]);
  });

  it('without the option, speakers in the words change nothing', () => {
    expect(feed(codec(false), results(0, 'Yes. No.', true, [['Yes.', 0.1, 0.3, 0], ['No.', 0.5, 0.7, 1]]))).toEqual([
      { type: 'segment', id: 's0', text: 'Yes. No.', start: 0.1, end: 0.7, final: true },
    ]);
  });
});

describe('providers without live speaker labels', () => {
  it.each(PROVIDER_IDS.filter((id) => !PROVIDERS[id].liveSpeakerLabels))('%s: --option speaker_labels/diarize point to --speakers', (id) => {
    for (const name of ['speaker_labels', 'diarize']) {
      let err: unknown;
      try {
        getProvider(id).connectRequest({ apiKey: KEY, extra: { [name]: 'true' } });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(EarshotError);
      expect((err as EarshotError).detail).toContain('--speakers');
    }
  });
});
