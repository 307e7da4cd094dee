/**
 * OverlayStyle → CSS custom properties (set through the CSSOM, so the page's CSP needs no
 * 'unsafe-inline'), the font fallback chain, and the canvas font used to measure words.
 */
import type { OverlayStyle } from '../../shared/overlay-style.js';

/** Ends every chain: the platform UI fonts, then any sans-serif. */
const SYSTEM_STACK = ['system-ui', '-apple-system', '"Segoe UI"', 'Roboto', '"Noto Sans"', 'Ubuntu', 'Cantarell', '"DejaVu Sans"', 'sans-serif'];

/** The chosen family first (quoted; validated upstream to hold no quotes), then the system UI font. */
export function fontStack(family: string): string {
  const name = family.trim();
  if (name === '' || name === 'system-ui' || name.includes('"')) return SYSTEM_STACK.join(', ');
  return [`"${name}"`, ...SYSTEM_STACK].join(', ');
}

/** Same shorthand the captions are drawn with: canvas widths then match the DOM. */
export function canvasFont(style: OverlayStyle): string {
  return `${style.fontWeight} ${style.fontSize}px ${fontStack(style.fontFamily)}`;
}

export function hexToRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function rgba(hex: string, alpha: number): string {
  const [r, g, b] = hexToRgb(hex);
  return `rgba(${r}, ${g}, ${b}, ${Math.round(alpha * 1000) / 1000})`;
}

/** WCAG relative luminance, 0 (black) to 1 (white). */
export function luminance(hex: string): number {
  const lin = (c: number) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const [r, g, b] = hexToRgb(hex);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** Black edges for light text, white edges for dark text. */
function edgeColor(textColor: string): string {
  return luminance(textColor) > 0.35 ? '#000000' : '#ffffff';
}

/** Outline as a ring of hard shadows: works on every engine and never changes text metrics. */
export function textShadow(style: OverlayStyle): string {
  const edge = edgeColor(style.textColor);
  if (style.effect === 'outline') {
    const w = Math.max(1, Math.round(style.fontSize / 18));
    const ring: string[] = [];
    for (let i = 0; i < 16; i++) {
      const a = (i / 16) * 2 * Math.PI;
      ring.push(`${round(Math.cos(a) * w)}px ${round(Math.sin(a) * w)}px 0 ${edge}`);
    }
    return ring.join(', ');
  }
  if (style.effect === 'shadow') {
    const d = Math.max(1, Math.round(style.fontSize / 16));
    return `${d}px ${d}px ${d * 2}px ${rgba(edge, 0.9)}, 0 0 ${d}px ${rgba(edge, 0.8)}`;
  }
  return 'none';
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

export function styleVars(style: OverlayStyle): Record<string, string> {
  const partialDimmed = style.partialColor === '';
  return {
    '--cap-font': fontStack(style.fontFamily),
    '--cap-size': `${style.fontSize}px`,
    '--cap-weight': String(style.fontWeight),
    '--cap-color': style.textColor,
    '--cap-partial-color': partialDimmed ? style.textColor : style.partialColor,
    '--cap-partial-opacity': partialDimmed ? '0.7' : '1',
    '--cap-bg': rgba(style.backgroundColor, style.backgroundOpacity),
    '--cap-letter-spacing': `${style.letterSpacing}em`,
    '--cap-line-height': String(style.lineHeight),
    '--cap-shadow': textShadow(style),
    '--cap-mic-color': style.micColor,
    '--cap-system-color': style.systemColor,
  };
}
