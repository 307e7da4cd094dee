/**
 * Word widths from a canvas with the captions' font, so layout never forces a DOM reflow.
 * The same text shaping engine draws the DOM text, so widths agree to a fraction of a pixel;
 * the caption box leaves a pixel of slack for the rest.
 */
import type { OverlayStyle } from '../../shared/overlay-style.js';
import type { Measure } from './caption-layout.js';
import { canvasFont } from './style-css.js';

let ctx: CanvasRenderingContext2D | null = null;
/** What the canvas was last set to (reading ctx.font back gives a normalised string). */
let current = '';

export function createCanvasMeasure(style: OverlayStyle): Measure {
  ctx ??= document.createElement('canvas').getContext('2d');
  const font = canvasFont(style);
  const spacing = `${style.letterSpacing * style.fontSize}px`;
  return (text) => {
    if (!ctx) return text.length * style.fontSize * 0.6;
    // One canvas serves every measure; set its font each time in case another style used it.
    if (current !== font + spacing) {
      ctx.font = font;
      if ('letterSpacing' in ctx) ctx.letterSpacing = spacing;
      current = font + spacing;
    }
    return ctx.measureText(text).width;
  };
}
