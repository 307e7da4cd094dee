import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, errorsByPath, parseSettings, type Settings } from '../../../shared/settings.js';
import { DEFAULT_STYLE } from '../../../shared/overlay-style.js';

const parse = (over: Record<string, unknown>) => parseSettings({ ...DEFAULT_SETTINGS, ...over });
const errorAt = (over: Record<string, unknown>, path: string): string => {
  const { errors } = parse(over);
  const e = errors.find((x) => x.path === path);
  if (!e) throw new Error(`no error at ${path}; got ${JSON.stringify(errors)}`);
  return e.message;
};

describe('parseSettings', () => {
  it('accepts the defaults unchanged', () => {
    const { settings, errors } = parseSettings(JSON.parse(JSON.stringify(DEFAULT_SETTINGS)));
    expect(errors).toEqual([]);
    expect(settings).toEqual(DEFAULT_SETTINGS);
  });

  it('fills missing fields from the defaults without complaint (older files)', () => {
    const { settings, errors } = parseSettings({ provider: 'deepgram', model: 'nova-2' });
    expect(errors).toEqual([]);
    expect(settings.model).toBe('nova-2');
    expect(settings.frameMs).toBe(50);
    expect(settings.style).toEqual(DEFAULT_STYLE);
  });

  it('rejects a non-object and falls back to the defaults', () => {
    for (const bad of [null, 3, 'x', [1]]) {
      const { settings, errors } = parseSettings(bad);
      expect(settings).toEqual(DEFAULT_SETTINGS);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.path).toBe('');
    }
  });

  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['unknown provider', { provider: 'acme' }, 'provider', /Unknown provider "acme".*Fireworks AI/],
    ['model of another provider', { model: 'nova-3' }, 'model', /Fireworks AI has no model "nova-3".*fireworks-asr-large/],
    ['empty model', { model: '' }, 'model', /Choose a model/],
    ['http endpoint', { endpoint: 'https://x.example/v1' }, 'endpoint', /must start with wss:\/\//],
    ['ws to a remote host', { endpoint: 'ws://example.com/x' }, 'endpoint', /only allowed for 127\.0\.0\.1.*wss:\/\/example\.com\/x/],
    ['endpoint not a URL', { endpoint: 'not a url' }, 'endpoint', /is not a URL/],
    ['endpoint with credentials', { endpoint: 'wss://me:secret@x.example/' }, 'endpoint', /user name or key/],
    ['unsupported language', { language: 'xx' }, 'language', /does not support "xx"/],
    ['language of another provider', { language: 'es-419' }, 'language', /does not support "es-419"/],
    ['prompt too long', { prompt: 'a'.repeat(2001) }, 'prompt', /2001 characters; keep it to 2000/],
    ['prompt not text', { prompt: 5 }, 'prompt', /must be text/],
    ['bad source', { source: 'speaker' }, 'source', /microphone, system audio, microphone \+ system audio, or a device/],
    ['empty device', { source: 'device:' }, 'source', /device from the list/],
    ['frame too small', { frameMs: 20 }, 'frameMs', /from 50 to 400 ms; 20 is out of range/],
    ['frame not integer', { frameMs: 60.5 }, 'frameMs', /whole number/],
    ['bad preset', { preset: 'neon' }, 'preset', /Classic, High contrast, Light or Custom/],
    ['click-through not boolean', { clickThrough: 'yes' }, 'clickThrough', /on or off/],
    ['capture flag not boolean', { hideFromScreenCapture: 1 }, 'hideFromScreenCapture', /on or off/],
    ['history not boolean', { historyEnabled: 'no' }, 'historyEnabled', /on or off/],
    ['port too low', { overlayServer: { enabled: true, port: 80, host: '127.0.0.1' } }, 'overlayServer.port', /1024 to 65535/],
    ['host not an address', { overlayServer: { enabled: true, port: 8000, host: 'my tablet' } }, 'overlayServer.host', /not an IP address/],
    ['overlay server not an object', { overlayServer: 1 }, 'overlayServer', /group of options/],
    ['style not an object', { style: 'big' }, 'style', /group of options/],
    ['hotkeys not an object', { hotkeys: [] }, 'hotkeys', /group of options/],
  ];
  it.each(cases)('%s', (_name, over, path, message) => {
    expect(errorAt(over, path)).toMatch(message);
  });

  const styleCases: [string, unknown, RegExp][] = [
    ['fontFamily', 'Arial; color: red', /font family name/],
    ['fontSize', 8, /Text size must be from 12 to 120 pixels/],
    ['fontSize', 20.5, /whole number/],
    ['fontWeight', 450, /multiple of 100/],
    ['fontWeight', 1000, /300 to 900/],
    ['textColor', 'white', /#rrggbb/],
    ['backgroundColor', '#12345', /#rrggbb/],
    ['backgroundOpacity', 1.5, /0 to 1/],
    ['effect', 'glow', /none, outline or shadow/],
    ['letterSpacing', 1, /-0\.05 to 0\.5 em/],
    ['lineHeight', 0.5, /1 to 2\.5/],
    ['partialColor', 'grey', /or empty for the text colour/],
    ['lines', 0, /Lines shown must be from 1 to 10/],
    ['lines', 11, /1 to 10/],
    ['clearAfterSeconds', 2, /0 \(never\) or a whole number of seconds from 3 to 60/],
    ['clearAfterSeconds', 61, /3 to 60/],
  ];
  it.each(styleCases)('style.%s = %j', (field, value, message) => {
    const { settings, errors } = parse({ style: { ...DEFAULT_STYLE, [field]: value } });
    expect(errors.map((e) => e.path)).toEqual([`style.${field}`]);
    expect(errors[0]!.message).toMatch(message);
    expect(settings.style[field as keyof typeof DEFAULT_STYLE]).toEqual(DEFAULT_STYLE[field as keyof typeof DEFAULT_STYLE]);
  });

  it('keeps valid fields when others are invalid', () => {
    const { settings, errors } = parse({ style: { ...DEFAULT_STYLE, fontSize: 48, lines: 99 }, prompt: 'Kubernetes, Earshot' });
    expect(settings.style.fontSize).toBe(48);
    expect(settings.style.lines).toBe(DEFAULT_STYLE.lines);
    expect(settings.prompt).toBe('Kubernetes, Earshot');
    expect(errors.map((e) => e.path)).toEqual(['style.lines']);
  });

  it('checks the model, language and frame size against the chosen provider', () => {
    const ok = parse({ provider: 'assemblyai', model: 'universal-streaming-multilingual', language: 'de', frameMs: 1000 });
    expect(ok.errors).toEqual([]);
    const english = parse({ provider: 'assemblyai', model: 'universal-streaming-english', language: 'de' });
    expect(errorsByPath(english.errors).language).toMatch(/universal-streaming-english does not support "de" \(German\).*en \(English\)/);
    const deepgram = parse({ provider: 'deepgram', model: 'nova-3', language: 'es-419', frameMs: 300 });
    expect(Object.keys(errorsByPath(deepgram.errors))).toEqual(['frameMs']);
  });

  it('offers "detect automatically" only where the service can detect the language', () => {
    expect(parse({ provider: 'fireworks', language: '' }).errors).toEqual([]);
    expect(parse({ provider: 'openai', model: 'gpt-4o-transcribe', language: '', frameMs: 50 }).errors).toEqual([]);
    expect(errorsByPath(parse({ provider: 'together', model: 'openai/whisper-large-v3', language: '', frameMs: 100 }).errors).language)
      .toMatch(/Together AI cannot detect the spoken language/);
    expect(errorsByPath(parse({ provider: 'deepgram', model: 'nova-3', language: '', frameMs: 50 }).errors).language).toMatch(/Multilingual/);
    // Switching to a provider that cannot detect does not leave an invalid "automatic" behind.
    expect(parse({ provider: 'together', model: 'openai/whisper-large-v3', frameMs: 100 }).settings.language).toBe('en');
  });

  it('allows unlisted models when an endpoint override is set', () => {
    const { errors, settings } = parse({ endpoint: 'ws://127.0.0.1:9000/x', model: 'my-model' });
    expect(errors).toEqual([]);
    expect(settings.model).toBe('my-model');
  });

  it('accepts an empty language (automatic) and every Fireworks code', () => {
    expect(parse({ language: '' }).errors).toEqual([]);
    for (const code of ['zh-hant', 'zh-hans', 'yue', 'haw', 'jw']) expect(parse({ language: code }).errors).toEqual([]);
  });

  describe('hotkeys', () => {
    const hk = (hotkeys: Partial<Settings['hotkeys']>) => parse({ hotkeys: { ...DEFAULT_SETTINGS.hotkeys, ...hotkeys } });

    it('normalizes aliases and allows an empty (disabled) shortcut', () => {
      const { settings, errors } = hk({ pause: 'ctrl+shift+p', clickThrough: '' });
      expect(errors).toEqual([]);
      expect(settings.hotkeys.pause).toBe('Control+Shift+P');
      expect(settings.hotkeys.clickThrough).toBe('');
    });

    it.each([
      ['CommandOrControl+Shift', /only modifiers/],
      ['Shift+Foo', /"Foo" is not a key/],
      ['Ctrl++', /empty part.*Plus/],
      ['A', /no modifier/],
      ['Ctrl+A+B', /two keys/],
      ['Ctrl+Ctrl+A', /repeats the modifier/],
      ['A+Ctrl', /modifiers \(Control\) go before the key/],
    ])('%s is refused', (value, message) => {
      const { errors, settings } = hk({ pause: value });
      expect(errors).toHaveLength(1);
      expect(errors[0]!.path).toBe('hotkeys.pause');
      expect(errors[0]!.message).toMatch(/^Pause \/ resume: /);
      expect(errors[0]!.message).toMatch(message);
      expect(settings.hotkeys.pause).toBe(DEFAULT_SETTINGS.hotkeys.pause);
    });

    it('accepts F-keys and media keys without a modifier', () => {
      expect(hk({ pause: 'F9', clickThrough: 'MediaPlayPause' }).errors).toEqual([]);
    });

    it('refuses the same shortcut twice', () => {
      const { errors } = hk({ pause: 'CmdOrCtrl+Shift+H' });
      expect(errors.map((e) => e.path)).toEqual(['hotkeys.pause']);
      expect(errors[0]!.message).toMatch(/already used for "Show \/ hide captions"/);
    });
  });
});
