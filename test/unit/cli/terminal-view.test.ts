import { describe, expect, it } from 'vitest';
import { TerminalView, formatClock } from '../../../main/cli/terminal-view.js';
import type { CaptionDiff, Segment } from '../../../shared/captions.js';
import type { ConnectionStatus } from '../../../shared/status.js';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { out: { write: (t: string) => void chunks.push(t), isTTY, columns: 40 }, chunks, text: () => chunks.join('') };
}
const seg = (id: string, text: string, start: number, final: boolean): Segment => ({ id, text, start, end: start + 1, final });
let rev = 0;
const diff = (upserts: Segment[], removals: string[] = []): CaptionDiff => ({ rev: ++rev, upserts, removals });

describe('TerminalView', () => {
  it('prints only finished lines, once, in order, when not a TTY', () => {
    rev = 0;
    const o = sink(false);
    const e = sink(false);
    const v = new TerminalView(o.out, e.out);
    v.applyDiff(diff([seg('1:0', 'hello wor', 0, false)]));
    v.applyDiff(diff([seg('1:0', 'hello world', 0, true), seg('1:1', 'second', 2, false)]));
    v.applyDiff(diff([seg('1:0', 'hello world', 0, true)]));
    v.applyDiff(diff([seg('1:1', 'second line', 2, true)]));
    expect(o.text()).toBe('hello world\nsecond line\n');
  });

  it('names each line of a meeting by its label, in print and on the open line', () => {
    rev = 0;
    const o = sink(true);
    const v = new TerminalView(o.out, sink(true).out);
    const you = (id: string, text: string, start: number, final: boolean): Segment => ({ ...seg(id, text, start, final), label: 'You' });
    const them = (id: string, text: string, start: number, final: boolean): Segment => ({ ...seg(id, text, start, final), label: 'Others' });
    v.applyDiff(diff([you('0:a', 'hi', 0, false), them('1:a', 'hello', 0.5, false)]));
    expect(o.text()).toContain('You: hi Others: hello');
    v.applyDiff(diff([you('0:a', 'hi there', 0, true), them('1:a', 'hello', 0.5, true)]));
    expect(o.text().replace(/\r\x1b\[2K|\x1b\[[0-9;]*m/g, '')).toContain('You: hi there\nOthers: hello\n');
    // On a terminal each side's name has its own colour (as in the overlay); never the text.
    expect(o.text()).toContain('\x1b[1;34mYou:\x1b[0m hi there\n');
    expect(o.text()).toContain('\x1b[1;33mOthers:\x1b[0m hello\n');
  });

  it('writes names plainly to pipes and with NO_COLOR', () => {
    rev = 0;
    const tty = sink(true);
    const plain = new TerminalView(tty.out, sink(true).out, { quiet: false, color: false });
    plain.applyDiff(diff([{ ...seg('0:a', 'hi', 0, true), label: 'You' }]));
    expect(tty.text()).not.toMatch(/\x1b\[1;3/);
    rev = 0;
    const pipe = sink(false);
    new TerminalView(pipe.out, sink(false).out).applyDiff(diff([{ ...seg('0:a', 'hi', 0, true), label: 'You' }]));
    expect(pipe.text()).toBe('You: hi\n');
  });

  it('prints a meeting status when a stream changes state, not for every echo count or countdown', () => {
    const e = sink(false);
    const v = new TerminalView(sink(false).out, e.out);
    const live = { kind: 'live', provider: 'Fireworks AI' } as const;
    const reconnecting = (retryInMs: number) => ({ kind: 'reconnecting', provider: 'Fireworks AI', attempt: 2, retryInMs, backlogSeconds: 1, reason: { code: 'NETWORK', message: 'x', retryable: true } }) as const;
    const status = (other: ConnectionStatus, echoSuppressed: number): ConnectionStatus => ({ kind: 'streams', echoSuppressed, streams: [{ label: 'You', source: 'mic', status: live }, { label: 'Others', source: 'system', status: other as never }] });
    v.status(status(live, 0));
    v.status(status(live, 1));
    v.status(status(live, 2));
    v.status(status(reconnecting(900), 2));
    v.status(status(reconnecting(400), 2));
    v.status(status(live, 3));
    const lines = e.text().trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/You: live .* · Others: reconnecting .* · echo suppressed: 2 lines/);
    expect(lines[2]).toMatch(/echo suppressed: 3 lines$/);
  });

  it('names the service\'s speaker on a single-source line (--speakers)', () => {
    rev = 0;
    const o = sink(false);
    const v = new TerminalView(o.out, sink(false).out);
    v.applyDiff(diff([{ ...seg('a', 'hello', 0, true), speaker: 'Speaker A' }]));
    expect(o.text()).toBe('Speaker A: hello\n');
  });

  it('does not print a later final before an earlier open segment', () => {
    rev = 0;
    const o = sink(false);
    const v = new TerminalView(o.out, sink(false).out);
    v.applyDiff(diff([seg('a', 'first', 0, false), seg('b', 'second', 2, true)]));
    expect(o.text()).toBe('');
    v.applyDiff(diff([seg('a', 'first', 0, true)]));
    expect(o.text()).toBe('first\nsecond\n');
  });

  it('rewrites the open line in place on a TTY and keeps the newest words', () => {
    rev = 0;
    const o = sink(true);
    const v = new TerminalView(o.out, sink(true).out);
    v.applyDiff(diff([seg('a', 'one two three four five six seven eight nine ten', 0, false)]));
    expect(o.text()).toContain('\r\x1b[2K');
    expect(o.text()).toContain('eight nine ten');
    expect(o.text()).not.toContain('one two');
    v.applyDiff(diff([seg('a', 'done', 0, true)]));
    expect(o.text().endsWith('done\n')).toBe(true);
  });

  it('reports a rev gap instead of guessing', () => {
    rev = 0;
    const v = new TerminalView(sink(false).out, sink(false).out);
    expect(v.applyDiff({ rev: 5, upserts: [], removals: [] })).toBe(false);
  });

  it('writes status changes to stderr once per state', () => {
    const e = sink(false);
    const v = new TerminalView(sink(false).out, e.out);
    v.status({ kind: 'connecting', provider: 'Fireworks AI', attempt: 1 });
    v.status({ kind: 'live', provider: 'Fireworks AI' });
    v.status({ kind: 'live', provider: 'Fireworks AI' });
    expect(e.chunks).toEqual(['[earshot] connecting to Fireworks AI\n', '[earshot] live · streaming to Fireworks AI\n']);
  });

  it('formats clock times', () => {
    expect(formatClock(0)).toBe('00:00');
    expect(formatClock(61.9)).toBe('01:01');
    expect(formatClock(3723)).toBe('1:02:03');
  });
});
