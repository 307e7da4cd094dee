import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Segment } from '../../../shared/captions.js';
import { EarshotError } from '../../../shared/errors.js';
import { layoutCues } from '../../../main/captions/caption-lines.js';
import {
  formatFromPath, renderJson, renderSrt, renderTxt, renderVtt, timecode, writeTranscript,
} from '../../../main/captions/export.js';

const s = (id: string, start: number, end: number, text: string, final = true): Segment => ({ id, text, start, end, final });

const SEGMENTS = [
  s('1:1', 3.5, 5.25, ' world <b> & co '),
  s('1:0', 0.1, 1.2000000000000002, 'Hello'),
  s('1:2', 6, 7, 'not yet', false),
  s('1:3', 8, 8.5, '   '),
];

describe('transcript export', () => {
  it('JSON has exactly the documented shape: final segments in order, trimmed, seconds', () => {
    const parsed = JSON.parse(renderJson(SEGMENTS));
    expect(parsed).toEqual({
      segments: [
        { id: '1:0', text: 'Hello', start: 0.1, end: 1.2 },
        { id: '1:1', text: 'world <b> & co', start: 3.5, end: 5.25 },
      ],
      text: 'Hello world <b> & co',
    });
    expect(Object.keys(parsed)).toEqual(['segments', 'text']);
    expect(Object.keys(parsed.segments[0])).toEqual(['id', 'text', 'start', 'end']);
    expect(JSON.parse(renderJson([]))).toEqual({ segments: [], text: '' });
  });

  it('SRT numbers cues from 1 with HH:MM:SS,mmm times', () => {
    expect(renderSrt(SEGMENTS)).toBe(
      '1\n00:00:00,100 --> 00:00:01,200\nHello\n\n2\n00:00:03,500 --> 00:00:05,250\nworld <b> & co\n',
    );
  });

  it('WebVTT has its header, dotted times and escaped text', () => {
    expect(renderVtt(SEGMENTS)).toBe(
      'WEBVTT\n\n00:00:00.100 --> 00:00:01.200\nHello\n\n00:00:03.500 --> 00:00:05.250\nworld &lt;b&gt; &amp; co\n',
    );
    expect(renderVtt([])).toBe('WEBVTT\n');
  });

  it('keeps speakers: JSON "speaker", VTT voice spans, "Speaker A:" in SRT and TXT', () => {
    const who = (id: string, start: number, text: string, speaker: string): Segment => ({ ...s(id, start, start + 1, text), speaker });
    const segs = [who('1', 0, 'Hello there.', 'Speaker A'), who('2', 1.2, 'Hi.', 'Speaker B'), who('3', 2.4, 'How are you?', 'Speaker B'), s('4', 3.5, 4, 'Unknown.')];
    expect(JSON.parse(renderJson(segs)).segments.map((x: { speaker?: string }) => x.speaker)).toEqual(['Speaker A', 'Speaker B', 'Speaker B', undefined]);
    expect(renderVtt(segs.slice(0, 2))).toBe('WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n<v Speaker A>Hello there.</v>\n\n00:00:01.200 --> 00:00:02.200\n<v Speaker B>Hi.</v>\n');
    expect(renderSrt(segs.slice(0, 1))).toBe('1\n00:00:00,000 --> 00:00:01,000\nSpeaker A: Hello there.\n');
    // A change of speaker starts a paragraph even without a pause.
    expect(renderTxt(segs)).toBe('Speaker A: Hello there.\n\nSpeaker B: Hi. How are you?\n\nUnknown.\n');
    // A hostile name cannot break out of the voice span or put escapes in a terminal.
    const evil = renderVtt([who('x', 0, 'x', 'A>\u001b[31m<b>')]);
    expect(evil).toContain('<v A&gt;&lt;b&gt;>x</v>');
  });

  it('keeps meeting labels: JSON source and label, <v You> in VTT, "You:" in SRT and TXT; a label names the line over the service speaker', () => {
    const line = (id: string, start: number, text: string, source: string, label: string, speaker?: string): Segment => ({ ...s(id, start, start + 1, text), source, label, ...(speaker ? { speaker } : {}) });
    const segs = [line('0:1', 0, 'Can you hear me?', 'mic', 'You'), line('1:1', 1.5, 'Yes, loud and clear.', 'system', 'Speaker B', 'Speaker B')];
    const json = JSON.parse(renderJson(segs));
    expect(json.segments.map((x: object) => x)).toEqual([
      { id: '0:1', text: 'Can you hear me?', start: 0, end: 1, source: 'mic', label: 'You' },
      { id: '1:1', text: 'Yes, loud and clear.', start: 1.5, end: 2.5, source: 'system', label: 'Speaker B', speaker: 'Speaker B' },
    ]);
    expect(renderVtt(segs)).toContain('<v You>Can you hear me?</v>');
    expect(renderSrt(segs)).toContain('\nYou: Can you hear me?\n');
    expect(renderTxt(segs)).toBe('You: Can you hear me?\n\nSpeaker B: Yes, loud and clear.\n');
  });

  it('timecodes round to milliseconds and go past 99 hours', () => {
    expect(timecode(3661.0005, ',')).toBe('01:01:01,001');
    expect(timecode(59.9999, '.')).toBe('00:01:00.000');
    expect(timecode(360000, ',')).toBe('100:00:00,000');
    expect(timecode(-1, ',')).toBe('00:00:00,000');
  });

  it('TXT makes paragraphs at pauses, optionally with timestamps', () => {
    const segs = [s('a', 0, 1, 'One.'), s('b', 1.5, 2, 'Two.'), s('c', 5, 6, 'Three.'), s('d', 3700, 3701, 'Later.')];
    expect(renderTxt(segs)).toBe('One. Two.\n\nThree.\n\nLater.\n');
    expect(renderTxt(segs, { timestamps: true })).toBe('[00:00:00] One. Two.\n\n[00:00:05] Three.\n\n[01:01:40] Later.\n');
    expect(renderTxt(segs, { paragraphGapSeconds: 1000 })).toBe('One. Two. Three.\n\nLater.\n');
  });

  it('splits long segments into cues of at most two lines of 42 characters, sharing the time span', () => {
    const words = Array.from({ length: 40 }, (_, i) => `word${i}`);
    const text = words.join(' ');
    const srt = renderSrt([s('x', 10, 30, text)]);
    const cues = srt.trim().split('\n\n').map((c) => c.split('\n'));
    expect(cues.length).toBeGreaterThan(1);
    for (const [i, cue] of cues.entries()) {
      expect(cue[0]).toBe(String(i + 1));
      const lines = cue.slice(2);
      expect(lines.length).toBeGreaterThanOrEqual(1);
      expect(lines.length).toBeLessThanOrEqual(2);
      for (const line of lines) expect(line.length).toBeLessThanOrEqual(42);
    }
    // Every word once, in order; cues tile the segment's time span.
    expect(cues.flatMap((c) => c.slice(2).join(' ').split(' '))).toEqual(words);
    const times = cues.map((c) => c[1].split(' --> '));
    expect(times[0][0]).toBe('00:00:10,000');
    expect(times[times.length - 1][1]).toBe('00:00:30,000');
    for (let i = 1; i < times.length; i++) expect(times[i][0]).toBe(times[i - 1][1]);
  });

  it('line layout: short text is one line, medium text two balanced lines, odd long words survive', () => {
    expect(layoutCues('short text')).toEqual([{ lines: ['short text'], from: 0, to: 1 }]);
    const two = layoutCues('the quick brown fox jumps over the lazy dog and keeps on running');
    expect(two).toHaveLength(1);
    expect(two[0].lines).toEqual(['the quick brown fox jumps over', 'the lazy dog and keeps on running']);
    const long = 'x'.repeat(60);
    expect(layoutCues(`a ${long} b`).flatMap((c) => c.lines).join(' ')).toBe(`a ${long} b`);
    expect(layoutCues('   ')).toEqual([]);
  });

  it('formatFromPath reads the extension, else BAD_ARGUMENT naming the path', () => {
    expect(formatFromPath('/x/out.JSON')).toBe('json');
    expect(formatFromPath('a.srt')).toBe('srt');
    expect(formatFromPath('a.vtt')).toBe('vtt');
    expect(formatFromPath('a.b.txt')).toBe('txt');
    for (const bad of ['a.doc', 'noext', 'dir.srt/file']) {
      const err = (() => { try { formatFromPath(bad); } catch (e) { return e; } })() as EarshotError;
      expect(err).toBeInstanceOf(EarshotError);
      expect(err.code).toBe('BAD_ARGUMENT');
      expect(err.message).toContain(bad);
    }
  });

  it('writeTranscript replaces the file atomically and leaves no temp files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'earshot-export-'));
    const path = join(dir, 'out.json');
    writeFileSync(path, 'old');
    await writeTranscript(path, 'json', SEGMENTS);
    expect(JSON.parse(readFileSync(path, 'utf8')).text).toBe('Hello world <b> & co');
    await writeTranscript(path, 'txt', SEGMENTS);
    expect(readFileSync(path, 'utf8')).toBe('Hello\n\nworld <b> & co\n');
    expect(readdirSync(dir)).toEqual(['out.json']);
  });

  it('writeTranscript throws OUTPUT_FAILED with the path when it cannot write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'earshot-export-'));
    mkdirSync(join(dir, 'taken'));
    for (const path of [join(dir, 'missing-dir', 'out.srt'), join(dir, 'taken')]) {
      const err = await writeTranscript(path, 'srt', SEGMENTS).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(EarshotError);
      expect((err as EarshotError).code).toBe('OUTPUT_FAILED');
      expect((err as EarshotError).message).toContain(path);
    }
    expect(readdirSync(dir)).toEqual(['taken']);
  });
});
