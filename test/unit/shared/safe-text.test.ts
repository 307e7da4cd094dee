/**
 * Caption text is remote input. Seeded random strings built from every C0 and C1 control,
 * DEL, ESC sequence openers and terminators, line separators and bidi controls, mixed with
 * ordinary text in several scripts, go through safeText and through every human-readable
 * output (terminal, SRT, VTT, TXT). None may let a control character through; JSON must keep
 * the text as received; and ordinary text must survive untouched.
 */
import { describe, expect, it } from 'vitest';
import { TerminalView } from '../../../main/cli/terminal-view.js';
import { renderJson, renderSrt, renderTxt, renderVtt } from '../../../main/captions/export.js';
import type { CaptionDiff, Segment } from '../../../shared/captions.js';
import { isSafeText, safeText } from '../../../shared/safe-text.js';

/** Anything a terminal would act on, or that breaks one caption line into several. */
const FORBIDDEN = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CONTROLS = [
  ...Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)),
  '\x7f',
  ...Array.from({ length: 32 }, (_, i) => String.fromCharCode(0x80 + i)),
  '\u2028', '\u2029', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069',
];
const SEQUENCES = ['\x1b[', '\x1b]', '\x1b]0;title', '\x1b]8;;http://x/', '\x1bP', '\x1b_', '\x1b\\', '\x1b[2J', '\x1b[31;1m', '\x1b(B', '\x9b1A', '\x9d2;t\x9c', '\x07', '\x1bc'];
const TEXT = ['hello', ' ', 'world', 'Grüße', '東京', 'مرحبا', 'שלום', '🙂', '\u200f', '\u200e', '-->', '<b>', '&', '1', '00:00:01,000', ';', '[', ']'];

function hostile(random: () => number): string {
  let out = '';
  const n = 1 + Math.floor(random() * 12);
  for (let i = 0; i < n; i++) {
    const pick = random();
    const list = pick < 0.3 ? CONTROLS : pick < 0.55 ? SEQUENCES : TEXT;
    out += list[Math.floor(random() * list.length)]!;
  }
  return out;
}

const seg = (id: string, text: string, start: number, final = true): Segment => ({ id, text, start, end: start + 1, final });

describe('safeText', () => {
  it('lets no control character, escape or bidi override through, for any mix (2000 seeded strings)', () => {
    const random = seeded(7);
    for (let i = 0; i < 2000; i++) {
      const input = hostile(random);
      const out = safeText(input);
      expect(FORBIDDEN.test(out), JSON.stringify({ input, out })).toBe(false);
      expect(isSafeText(out)).toBe(true);
      expect(safeText(out)).toBe(out);
    }
  });

  it('keeps ordinary text in every script exactly, including RTL marks', () => {
    const random = seeded(3);
    for (let i = 0; i < 500; i++) {
      const text = Array.from({ length: 1 + Math.floor(random() * 8) }, () => TEXT[Math.floor(random() * TEXT.length)]!).join('');
      expect(safeText(text)).toBe(text);
      expect(isSafeText(text)).toBe(true);
    }
  });

  it.each([
    ['\x1b]0;pwned\x07hello', 'hello'],
    ['\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\', 'click'],
    ['\x1b[2J\x1b[Hfake prompt', 'fake prompt'],
    ['\x9b31mred', '31mred'],
    ['a\x00b\x07c\x08d', 'abcd'],
    ['\u202eevil.exe\u202c', 'evil.exe'],
    ['one\ntwo\r\nthree\u2028four', 'one two three four'],
    ['\x1bPq#0;2;0;0;0\x1b\\image', 'image'],
    ['title\x1b]2;never ends', 'title'],
  ])('%j becomes %j', (input, expected) => {
    expect(safeText(input)).toBe(expected);
  });
});

describe('human-readable outputs carry only printable caption text', () => {
  const random = seeded(11);
  const batches = Array.from({ length: 200 }, (_, b) =>
    Array.from({ length: 4 }, (_, i) => seg(`${b}:${i}`, hostile(random), i * 2)));

  it('SRT, VTT and TXT never contain a control character; JSON keeps the text as received', () => {
    for (const segments of batches) {
      for (const [name, text] of [['srt', renderSrt(segments)], ['vtt', renderVtt(segments)], ['txt', renderTxt(segments, { timestamps: true })]] as const) {
        // Line feeds between cues and lines are the format's own.
        expect(FORBIDDEN.test(text.replace(/\n/g, '')), `${name}: ${JSON.stringify(text)}`).toBe(false);
      }
      const json = JSON.parse(renderJson(segments)) as { segments: { text: string }[] };
      const kept = segments.filter((s) => s.text.trim() !== '').map((s) => s.text.trim());
      expect(json.segments.map((s) => s.text)).toEqual(kept);
    }
  });

  it('the terminal view writes no control sequence but its own, on a TTY and on a pipe', () => {
    for (const isTTY of [true, false]) {
      const chunks: string[] = [];
      const out = { write: (t: string) => void chunks.push(t), isTTY, columns: 60 };
      const view = new TerminalView(out, out);
      let rev = 0;
      for (const segments of batches.slice(0, 60)) {
        const open = segments.map((s) => ({ ...s, final: false }));
        view.applyDiff({ rev: ++rev, upserts: open, removals: [] } satisfies CaptionDiff);
        view.notice(`server said: ${segments[0]!.text}`);
        view.applyDiff({ rev: ++rev, upserts: segments, removals: [] } satisfies CaptionDiff);
      }
      view.finish();
      // The view's own sequences: clear line, dim, reset.
      const text = chunks.join('').replace(/\r\x1b\[2K|\x1b\[2m|\x1b\[0m/g, '').replace(/\n/g, '');
      expect(FORBIDDEN.test(text), JSON.stringify(text.match(FORBIDDEN))).toBe(false);
    }
  });
});
