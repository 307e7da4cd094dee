/**
 * The OpenAI-style pre-recorded APIs of Together and OpenAI (prerecorded.md §2, §3): the same
 * multipart request as Fireworks, with their own hosts, models, limits and answer shapes.
 * - Together: `language` defaults to English, so "detect" must be sent as `auto`; for
 *   translations `language` is the target, so the source is never sent; speakers come as
 *   top-level `speaker_segments`; uploads up to 500 MB.
 * - OpenAI: whisper-1 gives verbose_json segments (and is the only translation model);
 *   speakers need gpt-4o-transcribe-diarize with `diarized_json` and `chunking_strategy=auto`
 *   (required past 30 s); uploads up to 25 MB; arrays are repeated `name[]` parts.
 */
import { parseVerboseJson } from './fireworks-service.js';
import { SpeakerLabels } from '../../shared/speaker-labels.js';
import type { FileTranscript, FileTranscriptSegment, FormField, PrerecordedService, TranscribeOptions } from './types.js';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Segments that carry their own speaker (Together's speaker_segments, OpenAI's diarized_json). */
function speakerSegments(list: unknown[], body: Record<string, unknown>, translate: boolean, speakerKey: string): FileTranscript {
  const labels = new SpeakerLabels();
  const segments: FileTranscriptSegment[] = [];
  for (const s of list) {
    if (!isObj(s) || typeof s.text !== 'string' || !num(s.start) || !num(s.end)) throw new Error('a speaker segment lacks text, start or end');
    const text = s.text.trim();
    if (!text) continue;
    const who = s[speakerKey];
    segments.push({
      id: String(segments.length + 1), text, start: s.start, end: s.end,
      ...(typeof who === 'string' || typeof who === 'number' ? { speaker: labels.label(who) } : {}),
    });
  }
  return {
    segments,
    text: typeof body.text === 'string' && body.text.trim() ? body.text.trim() : segments.map((s) => s.text).join(' '),
    ...(typeof body.language === 'string' && body.language ? { language: body.language } : {}),
    ...(num(body.duration) ? { duration: body.duration } : {}),
    task: translate ? 'translate' : 'transcribe',
  };
}

export const togetherPrerecorded: PrerecordedService = {
  id: 'together',
  label: 'Together AI',
  models: ['openai/whisper-large-v3'],
  defaultModel: 'openai/whisper-large-v3',
  maxBytes: 500 * 1024 * 1024,
  canDiarize: true,
  canTranslate: true,
  baseUrl: () => 'https://api.together.ai',
  path: (translate) => (translate ? '/v1/audio/translations' : '/v1/audio/transcriptions'),
  authHeader: (key) => ({ Authorization: `Bearer ${key}` }),
  fields(o: TranscribeOptions): FormField[] {
    const f: FormField[] = [['model', o.model], ['response_format', 'verbose_json'], ['timestamp_granularities', 'segment']];
    // Translations: `language` names the output language, and it is always English here.
    if (!o.translate) f.push(['language', o.language ?? 'auto']);
    if (o.prompt) f.push(['prompt', o.prompt]);
    if (o.temperature !== undefined) f.push(['temperature', String(o.temperature)]);
    if (o.diarize && !o.translate) f.push(['diarize', 'true']);
    return f;
  },
  parse(body, translate) {
    if (isObj(body) && Array.isArray(body.speaker_segments) && body.speaker_segments.length) {
      return speakerSegments(body.speaker_segments, body, translate, 'speaker_id');
    }
    return parseVerboseJson(body, translate);
  },
};

export const openaiPrerecorded: PrerecordedService = {
  id: 'openai',
  label: 'OpenAI',
  models: ['whisper-1', 'gpt-4o-transcribe-diarize'],
  defaultModel: 'whisper-1',
  maxBytes: 25 * 1024 * 1024,
  canDiarize: true,
  canTranslate: true,
  baseUrl: () => 'https://api.openai.com',
  path: (translate) => (translate ? '/v1/audio/translations' : '/v1/audio/transcriptions'),
  authHeader: (key) => ({ Authorization: `Bearer ${key}` }),
  fields(o: TranscribeOptions): FormField[] {
    // Speakers only come from the diarizing model, which takes no prompt and no timestamps.
    if (o.diarize && !o.translate) {
      return [
        ['model', 'gpt-4o-transcribe-diarize'], ['response_format', 'diarized_json'], ['chunking_strategy', 'auto'],
        ...(o.language ? [['language', o.language] as const] : []),
      ];
    }
    const f: FormField[] = [['model', o.translate ? 'whisper-1' : o.model], ['response_format', 'verbose_json']];
    if (!o.translate) f.push(['timestamp_granularities[]', 'segment']);
    if (o.language && !o.translate) f.push(['language', o.language]);
    if (o.prompt) f.push(['prompt', o.prompt]);
    if (o.temperature !== undefined) f.push(['temperature', String(o.temperature)]);
    return f;
  },
  parse(body, translate) {
    if (isObj(body) && Array.isArray(body.segments) && body.segments.some((s) => isObj(s) && 'speaker' in s)) {
      return speakerSegments(body.segments, body, translate, 'speaker');
    }
    return parseVerboseJson(body, translate);
  },
};
