/**
 * Fireworks pre-recorded transcription and translation (whisper-v3, whisper-v3-turbo), per
 * ../shared/reference/prerecorded.md §1: each model on its own host, multipart with the
 * audio in `file` and every option as its own text part, lists as one comma-joined field,
 * `Authorization: Bearer`, verbose_json with word and segment times, speakers only as
 * `speaker_id` on words and segments.
 */
import { SpeakerLabels } from '../../shared/speaker-labels.js';
import type { FileTranscript, FileTranscriptSegment, FormField, PrerecordedService, TranscribeOptions } from './types.js';

const HOSTS: Record<string, string> = {
  'whisper-v3': 'https://audio-prod.api.fireworks.ai',
  'whisper-v3-turbo': 'https://audio-turbo.api.fireworks.ai',
};

export const fireworksPrerecorded: PrerecordedService = {
  id: 'fireworks',
  label: 'Fireworks AI',
  models: Object.keys(HOSTS),
  defaultModel: 'whisper-v3',
  maxBytes: 1024 ** 3,
  canDiarize: true,
  canTranslate: true,
  baseUrl: (model) => HOSTS[model] ?? HOSTS['whisper-v3']!,
  path: (translate) => (translate ? '/v1/audio/translations' : '/v1/audio/transcriptions'),
  authHeader: (key) => ({ Authorization: `Bearer ${key}` }),
  fields(o: TranscribeOptions): FormField[] {
    const f: FormField[] = [
      ['model', o.model],
      ['response_format', 'verbose_json'],
      // Diarization needs word times; segments give the caption lines.
      ['timestamp_granularities', 'word,segment'],
    ];
    // For translations `language` is the language spoken; the output is always English.
    if (o.language) f.push(['language', o.language]);
    if (o.prompt) f.push(['prompt', o.prompt]);
    if (o.temperature !== undefined) f.push(['temperature', String(o.temperature)]);
    if (o.diarize && !o.translate) f.push(['diarize', 'true']);
    return f;
  },
  parse: parseVerboseJson,
};

interface RawWord { word: string; start: number; end: number; speaker?: string }
interface RawSegment { text: string; start: number; end: number; speaker?: string; words: RawWord[] }

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const speakerOf = (v: Record<string, unknown>): string | undefined =>
  typeof v.speaker_id === 'string' || typeof v.speaker_id === 'number' ? String(v.speaker_id) : undefined;

function readWord(v: unknown): RawWord | null {
  if (!isObj(v) || typeof v.word !== 'string' || !num(v.start) || !num(v.end)) return null;
  const speaker = speakerOf(v);
  return { word: v.word, start: v.start, end: v.end, ...(speaker !== undefined ? { speaker } : {}) };
}

function readWords(v: unknown): RawWord[] {
  return Array.isArray(v) ? v.map(readWord).filter((w): w is RawWord => w !== null) : [];
}

export function parseVerboseJson(body: unknown, translate: boolean): FileTranscript {
  if (!isObj(body) || typeof body.text !== 'string') throw new Error('the answer has no "text" field');
  const topWords = readWords(body.words);
  const rawSegments: RawSegment[] = [];
  if (Array.isArray(body.segments)) {
    for (const s of body.segments) {
      if (!isObj(s) || typeof s.text !== 'string' || !num(s.start) || !num(s.end)) throw new Error('a segment lacks text, start or end');
      const own = readWords(s.words);
      const start = s.start;
      const end = s.end;
      // Segments without their own words take the top-level words inside their time span.
      const words = own.length ? own : topWords.filter((w) => w.start >= start - 0.01 && w.start < end);
      const speaker = speakerOf(s);
      rawSegments.push({ text: s.text, start, end, words, ...(speaker !== undefined ? { speaker } : {}) });
    }
  } else if (body.text.trim()) {
    rawSegments.push({ text: body.text, start: 0, end: num(body.duration) ? body.duration : 0, words: topWords });
  }
  const diarized = rawSegments.some((s) => s.speaker !== undefined || s.words.some((w) => w.speaker !== undefined));
  const labels = new SpeakerLabels();
  const segments: FileTranscriptSegment[] = [];
  for (const s of rawSegments) {
    for (const piece of diarized ? speakerTurns(s) : [s]) {
      const text = piece.text.trim();
      if (!text) continue;
      segments.push({
        id: String(segments.length + 1), text, start: piece.start, end: piece.end,
        ...(diarized && piece.speaker !== undefined ? { speaker: labels.label(piece.speaker) } : {}),
      });
    }
  }
  return {
    segments,
    text: body.text.trim() || segments.map((s) => s.text).join(' '),
    ...(typeof body.language === 'string' && body.language ? { language: body.language } : {}),
    ...(num(body.duration) ? { duration: body.duration } : {}),
    task: translate ? 'translate' : 'transcribe',
  };
}

/**
 * A segment can hold more than one speaker (whether Fireworks splits them is unconfirmed):
 * cut it where the words' speaker changes. Without per-word speakers it stays whole.
 */
function speakerTurns(s: RawSegment): { text: string; start: number; end: number; speaker?: string }[] {
  const withSpeaker = s.words.filter((w) => w.speaker !== undefined);
  if (withSpeaker.length === 0) return [s];
  const turns: { text: string; start: number; end: number; speaker?: string }[] = [];
  for (const w of s.words) {
    const speaker = w.speaker ?? turns.at(-1)?.speaker ?? s.speaker;
    const last = turns.at(-1);
    if (last && last.speaker === speaker) {
      last.text += ` ${w.word.trim()}`;
      last.end = w.end;
    } else {
      turns.push({ text: w.word.trim(), start: w.start, end: w.end, ...(speaker !== undefined ? { speaker } : {}) });
    }
  }
  return turns;
}
