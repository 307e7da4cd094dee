/**
 * Everything the overlay shows, as runes. Subscribes to the bridge, keeps captions in step
 * (CaptionSync), lays them out (CaptionLayout) once per animation frame however many diffs
 * arrived, clears them after silence, and collects finished sentences for screen readers.
 */
import type { CaptionSnapshot } from '../../shared/captions.js';
import { safeText } from '../../shared/safe-text.js';
import { errorInfo, type ErrorInfo } from '../../shared/errors.js';
import { DEFAULT_STYLE, sanitizeStyle, type OverlayStyle } from '../../shared/overlay-style.js';
import type { AudioLevel, ConnectionStatus } from '../../shared/status.js';
import { CaptionLayout, type CaptionLine, type Measure } from './caption-layout.js';
import { CaptionSync } from './caption-sync.js';
import type { RendererBridge } from './http-bridge.js';
import { isAudioLevel, isConnectionStatus } from './payload-guards.js';
import { SilenceTimer, type TimerPort } from './silence-timer.js';
import type { LinkState } from './status-view.js';

export interface OverlayStoreDeps {
  timers: TimerPort;
  requestFrame(fn: () => void): void;
  /** Measures text as the captions will be drawn with `style`. */
  createMeasure(style: OverlayStyle): Measure;
}

export interface Announcement {
  id: number;
  text: string;
}

/** One stream's meter in a meeting. */
export interface StreamMeter {
  index: number;
  label: string;
  level: AudioLevel;
}

const ANNOUNCEMENTS_KEPT = 4;
const NOTICE_MS = 12_000;
const FONT_FIELDS = ['fontFamily', 'fontSize', 'fontWeight', 'letterSpacing'] as const;

export class OverlayStore {
  lines = $state.raw<CaptionLine[]>([]);
  status = $state.raw<ConnectionStatus>({ kind: 'idle' });
  link = $state<LinkState>('up');
  level = $state.raw<AudioLevel>({ rmsDb: -100, peakDb: -100 });
  /** A meeting: one meter per stream, in stream order (empty with one source). */
  meters = $state.raw<StreamMeter[]>([]);
  style = $state.raw<OverlayStyle>(DEFAULT_STYLE);
  clickThrough = $state(false);
  notice = $state.raw<ErrorInfo | null>(null);
  announcements = $state.raw<Announcement[]>([]);
  readonly canUnlock: boolean;

  private readonly sync: CaptionSync;
  private readonly layout: CaptionLayout;
  private readonly silence: SilenceTimer;
  private readonly unsubscribers: (() => void)[] = [];
  private captionsDirty = false;
  private pendingLevel: AudioLevel | null = null;
  private pendingMeters: Map<number, StreamMeter> | null = null;
  private frameQueued = false;
  private announced = new Set<string>();
  private seeded = false;
  private nextAnnouncementId = 1;
  private noticeHandle: unknown = null;
  private everDown = false;
  private disposed = false;

  constructor(private readonly bridge: RendererBridge | null, private readonly deps: OverlayStoreDeps) {
    this.canUnlock = typeof bridge?.setClickThrough === 'function';
    this.layout = new CaptionLayout(deps.createMeasure(DEFAULT_STYLE));
    this.silence = new SilenceTimer(deps.timers, () => this.clearForSilence());
    this.sync = new CaptionSync({
      getSnapshot: () => (bridge ? bridge.getSnapshot() : Promise.reject(new Error('no bridge'))),
      onChange: (snap, cause) => this.captionsChanged(snap, cause),
      schedule: (fn, ms) => {
        const h = deps.timers.setTimeout(fn, ms);
        return () => deps.timers.clearTimeout(h);
      },
    });
  }

  start(): void {
    const b = this.bridge;
    if (!b) {
      this.status = { kind: 'error', error: errorInfo('INTERNAL', 'This page must be opened by Earshot: the desktop overlay, or the overlay URL it prints (with its token).') };
      return;
    }
    this.unsubscribers.push(
      b.on('captions:diff', (d) => this.sync.handleDiff(d)),
      b.on('status', (s) => { if (isConnectionStatus(s)) this.status = s; }),
      b.on('level', (l) => this.levelChanged(l)),
      b.on('style', (s) => this.applyStyle(s)),
      b.on('overlay:click-through', (on) => { this.clickThrough = on === true; }),
      b.on('notice', (n) => this.showNotice(n)),
      b.onLink((state) => this.linkChanged(state)),
    );
    b.getStyle().then((s) => this.applyStyle(s), () => {});
    this.sync.start();
  }

  /** Width available to a caption line, in CSS pixels. */
  setWidth(px: number): void {
    this.layout.setWidth(px);
    this.markCaptions();
  }

  /** Fonts finished loading: widths measured before may be wrong. */
  refreshMeasure(): void {
    this.layout.setMeasure(this.deps.createMeasure(this.style));
    this.markCaptions();
  }

  unlock(): void {
    void this.bridge?.setClickThrough?.(false).catch(() => {});
  }

  /**
   * On macOS and Windows a click-through window still gets mouse moves; while the pointer is
   * over Unlock, main lets clicks through to the page so the button can be pressed.
   */
  hoverUnlock(hovering: boolean): void {
    this.bridge?.hoverUnlock?.(hovering);
  }

  /** Only the desktop overlay can resize its window (a browser source is sized by OBS). */
  get canResize(): boolean {
    return typeof this.bridge?.resize === 'function';
  }

  resizeWindow(width: number, height: number): void {
    void this.bridge?.resize?.({ width: Math.round(width), height: Math.round(height) }).catch(() => {});
  }

  get stats(): CaptionSync['stats'] {
    return this.sync.stats;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const u of this.unsubscribers.splice(0)) u();
    this.sync.dispose();
    this.silence.dispose();
    if (this.noticeHandle !== null) this.deps.timers.clearTimeout(this.noticeHandle);
  }

  private applyStyle(raw: unknown): void {
    const next = sanitizeStyle(raw, this.style);
    const prev = this.style;
    this.style = next;
    if (FONT_FIELDS.some((f) => prev[f] !== next[f])) this.layout.setMeasure(this.deps.createMeasure(next));
    this.layout.setShowLabels(next.showLabels);
    this.silence.setDelay(next.clearAfterSeconds);
    this.markCaptions();
  }

  private captionsChanged(snap: CaptionSnapshot, cause: 'diff' | 'snapshot'): void {
    if (!this.seeded && cause === 'snapshot') {
      // What was said before the page opened is not read out.
      this.seeded = true;
      for (const s of snap.segments) if (s.final) this.announced.add(s.id);
    }
    this.silence.activity();
    this.markCaptions();
  }

  private clearForSilence(): void {
    this.layout.clear(this.sync.snapshot.segments);
    this.markCaptions();
  }

  private levelChanged(l: unknown): void {
    if (!isAudioLevel(l)) return;
    if (l.stream) {
      this.pendingMeters ??= new Map(this.meters.map((m) => [m.index, m]));
      if (this.pendingMeters.size < 8 || this.pendingMeters.has(l.stream.index)) {
        this.pendingMeters.set(l.stream.index, { index: l.stream.index, label: safeText(l.stream.label), level: { rmsDb: l.rmsDb, peakDb: l.peakDb } });
      }
    } else {
      this.pendingLevel = l;
      // One source again: the meeting's meters go.
      this.pendingMeters = new Map();
    }
    this.queueFrame();
  }

  private linkChanged(state: LinkState): void {
    this.link = state;
    if (state !== 'up') this.everDown = true;
    // Diffs may have been missed while the feed was down.
    else if (this.everDown) this.sync.requestSnapshot();
  }

  private showNotice(n: ErrorInfo): void {
    if (typeof n?.message !== 'string') return;
    this.notice = n;
    if (this.noticeHandle !== null) this.deps.timers.clearTimeout(this.noticeHandle);
    this.noticeHandle = this.deps.timers.setTimeout(() => {
      this.noticeHandle = null;
      this.notice = null;
    }, NOTICE_MS);
  }

  private markCaptions(): void {
    this.captionsDirty = true;
    this.queueFrame();
  }

  private queueFrame(): void {
    if (this.frameQueued || this.disposed) return;
    this.frameQueued = true;
    this.deps.requestFrame(() => this.flush());
  }

  private flush(): void {
    this.frameQueued = false;
    if (this.disposed) return;
    if (this.pendingLevel) {
      this.level = this.pendingLevel;
      this.pendingLevel = null;
    }
    if (this.pendingMeters) {
      this.meters = [...this.pendingMeters.values()].sort((a, b) => a.index - b.index);
      this.pendingMeters = null;
    }
    if (!this.captionsDirty) return;
    this.captionsDirty = false;
    const segments = this.sync.snapshot.segments;
    this.lines = this.layout.layout(segments, this.style.lines);
    this.collectAnnouncements(segments);
  }

  private collectAnnouncements(segments: CaptionSnapshot['segments']): void {
    const fresh: Announcement[] = [];
    for (const s of segments) {
      if (!s.final || s.text === '' || this.announced.has(s.id)) continue;
      this.announced.add(s.id);
      // In a meeting the label says who spoke ("Others: …").
      fresh.push({ id: this.nextAnnouncementId++, text: safeText(s.label ? `${s.label}: ${s.text}` : s.text) });
    }
    if (this.announced.size > 4 * segments.length + 100) {
      this.announced = new Set(segments.filter((s) => s.final).map((s) => s.id));
    }
    if (fresh.length > 0) this.announcements = [...this.announcements, ...fresh].slice(-ANNOUNCEMENTS_KEPT);
  }
}
