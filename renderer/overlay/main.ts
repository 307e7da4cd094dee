import { mount } from 'svelte';
import { pageQuery, selectBridge } from '../lib/bridge.js';
import { OverlayStore } from '../lib/overlay-store.svelte.js';
import { parsePageOptions } from '../lib/page-options.js';
import { createCanvasMeasure } from '../lib/text-measure.js';
import App from './App.svelte';
import './overlay.css';

const store = new OverlayStore(selectBridge(), {
  timers: {
    now: () => performance.now(),
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    clearTimeout: (h) => window.clearTimeout(h as number),
  },
  requestFrame: (fn) => { window.requestAnimationFrame(() => fn()); },
  createMeasure: createCanvasMeasure,
});

// An installed font can finish loading after the first layout; its widths differ.
document.fonts?.addEventListener('loadingdone', () => store.refreshMeasure());

mount(App, {
  target: document.getElementById('app')!,
  props: { store, options: parsePageOptions(pageQuery()) },
});
store.start();
