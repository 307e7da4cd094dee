/**
 * Subtitle line layout: broadcast guidelines keep a cue to two lines of about 42
 * characters, so a long segment becomes several cues that share its time span.
 */
export const MAX_LINE_CHARS = 42;
export const MAX_CUE_LINES = 2;

export interface CueText {
  lines: string[];
  /** Start and end as fractions (0-1) of the segment's duration, by character count. */
  from: number;
  to: number;
}

/** Splits a segment's text into cues of at most two lines of at most `maxChars`. */
export function layoutCues(text: string, maxChars = MAX_LINE_CHARS): CueText[] {
  const words = text.split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  const total = words.join(' ').length;
  if (total <= maxChars) return [{ lines: [words.join(' ')], from: 0, to: 1 }];

  // Fewest cues of even length whose parts each fit in two lines.
  for (let cues = Math.ceil(total / (2 * maxChars)); cues <= words.length; cues++) {
    const parts = packWords(words, Math.ceil(total / cues));
    const laidOut = parts.map((p) => twoLines(p, maxChars));
    if (laidOut.every((l): l is string[] => l !== null)) return withTiming(laidOut, total);
  }
  // Only reached when one word is longer than a line: one word per cue then.
  return withTiming(words.map((w) => [w]), total);
}

function withTiming(cues: string[][], total: number): CueText[] {
  const out: CueText[] = [];
  let done = 0;
  cues.forEach((lines, i) => {
    // +1 for the space that joined this cue to the next one in the source text.
    const chars = lines.join(' ').length + (i < cues.length - 1 ? 1 : 0);
    out.push({ lines, from: done / total, to: i === cues.length - 1 ? 1 : Math.min(1, (done + chars) / total) });
    done += chars;
  });
  return out;
}

/** Greedy packing of words into runs of at most `capacity` characters (a longer word stands alone). */
function packWords(words: string[], capacity: number): string[][] {
  const parts: string[][] = [];
  let current: string[] = [];
  let length = 0;
  for (const word of words) {
    const added = current.length === 0 ? word.length : length + 1 + word.length;
    if (current.length > 0 && added > capacity) {
      parts.push(current);
      current = [word];
      length = word.length;
    } else {
      current.push(word);
      length = added;
    }
  }
  if (current.length > 0) parts.push(current);
  return parts;
}

/** One line, or the most even two-line break with both lines within `maxChars`; null if impossible. */
function twoLines(words: string[], maxChars: number): string[] | null {
  const one = words.join(' ');
  if (one.length <= maxChars) return [one];
  let best: string[] | null = null;
  let bestLongest = Infinity;
  for (let k = 1; k < words.length; k++) {
    const a = words.slice(0, k).join(' ');
    const b = words.slice(k).join(' ');
    const longest = Math.max(a.length, b.length);
    if (a.length <= maxChars && b.length <= maxChars && longest < bestLongest) {
      best = [a, b];
      bestLongest = longest;
    }
  }
  return best;
}
