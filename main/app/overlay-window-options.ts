/**
 * Options of the overlay window that a platform quietly punishes when wrong, kept as data so
 * a unit test pins them (the Electron binary cannot run here to show the symptom).
 */
import type { VisibleOnAllWorkspacesOptions } from 'electron';

/**
 * visibleOnFullScreen keeps captions above full-screen video on macOS. Without
 * skipTransformProcessType, Electron turns the whole app into a UIElement process for it,
 * which removes the Dock icon and the Cmd-Tab entry of Settings and History
 * (https://www.electronjs.org/docs/latest/api/browser-window#winsetvisibleonallworkspacesvisible-options).
 */
export const VISIBLE_ON_ALL_WORKSPACES: VisibleOnAllWorkspacesOptions = { visibleOnFullScreen: true, skipTransformProcessType: true };
