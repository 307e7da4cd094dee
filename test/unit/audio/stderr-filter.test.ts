import { describe, expect, it } from 'vitest';
import { AUDIO_STDERR_PREFIX, isAudioNoise, StderrFilter } from '../../../main/audio/stderr-filter.js';

// Captured from `earshot devices` and a stream open here (naudiodon2 2.5.0, PortAudio V19.7.0,
// alsa-lib 1.2.8, libjack without a server, PulseAudio null sink, no sound card): every distinct
// stderr line, as printed.
const REAL_STDERR_NOISE = `ALSA lib confmisc.c:160:(snd_config_get_card) Invalid field card
ALSA lib confmisc.c:165:(snd_config_get_card) Cannot get card index for 0
ALSA lib conf.c:5180:(_snd_config_evaluate) function snd_func_card_inum returned error: No such file or directory
ALSA lib confmisc.c:422:(snd_func_concat) error evaluating strings
ALSA lib conf.c:5180:(_snd_config_evaluate) function snd_func_concat returned error: No such file or directory
ALSA lib confmisc.c:1334:(snd_func_refer) error evaluating name
ALSA lib conf.c:5180:(_snd_config_evaluate) function snd_func_refer returned error: No such file or directory
ALSA lib conf.c:5703:(snd_config_expand) Evaluate error: No such file or directory
ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM sysdefault
ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM cards.pcm.front
ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM cards.pcm.rear
ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM cards.pcm.center_lfe
ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM cards.pcm.side
ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM cards.pcm.surround21
ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM cards.pcm.surround40
ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM cards.pcm.surround41
ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM cards.pcm.surround50
ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM cards.pcm.surround51
ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM cards.pcm.surround71
ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM cards.pcm.iec958
ALSA lib confmisc.c:855:(parse_card) cannot find card '0'
ALSA lib conf.c:5180:(_snd_config_evaluate) function snd_func_card_id returned error: No such file or directory
ALSA lib conf.c:5670:(snd_config_expand) Unknown parameters {AES0 0x6 AES1 0x82 AES2 0x0 AES3 0x2 CARD 0}
ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM iec958:{AES0 0x6 AES1 0x82 AES2 0x0 AES3 0x2 CARD 0}
ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM cards.pcm.hdmi
ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM cards.pcm.modem
ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM cards.pcm.phoneline
ALSA lib pcm_oss.c:397:(_snd_pcm_oss_open) Cannot open device /dev/dsp
ALSA lib pcm_a52.c:1001:(_snd_pcm_a52_open) a52 is only for playback
ALSA lib pcm_usb_stream.c:482:(_snd_pcm_usb_stream_open) Invalid card 'card'
ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM dmix
Cannot connect to server socket err = No such file or directory
Cannot connect to server request channel
jack server is not running or cannot be started
JackShmReadWritePtr::~JackShmReadWritePtr - Init not done for -1, skipping unlock
`;

// naudiodon's printf's on stdout when a stream opens and stops (captured here too).
const REAL_STDOUT_NOISE = `PortAudio V19.7.0-devel, revision 147dd722548358763a8b649b3e4b41dfffbcfbb6
Input audio options: device 0, sample rate 44100, channels 2, bits per sample 16, max queue 128, frames per buffer 882, close on error false
Input device name is pulse
Finishing input - 7056 bytes not available to fill the last buffer
`;

// Lines that must reach a person: a segfault-handler report (captured here from a SIGSEGV'd
// capture child), a Node warning, and alsa-lib-looking text that is not alsa-lib's format.
const WORTH_SEEING = [
  'PID 18822 received SIGSEGV for address: 0x497b',
  '/lib/x86_64-linux-gnu/libc.so.6(epoll_pwait+0x6e)[0x7f9becd26cae]',
  '(node:1234) Warning: Accessing non-existent property',
  'ALSA library is missing; install libasound2',
  'Cannot open the audio device: permission denied',
];

function collect(): { out: string[]; filter: StderrFilter } {
  const out: string[] = [];
  return { out, filter: new StderrFilter((t) => out.push(t)) };
}

describe('isAudioNoise', () => {
  it('recognises every real ALSA, JACK and naudiodon noise line', () => {
    const lines = (REAL_STDERR_NOISE + REAL_STDOUT_NOISE).trimEnd().split('\n');
    expect(lines.length).toBe(39);
    expect(lines.filter((l) => !isAudioNoise(l))).toEqual([]);
  });

  it("recognises PortAudio's ALSA host API assertion prints", () => {
    expect(isAudioNoise("Expression 'alsa_snd_pcm_hw_params_set_period_size_near( pcm, hwParams, &alsaPeriodFrames, &dir )' failed in 'src/hostapi/alsa/pa_linux_alsa.c', line: 924")).toBe(true);
  });

  it('keeps lines a person needs', () => {
    expect(WORTH_SEEING.filter((l) => isAudioNoise(l))).toEqual([]);
  });

  it('treats blank lines and CRLF endings as their content', () => {
    expect(isAudioNoise('')).toBe(true);
    expect(isAudioNoise('   \r')).toBe(true);
    expect(isAudioNoise('jack server is not running or cannot be started\r')).toBe(true);
  });
});

describe('StderrFilter', () => {
  it('drops the real noise and forwards the rest with a prefix, in order', () => {
    const { out, filter } = collect();
    const noise = REAL_STDERR_NOISE.trimEnd().split('\n');
    const mixed = [...noise.slice(0, 10), WORTH_SEEING[0], ...noise.slice(10), WORTH_SEEING[1], ''].join('\n');
    filter.push(Buffer.from(mixed));
    expect(out.join('')).toBe(`${AUDIO_STDERR_PREFIX}${WORTH_SEEING[0]}\n${AUDIO_STDERR_PREFIX}${WORTH_SEEING[1]}\n`);
    expect(filter.dropped).toBe(35);
  });

  it('reassembles lines split across reads at any byte', () => {
    const text = `${REAL_STDERR_NOISE}${WORTH_SEEING.join('\n')}\n${REAL_STDERR_NOISE}`;
    for (const step of [1, 7, 64, 1000]) {
      const { out, filter } = collect();
      for (let i = 0; i < text.length; i += step) filter.push(text.slice(i, i + step));
      filter.flush();
      expect(out.join('')).toBe(WORTH_SEEING.map((l) => `${AUDIO_STDERR_PREFIX}${l}\n`).join(''));
    }
  });

  it('holds an unterminated line until flush, and flush is idempotent', () => {
    const { out, filter } = collect();
    filter.push('Segmentation fault (core dum');
    expect(out).toEqual([]);
    filter.push('ped)');
    filter.flush();
    filter.flush();
    expect(out).toEqual([`${AUDIO_STDERR_PREFIX}Segmentation fault (core dumped)\n`]);
  });

  it('passes an endless line on in bounded pieces', () => {
    const { out, filter } = collect();
    filter.push('x'.repeat(10_000));
    expect(out.join('').length).toBeGreaterThan(8000);
    expect(out.join('').split('\n').every((l) => l.length <= 4096 + AUDIO_STDERR_PREFIX.length)).toBe(true);
  });

  it('remembers the last five lines it passed on', () => {
    const { filter } = collect();
    filter.push(`${['a', 'b', 'c', 'd', 'e', 'f', 'g'].join(`\n${REAL_STDERR_NOISE}`)}\n`);
    expect(filter.lastLines()).toEqual(['c', 'd', 'e', 'f', 'g']);
  });
});
