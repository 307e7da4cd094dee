/**
 * The preload, compiled as the build compiles it (CommonJS) and run in a VM the way a
 * sandboxed renderer runs it: only 'electron' may be required, only our pages get a bridge,
 * each page gets its own named methods, and ipcRenderer itself is never exposed.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const source = readFileSync(resolve(import.meta.dirname, '../../../main/preload/preload.cts'), 'utf8');
const compiled = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;

function load(href: string) {
  const exposed: Record<string, unknown> = {};
  const invoked: unknown[][] = [];
  const sent: unknown[][] = [];
  const listeners = new Map<string, ((e: unknown, p: unknown) => void)[]>();
  const required: string[] = [];
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => { exposed[key] = api; } },
    ipcRenderer: {
      invoke: async (ch: string, p: unknown) => { invoked.push([ch, p]); return `result:${ch}`; },
      send: (ch: string, p: unknown) => sent.push([ch, p]),
      on: (ch: string, l: (e: unknown, p: unknown) => void) => listeners.set(ch, [...(listeners.get(ch) ?? []), l]),
      removeListener: (ch: string, l: (e: unknown, p: unknown) => void) => listeners.set(ch, (listeners.get(ch) ?? []).filter((x) => x !== l)),
    },
  };
  const url = new URL(href);
  const exports = {};
  runInNewContext(compiled, {
    require: (name: string) => { required.push(name); if (name !== 'electron') throw new Error(`sandboxed preload cannot require ${name}`); return electron; },
    exports, module: { exports },
    location: { protocol: url.protocol, host: url.host, pathname: url.pathname },
  });
  const emit = (ch: string, p: unknown) => { for (const l of listeners.get(ch) ?? []) l({ sender: 'event' }, p); };
  return { exposed, invoked, sent, required, emit, listeners };
}

describe('preload', () => {
  it('requires nothing but electron', () => {
    expect(load('app://earshot/overlay.html').required).toEqual(['electron']);
  });

  it('exposes nothing to pages that are not ours', () => {
    for (const href of ['https://evil.example/settings.html', 'file:///tmp/settings.html', 'app://earshot/other.html', 'app://evil/settings.html']) {
      expect(load(href).exposed, href).toEqual({});
    }
  });

  it('gives each page only its own named methods', () => {
    const names = (href: string) => Object.keys(load(href).exposed.earshot as object).sort();
    expect(names('app://earshot/overlay.html')).toEqual(['getSnapshot', 'getStyle', 'hoverUnlock', 'on', 'resize', 'setClickThrough']);
    expect(names('app://earshot/settings.html')).toEqual(['clearKey', 'endPreview', 'get', 'listDevices', 'on', 'previewStyle', 'save', 'setKey', 'testLevel']);
    expect(names('app://earshot/history.html')).toEqual(['cancelTranscription', 'copy', 'exportAs', 'get', 'improve', 'on', 'resolveImproved', 'transcribeFile', 'transcriptionStatus']);
    expect(names('app://earshot/capture.html')).toEqual(['chunk', 'on', 'status']);
    const api = load('app://earshot/settings.html').exposed.earshot as Record<string, unknown>;
    for (const v of Object.values(api)) expect(typeof v).toBe('function');
    expect(JSON.stringify(Object.keys(api))).not.toMatch(/ipc|invoke|send/i);
  });

  it('maps methods to the contract\'s channels', async () => {
    const s = load('app://earshot/settings.html');
    const api = s.exposed.earshot as Record<string, (...a: unknown[]) => Promise<unknown>>;
    await api.save!({ a: 1 });
    await api.setKey!({ provider: 'fireworks', key: 'k', storage: 'disk' });
    await api.get!();
    expect(s.invoked).toEqual([['settings:save', { a: 1 }], ['keys:set', { provider: 'fireworks', key: 'k', storage: 'disk' }], ['settings:get', undefined]]);
    const c = load('app://earshot/capture.html');
    (c.exposed.earshot as Record<string, (p: unknown) => void>).status!({ state: 'stopped' });
    expect(c.sent).toEqual([['capture:status', { state: 'stopped' }]]);
  });

  it('subscribes to allowed push channels only, hides the event object and unsubscribes', () => {
    const o = load('app://earshot/overlay.html');
    const api = o.exposed.earshot as { on(ch: string, fn: (p: unknown) => void): () => void };
    const got: unknown[] = [];
    const off = api.on('status', (p) => got.push(p));
    o.emit('status', { kind: 'live' });
    off();
    o.emit('status', { kind: 'idle' });
    expect(got).toEqual([{ kind: 'live' }]);
    expect(() => api.on('keys:changed', () => {})).toThrow(/Unknown channel/);
  });
});
