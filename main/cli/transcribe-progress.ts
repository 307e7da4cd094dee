/**
 * Progress of `earshot transcribe` on stderr. On a terminal: one line redrawn in place, a
 * bar for the bytes sent, then "transcribing… 12 s" counting up while the service works.
 * Piped: a line per phase, never a redraw, so logs stay readable.
 */
import { safeText } from '../../shared/safe-text.js';
import type { JobStatus } from '../prerecorded/transcribe-job.js';
import { formatBytes } from '../prerecorded/transcribe-job.js';
import type { Clock, TimerHandle } from '../util/clock.js';
import type { TerminalOut } from './terminal-view.js';

const CLEAR_LINE = '\r\x1b[2K';
const BAR = 24;
const REDRAW_MS = 100;

export class TranscribeProgress {
  private lastDraw = -Infinity;
  private phase: JobStatus['phase'] | 'idle' = 'idle';
  private waitingSince = 0;
  private ticker: TimerHandle | undefined;
  private open = false;

  constructor(private readonly out: TerminalOut, private readonly clock: Clock, private readonly name: string) {}

  update(s: JobStatus): void {
    const entering = s.phase !== this.phase;
    this.phase = s.phase;
    if (s.phase === 'uploading') {
      this.stopTicker();
      if (this.out.isTTY) {
        const now = this.clock.now();
        if (!entering && s.sent < s.total && now - this.lastDraw < REDRAW_MS) return;
        this.lastDraw = now;
        const filled = s.total ? Math.round((s.sent / s.total) * BAR) : 0;
        const pct = s.total ? Math.floor((s.sent / s.total) * 100) : 0;
        this.draw(`Uploading ${this.name} ${'█'.repeat(filled)}${'░'.repeat(BAR - filled)} ${pct}%  ${formatBytes(s.sent)} of ${formatBytes(s.total)}`);
      } else if (entering) {
        this.line(`uploading ${this.name} (${formatBytes(s.total)})${s.attempt > 1 ? `, attempt ${s.attempt}` : ''}`);
      }
    } else if (s.phase === 'transcribing') {
      this.waitingSince = this.clock.now();
      if (this.out.isTTY) this.tick();
      else this.line('uploaded; transcribing…');
    } else {
      this.stopTicker();
      this.line(`retrying in ${(s.inMs / 1000).toFixed(1)} s: ${safeText(s.reason)}`);
    }
  }

  /** Ends the progress line so the next output starts clean. */
  finish(message?: string): void {
    this.stopTicker();
    if (message) this.line(message);
    else if (this.open) { this.out.write(CLEAR_LINE); this.open = false; }
  }

  private tick(): void {
    const seconds = Math.floor((this.clock.now() - this.waitingSince) / 1000);
    this.draw(`Transcribing ${this.name}… ${seconds} s`);
    this.ticker = this.clock.setTimeout(() => this.tick(), 1000);
  }

  private stopTicker(): void {
    this.clock.clearTimeout(this.ticker);
    this.ticker = undefined;
  }

  private draw(text: string): void {
    const width = Math.max(20, this.out.columns - 1);
    this.out.write(`${CLEAR_LINE}${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
    this.open = true;
  }

  private line(text: string): void {
    this.out.write(`${this.open && this.out.isTTY ? CLEAR_LINE : ''}earshot: ${text}\n`);
    this.open = false;
  }
}
