import { describe, expect, it } from 'vitest';
import { DEFAULT_STYLE, normalizeHexColor, parseStyleQuery, sanitizeStyle, STYLE_PRESETS } from '../../../shared/overlay-style.js';

const q = (s: string) => new URLSearchParams(s);

describe('parseStyleQuery (browser overlay URL, OBS)', () => {
  it('reads every option under its short name', () => {
    expect(parseStyleQuery(q('fontSize=48&textColor=%23ffcc00&bg=112233&bgOpacity=0.5&lines=3&font=atkinson&effect=outline&clearAfter=8&weight=700&letterSpacing=0.1&lineHeight=1.5&partialColor=ccc')))
      .toEqual({
        fontSize: 48, textColor: '#ffcc00', backgroundColor: '#112233', backgroundOpacity: 0.5, lines: 3,
        fontFamily: 'Atkinson Hyperlegible', effect: 'outline', clearAfterSeconds: 8, fontWeight: 700,
        letterSpacing: 0.1, lineHeight: 1.5, partialColor: '#cccccc',
      });
  });

  it('applies the preset first, then single options', () => {
    expect(parseStyleQuery(q('preset=high-contrast'))).toEqual(STYLE_PRESETS['high-contrast']);
    expect(parseStyleQuery(q('preset=light&textColor=000000'))).toEqual({ ...STYLE_PRESETS.light, textColor: '#000000' });
    expect(parseStyleQuery(q('preset=High_Contrast')).textColor).toBe('#ffff00');
  });

  it('clamps numbers into range and reads opacity in percent', () => {
    expect(parseStyleQuery(q('fontSize=500&lines=0&weight=250&clearAfter=1&bgOpacity=60'))).toEqual({
      fontSize: 120, lines: 1, fontWeight: 300, clearAfterSeconds: 3, backgroundOpacity: 0.6,
    });
    expect(parseStyleQuery(q('clearAfter=never&lines=4.6&bgOpacity=35%'))).toEqual({ clearAfterSeconds: 0, lines: 5, backgroundOpacity: 0.35 });
  });

  it('ignores unknown parameters and malformed values', () => {
    expect(parseStyleQuery(q('token=abc&preset=neon&fontSize=big&textColor=red&effect=glow&font=x%3B%7D&lines=&zoom=2'))).toEqual({});
  });
});

describe('sanitizeStyle', () => {
  it('keeps valid fields, clamps numbers and falls back to the base for malformed ones', () => {
    const base = { ...DEFAULT_STYLE, fontSize: 40 };
    expect(sanitizeStyle({ fontSize: 'x', lines: 99, textColor: 'javascript:', fontFamily: 'Lexend', extra: 1 }, base))
      .toEqual({ ...base, lines: 10, fontFamily: 'Lexend' });
    expect(sanitizeStyle(null)).toEqual(DEFAULT_STYLE);
    expect(sanitizeStyle({ fontFamily: 'a"b' }).fontFamily).toBe(DEFAULT_STYLE.fontFamily);
  });

  it('normalises colours', () => {
    expect(['#ABC', 'abc', '#a1b2c3', ' A1B2C3 ', 'red', '#abcd', 5].map(normalizeHexColor))
      .toEqual(['#aabbcc', '#aabbcc', '#a1b2c3', '#a1b2c3', null, null, null]);
  });
});
