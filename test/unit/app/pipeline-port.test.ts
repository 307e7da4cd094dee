import { describe, expect, it } from 'vitest';
import { sourceFromSetting, sourceSpec } from '../../../main/app/pipeline-port.js';
import { platformNotes } from '../../../main/app/platform-notes.js';

describe('source settings', () => {
  it('maps the settings value to a pipeline source and back to the audio layer\'s spec', () => {
    expect(sourceFromSetting('mic')).toEqual({ kind: 'mic' });
    expect(sourceFromSetting('system')).toEqual({ kind: 'system' });
    expect(sourceFromSetting('device:alsa_output.pci-0000.monitor')).toEqual({ kind: 'device', id: 'alsa_output.pci-0000.monitor' });
    for (const s of ['mic', 'system', 'device:3', 'device:a:b']) {
      const src = sourceFromSetting(s);
      if (src.kind !== 'external') expect(sourceSpec(src)).toBe(s);
    }
  });
});

describe('platformNotes', () => {
  it('warns on Wayland only', () => {
    expect(platformNotes('linux', { XDG_SESSION_TYPE: 'wayland' })).toEqual([expect.stringMatching(/Always on top/)]);
    expect(platformNotes('linux', { XDG_SESSION_TYPE: 'x11' })).toEqual([]);
    expect(platformNotes('win32', { WAYLAND_DISPLAY: 'wayland-0' })).toEqual([]);
  });
});
