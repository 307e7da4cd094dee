/**
 * The property both caption-layout tests check after every step: a word shown final never
 * moves sideways or to another line, and never moves down (scrolling up as lines are added is
 * fine; moving down is a jump).
 */
import { expect } from 'vitest';
import type { CaptionLine, Measure } from '../../../renderer/lib/caption-layout.js';

/** Word text → where it was last seen final; rows count from the bottom (the box is bottom-aligned). */
export type Placements = Map<string, { key: string; x: number; up: number }>;

export function expectFinalWordsStay(lines: CaptionLine[], placed: Placements, measure: Measure): void {
  lines.forEach((line, row) => {
    const up = lines.length - 1 - row;
    let x = 0;
    let text = '';
    for (const run of line.runs) {
      for (const [i, w] of run.text.split(' ').entries()) {
        if (w === '') continue;
        if (i > 0 || text !== '') x = measure(text + ' ');
        if (run.final) {
          const was = placed.get(w);
          if (was) {
            expect({ key: line.key, x }).toEqual({ key: was.key, x: was.x });
            expect(up).toBeGreaterThanOrEqual(was.up);
          }
          placed.set(w, { key: line.key, x, up });
        }
        text = text === '' ? w : `${text} ${w}`;
      }
    }
  });
}
