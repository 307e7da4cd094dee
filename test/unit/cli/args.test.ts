import { describe, expect, it } from 'vitest';
import { parseCli, formatFromExtension, USAGE } from '../../../main/cli/args.js';
import { EarshotError } from '../../../shared/errors.js';

function err(argv: string[]): EarshotError {
  try {
    parseCli(argv);
  } catch (e) {
    if (e instanceof EarshotError) return e;
    throw e;
  }
  throw new Error(`expected ${argv.join(' ')} to be refused`);
}

describe('parseCli', () => {
  it('defaults to help and knows version', () => {
    expect(parseCli([])).toEqual({ command: 'help' });
    expect(parseCli(['--version'])).toEqual({ command: 'version' });
    expect(parseCli(['devices', '--json'])).toEqual({ command: 'devices', json: true });
  });

  it('parses a full caption command', () => {
    const c = parseCli(['caption', '--source', 'file:/tmp/a.wav', '--model', 'fireworks-asr-v2', '--frame-ms', '100',
      '--speed', '4', '--out', 'x.SRT', '--language', 'de', '--prompt', 'Earshot', '--overlay-port', '0']);
    expect(c).toMatchObject({
      command: 'caption', source: 'file:/tmp/a.wav', provider: 'fireworks', model: 'fireworks-asr-v2',
      frameMs: 100, speed: 4, out: 'x.SRT', format: 'srt', language: 'de', prompt: 'Earshot', overlayPort: 0,
      overlayHost: '127.0.0.1', backlogSeconds: 180,
    });
  });

  it('parses a meeting: two sources, their labels and echo suppression', () => {
    const c = parseCli(['caption', '--source', 'mic+system']);
    expect(c).toMatchObject({ source: 'mic+system', labels: ['You', 'Others'], echo: { audio: true, text: true } });
    expect(c.command === 'caption' && c.sources.map((t) => t.kind)).toEqual(['mic', 'system']);
    expect(parseCli(['caption', '--source', 'mic+system', '--labels', 'Me, Them', '--echo', 'off'])).toMatchObject({ labels: ['Me', 'Them'], echo: false });
    expect(parseCli(['caption', '--source', 'mic+system', '--echo', 'text'])).toMatchObject({ echo: { audio: false, text: true } });
    expect(parseCli(['caption', '--source', 'file:/a.wav+file:"/b+c.wav"', '--speed', '4'])).toMatchObject({ speed: 4 });
  });

  it('uses provider defaults', () => {
    const c = parseCli(['caption']);
    expect(c).toMatchObject({ source: 'mic', provider: 'fireworks', model: 'fireworks-asr-large', frameMs: 50, speed: 1, format: undefined });
  });

  it.each([
    [['caption', '--frame-ms', '20'], /between 50 and 400/],
    [['caption', '--frame-ms', '500'], /between 50 and 400/],
    [['caption', '--frame-ms', 'abc'], /must be a number/],
    [['caption', '--source', 'speaker'], /mic, system, device:ID or file:PATH/],
    [['caption', '--provider', 'nope'], /fireworks, together/],
    [['caption', '--model', 'whisper'], /fireworks-asr-large, fireworks-asr-v2/],
    [['caption', '--out', 'a.txt', '--format', 'json'], /--format json contradicts --out a\.txt/],
    [['caption', '--source', 'mic', '--speed', '2'], /--speed only applies to --source file/],
    [['caption', '--source', 'system', '--speed', '1'], /--speed only applies to --source file/],
    [['caption', '--source', 'file:/a.wav+mic', '--speed', '2'], /mic is live audio/],
    [['caption', '--source', 'file:/a+b.wav'], /quote it: file:"take\+1\.wav"/],
    [['caption', '--source', 'mic+system+file:/a.wav'], /one source or two joined by "\+"/],
    [['caption', '--source', 'mic+system', '--labels', 'Me'], /--labels needs 2 names/],
    [['caption', '--source', 'mic+system', '--labels', 'Me,Me'], /--labels must differ/],
    [['caption', '--source', 'mic+system', '--echo', 'maybe'], /--echo must be on, off, audio or text/],
    [['caption', '--provider', 'together', '--temperature', '0'], /--temperature is only used by fireworks/],
    [['caption', '--endpoint', 'http://127.0.0.1:9/x'], /--endpoint: scheme http is not allowed/],
    [['caption', '--endpoint', 'ws://10.0.0.2/x'], /--endpoint: ws:\/\/ is only allowed for loopback/],
    [['caption', '--format', 'srt'], /needs --out/],
    [['caption', '--format', 'docx', '--out', 'a.txt'], /json, srt, vtt, txt/],
    [['caption', '--bogus'], /bogus/],
    [['caption', '--speed', '0'], /between 0.25 and 50/],
    [['caption', '--backlog-seconds', '30'], /between 120 and 3600/],
    [['caption', '--language', 'English please'], /language code/],
    [['transcribe'], /needs the path of a recording/],
    [['transcribe', 'a.wav', '--diarize', '--translate'], /cannot be combined/],
    [['subtitle'], /Unknown command "subtitle" \(expected "caption", "transcribe" or "devices"\)/],
  ])('refuses %j with a message that says what is allowed', (argv, pattern) => {
    const e = err(argv as string[]);
    expect(e.code).toBe('BAD_ARGUMENT');
    expect(e.message).toMatch(pattern);
    expect(e.message).toMatch(/earshot --help/);
  });

  it('takes the format from the extension, case-insensitively', () => {
    expect(formatFromExtension('a/b/c.VTT')).toBe('vtt');
    expect(formatFromExtension('out.json')).toBe('json');
    expect(formatFromExtension('out')).toBeUndefined();
  });

  it('--format names the format of an --out without a transcript extension, and must agree with one', () => {
    expect(parseCli(['caption', '--out', 'a.log', '--format', 'json'])).toMatchObject({ format: 'json' });
    expect(parseCli(['caption', '--out', 'a.TXT', '--format', 'txt'])).toMatchObject({ format: 'txt' });
    // Without either, the path is checked first (a folder gets that answer); see check-output.
    expect(parseCli(['caption', '--out', 'notes.doc'])).toMatchObject({ format: undefined });
  });

  it('collects repeated --option name=value pairs for the provider', () => {
    expect(parseCli(['caption', '--provider', 'assemblyai', '--option', 'region=eu', '--option', 'format_turns=true']))
      .toMatchObject({ extra: { region: 'eu', format_turns: 'true' } });
    expect(parseCli(['caption'])).toMatchObject({ extra: {} });
    expect(err(['caption', '--option', 'novalue']).message).toMatch(/name=value/);
  });

  it('frame limits follow the provider', () => {
    expect(parseCli(['caption', '--provider', 'assemblyai', '--frame-ms', '1000'])).toMatchObject({ frameMs: 1000 });
    expect(err(['caption', '--provider', 'together', '--frame-ms', '50']).message).toMatch(/between 100 and 256/);
  });
});

describe('caption --speakers', () => {
  it('is off unless given, and on for the providers that label speakers live', () => {
    expect(parseCli(['caption'])).toMatchObject({ speakers: false });
    expect(parseCli(['caption', '--provider', 'assemblyai', '--speakers'])).toMatchObject({ provider: 'assemblyai', speakers: true });
    expect(parseCli(['caption', '--provider', 'deepgram', '--speakers'])).toMatchObject({ provider: 'deepgram', speakers: true });
  });

  it.each(['fireworks', 'together', 'openai'])('is refused for %s as bad usage, naming the providers that can', (provider) => {
    const e = err(['caption', '--provider', provider, '--speakers']);
    expect(e.code).toBe('BAD_ARGUMENT');
    expect(e.message).toMatch(/cannot label speakers live/);
    expect(e.message).toMatch(/--provider assemblyai or deepgram/);
    expect(e.message).toMatch(/earshot transcribe --diarize/);
  });

  it('is in --help with the providers that can and those that cannot', () => {
    expect(USAGE).toMatch(/--speakers .*\n.*live: assemblyai, deepgram; refused for fireworks, together, openai/);
  });
});
