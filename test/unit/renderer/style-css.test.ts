import { describe, expect, it } from 'vitest';
import { DEFAULT_STYLE, STYLE_PRESETS } from '../../../shared/overlay-style.js';
import { canvasFont, fontStack, luminance, rgba, styleVars, textShadow } from '../../../renderer/lib/style-css.js';

describe('style → CSS', () => {
  it('puts the chosen font first and always falls back to the system UI font', () => {
    expect(fontStack('Atkinson Hyperlegible')).toMatch(/^"Atkinson Hyperlegible", system-ui, .*sans-serif$/);
    expect(fontStack('system-ui')).toMatch(/^system-ui, .*sans-serif$/);
    expect(canvasFont({ ...DEFAULT_STYLE, fontFamily: 'Lexend', fontSize: 40, fontWeight: 700 })).toMatch(/^700 40px "Lexend", system-ui/);
  });

  it('applies background opacity and the partial colour (dimmed text colour when unset)', () => {
    const classic = styleVars({ ...DEFAULT_STYLE, ...STYLE_PRESETS.classic });
    expect(classic['--cap-bg']).toBe('rgba(0, 0, 0, 0.7)');
    expect(classic['--cap-partial-color']).toBe('#ffffff');
    expect(classic['--cap-partial-opacity']).toBe('0.7');
    const hc = styleVars({ ...DEFAULT_STYLE, ...STYLE_PRESETS['high-contrast'] });
    expect(hc['--cap-color']).toBe('#ffff00');
    expect(hc['--cap-partial-color']).toBe('#ffffff');
    expect(hc['--cap-partial-opacity']).toBe('1');
    expect(rgba('#ff8000', 0.25)).toBe('rgba(255, 128, 0, 0.25)');
  });

  it('draws outline and shadow in a colour that contrasts with the text', () => {
    expect(textShadow({ ...DEFAULT_STYLE, effect: 'none' })).toBe('none');
    const white = textShadow({ ...DEFAULT_STYLE, textColor: '#ffffff', effect: 'outline' });
    expect(white.split(', ')).toHaveLength(16);
    expect(white).toContain('#000000');
    expect(textShadow({ ...DEFAULT_STYLE, textColor: '#111111', effect: 'outline' })).toContain('#ffffff');
    expect(textShadow({ ...DEFAULT_STYLE, textColor: '#ffff00', effect: 'shadow' })).toContain('rgba(0, 0, 0, 0.9)');
    expect(luminance('#ffffff')).toBeCloseTo(1);
    expect(luminance('#000000')).toBe(0);
  });
});
