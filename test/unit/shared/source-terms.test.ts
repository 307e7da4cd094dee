import { describe, expect, it } from 'vitest';
import { defaultLabels, formatSourceTerm, parseSourceTerms } from '../../../shared/source-terms.js';

describe('parseSourceTerms', () => {
  it('reads one term or two joined by +', () => {
    expect(parseSourceTerms('mic')).toEqual([{ term: 'mic', kind: 'mic' }]);
    expect(parseSourceTerms('mic+system')).toEqual([{ term: 'mic', kind: 'mic' }, { term: 'system', kind: 'system' }]);
    expect(parseSourceTerms('device:alsa_output.pci.monitor+file:/tmp/a.wav')).toEqual([
      { term: 'device:alsa_output.pci.monitor', kind: 'device', value: 'alsa_output.pci.monitor' },
      { term: 'file:/tmp/a.wav', kind: 'file', value: '/tmp/a.wav' },
    ]);
  });

  it('keeps a + inside quotes, and the term exactly as given', () => {
    expect(parseSourceTerms('file:"take+1.wav"+mic')).toEqual([
      { term: 'file:"take+1.wav"', kind: 'file', value: 'take+1.wav' },
      { term: 'mic', kind: 'mic' },
    ]);
    expect(parseSourceTerms('file:"a \\"quoted\\" name.wav"')[0]!.value).toBe('a "quoted" name.wav');
  });

  it('refuses what it cannot read unambiguously, saying how to fix it', () => {
    expect(() => parseSourceTerms('file:take+1.wav')).toThrow(/quote it: file:"take\+1\.wav"/);
    expect(() => parseSourceTerms('mic+system+file:a.wav')).toThrow(/one source or two/);
    expect(() => parseSourceTerms('mic+mic')).toThrow(/names mic twice/);
    expect(() => parseSourceTerms('mic+')).toThrow(/got ""/);
    expect(() => parseSourceTerms('file:"open.wav')).toThrow(/unclosed quote/);
    expect(() => parseSourceTerms('file:a"b.wav')).toThrow(/quote may only open/);
    expect(() => parseSourceTerms('speakers')).toThrow(/must be mic, system/);
  });

  it('formats a term back with quotes only when needed', () => {
    expect(formatSourceTerm('file', '/tmp/a.wav')).toBe('file:/tmp/a.wav');
    const quoted = formatSourceTerm('file', '/tmp/take+"1".wav');
    expect(parseSourceTerms(`${quoted}+mic`)[0]!.value).toBe('/tmp/take+"1".wav');
  });
});

describe('defaultLabels', () => {
  it('names the microphone You and system audio Others, and keeps labels distinct', () => {
    expect(defaultLabels(parseSourceTerms('mic+system'))).toEqual(['You', 'Others']);
    expect(defaultLabels(parseSourceTerms('system+device:usb-headset'))).toEqual(['Others', 'You']);
    expect(defaultLabels(parseSourceTerms('mic+device:usb-headset'))).toEqual(['You', 'usb-headset']);
    expect(defaultLabels(parseSourceTerms('file:/a/x.wav+file:/b/x.wav'))).toEqual(['x.wav', 'x.wav (2)']);
    expect(defaultLabels(parseSourceTerms('mic+system'), { mic: 'Me', system: 'Them' })).toEqual(['Me', 'Them']);
  });
});
