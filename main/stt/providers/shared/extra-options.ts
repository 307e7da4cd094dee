/**
 * Checks of provider settings passed through `--option name=value` (ProviderOptions.extra).
 * Servers silently ignore what they do not know, so an unknown name or an out-of-range value
 * fails fast here with a message that lists what is allowed.
 */
import { EarshotError } from '../../../../shared/errors.js';

export type OptionCheck = (value: string) => boolean;

export const isBool: OptionCheck = (v) => v === 'true' || v === 'false';

/** A finite number written out (blank is not 0). */
export const isFiniteNumber: OptionCheck = (v) => v.trim() !== '' && Number.isFinite(Number(v));

/** A finite number within [lo, hi]. */
export const inRange = (lo: number, hi = Infinity): OptionCheck => (v) => isFiniteNumber(v) && Number(v) >= lo && Number(v) <= hi;

/**
 * Settings with their own flag and settings field. As an `--option` they would either be
 * overwritten by the flag's value or fight it, so they are refused with a pointer to the flag.
 */
const OWN_FLAGS: Readonly<Record<string, string>> = {
  temperature: '--temperature', language: '--language', prompt: '--prompt', model: '--model',
  frame_ms: '--frame-ms', endpoint: '--endpoint', api_key: '--api-key',
  speaker_labels: '--speakers', diarize: '--speakers',
};

/** `extra` when every entry is a known option with a valid value; otherwise BAD_ARGUMENT naming it. */
export function checkExtra(provider: string, extra: Record<string, string> | undefined, known: Record<string, OptionCheck>): Record<string, string> {
  const options = extra ?? {};
  for (const [name, value] of Object.entries(options)) {
    const check = Object.hasOwn(known, name) ? known[name] : undefined;
    const flag = Object.hasOwn(OWN_FLAGS, name) ? OWN_FLAGS[name] : undefined;
    if (!check && flag) throw new EarshotError('BAD_ARGUMENT', `"${name}" is not a ${provider} --option; use ${flag} instead`);
    const list = Object.keys(known).join(', ') || 'none';
    if (!check) throw new EarshotError('BAD_ARGUMENT', `${provider} has no option "${name}"; known: ${list}`);
    if (!check(value)) throw new EarshotError('BAD_ARGUMENT', `${provider} option ${name}=${value} is out of range`);
  }
  return options;
}

/** The prompt read as a comma-separated list of key terms, blanks left out. */
export function promptTerms(prompt: string | undefined): string[] {
  return (prompt ?? '').split(',').map((t) => t.trim()).filter(Boolean);
}
