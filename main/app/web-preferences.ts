/**
 * The one set of webPreferences every window uses (checklist items 2-4, 6, 8-10), so no
 * window can be created with a weaker one by accident.
 */
import type { WebPreferences } from 'electron';

export function secureWebPreferences(preload: string, options: { devTools: boolean; backgroundThrottling?: boolean }): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    devTools: options.devTools,
    backgroundThrottling: options.backgroundThrottling ?? true,
  };
}
