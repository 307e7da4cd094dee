/**
 * Transcript export of final segments: JSON (the CLI's documented shape), SRT, WebVTT and
 * plain text. Rendering is pure; `writeTranscript` is the one place that touches disk, and
 * it replaces the file atomically so an interrupted run never leaves half a transcript.
 * The text comes from a remote service: SRT, VTT and TXT get only its printable part
 * (safeText), since people open them in terminals and players; JSON keeps it as received.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { compareSegments, type Segment } from '../../shared/captions.js';
import { EarshotError } from '../../shared/errors.js';
import { safeText } from '../../shared/safe-text.js';
import { layoutCues } from './caption-lines.js';

export type TranscriptFormat = 'json' | 'srt' | 'vtt' | 'txt';
export const TRANSCRIPT_FORMATS: readonly TranscriptFormat[] = ['json', 'srt', 'vtt', 'txt'];

export interface TxtOptions {
  /** Prefix each paragraph with [HH:MM:SS]. */
  timestamps?: boolean;
  /** A pause at least this long (seconds) starts a new paragraph; default 2. */
  paragraphGapSeconds?: number;
}

export interface TranscriptJson {
  segments: { id: string; text: string; start: number; end: number; speaker?: string; source?: string; label?: string }[];
  text: string;
}

/** Final, non-empty segments with trimmed text, in display order. */
export function exportableSegments(segments: readonly Segment[]): Segment[] {
  return segments
    .filter((s) => s.final && s.text.trim() !== '')
    .map((s) => ({ ...s, text: s.text.trim() }))
    .sort(compareSegments);
}

/**
 * Like exportableSegments, with only the printable part of each text (for SRT, VTT, TXT),
 * and `speaker` holding who is named on the line: the line's label ("You", "Others", or a
 * speaker within a stream) when it has one, else the service's speaker.
 */
function displaySegments(segments: readonly Segment[]): Segment[] {
  return exportableSegments(
    segments.map((s) => {
      const { speaker: _speaker, label: _label, ...rest } = s;
      const who = s.label ?? s.speaker;
      return { ...rest, text: safeText(s.text), ...(who ? { speaker: safeText(who) } : {}) };
    }),
  );
}

function speakerPrefix(speaker: string | undefined): string {
  return speaker ? `${speaker}: ` : '';
}

/** A voice annotation ends at '>' and may not hold '&' or '<' unescaped (WebVTT §4.2.2). */
function voiceName(speaker: string): string {
  return escapeVtt(speaker);
}

export function toTranscriptJson(segments: readonly Segment[]): TranscriptJson {
  const list = exportableSegments(segments);
  return {
    segments: list.map((s) => ({
      id: s.id, text: s.text, start: ms(s.start), end: ms(s.end),
      ...(s.source !== undefined ? { source: s.source } : {}),
      ...(s.label ? { label: s.label } : {}),
      ...(s.speaker ? { speaker: s.speaker } : {}),
    })),
    text: list.map((s) => s.text).join(' '),
  };
}

export function renderJson(segments: readonly Segment[]): string {
  return `${JSON.stringify(toTranscriptJson(segments), null, 2)}\n`;
}

/** SRT has no speaker markup: the name leads the cue ("Speaker A: …"), as subtitlers do. */
export function renderSrt(segments: readonly Segment[]): string {
  return cues(segments)
    .map((c, i) => `${i + 1}\n${timecode(c.start, ',')} --> ${timecode(c.end, ',')}\n${speakerPrefix(c.speaker)}${c.lines.join('\n')}\n`)
    .join('\n');
}

/** WebVTT names the speaker with a voice span: <v Speaker A>…</v>. */
export function renderVtt(segments: readonly Segment[]): string {
  const body = cues(segments)
    .map((c) => {
      const text = c.lines.map(escapeVtt).join('\n');
      return `${timecode(c.start, '.')} --> ${timecode(c.end, '.')}\n${c.speaker ? `<v ${voiceName(c.speaker)}>${text}</v>` : text}\n`;
    })
    .join('\n');
  return body ? `WEBVTT\n\n${body}` : 'WEBVTT\n';
}

export function renderTxt(segments: readonly Segment[], options: TxtOptions = {}): string {
  const gap = options.paragraphGapSeconds ?? 2;
  const paragraphs: { start: number; speaker: string | undefined; texts: string[] }[] = [];
  let lastEnd = -Infinity;
  for (const s of displaySegments(segments)) {
    const current = paragraphs[paragraphs.length - 1];
    // A new speaker always starts a new paragraph, like a script.
    if (!current || s.start - lastEnd >= gap || current.speaker !== s.speaker) paragraphs.push({ start: s.start, speaker: s.speaker, texts: [s.text] });
    else current.texts.push(s.text);
    lastEnd = Math.max(lastEnd, s.end);
  }
  return paragraphs
    .map((p) => `${options.timestamps ? `[${timecode(p.start, ',').slice(0, 8)}] ` : ''}${speakerPrefix(p.speaker)}${p.texts.join(' ')}\n`)
    .join('\n');
}

export function renderTranscript(format: TranscriptFormat, segments: readonly Segment[], txt?: TxtOptions): string {
  switch (format) {
    case 'json': return renderJson(segments);
    case 'srt': return renderSrt(segments);
    case 'vtt': return renderVtt(segments);
    case 'txt': return renderTxt(segments, txt);
  }
}

/** The format named by a file's extension (case-insensitive). */
export function formatFromPath(path: string): TranscriptFormat {
  const ext = extname(path).slice(1).toLowerCase();
  if ((TRANSCRIPT_FORMATS as readonly string[]).includes(ext)) return ext as TranscriptFormat;
  throw new EarshotError('BAD_ARGUMENT', `cannot tell the transcript format from "${path}": use a .json, .srt, .vtt or .txt file name, or --format`);
}

/** Writes the transcript next to `path` and renames it into place. */
export async function writeTranscript(path: string, format: TranscriptFormat, segments: readonly Segment[], txt?: TxtOptions): Promise<void> {
  const text = renderTranscript(format, segments, txt);
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, { encoding: 'utf8', flush: true });
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    const reason = err instanceof Error ? err.message : String(err);
    throw new EarshotError('OUTPUT_FAILED', `${path}: ${reason}`);
  }
}

interface TimedCue { start: number; end: number; lines: string[]; speaker?: string }

function cues(segments: readonly Segment[]): TimedCue[] {
  const out: TimedCue[] = [];
  for (const s of displaySegments(segments)) {
    const end = Math.max(s.start, s.end);
    for (const c of layoutCues(s.text)) {
      out.push({ start: s.start + (end - s.start) * c.from, end: s.start + (end - s.start) * c.to, lines: c.lines, ...(s.speaker ? { speaker: s.speaker } : {}) });
    }
  }
  return out;
}

/** HH:MM:SS<sep>mmm; hours grow past two digits for very long runs. */
export function timecode(seconds: number, separator: ',' | '.'): string {
  const total = Math.max(0, Math.round(seconds * 1000));
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor((total % 3_600_000) / 60_000);
  const s = Math.floor((total % 60_000) / 1000);
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}${separator}${pad(total % 1000, 3)}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Milliseconds precision, so 1.2 is not written as 1.2000000000000002. */
function ms(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

function escapeVtt(line: string): string {
  return line.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
