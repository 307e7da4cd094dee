/** Picking an input device from what PortAudio lists: by id, by name, or the default. Pure. */
import { EarshotError } from '../../shared/errors.js';

export interface DeviceEntry {
  id: number;
  name: string;
  maxInputChannels: number;
  defaultSampleRate: number;
  hostAPIName: string;
}

/**
 * `spec` undefined → the default input (or the first input if the host reports none).
 * A number or all-digit string → that id. Otherwise a name: exact (case-insensitive) match first,
 * then a substring that matches exactly one input.
 */
export function pickInputDevice<T extends DeviceEntry>(all: readonly T[], spec: string | number | undefined, defaultId: number | undefined): T {
  const inputs = all.filter((d) => d.maxInputChannels > 0);
  if (!inputs.length) throw new EarshotError('DEVICE_NOT_FOUND', 'no audio input devices were found on this computer');
  if (spec === undefined || spec === '') {
    return inputs.find((d) => d.id === defaultId) ?? inputs[0];
  }
  const text = String(spec).trim();
  if (/^\d+$/.test(text)) {
    const byId = inputs.find((d) => d.id === Number(text));
    if (byId) return byId;
    const notInput = all.find((d) => d.id === Number(text));
    if (notInput) throw notFound(`device ${text} ("${notInput.name}") has no inputs`, inputs);
    throw notFound(`there is no input device with id ${text}`, inputs);
  }
  const lower = text.toLowerCase();
  const exact = inputs.filter((d) => d.name.toLowerCase() === lower);
  if (exact.length === 1) return exact[0];
  const partial = exact.length ? exact : inputs.filter((d) => d.name.toLowerCase().includes(lower));
  if (partial.length === 1) return partial[0];
  if (partial.length > 1) {
    throw notFound(`"${text}" matches several inputs (${partial.map(describe).join(', ')}); use an id`, inputs);
  }
  throw notFound(`no input device is named like "${text}"`, inputs);
}

function describe(d: DeviceEntry): string {
  return `${d.id} "${d.name}"`;
}

function notFound(why: string, inputs: readonly DeviceEntry[]): EarshotError {
  return new EarshotError('DEVICE_NOT_FOUND', `${why}. Inputs: ${inputs.map(describe).join(', ')}`);
}
