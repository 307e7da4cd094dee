/**
 * Import rules from style.md, enforced by reading import lines, so a wrong dependency
 * fails CI instead of review.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

function walk(dir: string, out: string[] = []): string[] {
  let entries: string[] = [];
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (/\.(ts|cts|mts|svelte)$/.test(name) && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

interface ImportRef { file: string; spec: string; resolved: string | null }

const importPattern = /(?:^|\n)\s*(?:import|export)\s[^'"`]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): ImportRef[] {
  const text = readFileSync(file, 'utf8');
  const refs: ImportRef[] = [];
  for (const m of text.matchAll(importPattern)) {
    const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
    if (!spec) continue;
    const resolved = spec.startsWith('.') ? relative(root, resolve(dirname(file), spec)).split(sep).join('/') : null;
    refs.push({ file: relative(root, file).split(sep).join('/'), spec, resolved });
  }
  return refs;
}

const files = [...walk(join(root, 'main')), ...walk(join(root, 'shared')), ...walk(join(root, 'renderer'))];
const all = files.flatMap(importsOf);
const pkgOf = (spec: string) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);

function violations(pred: (r: ImportRef) => boolean): string[] {
  return all.filter(pred).map((r) => `${r.file} imports ${r.spec}`);
}

describe('architecture', () => {
  it('finds the source tree', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it('only main/app and main/preload import electron', () => {
    expect(violations((r) => !r.resolved && (pkgOf(r.spec) === 'electron' || r.spec.startsWith('electron/'))
      && !r.file.startsWith('main/app/') && !r.file.startsWith('main/preload/'))).toEqual([]);
  });

  it('shared/ imports nothing outside itself', () => {
    expect(violations((r) => r.file.startsWith('shared/') && (r.resolved === null || !r.resolved.startsWith('shared/')))).toEqual([]);
  });

  it('one importer per native or I/O dependency', () => {
    expect(violations((r) => !r.resolved && pkgOf(r.spec) === 'naudiodon2' && r.file !== 'main/audio/portaudio-source.ts')).toEqual([]);
    expect(violations((r) => !r.resolved && pkgOf(r.spec) === 'ws' && r.file !== 'main/stt/ws-transport.ts')).toEqual([]);
  });

  it('audio and stt never import each other', () => {
    expect(violations((r) => r.file.startsWith('main/audio/') && !!r.resolved?.startsWith('main/stt/'))).toEqual([]);
    expect(violations((r) => r.file.startsWith('main/stt/') && !!r.resolved?.startsWith('main/audio/'))).toEqual([]);
  });

  it('layers point downwards: app -> pipeline -> {audio, stt, captions, overlay, prerecorded} -> shared', () => {
    const lower = ['main/audio/', 'main/stt/', 'main/captions/', 'main/overlay/', 'main/prerecorded/', 'main/util/'];
    const upper = ['main/pipeline/', 'main/app/', 'main/cli/', 'main/preload/'];
    expect(violations((r) => lower.some((l) => r.file.startsWith(l)) && upper.some((u) => !!r.resolved?.startsWith(u)))).toEqual([]);
    expect(violations((r) => r.file.startsWith('main/pipeline/') && (!!r.resolved?.startsWith('main/app/') || !!r.resolved?.startsWith('main/cli/')))).toEqual([]);
    expect(violations((r) => r.file.startsWith('main/') && !!r.resolved?.startsWith('renderer/'))).toEqual([]);
  });

  it('renderer imports only shared, svelte and itself', () => {
    expect(violations((r) => r.file.startsWith('renderer/') && !r.file.endsWith('vite.config.ts')
      && (r.resolved ? !(r.resolved.startsWith('renderer/') || r.resolved.startsWith('shared/')) : !pkgOf(r.spec).startsWith('svelte')))).toEqual([]);
  });

  it('core code takes time and chance from injected ports', () => {
    const core = files.filter((f) => /\/(main\/(stt|captions|pipeline|prerecorded))\//.test(f.split(sep).join('/')));
    const offenders = core.filter((f) => /\bMath\.random\(|\bDate\.now\(/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(root, f));
    expect(offenders).toEqual([]);
  });
});
