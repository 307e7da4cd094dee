import { describe, expect, it } from 'vitest';
import { VISIBLE_ON_ALL_WORKSPACES } from '../../../main/app/overlay-window-options.js';

describe('overlay window options', () => {
  it('stays above full-screen apps without turning the app into a Dock-less UIElement on macOS', () => {
    expect(VISIBLE_ON_ALL_WORKSPACES).toEqual({ visibleOnFullScreen: true, skipTransformProcessType: true });
  });
});
