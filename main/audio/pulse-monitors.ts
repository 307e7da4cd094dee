/** PulseAudio/PipeWire monitor sources ("what the speakers play"), found with `pactl`. Linux only. */
import { execFile } from 'node:child_process';
import { EarshotError } from '../../shared/errors.js';

export interface PulseMonitor {
  /** PulseAudio source name, e.g. "alsa_output.pci-0000_00_1f.3.analog-stereo.monitor". */
  name: string;
  description: string;
  sampleRate: number;
  channels: number;
}

/** Runs pactl with arguments and returns stdout; injectable for tests. */
export type PactlRunner = (args: string[]) => Promise<string>;

export const runPactl: PactlRunner = (args) =>
  new Promise((resolve, reject) => {
    execFile('pactl', args, { timeout: 5000, maxBuffer: 8 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT'
          ? 'pactl is not installed (install pulseaudio-utils)'
          : `pactl ${args.join(' ')} failed: ${(stderr || err.message).trim().split('\n')[0]}`;
      reject(new EarshotError('DEVICE_NOT_FOUND', `${why}; is PulseAudio or PipeWire running?`));
    });
  });

/** Lists monitor sources: JSON output when pactl has it (≥ 16), else the short text listing. */
export async function listPulseMonitors(run: PactlRunner = runPactl): Promise<PulseMonitor[]> {
  let json: string | null = null;
  try {
    json = await run(['-f', 'json', 'list', 'sources']);
  } catch {
    json = null; // older pactl: no -f json
  }
  if (json !== null) {
    const parsed = parseJsonSources(json);
    if (parsed) return parsed;
  }
  return parseShortSources(await run(['list', 'short', 'sources']));
}

/** The monitor of the default output: `pactl get-default-sink` + ".monitor" (or `pactl info` on old pactl). */
export async function defaultMonitorName(run: PactlRunner = runPactl): Promise<string> {
  let sink = '';
  try {
    sink = (await run(['get-default-sink'])).trim();
  } catch {
    const info = await run(['info']);
    sink = /^Default Sink:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? '';
  }
  if (!sink || sink === '@DEFAULT_SINK@') {
    throw new EarshotError('DEVICE_NOT_FOUND', 'PulseAudio/PipeWire reports no default output, so there is no system audio to capture');
  }
  return `${sink}.monitor`;
}

/** null when the text is not the JSON we expect (so the caller falls back to the short listing). */
export function parseJsonSources(text: string): PulseMonitor[] | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(data)) return null;
  const out: PulseMonitor[] = [];
  for (const s of data as Array<Record<string, unknown>>) {
    const name = typeof s.name === 'string' ? s.name : '';
    const props = (s.properties ?? {}) as Record<string, unknown>;
    // pactl 16 calls the monitored sink "monitor_source"; other versions "monitor_of_sink".
    const monitorOf = s.monitor_of_sink ?? s.monitor_source;
    const isMonitor =
      props['device.class'] === 'monitor' || (typeof monitorOf === 'string' && monitorOf !== '' && monitorOf !== 'n/a') || name.endsWith('.monitor');
    if (!name || !isMonitor) continue;
    const spec = parseSpec(typeof s.sample_specification === 'string' ? s.sample_specification : '');
    out.push({ name, description: typeof s.description === 'string' ? s.description : name, ...spec });
  }
  return out;
}

/** `pactl list short sources`: "index<TAB>name<TAB>driver<TAB>s16le 2ch 44100Hz<TAB>STATE". */
export function parseShortSources(text: string): PulseMonitor[] {
  const out: PulseMonitor[] = [];
  for (const line of text.split('\n')) {
    const cols = line.split('\t');
    const name = cols[1]?.trim();
    if (!name || !name.endsWith('.monitor')) continue;
    out.push({ name, description: name, ...parseSpec(cols[3] ?? '') });
  }
  return out;
}

function parseSpec(spec: string): { sampleRate: number; channels: number } {
  const ch = /(\d+)ch/.exec(spec);
  const hz = /(\d+)Hz/.exec(spec);
  return { sampleRate: hz ? Number(hz[1]) : 48000, channels: ch ? Number(ch[1]) : 2 };
}
