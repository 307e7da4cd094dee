/**
 * The real naudiodon2 add-on, loaded the way Earshot loads it: the .node alone, without the
 * package's index.js and its segfault-handler (a NAN add-on that would need an Electron rebuild
 * and writes crash.log into the working directory).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickInputDevice } from '../../main/audio/device-match.js';
import { loadNaudiodon } from '../../main/audio/portaudio-source.js';
import { ensurePulse } from './pulse-env.js';

const root = resolve(import.meta.dirname, '../..');
const cwd = mkdtempSync(join(tmpdir(), 'earshot-load-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('loading PortAudio', () => {
  it('maps naudiodon.node and PortAudio but no other add-on, and writes nothing into the working directory', async () => {
    const script = `import(${JSON.stringify(join(root, 'out/main/audio/portaudio-source.js'))})
      .then((m) => m.listInputDevices())
      .then((devices) => {
        const maps = require('fs').readFileSync('/proc/self/maps', 'utf8');
        const native = [...new Set(maps.split('\\n').map((l) => l.split(/\\s+/)[5]).filter((p) => p && /\\.node$|portaudio/.test(p)))];
        console.log(JSON.stringify({ devices: Array.isArray(devices), native }));
      });`;
    const stdout = await new Promise<string>((done, fail) =>
      execFile(process.execPath, ['-e', script], { cwd, timeout: 20_000 }, (err, out) => (err ? fail(err) : done(out))),
    );
    const { devices, native } = JSON.parse(stdout.trim().split('\n').pop() as string) as { devices: boolean; native: string[] };
    expect(devices).toBe(true);
    expect(native.map((p) => p.split('/').pop()).sort()).toEqual(['libportaudio.so.2', 'naudiodon.node']);
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe('a stream opened on the real add-on', () => {
  let unavailable: string | null = null;
  const savedXdg = process.env.XDG_RUNTIME_DIR;
  beforeAll(async () => {
    unavailable = await ensurePulse();
  });
  afterAll(() => {
    if (savedXdg === undefined) delete process.env.XDG_RUNTIME_DIR;
    else process.env.XDG_RUNTIME_DIR = savedXdg;
  });

  it('can be aborted before it starts, releasing the device', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    const b = await loadNaudiodon();
    const dev = pickInputDevice(b.getDevices(), 'pulse', undefined);
    const open = () =>
      b.AudioIO({
        inOptions: { deviceId: dev.id, sampleRate: 16000, channelCount: 1, sampleFormat: 16, maxQueue: 4, framesPerBuffer: 320, highwaterMark: 1280, closeOnError: false },
      });
    // naudiodon2's own index.js passed a callback to the add-on's quit(), which takes one argument and threw.
    for (let i = 0; i < 2; i++) {
      const stream = open();
      stream.on('data', () => undefined); // a pending native read, as when a source is closed before start()
      await new Promise<void>((done) => stream.abort(done));
    }
  });
});
