/**
 * The `app` module's event emitter, on its own so windows can emit 'web-contents-created'
 * and 'window-all-closed' without importing app.ts (which closes windows on quit).
 * https://www.electronjs.org/docs/latest/api/app#events
 */
import { StrictEmitter } from './strict.js';

export const appEvents = new StrictEmitter('app', [
  'ready', 'will-finish-launching', 'before-quit', 'will-quit', 'quit', 'window-all-closed',
  'web-contents-created', 'browser-window-created', 'second-instance', 'activate',
]);
