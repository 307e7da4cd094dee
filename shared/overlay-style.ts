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
  /** Meetings: each line starts with who said it ("You:", "Others:"). */
  showLabels: boolean;
  /** Meetings: each stream's lines in its own colour (micColor, systemColor). */
  colorByStream: boolean;
  /** #rrggbb: the microphone's lines (the first stream of any two). */
  micColor: string;
  /** #rrggbb: system audio's lines (the second stream of any two). */
  systemColor: string;
}

export const FONT_CHOICES = ['system-ui', 'Atkinson Hyperlegible', 'OpenDyslexic', 'Lexend'] as const;

/**
 * Stream colours are a blue and an orange (Okabe & Ito's palette): told apart with every common
 * colour-vision deficiency, each at least 4.5:1 (WCAG AA) on its preset's background. The
 * label says who spoke as well, so colour is never the only cue.
 */
export const STYLE_PRESETS: Record<StylePresetId, Pick<OverlayStyle, 'textColor' | 'backgroundColor' | 'backgroundOpacity' | 'effect' | 'partialColor' | 'micColor' | 'systemColor'>> = {
  classic: { textColor: '#ffffff', backgroundColor: '#000000', backgroundOpacity: 0.7, effect: 'none', partialColor: '', micColor: '#56b4e9', systemColor: '#e69f00' },
  'high-contrast': { textColor: '#ffff00', backgroundColor: '#000000', backgroundOpacity: 1, effect: 'none', partialColor: '#ffffff', micColor: '#7fd4ff', systemColor: '#ffb000' },
  light: { textColor: '#111111', backgroundColor: '#ffffff', backgroundOpacity: 0.9, effect: 'none', partialColor: '#555555', micColor: '#0060a0', systemColor: '#a04000' },
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
  showLabels: true,
  colorByStream: true,
};

export const TEXT_EFFECTS: readonly TextEffect[] = ['none', 'outline', 'shadow'];
export const STYLE_PRESET_IDS: readonly StylePresetId[] = ['classic', 'high-contrast', 'light'];

/** Ranges of the numeric options (the same ones settings validation enforces). */
export const STYLE_LIMITS = {
  fontSize: { min: 12, max: 120, step: 1 },
  fontWeight: { min: 300, max: 900, step: 100 },
  backgroundOpacity: { min: 0, max: 1, step: 0 },
  letterSpacing: { min: -0.05, max: 0.5, step: 0 },
  lineHeight: { min: 1, max: 2.5, step: 0 },
  lines: { min: 1, max: 10, step: 1 },
  clearAfterSeconds: { min: 3, max: 60, step: 1 },
} as const;

type NumericField = keyof typeof STYLE_LIMITS;

/** Characters that could end a CSS value early; a font name never needs them. */
const UNSAFE_FONT = /[;{}<>"\\\u0000-\u001f]/;

export function isSafeFontFamily(v: unknown): v is string {
  return typeof v === 'string' && v.trim() !== '' && v.length <= 100 && !UNSAFE_FONT.test(v);
}

/** '#abc', 'abc', '#aabbcc' or 'aabbcc' → '#aabbcc'; anything else → null. */
export function normalizeHexColor(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(v.trim());
  if (!m) return null;
  const hex = m[1]!.toLowerCase();
  return hex.length === 3 ? `#${hex[0]}${hex[0]}${hex[1]}${hex[1]}${hex[2]}${hex[2]}` : `#${hex}`;
}

function clampNumber(field: NumericField, v: number): number {
  const { min, max, step } = STYLE_LIMITS[field];
  if (field === 'clearAfterSeconds' && v <= 0) return 0;
  const clamped = Math.min(max, Math.max(min, v));
  return step ? Math.round(clamped / step) * step : clamped;
}

/** One field made usable: numbers clamped into range, malformed values → null (caller keeps its base). */
function sanitizeField<K extends keyof OverlayStyle>(field: K, v: unknown): OverlayStyle[K] | null {
  type V = OverlayStyle[K];
  switch (field) {
    case 'fontFamily': return isSafeFontFamily(v) ? (v.trim() as V) : null;
    case 'textColor':
    case 'backgroundColor':
    case 'micColor':
    case 'systemColor': return normalizeHexColor(v) as V | null;
    case 'showLabels':
    case 'colorByStream': return (typeof v === 'boolean' ? v : null) as V | null;
    case 'partialColor': return (v === '' ? '' : normalizeHexColor(v)) as V | null;
    case 'effect': return (TEXT_EFFECTS as readonly unknown[]).includes(v) ? (v as V) : null;
    default: {
      if (typeof v !== 'number' || !Number.isFinite(v)) return null;
      return clampNumber(field as NumericField, v) as V;
    }
  }
}

/**
 * A style that is always safe to render: every field of `input` that is usable (numbers are
 * clamped into range) replaces the one in `base`; malformed or unknown fields are ignored.
 * For people-facing validation with messages, see parseSettings in settings.ts.
 */
export function sanitizeStyle(input: unknown, base: OverlayStyle = DEFAULT_STYLE): OverlayStyle {
  const out: OverlayStyle = { ...base };
  if (typeof input !== 'object' || input === null) return out;
  const raw = input as Record<string, unknown>;
  for (const field of Object.keys(DEFAULT_STYLE) as (keyof OverlayStyle)[]) {
    if (!(field in raw)) continue;
    const v = sanitizeField(field, raw[field]);
    if (v !== null) (out as unknown as Record<string, unknown>)[field] = v;
  }
  return out;
}

/** Short, URL-friendly names for the fonts, as OBS users type them. */
const FONT_ALIASES: Record<string, string> = {
  system: 'system-ui', 'system-ui': 'system-ui', default: 'system-ui',
  atkinson: 'Atkinson Hyperlegible', 'atkinson-hyperlegible': 'Atkinson Hyperlegible', 'atkinson hyperlegible': 'Atkinson Hyperlegible',
  opendyslexic: 'OpenDyslexic', 'open-dyslexic': 'OpenDyslexic',
  lexend: 'Lexend',
};

/** URL parameter names (first match wins) for each field. */
const QUERY_NAMES: Record<keyof OverlayStyle, readonly string[]> = {
  fontFamily: ['font', 'fontFamily'],
  fontSize: ['fontSize', 'size'],
  fontWeight: ['fontWeight', 'weight'],
  textColor: ['textColor', 'color'],
  backgroundColor: ['bg', 'backgroundColor'],
  backgroundOpacity: ['bgOpacity', 'backgroundOpacity'],
  effect: ['effect'],
  letterSpacing: ['letterSpacing'],
  lineHeight: ['lineHeight'],
  partialColor: ['partialColor'],
  lines: ['lines'],
  clearAfterSeconds: ['clearAfter', 'clearAfterSeconds'],
  showLabels: ['labels', 'showLabels'],
  colorByStream: ['streamColors', 'colorByStream'],
  micColor: ['micColor', 'youColor'],
  systemColor: ['systemColor', 'othersColor'],
};

/** Turns one URL string into the typed value its field expects (still unchecked). */
function fromQueryString(field: keyof OverlayStyle, s: string): unknown {
  const text = s.trim();
  switch (field) {
    case 'fontFamily': return FONT_ALIASES[text.toLowerCase()] ?? text;
    case 'effect': return text.toLowerCase();
    case 'textColor': case 'backgroundColor': case 'partialColor': case 'micColor': case 'systemColor': return text;
    case 'showLabels': case 'colorByStream':
      return /^(1|on|yes|true)$/i.test(text) ? true : /^(0|off|no|false)$/i.test(text) ? false : null;
    case 'clearAfterSeconds': return /^(never|off|no)$/i.test(text) ? 0 : toNumber(text);
    case 'backgroundOpacity': {
      // "70%" or 70 both mean 0.7: OBS users think in percent.
      const pct = text.endsWith('%');
      const n = toNumber(pct ? text.slice(0, -1) : text);
      return pct || n > 1 ? n / 100 : n;
    }
    default: return toNumber(text);
  }
}

function toNumber(s: string): number {
  return s === '' ? Number.NaN : Number(s);
}

/**
 * Style overrides from a browser overlay URL (OBS browser source), e.g.
 * `?preset=high-contrast&fontSize=48&bg=000000&bgOpacity=60&lines=3&font=atkinson&clearAfter=8`.
 * `preset` is applied first, then the single options. Values are validated and clamped;
 * unknown parameters and malformed values are ignored.
 */
export function parseStyleQuery(query: { get(name: string): string | null }): Partial<OverlayStyle> {
  const out: Partial<OverlayStyle> = {};
  const preset = query.get('preset')?.trim().toLowerCase().replace(/[_ ]/g, '-');
  const presetId = preset === 'highcontrast' ? 'high-contrast' : preset;
  if (presetId && (STYLE_PRESET_IDS as readonly string[]).includes(presetId)) {
    Object.assign(out, STYLE_PRESETS[presetId as StylePresetId]);
  }
  for (const field of Object.keys(QUERY_NAMES) as (keyof OverlayStyle)[]) {
    const raw = QUERY_NAMES[field].map((n) => query.get(n)).find((v) => v !== null && v !== undefined);
    if (raw === undefined || raw === null) continue;
    const v = sanitizeField(field, fromQueryString(field, raw));
    if (v !== null) (out as Record<string, unknown>)[field] = v;
  }
  return out;
}
