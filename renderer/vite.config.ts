/**
 * One Vite project for every window: overlay, settings and history. Output goes to
 * out/renderer with relative asset URLs ('./'), so the same files load from the app://
 * protocol, from disk and from the HTTP overlay server at /overlay.
 */
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: './',
  publicDir: false,
  plugins: [svelte({ configFile: false })],
  build: {
    outDir: here('../out/renderer'),
    emptyOutDir: true,
    // Electron 45 is Chromium 140; OBS 30's browser source is Chromium 103; tablets run recent Safari.
    target: ['chrome103', 'firefox115', 'safari16'],
    // The polyfill would need an inline script, which the pages' CSP forbids.
    modulePreload: { polyfill: false },
    // Scripts stay files: the pages' CSP (script-src 'self') refuses a data: URL, and a
    // worklet module loaded from one fails with AbortError. Images and fonts may inline.
    assetsInlineLimit: (file) => (file.endsWith('.js') ? false : undefined),
    sourcemap: false,
    rollupOptions: {
      input: {
        overlay: here('overlay.html'),
        settings: here('settings.html'),
        history: here('history.html'),
        capture: here('capture.html'),
      },
    },
  },
  server: {
    fs: { allow: [here('..')] },
  },
});
