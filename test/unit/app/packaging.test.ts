/**
 * electron-builder.yml's shape, checked against electron-builder's own schema plus the promises the
 * issue makes. test/e2e/package.test.ts builds the Linux package with it against a stand-in Electron.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
const config = yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<string, any>;

function pngSize(path: string): [number, number] {
  const b = readFileSync(path);
  expect(b.subarray(1, 4).toString()).toBe('PNG');
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

describe('electron-builder.yml', () => {
  it('is valid for electron-builder', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config');
    const { DebugLogger } = require('builder-util');
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('builds AppImage + deb, NSIS and a hardened dmg with the microphone entitlement', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.mac.extendInfo.NSMicrophoneUsageDescription).toMatch(/microphone/);
    const plist = readFileSync(join(root, config.mac.entitlements), 'utf8');
    expect(plist).toContain('<key>com.apple.security.device.audio-input</key>');
  });

  it('unpacks the native audio module and PortAudio from asar; ships no add-on that needs an Electron rebuild', () => {
    for (const ext of ['.node', '.so*', '.dylib', '.dll']) {
      expect(config.asarUnpack.some((g: string) => g.includes('naudiodon2/build/Release/') && g.endsWith(ext)), ext).toBe(true);
    }
    expect(config.npmRebuild).toBe(false);
    expect(config.files).toContain('!**/node_modules/{segfault-handler,nan,bindings,file-uri-to-path}{,/**/*}');
    expect(config.beforePack).toBe('./build/scripts/portaudio-rpath.mjs');
  });

  it("keeps electron-builder's default deb dependencies, adds ALSA, and names the app in reverse DNS", () => {
    const FpmTarget = require('app-builder-lib/out/targets/FpmTarget').default;
    const defaults: string[] = FpmTarget.prototype.getDefaultDepends('deb');
    expect(defaults).toContain('libsecret-1-0');
    expect(config.deb.depends).toEqual(expect.arrayContaining([...defaults, 'libasound2']));
    expect(config.deb.recommends).toEqual(expect.arrayContaining(FpmTarget.prototype.getDefaultRecommends('deb')));
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(new URL(pkg.homepage).protocol).toBe('https:');
    // Electron takes the Wayland app_id from desktopName; the .desktop file must carry the same name.
    expect(pkg.desktopName).toBe(`${config.appId}.desktop`);
    expect(config.appId).toMatch(/^[a-z][a-z0-9-]*(\.[a-zA-Z][a-zA-Z0-9_-]*){2,}$/);
    expect(config.linux.syncDesktopName).toBe(true);
  });

  it('ships only compiled output, including the CommonJS preload path main.ts uses', () => {
    expect(config.files).toEqual(expect.arrayContaining(['out/main/**/*', 'out/renderer/**/*']));
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.main).toBe('out/main/app/main.js');
    expect(existsSync(join(root, 'main/preload/preload.cts'))).toBe(true);
  });

  it('turns off the fuses the security checklist names', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false, enableNodeOptionsEnvironmentVariable: false, enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true, enableEmbeddedAsarIntegrityValidation: true, grantFileProtocolExtraPrivileges: false,
    });
  });

  it('has the icons it points at', () => {
    expect(pngSize(join(root, config.mac.icon))).toEqual([512, 512]);
    for (const s of [16, 32, 48, 256, 512]) expect(pngSize(join(root, config.linux.icon, `${s}x${s}.png`))).toEqual([s, s]);
    const ico = readFileSync(join(root, config.win.icon));
    expect(ico.readUInt16LE(2)).toBe(1); // icon type
    expect(ico.readUInt16LE(4)).toBeGreaterThanOrEqual(4);
    expect(existsSync(join(root, config.extraResources[0].from))).toBe(true);
  });
});
