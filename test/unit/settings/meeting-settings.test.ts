import { describe, expect, it } from 'vitest';
import { DEFAULT_STYLE, parseStyleQuery, sanitizeStyle, STYLE_PRESETS } from '../../../shared/overlay-style.js';
import { DEFAULT_SETTINGS, parseSettings } from '../../../shared/settings.js';
import { luminance } from '../../../renderer/lib/style-css.js';

const parse = (over: Record<string, unknown>) => parseSettings({ ...JSON.parse(JSON.stringify(DEFAULT_SETTINGS)), ...over });
const errorAt = (over: Record<string, unknown>, path: string): string | undefined => parse(over).errors.find((e) => e.path === path)?.message;
const contrast = (a: string, b: string) => {
  const [x, y] = [luminance(a), luminance(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
};

describe('meeting settings', () => {
  it('defaults: labels You and Others, echo suppression on, labels and stream colours shown', () => {
    expect(DEFAULT_SETTINGS).toMatchObject({ micLabel: 'You', systemLabel: 'Others', echoSuppression: true });
    expect(DEFAULT_SETTINGS.style).toMatchObject({ showLabels: true, colorByStream: true });
    // A settings file from before meetings reads without complaint.
    const old = JSON.parse(JSON.stringify(DEFAULT_SETTINGS)) as Record<string, unknown>;
    delete old.micLabel; delete old.systemLabel; delete old.echoSuppression;
    expect(parseSettings(old)).toEqual({ settings: DEFAULT_SETTINGS, errors: [] });
  });

  it('accepts "Microphone + system audio" as a source', () => {
    expect(parse({ source: 'mic+system' })).toMatchObject({ settings: { source: 'mic+system' }, errors: [] });
    expect(errorAt({ source: 'system+mic' }, 'source')).toMatch(/microphone \+ system audio/);
    expect(errorAt({ source: 'mic+mic' }, 'source')).toBeDefined();
  });

  it('takes the meeting microphone (default input or a listed device), and the speaker-label choice', () => {
    expect(DEFAULT_SETTINGS).toMatchObject({ meetingMic: '', speakerLabels: false });
    expect(parse({ meetingMic: 'alsa_input.usb-headset', speakerLabels: true }).settings).toMatchObject({ meetingMic: 'alsa_input.usb-headset', speakerLabels: true });
    expect(errorAt({ meetingMic: 7 }, 'meetingMic')).toMatch(/default input or a device/);
    expect(errorAt({ speakerLabels: 'yes' }, 'speakerLabels')).toBeDefined();
  });

  it('takes renamed labels, trimmed, and explains a bad one', () => {
    expect(parse({ micLabel: '  Anna ', systemLabel: 'Team' }).settings).toMatchObject({ micLabel: 'Anna', systemLabel: 'Team' });
    expect(errorAt({ micLabel: '  ' }, 'micLabel')).toMatch(/short name/);
    expect(errorAt({ systemLabel: 'x'.repeat(41) }, 'systemLabel')).toMatch(/41 characters; keep it to 40/);
    expect(errorAt({ micLabel: 'Me: boss' }, 'micLabel')).toMatch(/may not contain ":"/);
    expect(errorAt({ systemLabel: '<v>' }, 'systemLabel')).toMatch(/"<" or ">"/);
    expect(errorAt({ micLabel: 'a\u202eb' }, 'micLabel')).toMatch(/text-direction/);
    expect(errorAt({ micLabel: 'Us', systemLabel: ' us ' }, 'systemLabel')).toMatch(/must differ/);
    // An invalid label falls back to the default, never to something empty.
    expect(parse({ micLabel: 7 }).settings.micLabel).toBe('You');
    expect(errorAt({ echoSuppression: 'yes' }, 'echoSuppression')).toMatch(/on or off/);
  });

  it('checks the stream colours and the label and colour switches', () => {
    expect(errorAt({ style: { ...DEFAULT_STYLE, micColor: 'blue' } }, 'style.micColor')).toMatch(/#rrggbb/);
    expect(errorAt({ style: { ...DEFAULT_STYLE, colorByStream: 1 } }, 'style.colorByStream')).toMatch(/on or off/);
    expect(parse({ style: { ...DEFAULT_STYLE, showLabels: false, systemColor: '#123456' } }).settings.style).toMatchObject({ showLabels: false, systemColor: '#123456' });
  });

  it('gives older light-background styles the stream colours that read on light backgrounds', () => {
    const { micColor: _m, systemColor: _s, ...old } = { ...DEFAULT_STYLE, ...STYLE_PRESETS.light };
    expect(parse({ preset: 'light', style: old }).settings.style).toMatchObject({ micColor: STYLE_PRESETS.light.micColor, systemColor: STYLE_PRESETS.light.systemColor });
  });

  it('every preset\'s stream colours reach 4.5:1 on its background and differ from each other and the text', () => {
    for (const [id, p] of Object.entries(STYLE_PRESETS)) {
      for (const c of [p.micColor, p.systemColor]) expect(contrast(c, p.backgroundColor), `${id} ${c}`).toBeGreaterThanOrEqual(4.5);
      expect(p.micColor).not.toBe(p.systemColor);
      expect(p.micColor).not.toBe(p.textColor);
      expect(p.systemColor).not.toBe(p.textColor);
    }
  });

  it('the browser overlay URL can switch labels and colours (OBS)', () => {
    const q = new URLSearchParams('labels=off&streamColors=on&youColor=0af&othersColor=%23ff8800');
    expect(parseStyleQuery(q)).toEqual({ showLabels: false, colorByStream: true, micColor: '#00aaff', systemColor: '#ff8800' });
    expect(sanitizeStyle({ showLabels: 'no', micColor: 'nope' })).toEqual(DEFAULT_STYLE);
  });
});
