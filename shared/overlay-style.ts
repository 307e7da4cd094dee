/**
 * How captions look. Used by the Electron overlay, the browser overlay (where the same
 * options arrive as URL query parameters, for OBS) and the settings window.
 */
export type TextEffect = 'none' | 'outline' | 'shadow';
export type StylePresetId = 'classic' | 'high-contrast' | 'light';

export interface OverlayStyle {
  /** CSS family name; the renderer falls back to the system UI font when it is not installed. */
  fontFamily: string;
  /** Pixels, 12-120. */
  fontSize: number;
  /** 300-900. */
  fontWeight: number;
  /** #rrggbb */
  textColor: string;
  /** #rrggbb, applied with backgroundOpacity. */
  backgroundColor: string;
  /** 0-1 */
  backgroundOpacity: number;
  effect: TextEffect;
  /** em, -0.05 to 0.5 */
  letterSpacing: number;
  /** unitless multiple, 1-2.5 */
  lineHeight: number;
  /** Colour of not-yet-final text (#rrggbb); '' means textColor at reduced opacity. */
  partialColor: string;
  /** Lines of caption shown, 1-10, newest at the bottom. */
  lines: number;
  /** Seconds of silence after which captions clear; 0 = never (else 3-60). */
  clearAfterSeconds: number;
}

export const FONT_CHOICES = ['system-ui', 'Atkinson Hyperlegible', 'OpenDyslexic', 'Lexend'] as const;

export const STYLE_PRESETS: Record<StylePresetId, Pick<OverlayStyle, 'textColor' | 'backgroundColor' | 'backgroundOpacity' | 'effect' | 'partialColor'>> = {
  classic: { textColor: '#ffffff', backgroundColor: '#000000', backgroundOpacity: 0.7, effect: 'none', partialColor: '' },
  'high-contrast': { textColor: '#ffff00', backgroundColor: '#000000', backgroundOpacity: 1, effect: 'none', partialColor: '#ffffff' },
  light: { textColor: '#111111', backgroundColor: '#ffffff', backgroundOpacity: 0.9, effect: 'none', partialColor: '#555555' },
};

export const DEFAULT_STYLE: OverlayStyle = {
  fontFamily: 'system-ui',
  fontSize: 32,
  fontWeight: 500,
  ...STYLE_PRESETS.classic,
  letterSpacing: 0,
  lineHeight: 1.3,
  lines: 2,
  clearAfterSeconds: 0,
};
