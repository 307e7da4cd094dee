/**
 * The Linux package, built for real by electron-builder (`--linux dir deb`) with electron-builder.yml,
 * then moved elsewhere as an installer would, and inspected there.
 *
 * Two tools are stood in for, because they would be downloaded: Electron (a small file carrying
 * Electron's fuse wire, which electron-builder only copies, renames and flips fuses in) and fpm,
 * which would turn the folder into a .deb (a recorder that keeps the command line electron-builder
 * built, i.e. the deb's control metadata). Downloads are pointed at a dead proxy, so a build that
 * tries to fetch anything fails here.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);
const asar = require('@electron/asar') as typeof import('@electron/asar');
const fuses = require('@electron/fuses') as typeof import('@electron/fuses');
const yaml = require('js-yaml') as { load(text: string): unknown };
const config = yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<string, any>;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
const { SENTINEL, FuseState } = require('@electron/fuses/dist/constants') as { SENTINEL: string; FuseState: Record<string, number> };
const FpmTarget = require('app-builder-lib/out/targets/FpmTarget').default as { prototype: { getDefaultDepends(t: string): string[] } };

const work = mkdtempSync(join(tmpdir(), 'earshot-package-'));
const installed = join(work, 'installed', 'Earshot'); // where the package ends up
const fpmRecord = join(work, 'fpm.json');

/** Index of each configured fuse on the wire, e.g. runAsNode -> FuseV1Options.RunAsNode. */
const configuredFuses = Object.entries(config.electronFuses as Record<string, boolean>).map(([key, on]) => {
  const index = (fuses.FuseV1Options as unknown as Record<string, number>)[key[0].toUpperCase() + key.slice(1)];
  return { key, index, state: on ? FuseState.ENABLE : FuseState.DISABLE };
});

/** Electron's executable as far as electron-builder cares: the fuse wire, every fuse the opposite of its configured state. */
function standInElectron(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const wire = Buffer.alloc(8, FuseState.ENABLE);
  for (const f of configuredFuses) wire[f.index] = f.state === FuseState.ENABLE ? FuseState.DISABLE : FuseState.ENABLE;
  const body = Buffer.concat([Buffer.from('#!/bin/sh\nexit 0\n# '), Buffer.from(SENTINEL), Buffer.from([1, wire.length]), wire, Buffer.from('\n')]);
  writeFileSync(join(dir, 'electron'), body, { mode: 0o755 });
  writeFileSync(join(dir, 'LICENSE'), 'stand-in\n');
}

/** fpm as far as the test cares: records its arguments and the .desktop file it was handed. */
function fpmRecorder(file: string): void {
  writeFileSync(
    file,
    `#!${process.execPath}
const fs = require('fs');
const argv = process.argv.slice(2);
const desktop = argv.find((a) => a.endsWith('.desktop') && a.includes('=/usr/share/applications/'));
fs.writeFileSync(${JSON.stringify(fpmRecord)}, JSON.stringify({ argv, desktop: desktop ? fs.readFileSync(desktop.split('=')[0], 'utf8') : null }));
fs.writeFileSync(argv[argv.indexOf('--package') + 1], '');
`,
  );
  chmodSync(file, 0o755);
}

/** Every environment variable minus the loader's search path, plus a dead proxy for any download. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.LD_LIBRARY_PATH;
  delete env.LD_PRELOAD;
  return env;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd = root): Promise<string> {
  return new Promise((resolveRun, reject) => {
    execFile(cmd, args, { cwd, env, timeout: 240_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`.slice(-4000)));
      else resolveRun(stdout);
    });
  });
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)]));
}

let asarFiles: string[] = [];
let unpackedAddons: string[] = [];

beforeAll(async () => {
  const dist = join(work, 'electron-dist');
  standInElectron(dist);
  fpmRecorder(join(work, 'fpm'));
  const dead = 'http://127.0.0.1:9';
  await run(
    process.execPath,
    [
      require.resolve('electron-builder/cli.js'),
      '--linux', 'dir', 'deb',
      '--config', 'electron-builder.yml',
      `-c.electronDist=${dist}`,
      '-c.electronVersion=45.5.0',
      `-c.directories.output=${join(work, 'build')}`,
    ],
    cleanEnv({
      CUSTOM_FPM_PATH: join(work, 'fpm'),
      HTTP_PROXY: dead, HTTPS_PROXY: dead, http_proxy: dead, https_proxy: dead, npm_config_offline: 'true',
      ELECTRON_BUILDER_CACHE: join(work, 'empty-cache'),
    }),
  );
  mkdirSync(dirname(installed), { recursive: true });
  renameSync(join(work, 'build', 'linux-unpacked'), installed);
  rmSync(join(work, 'build'), { recursive: true, force: true });
  asarFiles = asar.listPackage(join(installed, 'resources', 'app.asar'), { isPack: false }).map((f) => f.replaceAll('\\', '/'));
  unpackedAddons = walk(installed).filter((f) => f.endsWith('.node'));
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the Linux package, moved away from the build tree', () => {
  it('has native add-ons only outside app.asar, and each resolves all its libraries, PortAudio from its own folder', () => {
    expect(asarFiles.filter((f) => f.endsWith('.node')).every((f) => existsSync(join(installed, 'resources', 'app.asar.unpacked', f)))).toBe(true);
    expect(unpackedAddons.map((f) => relative(installed, f))).toEqual(['resources/app.asar.unpacked/node_modules/naudiodon2/build/Release/naudiodon.node']);
    for (const addon of unpackedAddons) {
      const ldd = execFileSync('ldd', [addon], { encoding: 'utf8', env: cleanEnv() });
      expect(ldd, addon).not.toMatch(/not found/);
      const portaudio = /libportaudio\.so\.2 => (\S+)/.exec(ldd)?.[1];
      expect(portaudio && dirname(portaudio), ldd).toBe(dirname(addon));
    }
  });

  it('loads the moved add-on in Node, which lists host APIs and devices with PortAudio mapped from beside it', async () => {
    const [addon] = unpackedAddons;
    const script = `
      const m = { exports: {} };
      process.dlopen(m, ${JSON.stringify(addon)});
      const maps = require('fs').readFileSync('/proc/self/maps', 'utf8');
      const libs = [...new Set(maps.split('\\n').map((l) => l.split(/\\s+/)[5]).filter((p) => p && /portaudio|\\.node$/.test(p)))];
      console.log(JSON.stringify({ exports: Object.getOwnPropertyNames(m.exports).sort(), apis: m.exports.getHostAPIs().HostAPIs.map((h) => h.name), devices: Array.isArray(m.exports.getDevices()), libs }));`;
    const out = JSON.parse((await run(process.execPath, ['-e', script], cleanEnv(), work)).trim().split('\n').pop() as string);
    expect(out.exports).toEqual(['create', 'getDevices', 'getHostAPIs']);
    expect(out.apis).toContain('ALSA');
    expect(out.devices).toBe(true);
    expect(out.libs.sort()).toEqual([join(dirname(addon), 'libportaudio.so.2'), addon].sort());
  });

  it("runs the packaged capture code in Node: Earshot's own loader lists input devices from the package", async () => {
    const extracted = join(work, 'extracted');
    asar.extractAll(join(installed, 'resources', 'app.asar'), extracted); // unpacked files come along
    const script = `import(${JSON.stringify(join(extracted, 'out/main/audio/portaudio-source.js'))})
      .then((m) => m.listInputDevices())
      .then((d) => console.log(JSON.stringify({ ok: Array.isArray(d), crashLog: require('fs').existsSync('crash.log') })));`;
    const out = (await run(process.execPath, ['-e', script], cleanEnv(), work)).trim().split('\n').pop();
    expect(JSON.parse(out as string)).toEqual({ ok: true, crashLog: false });
  });

  it("runs the packaged echo canceller in Node: Earshot's own loader finds AEC3's WebAssembly in the package", async () => {
    const extracted = join(work, 'extracted-aec');
    asar.extractAll(join(installed, 'resources', 'app.asar'), extracted);
    const script = `import(${JSON.stringify(join(extracted, 'out/main/audio/echo-canceller.js'))})
      .then((m) => m.loadAec3(16000))
      .then((e) => console.log(JSON.stringify({ block: e.block, out: e.process(new Float32Array(e.block)).length })));`;
    const out = (await run(process.execPath, ['-e', script], cleanEnv(), work)).trim().split('\n').pop();
    expect(JSON.parse(out as string)).toEqual({ block: 160, out: 160 });
  });

  it('unpacks exactly the add-on files electron-builder hashed into the asar header', () => {
    for (const file of walk(join(installed, 'resources', 'app.asar.unpacked'))) {
      const inArchive = relative(join(installed, 'resources', 'app.asar.unpacked'), file);
      const meta = asar.statFile(join(installed, 'resources', 'app.asar'), inArchive) as { unpacked?: boolean; integrity?: { hash: string } };
      expect(meta.unpacked, inArchive).toBe(true);
      expect(createHash('sha256').update(readFileSync(file)).digest('hex'), inArchive).toBe(meta.integrity?.hash);
    }
  });

  it('holds the pages, the preload, main and the capture worklet in app.asar', () => {
    for (const page of readdirSync(join(root, 'out/renderer')).filter((f) => f.endsWith('.html'))) expect(asarFiles).toContain(`/out/renderer/${page}`);
    expect(asarFiles).toEqual(expect.arrayContaining(['/package.json', `/${pkg.main}`, '/out/main/preload/preload.cjs']));
    // Vite inlines a small worklet as a data: URL in the capture page's script, else emits a file.
    const scripts = asarFiles.filter((f) => f.startsWith('/out/renderer/') && f.endsWith('.js'));
    const text = scripts
      .map((f) => asar.extractFile(join(installed, 'resources', 'app.asar'), f.slice(1)).toString('utf8'))
      .flatMap((js) => [js, ...[...js.matchAll(/data:text\/javascript;base64,([A-Za-z0-9+/=]+)/g)].map((m) => Buffer.from(m[1], 'base64').toString('utf8'))]);
    expect(text.some((t) => t.includes("registerProcessor('pcm-tap'") || t.includes('registerProcessor("pcm-tap"'))).toBe(true);
  });

  it('leaves out tests, source maps, devDependencies and segfault-handler', () => {
    expect(asarFiles.filter((f) => f.startsWith('/out/test') || f.endsWith('.map'))).toEqual([]);
    // A scoped package is @scope/name; the bare @scope folder is not a module of its own.
    const modules = [...new Set(asarFiles.map((f) => /^(.*\/node_modules\/(?:@[^/]+\/[^/]+|[^@/][^/]*))(?:\/|$)/.exec(f)?.[1]).filter((m): m is string => !!m))];
    expect(modules.length).toBeGreaterThan(0);
    // package-lock.json marks everything only devDependencies need with "dev": true.
    expect(modules.filter((m) => !lock.packages[m.slice(1)] || lock.packages[m.slice(1)].dev === true)).toEqual([]);
    for (const name of ['vitest', 'svelte', 'playwright-core', 'electron', 'typescript']) expect(modules).not.toContain(`/node_modules/${name}`);
    const everything = [...asarFiles, ...walk(installed).map((f) => relative(installed, f))];
    expect(everything.filter((f) => /segfault-handler/.test(f))).toEqual([]);
  });

  it('has the fuses electron-builder.yml sets, read back from the executable', async () => {
    const wire = (await fuses.getCurrentFuseWire(join(installed, config.linux.executableName))) as unknown as Record<number, number>;
    expect(configuredFuses).toHaveLength(8);
    for (const f of configuredFuses) expect({ [f.key]: wire[f.index] }).toEqual({ [f.key]: f.state });
  });

  it("hands fpm a deb with electron-builder's default dependencies plus ALSA, a homepage and a reverse-DNS desktop entry", () => {
    const { argv, desktop } = JSON.parse(readFileSync(fpmRecord, 'utf8')) as { argv: string[]; desktop: string };
    const values = (flag: string) => argv.flatMap((a, i) => (a === flag ? [argv[i + 1]] : []));
    expect(values('-d')).toEqual(expect.arrayContaining([...FpmTarget.prototype.getDefaultDepends('deb'), 'libasound2']));
    expect(values('--url')).toEqual([pkg.homepage]);
    const appId = pkg.desktopName.replace(/\.desktop$/, '');
    expect(appId).toMatch(/^[a-z][a-z0-9-]*(\.[a-zA-Z][a-zA-Z0-9_-]*){2,}$/);
    expect(argv.some((a) => a.endsWith(`=/usr/share/applications/${appId}.desktop`))).toBe(true);
    expect(desktop).toMatch(new RegExp(`^StartupWMClass=${appId.replaceAll('.', '\\.')}$`, 'm'));
  });
});
