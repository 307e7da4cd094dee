import { describe, expect, it } from 'vitest';
import { TranscriptSaver } from '../../../main/captions/transcript-saver.js';
import type { Segment } from '../../../shared/captions.js';
import { EarshotError, type ErrorInfo } from '../../../shared/errors.js';
import { FakeClock, flushMicrotasks } from '../../fakes/fake-clock.js';

const seg = (id: string): Segment => ({ id, text: id, start: 0, end: 1, final: true });

function setup(fail = () => false) {
  const clock = new FakeClock();
  const finals: Segment[] = [];
  const writes: string[][] = [];
  const errors: ErrorInfo[] = [];
  let release: (() => void) | undefined;
  let hold = false;
  const saver = new TranscriptSaver({
    clock,
    delayMs: 2000,
    segments: () => finals,
    onError: (e) => errors.push(e),
    write: async (s) => {
      const ids = s.map((x) => x.id);
      if (hold) await new Promise<void>((r) => (release = r));
      if (fail()) throw new EarshotError('OUTPUT_FAILED', 'disk full');
      writes.push(ids);
    },
  });
  return { clock, finals, writes, errors, saver, hold: (v: boolean) => (hold = v), release: () => release?.() };
}

describe('TranscriptSaver', () => {
  it('writes within the delay after a change, batching changes', async () => {
    const t = setup();
    t.finals.push(seg('a'));
    t.saver.changed();
    t.finals.push(seg('b'));
    t.saver.changed();
    await t.clock.advanceAsync(1999);
    expect(t.writes).toEqual([]);
    await t.clock.advanceAsync(1);
    await flushMicrotasks();
    expect(t.writes).toEqual([['a', 'b']]);
  });

  it('never overlaps writes and writes again if something changed during a write', async () => {
    const t = setup();
    t.hold(true);
    t.finals.push(seg('a'));
    t.saver.changed();
    await t.clock.advanceAsync(2000);
    t.finals.push(seg('b'));
    t.saver.changed();
    await t.clock.advanceAsync(2000);
    expect(t.writes).toEqual([]);
    t.hold(false);
    t.release();
    await flushMicrotasks();
    await t.clock.advanceAsync(2000);
    await flushMicrotasks();
    expect(t.writes).toEqual([['a'], ['a', 'b']]);
  });

  it('flush writes everything now; a failing disk is reported once per streak and retried', async () => {
    let failing = true;
    const t = setup(() => failing);
    t.finals.push(seg('a'));
    t.saver.changed();
    await t.clock.advanceAsync(2000);
    await flushMicrotasks();
    t.finals.push(seg('b'));
    t.saver.changed();
    await t.clock.advanceAsync(2000);
    await flushMicrotasks();
    expect(t.errors.map((e) => e.code)).toEqual(['OUTPUT_FAILED']);
    failing = false;
    await t.saver.flush();
    expect(t.writes).toEqual([['a', 'b']]);
  });
});
