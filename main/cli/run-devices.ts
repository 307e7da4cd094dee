/** `earshot devices`: what can be captured, with the ids `--source device:ID` takes. */
import { listAllDevices } from '../audio/system-audio.js';
import type { AudioDevice } from '../audio/types.js';
import type { CliIo } from './run-caption.js';

export async function runDevices(json: boolean, io: CliIo): Promise<number> {
  const { devices, notes } = await listAllDevices({ isolateCapture: true });
  if (json) {
    io.stdout.write(`${JSON.stringify({ devices, notes }, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(formatDevices(devices, notes));
  return 0;
}

export function formatDevices(devices: readonly AudioDevice[], notes: readonly string[]): string {
  const lines: string[] = [];
  const section = (title: string, list: readonly AudioDevice[], empty: string) => {
    lines.push(title);
    if (list.length === 0) lines.push(`  ${empty}`);
    const idWidth = Math.max(2, ...list.map((d) => d.id.length));
    for (const d of list) {
      const star = d.isDefault ? '*' : ' ';
      lines.push(`${star} ${d.id.padEnd(idWidth)}  ${d.name}  (${d.hostApi}, ${d.defaultSampleRate} Hz, ${d.maxInputChannels} ch)`);
    }
    lines.push('');
  };
  section('Inputs (microphones, line in) — use --source device:ID or --source mic for the default *',
    devices.filter((d) => d.kind === 'input'), 'none found');
  section('System audio (what your speakers play) — use --source device:ID or --source system for the default *',
    devices.filter((d) => d.kind === 'monitor'), 'none found');
  if (devices.some((d) => d.kind === 'input') && devices.some((d) => d.kind === 'monitor')) {
    lines.push('Meetings: --source mic+system captions both sides at once, labelled You and Others (or device:ID+system).', '');
  }
  for (const n of notes) lines.push(`Note: ${n}`);
  return `${lines.join('\n').trimEnd()}\n`;
}
