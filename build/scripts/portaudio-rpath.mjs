// electron-builder beforePack hook: makes naudiodon2's add-on find PortAudio beside itself.
//
// node-gyp links naudiodon.node with an absolute RUNPATH into the build tree
// (node_modules/naudiodon2/build/Release), so an installed copy (deb, AppImage) cannot load
// libportaudio.so.2. Setting the RUNPATH to $ORIGIN makes the loader look in the add-on's own
// folder wherever it is; libportaudio.so.2 already sits there and electron-builder.yml unpacks
// both from app.asar. The add-on is patched in node_modules, before electron-builder copies and
// hashes it, so the copy in the package and the asar header agree; the development tree keeps
// working because $ORIGIN is that same folder.
//
// macOS and Windows need nothing here: naudiodon2 links with -rpath @loader_path against
// @rpath/libportaudio.dylib, and Windows loads portaudio_x64.dll from the add-on's folder.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const ORIGIN = '$ORIGIN';

/** The folder of naudiodon2's compiled add-on, resolved from `projectDir`. */
export function addonDir(projectDir) {
  const pkg = createRequire(join(projectDir, 'package.json')).resolve('naudiodon2/package.json');
  return join(dirname(pkg), 'build', 'Release');
}

/** Sets the add-on's RUNPATH to $ORIGIN (idempotent) and returns the add-on's path. */
export function useOriginRunpath(dir) {
  const addon = join(dir, 'naudiodon.node');
  for (const file of [addon, join(dir, 'libportaudio.so.2')]) {
    if (!existsSync(file)) throw new Error(`${file} is missing; run \`npm rebuild naudiodon2\` first`);
  }
  const patchelf = (...args) => execFileSync('patchelf', args, { encoding: 'utf8' }).trim();
  try {
    if (patchelf('--print-rpath', addon) !== ORIGIN) {
      // patchelf rewrites its file in place; a process that has the add-on loaded (a running
      // `npm start`, a capture test) would see its mapped code change. Patch a copy and rename it.
      const copy = `${addon}.${process.pid}.tmp`;
      copyFileSync(addon, copy);
      patchelf('--set-rpath', ORIGIN, copy);
      renameSync(copy, addon);
    }
  } catch (err) {
    const why = err.code === 'ENOENT' ? 'patchelf is not installed (Debian/Ubuntu: apt-get install patchelf)' : err.message;
    throw new Error(`cannot point ${addon} at its own folder: ${why}`);
  }
  const runpath = patchelf('--print-rpath', addon);
  if (runpath !== ORIGIN) throw new Error(`${addon} still has RUNPATH ${runpath}`);
  return addon;
}

export default async function beforePack(context) {
  if (context.electronPlatformName !== 'linux') return;
  const addon = useOriginRunpath(addonDir(context.packager.projectDir));
  console.log(`  • naudiodon.node RUNPATH set to ${ORIGIN}  file=${addon}`);
}
