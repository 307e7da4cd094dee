/**
 * Checks every IPC message before a handler sees it: the sender must be one of our pages,
 * served from app://earshot/, in a main frame, and allowed to use the channel; the payload
 * must have the channel's shape. Pure, so the rules are unit-tested without Electron.
 */
import { isProviderId } from '../../shared/providers.js';
import { parseSettings, type SourceSetting } from '../../shared/settings.js';
import type { OverlayStyle } from '../../shared/overlay-style.js';
import {
  APP_HOST, APP_SCHEME, CHANNEL_PAGES, EXPORT_FORMATS, PAGE_FILES,
  type CaptureChunk, type CaptureStatus, type ExportRequest, type InvokeChannels, type PageId,
  type SendChannels, type SetKeyRequest,
} from '../../shared/ipc-contract.js';

export type Channel = keyof InvokeChannels | keyof SendChannels;
export type Payload<K extends Channel> = K extends keyof InvokeChannels ? InvokeChannels[K]['req']
  : K extends keyof SendChannels ? SendChannels[K] : never;

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

const PAGES_BY_PATH = new Map<string, PageId>(
  (Object.entries(PAGE_FILES) as [PageId, string][]).map(([page, file]) => [`/${file}`, page]),
);

/** The page a URL belongs to, or null for anything that is not exactly one of our pages. */
export function pageOfUrl(raw: string): PageId | null {
  let url: URL;
  try { url = new URL(raw); } catch { return null; }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  if (url.username || url.password || url.port) return null;
  return PAGES_BY_PATH.get(url.pathname) ?? null;
}

export interface SenderInfo {
  /** event.senderFrame.url; null when the frame is gone (navigated or destroyed). */
  url: string | null;
  /** event.senderFrame === event.sender.mainFrame: iframes are never trusted. */
  isMainFrame: boolean;
}

export function checkSender(channel: Channel, sender: SenderInfo): Checked<PageId> {
  if (sender.url === null) return { ok: false, reason: `${channel}: sender frame is gone` };
  if (!sender.isMainFrame) return { ok: false, reason: `${channel}: sent from a sub-frame (${sender.url})` };
  const page = pageOfUrl(sender.url);
  if (!page) return { ok: false, reason: `${channel}: sender ${sender.url} is not an app page` };
  if (!CHANNEL_PAGES[channel].includes(page)) return { ok: false, reason: `${channel}: not allowed from the ${page} page` };
  return { ok: true, value: page };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const bad = (reason: string): Checked<never> => ({ ok: false, reason });

const KEY_MAX = 1000;
const COPY_MAX = 10_000_000;
const QUERY_MAX = 1000;
/** 1 s of 8-channel 192 kHz audio: far above any real capture block. */
const CHUNK_MAX_SAMPLES = 192_000 * 8;

function noPayload(v: unknown): Checked<void> {
  return v === undefined || v === null ? ok(undefined) : bad('expected no payload');
}

function styleOf(v: unknown): Checked<OverlayStyle> {
  if (!isObj(v)) return bad('style must be an object');
  const { settings, errors } = parseSettings({ style: v });
  return errors.length === 0 ? ok(settings.style) : bad(errors.map((e) => `${e.path}: ${e.message}`).join('; '));
}

function sourceOf(v: unknown): Checked<SourceSetting> {
  const { settings, errors } = parseSettings({ source: v });
  return errors.length === 0 && v !== undefined ? ok(settings.source) : bad('not an audio source');
}

function setKeyOf(v: unknown): Checked<SetKeyRequest> {
  if (!isObj(v)) return bad('expected { provider, key, storage }');
  if (!isProviderId(v.provider)) return bad('unknown provider');
  if (typeof v.key !== 'string') return bad('key must be text');
  const key = v.key.trim();
  if (key.length === 0 || key.length > KEY_MAX) return bad(`key must be 1-${KEY_MAX} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(key)) return bad('key contains spaces or control characters');
  if (v.storage !== 'disk' && v.storage !== 'session') return bad('storage must be disk or session');
  if (v.acceptBasicText !== undefined && typeof v.acceptBasicText !== 'boolean') return bad('acceptBasicText must be boolean');
  return ok({ provider: v.provider, key, storage: v.storage, acceptBasicText: v.acceptBasicText === true });
}

function exportOf(v: unknown): Checked<ExportRequest> {
  if (!isObj(v)) return bad('expected { format, query }');
  if (!EXPORT_FORMATS.includes(v.format as never)) return bad(`format must be one of ${EXPORT_FORMATS.join(', ')}`);
  const query = v.query ?? '';
  if (typeof query !== 'string' || query.length > QUERY_MAX) return bad('query must be text');
  return ok({ format: v.format as ExportRequest['format'], query });
}

function floatData(v: unknown): Float32Array | null {
  if (v instanceof Float32Array) return v;
  // Structured clone may hand typed arrays over as plain bytes.
  if (v instanceof ArrayBuffer && v.byteLength % 4 === 0) return new Float32Array(v);
  if (v instanceof Uint8Array && v.byteLength % 4 === 0) {
    return new Float32Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength) as ArrayBuffer);
  }
  return null;
}

function chunkOf(v: unknown): Checked<CaptureChunk> {
  if (!isObj(v)) return bad('expected a capture chunk');
  const { seq, sampleRate, channels } = v;
  if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0) return bad('seq must be a whole number');
  if (typeof sampleRate !== 'number' || !Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > 192_000) return bad('bad sample rate');
  if (typeof channels !== 'number' || !Number.isInteger(channels) || channels < 1 || channels > 8) return bad('bad channel count');
  const data = floatData(v.data);
  if (!data) return bad('data must be float32 samples');
  if (data.length > CHUNK_MAX_SAMPLES || data.length % channels !== 0) return bad('data length does not fit the channel count or is too large');
  return ok({ seq, sampleRate, channels, data });
}

function captureStatusOf(v: unknown): Checked<CaptureStatus> {
  if (!isObj(v)) return bad('expected a capture status');
  if (v.state === 'stopped') return ok({ state: 'stopped' });
  if (v.state === 'error' && typeof v.message === 'string') return ok({ state: 'error', message: v.message.slice(0, 500) });
  if (v.state === 'started' && typeof v.sampleRate === 'number' && typeof v.channels === 'number') {
    return ok({ state: 'started', sampleRate: v.sampleRate, channels: v.channels });
  }
  return bad('unknown capture status');
}

const VALIDATORS: { [K in Channel]: (v: unknown) => Checked<Payload<K>> } = {
  'captions:get-snapshot': noPayload,
  'style:get': noPayload,
  'overlay:set-click-through': (v) => (typeof v === 'boolean' ? ok(v) : bad('expected true or false')),
  'transcribe:start': (v) => (isObj(v) && typeof v.translate === 'boolean' && typeof v.diarize === 'boolean'
    ? ok({ translate: v.translate, diarize: v.diarize }) : bad('expected { translate, diarize }')),
  'transcribe:cancel': noPayload,
  'history:improve': (v) => (typeof v === 'string' && /^[\w.-]{1,100}$/.test(v) ? ok(v) : bad('expected a kept-audio id')),
  'history:resolve-improved': (v) => (isObj(v) && typeof v.audio === 'string' && /^[\w.-]{1,100}$/.test(v.audio) && (v.keep === 'improved' || v.keep === 'live') && typeof v.keepAudio === 'boolean'
    ? ok({ audio: v.audio, keep: v.keep, keepAudio: v.keepAudio }) : bad('expected { audio, keep: improved|live, keepAudio }')),
  'transcribe:status': noPayload,
  'overlay:hover-unlock': (v) => (typeof v === 'boolean' ? ok(v) : bad('expected true or false')),
  'overlay:resize': (v) => {
    const size = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n > 0 && n <= 20_000;
    return isObj(v) && size(v.width) && size(v.height) ? ok({ width: v.width as number, height: v.height as number }) : bad('expected { width, height } in pixels');
  },
  'settings:get': noPayload,
  // The whole object goes through parseSettings in the handler, which explains each field.
  'settings:save': (v) => (isObj(v) ? ok(v) : bad('settings must be an object')),
  'settings:preview-style': styleOf,
  'settings:end-preview': noPayload,
  'keys:set': setKeyOf,
  'keys:clear': (v) => (isProviderId(v) ? ok(v) : bad('unknown provider')),
  'audio:devices': noPayload,
  'audio:test-level': sourceOf,
  'history:get': noPayload,
  'history:export': exportOf,
  'history:copy': (v) => (typeof v === 'string' && v.length <= COPY_MAX ? ok(v) : bad('expected text')),
  'capture:chunk': chunkOf,
  'capture:status': captureStatusOf,
};

export function checkPayload<K extends Channel>(channel: K, payload: unknown): Checked<Payload<K>> {
  const validate = VALIDATORS[channel] as ((v: unknown) => Checked<Payload<K>>) | undefined;
  return validate ? validate(payload) : bad(`unknown channel ${String(channel)}`);
}

/** Sender then payload; the one call every handler makes. */
export function checkMessage<K extends Channel>(channel: K, sender: SenderInfo, payload: unknown): Checked<{ page: PageId; payload: Payload<K> }> {
  const s = checkSender(channel, sender);
  if (!s.ok) return s;
  const p = checkPayload(channel, payload);
  if (!p.ok) return { ok: false, reason: `${channel}: ${p.reason}` };
  return ok({ page: s.value, payload: p.value });
}
