/**
 * Every IPC channel between main and the renderers, in one place. The preload exposes
 * `window.earshot` (one bridge per page, typed below); main registers one handler per channel
 * and validates the sender page and the payload of each (main/app/ipc-validate.ts). The
 * browser overlay implements the overlay part of the bridge over HTTP (snapshot) +
 * Server-Sent Events (diffs, status, style).
 */
import type { CaptionDiff, CaptionSnapshot, Segment } from './captions.js';
import type { ErrorInfo } from './errors.js';
import type { OverlayStyle } from './overlay-style.js';
import type { ProviderId } from './providers.js';
import type { Settings, SettingsError, SourceSetting } from './settings.js';
import type { AudioLevel, ConnectionStatus } from './status.js';

/** Pushed from main to renderers. */
export interface MainToRenderer {
  'captions:diff': CaptionDiff;
  status: ConnectionStatus;
  level: AudioLevel;
  style: OverlayStyle;
  'overlay:click-through': boolean;
  notice: ErrorInfo;
  /** Settings window: the saved settings changed (tray, hotkey or another save). */
  'settings:changed': Settings;
  'keys:changed': KeyStoreInfo;
  /** Settings window: levels while a level test runs. */
  'audio:test-level': AudioLevel;
  /** History window: new final segments. */
  'history:appended': Segment[];
  'transcribe:progress': TranscriptionProgress;
  'app:state': AppState;
  /** Hidden capture page (system audio on Windows/macOS). */
  'capture:command': CaptureCommand;
}

/** What the overlay needs; the same shape in Electron and in a browser. */
export interface OverlayBridge {
  getSnapshot(): Promise<CaptionSnapshot>;
  getStyle(): Promise<OverlayStyle>;
  on<K extends keyof MainToRenderer>(channel: K, listener: (payload: MainToRenderer[K]) => void): () => void;
}

/** The Electron overlay can also leave click-through (its "unlock" handle). */
export interface OverlayWindowBridge extends OverlayBridge {
  setClickThrough(on: boolean): Promise<void>;
  /** The pointer entered (true) or left (false) the Unlock button while click-through is on. */
  hoverUnlock(hovering: boolean): void;
  /** The overlay's own resize grip: the window's new size in CSS pixels. */
  resize(size: { width: number; height: number }): Promise<void>;
}

export type SecretBackend = 'os' | 'basic_text' | 'unavailable';

export interface KeyState {
  set: boolean;
  /** Last four characters, to show "key set (…1234)"; '' when unset. Never more. */
  hint: string;
  /** 'disk' = encrypted in the settings folder; 'session' = in memory until quit. */
  storage: 'disk' | 'session' | 'none';
}

export interface KeyStoreInfo {
  backend: SecretBackend;
  /** For people: "GNOME libsecret", "Windows DPAPI", "basic_text (not protected)". */
  backendLabel: string;
  keys: Record<ProviderId, KeyState>;
}

export interface SetKeyRequest {
  provider: ProviderId;
  key: string;
  /** 'disk' needs consent when the backend is basic_text; 'session' never touches disk. */
  storage: 'disk' | 'session';
  /** The person read the basic_text warning and chose to store anyway. */
  acceptBasicText?: boolean;
}

export type SetKeyResult =
  | { ok: true; keys: KeyStoreInfo }
  | { ok: false; reason: 'needs-consent' | 'unavailable' | 'invalid'; message: string };

export interface SettingsView {
  settings: Settings;
  /** Problems found when the settings file was loaded (shown once, fields already defaulted). */
  loadErrors: SettingsError[];
  keys: KeyStoreInfo;
  platform: 'linux' | 'win32' | 'darwin' | 'other';
  /** How 'system' audio is captured here: PulseAudio/PipeWire monitor or Electron loopback. */
  systemAudio: 'monitor' | 'loopback' | 'unsupported';
  /** The browser overlay's full URL (with its token) while it runs. */
  overlayUrl: string | null;
  /** Where captions stand now; pushed as 'status' afterwards. */
  status: ConnectionStatus;
}

export type SaveResult = { ok: true; settings: Settings } | { ok: false; errors: SettingsError[] };

export interface DeviceInfo {
  id: string;
  name: string;
  hostApi: string;
  kind: 'input' | 'monitor';
  isDefault: boolean;
}

export interface DeviceList {
  devices: DeviceInfo[];
  error?: ErrorInfo;
}

export type LevelTestResult = { ok: true; peakDb: number; rmsDb: number } | { ok: false; error: ErrorInfo };

export interface HistoryRunInfo {
  /** ISO time the run started; '' when unknown. */
  startedAt: string;
  /** What the run was when it was not live captions, e.g. "meeting.wav (transcribed)". */
  title?: string;
  /** The language the service heard, when it said. */
  language?: string;
  /** The session's kept audio, when "Keep the meeting audio" was on and it is still there. */
  audio?: { id: string; seconds: number };
  /** This run is the improved transcript of the session whose audio had this id. */
  improvedFrom?: string;
  /** Index in `segments` of the run's first segment. */
  firstIndex: number;
}

export interface HistoryView {
  /** false: nothing is written to disk; the view holds this session's captions only. */
  enabled: boolean;
  /**
   * Final segments only, oldest first, on one timeline: each run's times are shifted to
   * follow the previous run, and ids are made unique across runs.
   */
  segments: Segment[];
  runs: HistoryRunInfo[];
  /** Journal lines that could not be read (a torn last line after a crash). */
  skippedLines: number;
}

/** "Transcribe a recording…": what the history window shows while a file is sent. */
export interface TranscribeRequest {
  /** Translate to English instead of transcribing. */
  translate: boolean;
  /** Label speakers (transcription only). */
  diarize: boolean;
}

export interface ImproveChoice {
  audio: string;
  keep: 'improved' | 'live';
  /** Keep the audio file too (default: deleted once the choice is made). */
  keepAudio: boolean;
}

export type TranscriptionProgress =
  | { state: 'idle' }
  | { state: 'choosing' }
  | { state: 'uploading'; file: string; sent: number; total: number }
  | { state: 'transcribing'; file: string }
  | { state: 'retrying'; file: string; inMs: number; reason: string }
  | { state: 'done'; file: string; segments: number; speakers: number; language?: string }
  | { state: 'failed'; file: string; error: ErrorInfo }
  /** "Improve transcript" finished: the person now chooses between it and the live captions. */
  | { state: 'improved'; file: string; audio: string; segments: Segment[]; speakers: number; language?: string }
  | { state: 'cancelled'; file: string };

export type ExportFormat = 'srt' | 'vtt' | 'txt' | 'json';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['srt', 'vtt', 'txt', 'json'];

export interface ExportRequest {
  format: ExportFormat;
  /** The search shown in the window; '' exports everything. */
  query: string;
}

export type ExportResult =
  | { ok: true; path: string; segments: number }
  | { ok: false; cancelled: true }
  | { ok: false; cancelled: false; error: ErrorInfo };

export interface AppState {
  running: boolean;
  paused: boolean;
  overlayVisible: boolean;
  clickThrough: boolean;
}

export type CaptureCommand = { action: 'start' } | { action: 'stop' };

/** One block of float PCM from the capture page, interleaved. */
export interface CaptureChunk {
  seq: number;
  sampleRate: number;
  channels: number;
  data: Float32Array;
}

export type CaptureStatus = { state: 'started'; sampleRate: number; channels: number } | { state: 'stopped' } | { state: 'error'; message: string };

/** Request/response channels (ipcRenderer.invoke → ipcMain.handle). */
export interface InvokeChannels {
  'captions:get-snapshot': { req: void; res: CaptionSnapshot };
  'style:get': { req: void; res: OverlayStyle };
  'overlay:set-click-through': { req: boolean; res: void };
  'overlay:resize': { req: { width: number; height: number }; res: void };
  'settings:get': { req: void; res: SettingsView };
  'settings:save': { req: unknown; res: SaveResult };
  'settings:preview-style': { req: OverlayStyle; res: void };
  'settings:end-preview': { req: void; res: void };
  'keys:set': { req: SetKeyRequest; res: SetKeyResult };
  'keys:clear': { req: ProviderId; res: KeyStoreInfo };
  'audio:devices': { req: void; res: DeviceList };
  'audio:test-level': { req: SourceSetting; res: LevelTestResult };
  'history:get': { req: void; res: HistoryView };
  'history:export': { req: ExportRequest; res: ExportResult };
  'history:copy': { req: string; res: void };
  'transcribe:start': { req: TranscribeRequest; res: TranscriptionProgress };
  'transcribe:cancel': { req: void; res: void };
  'transcribe:status': { req: void; res: TranscriptionProgress };
  'history:improve': { req: string; res: TranscriptionProgress };
  'history:resolve-improved': { req: ImproveChoice; res: void };
}

/** Fire-and-forget channels (ipcRenderer.send → ipcMain.on). */
export interface SendChannels {
  'overlay:hover-unlock': boolean;
  'capture:chunk': CaptureChunk;
  'capture:status': CaptureStatus;
}

export type PageId = 'overlay' | 'settings' | 'history' | 'capture';

/** Which page may use which channel; main refuses everything else. */
export const CHANNEL_PAGES: { [K in keyof InvokeChannels | keyof SendChannels]: readonly PageId[] } = {
  'captions:get-snapshot': ['overlay'],
  'style:get': ['overlay'],
  'overlay:set-click-through': ['overlay'],
  'overlay:resize': ['overlay'],
  'settings:get': ['settings'],
  'settings:save': ['settings'],
  'settings:preview-style': ['settings'],
  'settings:end-preview': ['settings'],
  'keys:set': ['settings'],
  'keys:clear': ['settings'],
  'audio:devices': ['settings'],
  'audio:test-level': ['settings'],
  'history:get': ['history'],
  'history:export': ['history'],
  'history:copy': ['history'],
  'transcribe:start': ['history'],
  'transcribe:cancel': ['history'],
  'transcribe:status': ['history'],
  'history:improve': ['history'],
  'history:resolve-improved': ['history'],
  'overlay:hover-unlock': ['overlay'],
  'capture:chunk': ['capture'],
  'capture:status': ['capture'],
};

/** Pages are served from app://earshot/<page>.html (a custom protocol, never file://). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'earshot';
export const PAGE_FILES: Record<PageId, string> = {
  overlay: 'overlay.html',
  settings: 'settings.html',
  history: 'history.html',
  capture: 'capture.html',
};
export function pageUrl(page: PageId): string {
  return `${APP_SCHEME}://${APP_HOST}/${PAGE_FILES[page]}`;
}

export interface SettingsBridge {
  get(): Promise<SettingsView>;
  save(settings: Settings): Promise<SaveResult>;
  previewStyle(style: OverlayStyle): Promise<void>;
  endPreview(): Promise<void>;
  setKey(request: SetKeyRequest): Promise<SetKeyResult>;
  clearKey(provider: ProviderId): Promise<KeyStoreInfo>;
  listDevices(): Promise<DeviceList>;
  testLevel(source: SourceSetting): Promise<LevelTestResult>;
  on<K extends 'settings:changed' | 'keys:changed' | 'audio:test-level' | 'app:state' | 'status' | 'notice'>(
    channel: K, listener: (payload: MainToRenderer[K]) => void): () => void;
}

export interface HistoryBridge {
  get(): Promise<HistoryView>;
  exportAs(request: ExportRequest): Promise<ExportResult>;
  copy(text: string): Promise<void>;
  /** Picks a recording, sends it, and resolves with how it ended (progress comes as pushes). */
  transcribeFile(request: TranscribeRequest): Promise<TranscriptionProgress>;
  cancelTranscription(): Promise<void>;
  transcriptionStatus(): Promise<TranscriptionProgress>;
  /** Sends a session's kept audio to pre-recorded transcription (with speakers). */
  improve(audio: string): Promise<TranscriptionProgress>;
  /** Keeps the improved transcript or the live captions; the audio is deleted unless kept. */
  resolveImproved(choice: ImproveChoice): Promise<void>;
  on<K extends 'history:appended' | 'transcribe:progress'>(channel: K, listener: (payload: MainToRenderer[K]) => void): () => void;
}

export interface CaptureBridge {
  chunk(chunk: CaptureChunk): void;
  status(status: CaptureStatus): void;
  on<K extends 'capture:command'>(channel: K, listener: (payload: MainToRenderer[K]) => void): () => void;
}

/** `window.earshot` on each page. */
export interface EarshotBridges {
  overlay: OverlayWindowBridge;
  settings: SettingsBridge;
  history: HistoryBridge;
  capture: CaptureBridge;
}
export const BRIDGE_GLOBAL = 'earshot';
