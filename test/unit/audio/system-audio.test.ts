import { describe, expect, it } from 'vitest';
import { defaultMonitorName, listPulseMonitors, parseShortSources, type PactlRunner } from '../../../main/audio/pulse-monitors.js';
import { DESKTOP_ONLY_NOTE, listAllDevices, resolveSource } from '../../../main/audio/system-audio.js';
import { WavFileSource } from '../../../main/audio/wav-file-source.js';
import { EarshotError } from '../../../shared/errors.js';
import { FakeClock, flushMicrotasks } from '../../fakes/fake-clock.js';
import { FakeNaudiodon } from './fake-naudiodon.js';

// Trimmed from real `pactl -f json list sources` (pactl 16.1) output: one monitor, one microphone.
const JSON_SOURCES = JSON.stringify([
  {
    index: 0, name: 'alsa_output.pci-0000_00_1f.3.analog-stereo.monitor', description: 'Monitor of Built-in Audio Analog Stereo',
    driver: 'module-alsa-card.c', sample_specification: 's16le 2ch 48000Hz', monitor_source: 'alsa_output.pci-0000_00_1f.3.analog-stereo',
    properties: { 'device.class': 'monitor' },
  },
  {
    index: 1, name: 'alsa_input.pci-0000_00_1f.3.analog-stereo', description: 'Built-in Audio Analog Stereo',
    driver: 'module-alsa-card.c', sample_specification: 's32le 2ch 44100Hz', monitor_source: 'n/a', properties: { 'device.class': 'sound' },
  },
  {
    index: 2, name: 'hdmi.monitor', description: 'Monitor of HDMI', sample_specification: 'float32le 6ch 44100Hz',
    monitor_of_sink: 'hdmi', properties: {},
  },
]);
const SHORT_SOURCES = [
  '0\talsa_output.pci-0000_00_1f.3.analog-stereo.monitor\tmodule-alsa-card.c\ts16le 2ch 48000Hz\tSUSPENDED',
  '1\talsa_input.pci-0000_00_1f.3.analog-stereo\tmodule-alsa-card.c\ts32le 2ch 44100Hz\tSUSPENDED',
  '',
].join('\n');

function pactl(opts: { json?: boolean; getDefault?: boolean; down?: boolean } = {}): PactlRunner & { calls: string[][] } {
  const calls: string[][] = [];
  const run = (async (args: string[]) => {
    calls.push(args);
    if (opts.down) throw new EarshotError('DEVICE_NOT_FOUND', 'Connection refused; is PulseAudio or PipeWire running?');
    const cmd = args.join(' ');
    if (cmd === '-f json list sources') {
      if (opts.json === false) throw new Error('unknown option -f');
      return JSON_SOURCES;
    }
    if (cmd === 'list short sources') return SHORT_SOURCES;
    if (cmd === 'get-default-sink') {
      if (opts.getDefault === false) throw new Error('No valid command specified.');
      return 'alsa_output.pci-0000_00_1f.3.analog-stereo\n';
    }
    if (cmd === 'info') return 'Server Name: pulseaudio\nDefault Sink: hdmi\nDefault Source: x\n';
    throw new Error(`unexpected pactl ${cmd}`);
  }) as PactlRunner & { calls: string[][] };
  run.calls = calls;
  return run;
}

describe('pactl parsing', () => {
  it('reads monitors from JSON (both field spellings) with their formats', async () => {
    expect(await listPulseMonitors(pactl())).toEqual([
      { name: 'alsa_output.pci-0000_00_1f.3.analog-stereo.monitor', description: 'Monitor of Built-in Audio Analog Stereo', sampleRate: 48000, channels: 2 },
      { name: 'hdmi.monitor', description: 'Monitor of HDMI', sampleRate: 44100, channels: 6 },
    ]);
  });
  it('falls back to the short listing when pactl has no JSON output', async () => {
    const run = pactl({ json: false });
    expect(await listPulseMonitors(run)).toEqual(parseShortSources(SHORT_SOURCES));
    expect(parseShortSources(SHORT_SOURCES)).toEqual([
      { name: 'alsa_output.pci-0000_00_1f.3.analog-stereo.monitor', description: 'alsa_output.pci-0000_00_1f.3.analog-stereo.monitor', sampleRate: 48000, channels: 2 },
    ]);
  });
  it('finds the default output monitor, also via `pactl info` on old pactl', async () => {
    expect(await defaultMonitorName(pactl())).toBe('alsa_output.pci-0000_00_1f.3.analog-stereo.monitor');
    expect(await defaultMonitorName(pactl({ getDefault: false }))).toBe('hdmi.monitor');
  });
});

describe('listAllDevices', () => {
  it('Linux: inputs, then monitors with the default marked, and a hint', async () => {
    const { devices, notes } = await listAllDevices({ platform: 'linux', pactl: pactl(), binding: new FakeNaudiodon().loader });
    expect(devices.filter((d) => d.kind === 'input').map((d) => d.id)).toEqual(['0', '2', '3', '4']);
    const monitors = devices.filter((d) => d.kind === 'monitor');
    expect(monitors.map((d) => [d.id, d.isDefault, d.defaultSampleRate, d.maxInputChannels])).toEqual([
      ['alsa_output.pci-0000_00_1f.3.analog-stereo.monitor', true, 48000, 2],
      ['hdmi.monitor', false, 44100, 6],
    ]);
    expect(notes.join(' ')).toMatch(/--source system/);
  });

  it.each(['win32', 'darwin'] as const)('%s: says system audio comes with the desktop app', async (platform) => {
    const run = pactl();
    const { devices, notes } = await listAllDevices({ platform, pactl: run, binding: new FakeNaudiodon().loader });
    expect(notes).toContain(DESKTOP_ONLY_NOTE);
    expect(devices.every((d) => d.kind === 'input')).toBe(true);
    expect(run.calls).toEqual([]);
  });

  it('never a silent empty list: explains missing PulseAudio and a missing native module', async () => {
    const { devices, notes } = await listAllDevices({
      platform: 'linux',
      pactl: pactl({ down: true }),
      binding: () => Promise.reject(new EarshotError('DEVICE_OPEN_FAILED', 'naudiodon2 could not be loaded')),
    });
    expect(devices).toEqual([]);
    expect(notes.join('\n')).toMatch(/Inputs could not be listed: .*naudiodon2/);
    expect(notes.join('\n')).toMatch(/System audio is unavailable: .*PulseAudio or PipeWire/);
  });
});

describe('resolveSource', () => {
  const linux = () => {
    const na = new FakeNaudiodon();
    return { na, env: { platform: 'linux' as const, pactl: pactl(), binding: na.loader } };
  };

  it('system → the default output monitor, through the ALSA "pulse" device with PULSE_SOURCE', async () => {
    const { na, env } = linux();
    const src = await resolveSource('system', env);
    expect(src.live).toBe(true);
    expect(await src.open()).toEqual({ sampleRate: 48000, channels: 2, sampleFormat: 's16' });
    expect(na.last.options.deviceId).toBe(3);
    expect(na.last.pulseSourceAtOpen).toBe('alsa_output.pci-0000_00_1f.3.analog-stereo.monitor');
    expect(src.description).toContain('Monitor of Built-in Audio');
    await src.close();
  });

  it('device:<monitor name> → that monitor, channels capped at 2', async () => {
    const { na, env } = linux();
    const src = await resolveSource('device:hdmi.monitor', env);
    expect(await src.open()).toEqual({ sampleRate: 44100, channels: 2, sampleFormat: 's16' });
    expect(na.last.pulseSourceAtOpen).toBe('hdmi.monitor');
    await src.close();
  });

  it('a chosen monitor that disappears stops capture with DEVICE_LOST (PulseAudio would move it to another device)', async () => {
    const na = new FakeNaudiodon();
    const clock = new FakeClock();
    let unplugged = false;
    const base = pactl();
    const run = (async (args: string[]) => {
      const out = await base(args);
      if (!unplugged || args.join(' ') !== '-f json list sources') return out;
      return JSON.stringify((JSON.parse(out) as { name: string }[]).filter((s) => s.name !== 'hdmi.monitor'));
    }) as PactlRunner;
    const src = await resolveSource('device:hdmi.monitor', { platform: 'linux', pactl: run, binding: na.loader, clock });
    const errors: string[] = [];
    src.onError?.((e) => errors.push(`${e.code}: ${e.detail}`));
    await src.open();
    for (let i = 0; i < 3; i++) { clock.advance(2000); await flushMicrotasks(20); }
    expect(errors).toEqual([]);
    unplugged = true;
    clock.advance(2000);
    await flushMicrotasks(20);
    expect(errors).toEqual([expect.stringMatching(/^DEVICE_LOST: Monitor of HDMI \[hdmi\.monitor\] was removed, so capture stopped/)]);
    expect(na.last.abortCalls + na.last.quitCalls).toBe(1); // the moved stream is not read any more
  });

  it('device:<name> that is not a monitor, and device:<id>, are PortAudio inputs', async () => {
    const { na, env } = linux();
    await (await resolveSource('device:usb', env)).open();
    expect(na.last.options.deviceId).toBe(2);
    expect(na.last.pulseSourceAtOpen).toBeUndefined();
    await (await resolveSource('device:0', env)).open();
    expect(na.last.options.deviceId).toBe(0);
  });

  it('mic → the default input', async () => {
    const { na, env } = linux();
    await (await resolveSource('mic', env)).open();
    expect(na.last.options.deviceId).toBe(4);
  });

  it('file:PATH → a WAV file source', async () => {
    const src = await resolveSource('file:/tmp/talk.wav', { platform: 'linux' });
    expect(src).toBeInstanceOf(WavFileSource);
    expect(src.live).toBe(false);
  });

  it.each(['win32', 'darwin'] as const)('system on %s → SYSTEM_AUDIO_UNSUPPORTED', async (platform) => {
    await expect(resolveSource('system', { platform })).rejects.toMatchObject({ code: 'SYSTEM_AUDIO_UNSUPPORTED' });
  });

  it('system with PulseAudio down → DEVICE_NOT_FOUND explaining why', async () => {
    const src = await resolveSource('system', { platform: 'linux', pactl: pactl({ down: true }), binding: new FakeNaudiodon().loader });
    await expect(src.open()).rejects.toMatchObject({ code: 'DEVICE_NOT_FOUND', message: expect.stringMatching(/PulseAudio or PipeWire/) });
  });

  it('a monitor without the ALSA pulse plugin → DEVICE_OPEN_FAILED saying what to install', async () => {
    const na = new FakeNaudiodon([{ id: 0, name: 'hw:0', maxInputChannels: 2, maxOutputChannels: 0, defaultSampleRate: 48000, hostAPIName: 'ALSA' }], 0);
    const src = await resolveSource('system', { platform: 'linux', pactl: pactl(), binding: na.loader });
    await expect(src.open()).rejects.toMatchObject({ code: 'DEVICE_OPEN_FAILED', message: expect.stringMatching(/libasound2-plugins/) });
  });

  it.each(['', 'speaker', 'file:', 'device:'])('rejects "%s" with BAD_ARGUMENT', async (spec) => {
    await expect(resolveSource(spec, { platform: 'linux' })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  });
});
