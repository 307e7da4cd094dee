/**
 * What the history window's search box means, shared by the window (to show matches) and
 * main (to export exactly what is shown).
 */
import type { Segment } from './captions.js';

/** Case- and accent-insensitive; every word of the query must appear. */
export function filterSegments(segments: readonly Segment[], query: string): Segment[] {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return segments.slice();
  return segments.filter((s) => {
    const text = fold(s.text);
    return words.every((w) => text.includes(w));
  });
}

function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** "1:02:03" or "2:03", for the history list and copied text. */
export function formatClock(seconds: number): string {
  const t = Math.max(0, Math.floor(seconds));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = t % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}
