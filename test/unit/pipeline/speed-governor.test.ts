import { describe, expect, it } from 'vitest';
import type { ErrorInfo } from '../../../shared/errors.js';
import { SpeedGovernor } from '../../../main/pipeline/speed-governor.js';
import type { SessionStats } from '../../../main/stt/session-events.js';
import { FakeClock } from '../../fakes/fake-clock.js';

const RATE = 16_000;

function setup(stats: Partial<SessionStats>) {
  const clock = new FakeClock(0);
  const warnings: ErrorInfo[] = [];
  const s: SessionStats = { capturedSamples: 0, sentSamples: 0, droppedSamples: 0, backlogSeconds: 0, connections: 1, malformedMessages: 0, ...stats };
  const g = new SpeedGovernor({ speed: 50, rate: RATE, backlogSeconds: 180, stats: () => s, clock, warn: (e) => warnings.push(e) });
  return { g, s, clock, warnings };
}

describe('SpeedGovernor', () => {
  it('is ready while the unsent audio is below half the backlog', () => {
    const { g, s } = setup({});
    s.capturedSamples = 89.9 * RATE;
    expect(g.ready()).toBe(true);
    s.capturedSamples = 90 * RATE;
    expect(g.ready()).toBe(false);
    s.sentSamples = 1 * RATE;
    expect(g.ready()).toBe(true);
  });

  it('says once that the file is read slower, and at the end the speed reached', () => {
    const { g, s, clock, warnings } = setup({});
    g.ready();
    g.onHold({ heldMs: 100, totalHeldMs: 100 });
    g.onHold({ heldMs: 200, totalHeldMs: 300 });
    expect(warnings.map((w) => w.code)).toEqual(['SPEED_REDUCED']);
    clock.advance(20_000);
    s.capturedSamples = s.sentSamples = 600 * RATE;
    g.summarize();
    expect(warnings).toHaveLength(2);
    expect(warnings[1]!.detail).toBe('the file was read at about 30.0× instead of 50×, after waiting 0.3 s in all for the speech service; no audio was dropped');
  });

  it('never claims that nothing was dropped when something was', () => {
    const { g, s, warnings } = setup({});
    g.ready();
    g.onHold({ heldMs: 100, totalHeldMs: 100 });
    s.droppedSamples = 5;
    g.summarize();
    expect(warnings[1]!.detail).not.toContain('no audio was dropped');
  });

  it('says nothing when it never had to wait', () => {
    const { g, warnings } = setup({});
    g.ready();
    g.summarize();
    expect(warnings).toEqual([]);
  });
});
