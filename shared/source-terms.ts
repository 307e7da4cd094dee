/**
 * Source terms as people type them (`mic`, `system`, `device:ID`, `file:PATH`), one or two
 * joined by `+` for a meeting (`mic+system`), and the default label of each stream.
 *
 * The rule for `+` is the same everywhere, so it is never a guess: every `+` outside double
 * quotes joins two terms. A path or device name that contains `+` is quoted after its prefix:
 * `file:"take+1.wav"`. Inside quotes, `\"` and `\\` stand for `"` and `\`.
 */

export const MAX_SOURCES = 2;

export type SourceKind = 'mic' | 'system' | 'device' | 'file';

export interface SourceTerm {
  /** The term exactly as given, quotes included (what segments carry as `source`). */
  term: string;
  kind: SourceKind;
  /** The device ID or file path, unquoted; absent for mic and system. */
  value?: string;
}

export class SourceTermError extends Error {}

/** Splits and checks `--source`; throws SourceTermError with a sentence a person can act on. */
export function parseSourceTerms(spec: string): SourceTerm[] {
  const raw = splitOutsideQuotes(spec);
  if (raw.length > MAX_SOURCES) {
    throw new SourceTermError(`--source takes one source or two joined by "+" (got ${raw.length}: ${raw.map((t) => `"${t}"`).join(', ')})`);
  }
  const terms = raw.map((t) => parseOne(t, raw.length > 1));
  if (terms.length === 2 && terms[0]!.term === terms[1]!.term) {
    throw new SourceTermError(`--source names ${terms[0]!.term} twice; a meeting needs two different sources`);
  }
  return terms;
}

function parseOne(term: string, joined: boolean): SourceTerm {
  if (term === 'mic' || term === 'system') return { term, kind: term };
  const m = /^(device|file):(.*)$/s.exec(term);
  if (m) {
    const kind = m[1] as 'device' | 'file';
    const value = unquote(m[2]!, term);
    if (value !== '') return { term, kind, value };
  }
  const hint = joined ? ` If a file name or device contains "+", quote it: file:"take+1.wav".` : '';
  throw new SourceTermError(`--source must be mic, system, device:ID or file:PATH, or two of them joined by "+" (got "${term}").${hint}`);
}

function unquote(value: string, term: string): string {
  if (!value.startsWith('"')) {
    if (value.includes('"')) throw new SourceTermError(`--source: a quote may only open right after "device:" or "file:" (in "${term}")`);
    return value;
  }
  if (value.length < 2 || !value.endsWith('"')) throw new SourceTermError(`--source: unclosed quote in "${term}"`);
  let out = '';
  const body = value.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\' && (body[i + 1] === '"' || body[i + 1] === '\\')) {
      out += body[++i];
    } else if (c === '"') {
      throw new SourceTermError(`--source: write a quote inside quotes as \\" (in "${term}")`);
    } else {
      out += c;
    }
  }
  return out;
}

function splitOutsideQuotes(spec: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i]!;
    if (quoted && c === '\\' && i + 1 < spec.length) {
      current += c + spec[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === '+' && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

/** Quotes a device ID or file path for a term when it needs it (it holds `+` or `"`). */
export function formatSourceTerm(kind: SourceKind, value?: string): string {
  if (kind === 'mic' || kind === 'system') return kind;
  const v = value ?? '';
  const needsQuotes = /[+"]/.test(v) || v.startsWith('"');
  return `${kind}:${needsQuotes ? `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"` : v}`;
}

/** The person's own microphone (or an input device): labelled "You", never diarised, the echo target. */
export function isOwnVoice(term: string): boolean {
  return term === 'mic' || term.startsWith('device:');
}

export const DEFAULT_MIC_LABEL = 'You';
export const DEFAULT_SYSTEM_LABEL = 'Others';

/**
 * "You" for the microphone (or the first input device), "Others" for system audio; a second
 * device or a file is named after itself. Labels are always distinct, so a line's label
 * always tells its stream.
 */
export function defaultLabels(terms: readonly SourceTerm[], names: { mic?: string; system?: string } = {}): string[] {
  const mic = names.mic?.trim() || DEFAULT_MIC_LABEL;
  const system = names.system?.trim() || DEFAULT_SYSTEM_LABEL;
  const hasMic = terms.some((t) => t.kind === 'mic');
  let youTaken = hasMic;
  const labels = terms.map((t) => {
    if (t.kind === 'mic') return mic;
    if (t.kind === 'system') return system;
    if (t.kind === 'device' && !youTaken) {
      youTaken = true;
      return mic;
    }
    const v = t.value ?? t.term;
    return t.kind === 'file' ? v.split(/[\\/]/).pop() || v : v;
  });
  if (labels.length === 2 && labels[0] === labels[1]) labels[1] = `${labels[1]} (2)`;
  return labels;
}
