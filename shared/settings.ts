/**
 * User settings: type, defaults and parseSettings(unknown), which always returns usable
 * settings (defaults stand in for anything invalid) plus one message per invalid field that
 * tells a person what to enter instead. The API key is NOT a setting: it lives in main only
 * (safeStorage).
 */
import { checkAccelerator } from './accelerator.js';
import { languageName, languagesFor } from './languages.js';
import { isProviderId, PROVIDERS, type ProviderId } from './providers.js';
import {
  DEFAULT_STYLE, STYLE_PRESETS, type OverlayStyle, type StylePresetId, type TextEffect,
} from './overlay-style.js';
import { DEFAULT_MIC_LABEL, DEFAULT_SYSTEM_LABEL } from './source-terms.js';

/**
 * 'mic' = default input, 'system' = default output's monitor (Linux) or the app's loopback
 * capture (Windows, macOS), 'device:<id>' = a listed device, 'mic+system' = a meeting: both at
 * once, each with its own connection and label.
 */
export type SourceSetting = 'mic' | 'system' | typeof MEETING_SOURCE | `device:${string}`;

/** Microphone and system audio together (the CLI's `--source mic+system`). */
export const MEETING_SOURCE = 'mic+system';

export function isMeetingSource(source: SourceSetting | string): boolean {
  return source === MEETING_SOURCE;
}

/** The microphone side of a meeting as a source: the chosen input device, or the default input. */
export function meetingMicSource(meetingMic: string): 'mic' | `device:${string}` {
  return meetingMic ? `device:${meetingMic}` : 'mic';
}

/** Said next to the option wherever it is offered. */
export const MEETING_COST_NOTE = 'Two connections: twice the provider minutes.';
/** Said next to "Keep the meeting audio" while both sources are chosen. */
export const MEETING_KEEP_AUDIO_NOTE = 'With "Microphone + system audio", both sides are kept mixed into one track; Improve transcript then names speakers (Speaker A, B…) instead of You and Others.';
export const LABEL_MAX_CHARS = 40;

export interface HotkeySettings {
  toggleOverlay: string;
  pause: string;
  clickThrough: string;
}

export interface Settings {
  provider: ProviderId;
  model: string;
  /** '' = the provider's default endpoint. */
  endpoint: string;
  /** Recordings and Improve transcript: '' = Fireworks' own pre-recorded hosts. */
  fileEndpoint: string;
  /** '' = provider default / auto-detect. */
  language: string;
  /** Languages used lately, newest first (the tray offers them for a quick switch). */
  recentLanguages: string[];
  prompt: string;
  source: SourceSetting;
  /** Meetings: the label of every microphone line ("You"). */
  micLabel: string;
  /** Meetings: the label of every system-audio line ("Others"). */
  systemLabel: string;
  /** Meetings: drop microphone lines that are the speakers' sound picked up again. */
  echoSuppression: boolean;
  /** Meetings: your microphone, a device id from the list; '' = the default input. */
  meetingMic: string;
  /** Ask the service to tell speakers apart live (AssemblyAI, Deepgram); ignored by the others. */
  speakerLabels: boolean;
  frameMs: number;
  preset: StylePresetId | 'custom';
  style: OverlayStyle;
  clickThrough: boolean;
  /** The notice that says how to leave click-through has been shown once. */
  clickThroughExplained: boolean;
  hideFromScreenCapture: boolean;
  hotkeys: HotkeySettings;
  historyEnabled: boolean;
  /** Keep the audio sent during a session, for "Improve transcript" afterwards. */
  keepAudio: boolean;
  /** The most kept audio on disk, per session, in MB (the oldest minutes go first). */
  keepAudioLimitMb: number;
  overlayServer: { enabled: boolean; port: number; host: string };
}

export const DEFAULT_HOTKEYS: HotkeySettings = {
  toggleOverlay: 'CommandOrControl+Shift+H',
  pause: 'CommandOrControl+Shift+P',
  clickThrough: 'CommandOrControl+Shift+L',
};

export const HOTKEY_LABELS: Record<keyof HotkeySettings, string> = {
  toggleOverlay: 'Show / hide captions',
  pause: 'Pause / resume',
  clickThrough: 'Click-through on / off',
};

export const DEFAULT_SETTINGS: Settings = {
  provider: 'fireworks',
  model: 'fireworks-asr-large',
  endpoint: '',
  fileEndpoint: '',
  language: 'en',
  recentLanguages: [],
  prompt: '',
  source: 'mic',
  micLabel: DEFAULT_MIC_LABEL,
  systemLabel: DEFAULT_SYSTEM_LABEL,
  echoSuppression: true,
  meetingMic: '',
  speakerLabels: false,
  frameMs: 50,
  preset: 'classic',
  style: DEFAULT_STYLE,
  clickThrough: false,
  clickThroughExplained: false,
  hideFromScreenCapture: false,
  hotkeys: DEFAULT_HOTKEYS,
  historyEnabled: false,
  keepAudio: false,
  keepAudioLimitMb: 2000,
  overlayServer: { enabled: false, port: 7723, host: '127.0.0.1' },
};

export const PROMPT_MAX_CHARS = 2000;
export const RECENT_LANGUAGES = 5;

/** `path` is the dotted field name ('style.fontSize', 'hotkeys.pause'); '' = the whole value. */
export interface SettingsError {
  path: string;
  message: string;
}

export interface ParsedSettings {
  settings: Settings;
  errors: SettingsError[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const HEX = /^#[0-9a-fA-F]{6}$/;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Checks one field; a missing field quietly takes its default (older files lack new fields). */
class Reader {
  readonly errors: SettingsError[] = [];
  constructor(private readonly prefix = '') {}

  field<T>(obj: Obj, key: string, fallback: T, check: (v: unknown) => string | null, map?: (v: unknown) => T): T {
    if (!(key in obj) || obj[key] === undefined) return fallback;
    const v = obj[key];
    const problem = check(v);
    if (problem) {
      this.errors.push({ path: this.prefix + key, message: problem });
      return fallback;
    }
    return map ? map(v) : (v as T);
  }

  error(key: string, message: string): void {
    this.errors.push({ path: this.prefix + key, message });
  }
}

const bool = (label: string) => (v: unknown) => (typeof v === 'boolean' ? null : `${label} must be on or off (true or false).`);

function numberIn(label: string, min: number, max: number, opts: { integer?: boolean; unit?: string; step?: number } = {}) {
  return (v: unknown): string | null => {
    const unit = opts.unit ? ` ${opts.unit}` : '';
    if (typeof v !== 'number' || !Number.isFinite(v)) return `${label} must be a number from ${min} to ${max}${unit}.`;
    if (opts.integer && !Number.isInteger(v)) return `${label} must be a whole number from ${min} to ${max}${unit}.`;
    if (v < min || v > max) return `${label} must be from ${min} to ${max}${unit}; ${v} is out of range.`;
    if (opts.step && Math.round(v / opts.step) * opts.step !== v) return `${label} must be a multiple of ${opts.step} (${min}, ${min + opts.step}, ... ${max}).`;
    return null;
  };
}

const color = (label: string, allowEmpty = false) => (v: unknown): string | null =>
  typeof v === 'string' && (HEX.test(v) || (allowEmpty && v === ''))
    ? null
    : `${label} must be a colour written #rrggbb (for example #ffcc00)${allowEmpty ? ', or empty for the text colour, dimmed' : ''}.`;

/** Returns the reason an endpoint is unusable, or null. Mirrors the rule behind ENDPOINT_INVALID. */
export function checkEndpoint(value: string): string | null {
  if (value === '') return null;
  let url: URL;
  try { url = new URL(value); } catch { return `"${value}" is not a URL. Use wss://host/path, or leave it empty for the provider's own address.`; }
  if (url.username || url.password) return 'Do not put a user name or key in the endpoint URL; the key has its own field.';
  if (url.protocol === 'wss:') return null;
  if (url.protocol === 'ws:') {
    return LOOPBACK_HOSTS.has(url.hostname)
      ? null
      : `ws:// sends audio unencrypted, so it is only allowed for 127.0.0.1, ::1 or localhost; use wss://${url.host}${url.pathname}.`;
  }
  return `The endpoint must start with wss:// (it is ${url.protocol}//).`;
}

/** Recordings (pre-recorded transcription): https://, or http:// to this machine only. */
export function checkFileEndpoint(value: string): string | null {
  if (value === '') return null;
  let url: URL;
  try { url = new URL(value); } catch { return `"${value}" is not a URL. Use https://host, or leave it empty for Fireworks' own address.`; }
  if (url.username || url.password || url.search) return 'Give only the address (https://host/path); the key has its own field.';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:') {
    return LOOPBACK_HOSTS.has(url.hostname) ? null : `http:// sends audio unencrypted, so it is only allowed for 127.0.0.1, ::1 or localhost; use https://${url.host}${url.pathname}.`;
  }
  return `The recordings endpoint must start with https:// (it is ${url.protocol}//).`;
}

/** A line label: shown on every caption line and written into exports ("You:"), so short and plain. */
function checkLabel(what: string) {
  return (v: unknown): string | null => {
    if (typeof v !== 'string' || v.trim() === '') return `${what} must be a short name such as You or Others.`;
    if (v.trim().length > LABEL_MAX_CHARS) return `${what} is ${v.trim().length} characters; keep it to ${LABEL_MAX_CHARS}.`;
    // Control and bidi characters would garble exports and reorder the caption line.
    if (/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(v)) return `${what} may not contain control or text-direction characters.`;
    // ":" ends the label in SRT and TXT ("You: hello"); "<" and ">" would break WebVTT voice tags.
    if (/[:<>]/.test(v)) return `${what} may not contain ":", "<" or ">" (exports write "${v.trim().replace(/[:<>]/g, '')}: …").`;
    return null;
  };
}

function checkHost(v: unknown): string | null {
  if (typeof v !== 'string' || v === '') return 'Host must be an IP address such as 127.0.0.1 (this computer only) or 0.0.0.0 (every network).';
  const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
  const ipv6 = /^[0-9a-fA-F:]+$/;
  if (v === 'localhost' || ipv4.test(v) || (v.includes(':') && ipv6.test(v))) return null;
  return `"${v}" is not an IP address. Use 127.0.0.1 to keep the overlay on this computer, or your LAN address to reach it from a tablet.`;
}

function parseStyle(raw: unknown, r: Reader, path: string): OverlayStyle {
  if (raw === undefined) return DEFAULT_STYLE;
  if (!isObj(raw)) { r.error(path, 'Style must be a group of options.'); return DEFAULT_STYLE; }
  const s = new Reader(`${path}.`);
  const d = DEFAULT_STYLE;
  const style: OverlayStyle = {
    fontFamily: s.field(raw, 'fontFamily', d.fontFamily, (v) =>
      typeof v === 'string' && v.trim() !== '' && v.length <= 100 && !/[;{}<>"\\]/.test(v)
        ? null
        : 'Font must be a font family name (letters, spaces, hyphens), such as Atkinson Hyperlegible.',
    (v) => (v as string).trim()),
    fontSize: s.field(raw, 'fontSize', d.fontSize, numberIn('Text size', 12, 120, { integer: true, unit: 'pixels' })),
    fontWeight: s.field(raw, 'fontWeight', d.fontWeight, numberIn('Font weight', 300, 900, { step: 100 })),
    textColor: s.field(raw, 'textColor', d.textColor, color('Text colour')),
    backgroundColor: s.field(raw, 'backgroundColor', d.backgroundColor, color('Background colour')),
    backgroundOpacity: s.field(raw, 'backgroundOpacity', d.backgroundOpacity, numberIn('Background opacity', 0, 1)),
    effect: s.field<TextEffect>(raw, 'effect', d.effect, (v) =>
      v === 'none' || v === 'outline' || v === 'shadow' ? null : 'Text effect must be none, outline or shadow.'),
    letterSpacing: s.field(raw, 'letterSpacing', d.letterSpacing, numberIn('Letter spacing', -0.05, 0.5, { unit: 'em' })),
    lineHeight: s.field(raw, 'lineHeight', d.lineHeight, numberIn('Line spacing', 1, 2.5, { unit: '× the text size' })),
    partialColor: s.field(raw, 'partialColor', d.partialColor, color('Colour of unfinished text', true)),
    lines: s.field(raw, 'lines', d.lines, numberIn('Lines shown', 1, 10, { integer: true })),
    clearAfterSeconds: s.field(raw, 'clearAfterSeconds', d.clearAfterSeconds, (v) =>
      typeof v === 'number' && Number.isInteger(v) && (v === 0 || (v >= 3 && v <= 60))
        ? null
        : 'Clear after silence must be 0 (never) or a whole number of seconds from 3 to 60.'),
    showLabels: s.field(raw, 'showLabels', d.showLabels, bool('Show who said each line')),
    colorByStream: s.field(raw, 'colorByStream', d.colorByStream, bool('A colour for each side')),
    micColor: '',
    systemColor: '',
  };
  // Settings saved before stream colours existed get the pair that reads on their background.
  const pair = streamColorsFor(style.backgroundColor);
  style.micColor = s.field(raw, 'micColor', pair.micColor, color('Microphone line colour'));
  style.systemColor = s.field(raw, 'systemColor', pair.systemColor, color('System audio line colour'));
  r.errors.push(...s.errors);
  return style;
}

/** The default stream colours for a background: the light preset's on light ones, else the classic pair. */
export function streamColorsFor(backgroundColor: string): Pick<OverlayStyle, 'micColor' | 'systemColor'> {
  const n = Number.parseInt(backgroundColor.slice(1), 16);
  const light = ((n >> 16) & 255) * 0.299 + ((n >> 8) & 255) * 0.587 + (n & 255) * 0.114 > 150;
  const p = light ? STYLE_PRESETS.light : STYLE_PRESETS.classic;
  return { micColor: p.micColor, systemColor: p.systemColor };
}

function parseHotkeys(raw: unknown, r: Reader): HotkeySettings {
  if (raw === undefined) return DEFAULT_HOTKEYS;
  if (!isObj(raw)) { r.error('hotkeys', 'Shortcuts must be a group of options.'); return DEFAULT_HOTKEYS; }
  const out = { ...DEFAULT_HOTKEYS };
  const seen = new Map<string, keyof HotkeySettings>();
  for (const key of Object.keys(DEFAULT_HOTKEYS) as (keyof HotkeySettings)[]) {
    const v = raw[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') { r.error(`hotkeys.${key}`, `${HOTKEY_LABELS[key]}: a shortcut must be text such as CommandOrControl+Shift+H, or empty for none.`); continue; }
    const check = checkAccelerator(v.trim());
    if (!check.ok) { r.error(`hotkeys.${key}`, `${HOTKEY_LABELS[key]}: ${check.message}`); continue; }
    const other = seen.get(check.normalized.toLowerCase());
    if (check.normalized !== '' && other) {
      r.error(`hotkeys.${key}`, `${HOTKEY_LABELS[key]}: ${check.normalized} is already used for "${HOTKEY_LABELS[other]}".`);
      continue;
    }
    if (check.normalized !== '') seen.set(check.normalized.toLowerCase(), key);
    out[key] = check.normalized;
  }
  return out;
}

export function parseSettings(input: unknown): ParsedSettings {
  const r = new Reader();
  if (!isObj(input)) {
    return { settings: DEFAULT_SETTINGS, errors: [{ path: '', message: 'The settings are not a JSON object; the defaults are used.' }] };
  }
  const d = DEFAULT_SETTINGS;
  const provider = r.field<ProviderId>(input, 'provider', d.provider, (v) =>
    isProviderId(v) ? null : `Unknown provider "${String(v)}". Choose one of: ${Object.values(PROVIDERS).map((p) => p.label).join(', ')}.`);
  const info = PROVIDERS[provider];
  const endpoint = r.field(input, 'endpoint', d.endpoint, (v) => (typeof v === 'string' ? checkEndpoint(v.trim()) : 'The endpoint must be text.'), (v) => (v as string).trim());
  const fileEndpoint = r.field(input, 'fileEndpoint', d.fileEndpoint, (v) => (typeof v === 'string' ? checkFileEndpoint(v.trim()) : 'The endpoint must be text.'), (v) => (v as string).trim());
  const defaultModel = provider === d.provider ? d.model : info.defaultModel;
  const model = r.field(input, 'model', defaultModel, (v) => {
    if (typeof v !== 'string' || v.trim() === '') return `Choose a model for ${info.label}: ${info.models.join(', ')}.`;
    // With a custom endpoint the server may offer models we do not list.
    if (endpoint === '' && !info.models.includes(v)) return `${info.label} has no model "${v}". Choose one of: ${info.models.join(', ')}.`;
    return null;
  });
  const langs = languagesFor(provider, model);
  const language = r.field(input, 'language', provider === d.provider ? d.language : info.detectsLanguage ? '' : 'en', (v) => {
    if (typeof v !== 'string') return 'Language must be a language code such as en, or empty for automatic.';
    if (v === '' && !info.detectsLanguage) {
      return `${info.label} cannot detect the spoken language; choose it from the list${provider === 'deepgram' ? ' (or Multilingual for speech that switches languages)' : ''}.`;
    }
    if (v === '' || langs.some((l) => l.code === v)) return null;
    const hint = langs.length <= 8 ? `: ${langs.map((l) => `${l.code} (${l.name})`).join(', ')}` : ` (${langs.length} languages in the list)`;
    return `${info.label}${provider === 'assemblyai' ? ` with ${model}` : ''} does not support "${v}"${languageName(v) !== v ? ` (${languageName(v)})` : ''}. Pick one from its list${hint}, or automatic.`;
  });
  // Only a convenience list: unusable entries are dropped, never an error.
  const recentLanguages = Array.isArray(input.recentLanguages)
    ? [...new Set(input.recentLanguages.filter((v): v is string => typeof v === 'string' && /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i.test(v)))].slice(0, RECENT_LANGUAGES)
    : d.recentLanguages;
  const prompt = r.field(input, 'prompt', d.prompt, (v) =>
    typeof v !== 'string' ? 'The prompt must be text.'
      : v.length > PROMPT_MAX_CHARS ? `The prompt is ${v.length} characters; keep it to ${PROMPT_MAX_CHARS} (long prompts slow the service down).` : null);
  const source = r.field<SourceSetting>(input, 'source', d.source, (v) =>
    v === 'mic' || v === 'system' || v === MEETING_SOURCE || (typeof v === 'string' && /^device:.+/.test(v) && v.length <= 300)
      ? null
      : 'Audio source must be the microphone, system audio, microphone + system audio, or a device from the list.');
  const micLabel = r.field(input, 'micLabel', d.micLabel, checkLabel('The microphone label'), (v) => (v as string).trim());
  const systemLabel = r.field(input, 'systemLabel', d.systemLabel, (v) => {
    const problem = checkLabel('The system audio label')(v);
    if (problem) return problem;
    // Lines are told apart by their label: two equal labels would hide who said what.
    return (v as string).trim().toLowerCase() === micLabel.toLowerCase() ? `The two labels must differ (both are "${micLabel}").` : null;
  }, (v) => (v as string).trim());
  const echoSuppression = r.field(input, 'echoSuppression', d.echoSuppression, bool('Echo suppression'));
  const speakerLabels = r.field(input, 'speakerLabels', d.speakerLabels, bool('Label speakers'));
  const meetingMic = r.field(input, 'meetingMic', d.meetingMic, (v) =>
    typeof v === 'string' && v.length <= 300 ? null : 'Your microphone must be the default input or a device from the list.');
  const fm = info.frameMs;
  const frameMs = r.field(input, 'frameMs', provider === d.provider ? d.frameMs : fm.default,
    numberIn(`Frame size for ${info.label}`, fm.min, fm.max, { integer: true, unit: 'ms' }));
  const preset = r.field<Settings['preset']>(input, 'preset', d.preset, (v) =>
    v === 'custom' || (typeof v === 'string' && v in STYLE_PRESETS) ? null : 'Preset must be Classic, High contrast, Light or Custom.');
  const style = parseStyle(input.style, r, 'style');
  const clickThrough = r.field(input, 'clickThrough', d.clickThrough, bool('Click-through'));
  const clickThroughExplained = r.field(input, 'clickThroughExplained', d.clickThroughExplained, bool('Click-through notice'));
  const hideFromScreenCapture = r.field(input, 'hideFromScreenCapture', d.hideFromScreenCapture, bool('Hide from screen capture'));
  const hotkeys = parseHotkeys(input.hotkeys, r);
  const historyEnabled = r.field(input, 'historyEnabled', d.historyEnabled, bool('History'));
  const keepAudio = r.field(input, 'keepAudio', d.keepAudio, bool('Keep the meeting audio'));
  const keepAudioLimitMb = r.field(input, 'keepAudioLimitMb', d.keepAudioLimitMb, numberIn('Kept audio limit', 100, 20000, { integer: true, unit: 'MB' }));
  let overlayServer = d.overlayServer;
  if (input.overlayServer !== undefined) {
    if (!isObj(input.overlayServer)) r.error('overlayServer', 'Browser overlay must be a group of options.');
    else {
      const o = new Reader('overlayServer.');
      overlayServer = {
        enabled: o.field(input.overlayServer, 'enabled', d.overlayServer.enabled, bool('Browser overlay')),
        port: o.field(input.overlayServer, 'port', d.overlayServer.port, numberIn('Port', 1024, 65535, { integer: true })),
        host: o.field(input.overlayServer, 'host', d.overlayServer.host, checkHost),
      };
      r.errors.push(...o.errors);
    }
  }
  return {
    settings: {
      provider, model, endpoint, fileEndpoint, language, recentLanguages, prompt, source, micLabel, systemLabel, echoSuppression, meetingMic, speakerLabels, frameMs, preset, style,
      clickThrough, clickThroughExplained, hideFromScreenCapture, hotkeys, historyEnabled, keepAudio, keepAudioLimitMb, overlayServer,
    },
    errors: r.errors,
  };
}

/** One message per field, for showing next to the inputs. */
export function errorsByPath(errors: readonly SettingsError[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) out[e.path] ??= e.message;
  return out;
}

/** The style a preset gives when applied over the current style (font and layout are kept). */
export function applyPreset(style: OverlayStyle, preset: StylePresetId): OverlayStyle {
  return { ...style, ...STYLE_PRESETS[preset] };
}
