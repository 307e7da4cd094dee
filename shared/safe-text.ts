/**
 * Caption text comes from a remote service and is shown in terminals and written into
 * subtitle files. A terminal obeys control characters: an escape sequence can move the
 * cursor, rewrite earlier lines, set the window title (OSC) or, in some terminals, run
 * commands; bidi overrides make text read differently from what it is. `safeText` keeps the
 * words and drops everything that is not printable text. Line breaks become spaces, because
 * one caption is one line in every output. The JSON transcript keeps the text as received
 * (JSON escapes it), so only the human-readable outputs use this.
 */

/** ESC-introduced sequences: CSI (ESC [ … final), string commands (OSC, DCS, SOS, PM, APC) up to BEL or ST, or ESC plus one character. */
const ESCAPE_SEQUENCE =
  /\x1b(?:\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?|[\]PX^_][\s\S]*?(?:\x07|\x1b\\|\x9c|$)|[\x20-\x2f]*[\x30-\x7e]?)/g;

/** C1 string commands (8-bit OSC, DCS, SOS, PM, APC) up to their terminator. */
const C1_STRING = /[\x90\x98\x9d\x9e\x9f][\s\S]*?(?:\x07|\x9c|\x1b\\|$)/g;

/** Line and paragraph breaks of every kind, which would split one caption over several lines. */
const LINE_BREAKS = /[\t\n\v\f\r\x85\u2028\u2029]+/g;

/**
 * Every remaining C0 and C1 control, DEL, and the bidi embeddings, overrides and isolates
 * (U+202A-U+202E, U+2066-U+2069). The plain marks LRM/RLM/ALM stay: they only affect
 * neutral characters next to them, and right-to-left text needs them.
 */
const CONTROLS = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/** The printable part of `text`, on one line. */
export function safeText(text: string): string {
  return text
    .replace(ESCAPE_SEQUENCE, '')
    .replace(C1_STRING, '')
    .replace(LINE_BREAKS, ' ')
    .replace(CONTROLS, '');
}

/** True when `text` holds nothing `safeText` would remove or change. */
export function isSafeText(text: string): boolean {
  return !/[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(text);
}
