import { describe, expect, it } from 'vitest';
import {
  clampIntoWorkArea, defaultOverlayBounds, EMPTY_WINDOW_STATE, nearestDisplay, parseWindowState, recordBounds,
  rescueBounds, resizeWithin, restoreBounds, MIN_OVERLAY, type DisplayInfo,
} from '../../../main/app/window-state.js';

const laptop: DisplayInfo = { id: 1, workArea: { x: 0, y: 0, width: 1440, height: 860 } };
const external: DisplayInfo = { id: 2, workArea: { x: 1440, y: -200, width: 2560, height: 1400 } };
const left: DisplayInfo = { id: 3, workArea: { x: -1920, y: 0, width: 1920, height: 1040 } };

const inside = (b: { x: number; y: number; width: number; height: number }, d: DisplayInfo) =>
  b.x >= d.workArea.x && b.y >= d.workArea.y && b.x + b.width <= d.workArea.x + d.workArea.width && b.y + b.height <= d.workArea.y + d.workArea.height;

describe('window state', () => {
  it('opens bottom-centre on the primary display the first time', () => {
    const { bounds, displayId } = restoreBounds(EMPTY_WINDOW_STATE, [laptop, external], 1);
    expect(displayId).toBe(1);
    expect(bounds).toEqual(defaultOverlayBounds(laptop.workArea));
    expect(bounds.x + bounds.width / 2).toBeCloseTo(720, 0);
    expect(inside(bounds, laptop)).toBe(true);
  });

  it('restores the bounds saved on the display it was last on', () => {
    const saved = { x: 2000, y: 900, width: 1000, height: 150 };
    const state = recordBounds(recordBounds(EMPTY_WINDOW_STATE, 1, { x: 10, y: 10, width: 600, height: 120 }), 2, saved);
    expect(restoreBounds(state, [laptop, external], 1)).toEqual({ bounds: saved, displayId: 2 });
  });

  it('remembers bounds per display and uses the display\'s own when the last display is gone', () => {
    const onLaptop = { x: 100, y: 600, width: 900, height: 140 };
    let state = recordBounds(EMPTY_WINDOW_STATE, 1, onLaptop);
    state = recordBounds(state, 2, { x: 3000, y: 1000, width: 1200, height: 200 });
    // The external monitor is unplugged: back to where the overlay was on the laptop.
    expect(restoreBounds(state, [laptop], 1)).toEqual({ bounds: onLaptop, displayId: 1 });
  });

  it('brings a window from a vanished display into the nearest display\'s work area', () => {
    const state = recordBounds(EMPTY_WINDOW_STATE, 3, { x: -1500, y: 900, width: 1200, height: 200 });
    const { bounds, displayId } = restoreBounds(state, [laptop, external], 1);
    expect(displayId).toBe(1); // the left monitor was nearer the laptop than the external one
    expect(inside(bounds, laptop)).toBe(true);
    expect(bounds.width).toBe(1200);
  });

  it('shrinks a window bigger than the work area', () => {
    const b = clampIntoWorkArea({ x: -50, y: -50, width: 3000, height: 2000 }, laptop.workArea);
    expect(b).toEqual({ x: 0, y: 0, width: 1440, height: 860 });
  });

  it('clamps when the work area of the same display got smaller (resolution change)', () => {
    const state = recordBounds(EMPTY_WINDOW_STATE, 2, { x: 3400, y: 1000, width: 600, height: 150 });
    const smaller: DisplayInfo = { id: 2, workArea: { x: 1440, y: 0, width: 1920, height: 1040 } };
    const { bounds } = restoreBounds(state, [laptop, smaller], 1);
    expect(inside(bounds, smaller)).toBe(true);
    expect(bounds.width).toBe(600);
  });

  it('finds the display a window overlaps most, else the nearest', () => {
    expect(nearestDisplay({ x: 1300, y: 100, width: 400, height: 100 }, [laptop, external]).id).toBe(2);
    expect(nearestDisplay({ x: 5000, y: 5000, width: 10, height: 10 }, [laptop, external, left]).id).toBe(2);
  });

  it('rescues a window left off-screen after a display change, and leaves a good one alone', () => {
    expect(rescueBounds({ x: 100, y: 100, width: 500, height: 100 }, [laptop])).toBeNull();
    const fixed = rescueBounds({ x: 3000, y: 500, width: 500, height: 100 }, [laptop]);
    expect(fixed).not.toBeNull();
    expect(inside(fixed!, laptop)).toBe(true);
  });

  it('parses saved state defensively', () => {
    expect(parseWindowState('nonsense')).toEqual(EMPTY_WINDOW_STATE);
    const parsed = parseWindowState({
      byDisplay: { 1: { x: 1, y: 2, width: 300, height: 80 }, 2: { x: 'a' }, bad: { x: 1, y: 1, width: 1, height: 1 }, 4: { x: 0, y: 0, width: -5, height: 10 } },
      lastDisplayId: 1,
    });
    expect(parsed).toEqual({ byDisplay: { 1: { x: 1, y: 2, width: 300, height: 80 } }, lastDisplayId: 1 });
    // A JSON round trip keeps everything.
    const state = recordBounds(EMPTY_WINDOW_STATE, 7, { x: 5, y: 6, width: 700, height: 100 });
    expect(parseWindowState(JSON.parse(JSON.stringify(state)))).toEqual(state);
  });

  it('resizes from the grip keeping the top-left corner, between the minimum and the display edge', () => {
    const at = { x: 100, y: 500, width: 800, height: 150 };
    expect(resizeWithin(at, { width: 900, height: 200 }, laptop.workArea)).toEqual({ x: 100, y: 500, width: 900, height: 200 });
    expect(resizeWithin(at, { width: 5000, height: 5000 }, laptop.workArea)).toEqual({ x: 100, y: 500, width: 1340, height: 360 });
    expect(resizeWithin(at, { width: 10, height: 10 }, laptop.workArea)).toEqual({ x: 100, y: 500, ...MIN_OVERLAY });
  });
});
