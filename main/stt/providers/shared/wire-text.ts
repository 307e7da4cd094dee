/**
 * Reading providers' JSON text frames, shared by the codecs. Servers are not trusted: a
 * frame may be anything, and error text may echo what was sent, the key included.
 */

/** The frame as a JSON object, or undefined when it is not one (arrays and scalars neither). */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A finite number, or undefined for anything else (NaN, strings, null). */
export function finiteNumber(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** At most `max` characters, marked with … when cut (details stay readable in one line). */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Server text with the key masked, then clipped. Keys under 4 characters are not masked: they would mask ordinary words. */
export function scrubKey(text: string, key: string | undefined, max: number): string {
  return clip(key && key.length >= 4 ? text.split(key).join('****') : text, max);
}
