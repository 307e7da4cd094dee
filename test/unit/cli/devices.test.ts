import { describe, expect, it } from 'vitest';
import type { AudioDevice } from '../../../main/audio/types.js';
import { formatDevices } from '../../../main/cli/run-devices.js';

const dev = (id: string, kind: AudioDevice['kind'], isDefault = false): AudioDevice => ({ id, name: `Device ${id}`, hostApi: 'ALSA', kind, defaultSampleRate: 48000, maxInputChannels: 2, isDefault });

describe('earshot devices', () => {
  it('lists inputs and system audio with their ids, and says how to caption both sides of a meeting', () => {
    const text = formatDevices([dev('3', 'input', true), dev('sink.monitor', 'monitor', true)], []);
    expect(text).toContain('* 3   Device 3  (ALSA, 48000 Hz, 2 ch)');
    expect(text).toContain('--source mic+system captions both sides at once');
  });

  it('does not suggest a meeting when one side cannot be captured', () => {
    const text = formatDevices([dev('3', 'input', true)], ['PulseAudio is not running']);
    expect(text).not.toContain('mic+system');
    expect(text).toContain('System audio (what your speakers play)');
    expect(text).toContain('  none found');
    expect(text).toContain('Note: PulseAudio is not running');
  });
});
