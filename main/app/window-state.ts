/**
 * Where the overlay goes: its bounds are remembered per display, and a window whose
 * display is gone (unplugged monitor, changed layout) is brought back inside the work
 * area of the nearest display that is still there. Pure: displays come in as data.
 */

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface DisplayInfo {
  id: number;
  /** The display minus taskbars and docks, in screen coordinates. */
  workArea: Rect;
}

export interface WindowState {
  /** Bounds last used on each display, by display id (as a string: JSON keys). */
  byDisplay: Record<string, Rect>;
  /** The display the overlay was on when last moved. */
  lastDisplayId: number | null;
}

export const EMPTY_WINDOW_STATE: WindowState = { byDisplay: {}, lastDisplayId: null };
export const MIN_OVERLAY = { width: 240, height: 60 };

const isRect = (v: unknown): v is Rect => {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return ['x', 'y', 'width', 'height'].every((k) => typeof r[k] === 'number' && Number.isFinite(r[k]))
    && (r.width as number) > 0 && (r.height as number) > 0;
};

/** Reads a saved state, dropping anything malformed (a bad entry never blocks the window). */
export function parseWindowState(raw: unknown): WindowState {
  if (typeof raw !== 'object' || raw === null) return EMPTY_WINDOW_STATE;
  const r = raw as Record<string, unknown>;
  const byDisplay: Record<string, Rect> = {};
  if (typeof r.byDisplay === 'object' && r.byDisplay !== null) {
    for (const [id, rect] of Object.entries(r.byDisplay as Record<string, unknown>)) {
      if (/^-?\d+$/.test(id) && isRect(rect)) byDisplay[id] = { x: rect.x, y: rect.y, width: rect.width, height: rect.height };
    }
  }
  const last = typeof r.lastDisplayId === 'number' && Number.isInteger(r.lastDisplayId) ? r.lastDisplayId : null;
  return { byDisplay, lastDisplayId: last };
}

export function recordBounds(state: WindowState, displayId: number, bounds: Rect): WindowState {
  return { byDisplay: { ...state.byDisplay, [String(displayId)]: { ...bounds } }, lastDisplayId: displayId };
}

function overlapArea(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

function distanceToRect(px: number, py: number, r: Rect): number {
  const dx = Math.max(r.x - px, 0, px - (r.x + r.width));
  const dy = Math.max(r.y - py, 0, py - (r.y + r.height));
  return Math.hypot(dx, dy);
}

/** The display a rectangle is mostly on, or the one nearest to its centre when it is on none. */
export function nearestDisplay(rect: Rect, displays: readonly DisplayInfo[]): DisplayInfo {
  if (displays.length === 0) throw new Error('nearestDisplay needs at least one display');
  let best = displays[0]!;
  let bestOverlap = -1;
  for (const d of displays) {
    const o = overlapArea(rect, d.workArea);
    if (o > bestOverlap) { best = d; bestOverlap = o; }
  }
  if (bestOverlap > 0) return best;
  const cx = rect.x + rect.width / 2;
  const cy = rect.y + rect.height / 2;
  return displays.reduce((a, b) => (distanceToRect(cx, cy, b.workArea) < distanceToRect(cx, cy, a.workArea) ? b : a));
}

/** Shrinks the rectangle to fit the work area if needed, then moves it fully inside. */
export function clampIntoWorkArea(rect: Rect, area: Rect): Rect {
  const width = Math.round(Math.min(Math.max(rect.width, Math.min(MIN_OVERLAY.width, area.width)), area.width));
  const height = Math.round(Math.min(Math.max(rect.height, Math.min(MIN_OVERLAY.height, area.height)), area.height));
  const x = Math.round(Math.min(Math.max(rect.x, area.x), area.x + area.width - width));
  const y = Math.round(Math.min(Math.max(rect.y, area.y), area.y + area.height - height));
  return { x, y, width, height };
}

/** Bottom centre, like TV captions: 70 % of the width (at most 1200 px), room for ~3 lines. */
export function defaultOverlayBounds(area: Rect): Rect {
  const width = Math.min(1200, Math.round(area.width * 0.7));
  const height = Math.min(180, area.height);
  return clampIntoWorkArea({
    x: area.x + Math.round((area.width - width) / 2),
    y: area.y + area.height - height - Math.round(area.height * 0.06),
    width,
    height,
  }, area);
}

/**
 * Where to open the overlay. Prefers the display it was last on; if that display is gone,
 * the last bounds are moved to the nearest remaining display (or that display's own saved
 * bounds are used, when the overlay was placed there before).
 */
export function restoreBounds(state: WindowState, displays: readonly DisplayInfo[], primaryId: number): { bounds: Rect; displayId: number } {
  const primary = displays.find((d) => d.id === primaryId) ?? displays[0];
  if (!primary) throw new Error('restoreBounds needs at least one display');
  const byId = new Map(displays.map((d) => [d.id, d]));
  const lastId = state.lastDisplayId;
  const lastBounds = lastId !== null ? state.byDisplay[String(lastId)] : undefined;
  if (lastId !== null && lastBounds) {
    const still = byId.get(lastId);
    if (still) return { bounds: clampIntoWorkArea(lastBounds, still.workArea), displayId: still.id };
    const target = nearestDisplay(lastBounds, displays);
    const own = state.byDisplay[String(target.id)];
    return { bounds: clampIntoWorkArea(own ?? lastBounds, target.workArea), displayId: target.id };
  }
  const own = state.byDisplay[String(primary.id)];
  return { bounds: own ? clampIntoWorkArea(own, primary.workArea) : defaultOverlayBounds(primary.workArea), displayId: primary.id };
}

/**
 * After a display change: the overlay's current bounds, corrected if they are no longer on
 * any display. Returns null when nothing needs to move.
 */
export function rescueBounds(current: Rect, displays: readonly DisplayInfo[]): Rect | null {
  if (displays.length === 0) return null;
  const d = nearestDisplay(current, displays);
  const fixed = clampIntoWorkArea(current, d.workArea);
  const same = fixed.x === current.x && fixed.y === current.y && fixed.width === current.width && fixed.height === current.height;
  return same ? null : fixed;
}

/**
 * The overlay resized from its own grip (the window is not OS-resizable, see
 * overlay-window.ts): the top-left corner stays, the size is kept between the minimum and
 * what fits on the display from that corner.
 */
export function resizeWithin(current: Rect, size: { width: number; height: number }, area: Rect): Rect {
  const maxW = Math.max(MIN_OVERLAY.width, area.x + area.width - current.x);
  const maxH = Math.max(MIN_OVERLAY.height, area.y + area.height - current.y);
  const width = Math.round(Math.min(Math.max(size.width, MIN_OVERLAY.width), maxW));
  const height = Math.round(Math.min(Math.max(size.height, MIN_OVERLAY.height), maxH));
  return { x: current.x, y: current.y, width, height };
}
