/**
 * Captions in a terminal. Finished segments are printed once, in order, one line each.
 * On a TTY the open (not yet final) text is shown on the last line and rewritten in place;
 * elsewhere (pipes, files, CI logs) only finished lines appear, so output stays clean.
 * Status goes to stderr so `earshot caption ... > file.txt` captures only captions.
 * Caption text and status details come from a remote service, so only their printable part
 * (safeText) reaches the terminal; the only control sequences written are this view's own.
 */
import { applyDiff, EMPTY_SNAPSHOT, type CaptionDiff, type CaptionSnapshot, type Segment } from '../../shared/captions.js';
import { safeText } from '../../shared/safe-text.js';
import { describeStatus, type ConnectionStatus } from '../../shared/status.js';

export interface TerminalOut {
  write(text: string): void;
  isTTY: boolean;
  columns: number;
}

const CLEAR_LINE = '\r\x1b[2K';
/** Bold blue and bold yellow (the terminal's orange), then cyan and magenta. */
const WHO_COLOURS = ['\x1b[1;34m', '\x1b[1;33m', '\x1b[1;36m', '\x1b[1;35m'];

export class TerminalView {
  private snapshot: CaptionSnapshot = EMPTY_SNAPSHOT;
  private readonly printed = new Set<string>();
  private openLine = '';
  private lastStatus = '';
  private readonly whoOrder: string[] = [];

  constructor(
    private readonly out: TerminalOut,
    private readonly err: TerminalOut,
    private readonly opts: { quiet: boolean; showTimes?: boolean; color?: boolean } = { quiet: false },
  ) {}

  /** Diffs must arrive in rev order; a gap is answered with `reset(snapshot)`. Returns false on a gap. */
  applyDiff(diff: CaptionDiff): boolean {
    const next = applyDiff(this.snapshot, diff);
    if (!next) return false;
    this.snapshot = next;
    this.render();
    return true;
  }

  reset(snapshot: CaptionSnapshot): void {
    this.snapshot = snapshot;
    this.render();
  }

  status(status: ConnectionStatus): void {
    if (this.opts.quiet) return;
    const key = statusKey(status);
    if (key === this.lastStatus) return;
    this.lastStatus = key;
    this.notice(describeStatus(status));
  }

  /** A line for people on stderr (warnings, the overlay URL), without breaking the open line. */
  notice(text: string): void {
    this.withOpenLineCleared(() => this.err.write(`[earshot] ${safeText(text)}\n`));
  }

  /** Prints whatever is still open as finished lines (end of run). */
  finish(): void {
    if (this.out.isTTY && this.openLine) this.out.write(CLEAR_LINE);
    this.openLine = '';
    for (const s of this.snapshot.segments) this.printSegment(s);
  }

  private render(): void {
    const segments = this.snapshot.segments;
    // Print finals in order, stopping at the first one still open so lines never reorder.
    let i = 0;
    for (; i < segments.length; i++) {
      const s = segments[i]!;
      if (this.printed.has(s.id)) continue;
      if (!s.final) break;
      this.printSegment(s);
    }
    if (!this.out.isTTY) return;
    // A meeting's open text names each stream where it starts ("You: … Others: …").
    let lastLabel: string | undefined;
    const open = segments
      .slice(i)
      .filter((s) => !this.printed.has(s.id) && safeText(s.text).trim())
      .map((s) => {
        const named = s.label !== undefined && s.label !== lastLabel ? `${safeText(s.label)}: ` : '';
        lastLabel = s.label;
        return named + safeText(s.text).trim();
      })
      .join(' ');
    this.drawOpenLine(open);
  }

  private printSegment(s: Segment): void {
    const text = safeText(s.text).trim();
    if (this.printed.has(s.id) || !text) {
      this.printed.add(s.id);
      return;
    }
    this.printed.add(s.id);
    // Who is named: the meeting label, or the service's speaker label (--speakers).
    const who = s.label ?? s.speaker;
    const prefix = (this.opts.showTimes ? `[${formatClock(s.start)}] ` : '') + (who ? this.colourWho(`${safeText(who)}:`, who) + ' ' : '');
    // The open line is redrawn by render() after the finished lines are out.
    if (this.out.isTTY && this.openLine) this.out.write(CLEAR_LINE);
    this.openLine = '';
    this.out.write(`${prefix}${text}\n`);
  }

  /**
   * On a terminal, each speaker's name gets a colour of its own, in the order they first speak
   * (blue, then orange, as in the overlay; the name is always there too). Pipes and files, and
   * NO_COLOR, get plain text.
   */
  private colourWho(text: string, who: string): string {
    if (!this.out.isTTY || this.opts.color === false) return text;
    let i = this.whoOrder.indexOf(who);
    if (i < 0) i = this.whoOrder.push(who) - 1;
    return `${WHO_COLOURS[i % WHO_COLOURS.length]}${text}\x1b[0m`;
  }

  private drawOpenLine(text: string): void {
    const width = Math.max(20, this.out.columns - 1);
    // Show the newest words: the tail of the open text fits the line.
    const shown = text.length > width ? `…${text.slice(text.length - width + 1)}` : text;
    if (shown === this.openLine) return;
    this.out.write(shown ? `${CLEAR_LINE}\x1b[2m${shown}\x1b[0m` : CLEAR_LINE);
    this.openLine = shown;
  }

  private withOpenLineCleared(fn: () => void): void {
    const open = this.openLine;
    if (this.out.isTTY && open) this.out.write(CLEAR_LINE);
    fn();
    if (this.out.isTTY && open) this.out.write(`\x1b[2m${open}\x1b[0m`);
  }
}

/**
 * What makes a status worth a new line: a change of state. Reconnect countdowns change every
 * event and a meeting's echo count with every dropped line; neither alone prints a line (the
 * count is shown with the next change and summed up at the end).
 */
function statusKey(status: ConnectionStatus): string {
  if (status.kind === 'reconnecting') return `reconnecting:${status.attempt}`;
  if (status.kind === 'streams') return status.streams.map((s) => `${s.label}=${statusKey(s.status)}`).join('|');
  return describeStatus(status);
}

export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}
