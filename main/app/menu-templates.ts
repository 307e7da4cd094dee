/**
 * The two menus Earshot has, as plain templates (built into Electron menus by security.ts):
 * - macOS keeps a minimal application menu, because Cmd+C/V/X/A are menu accelerators there:
 *   with no Edit menu nobody can paste an API key
 *   (https://www.electronjs.org/docs/latest/api/menu#main-process : "On macOS ... the
 *   application menu ... standard Edit menu roles").
 *   Windows and Linux have no menu bar at all (perf checklist: Menu.setApplicationMenu(null)).
 * - Every OS gets a context menu in text fields and on selected text (Cut/Copy/Paste/Select
 *   All), enabled per Chromium's edit flags
 *   (https://www.electronjs.org/docs/latest/api/web-contents#event-context-menu).
 */
import type { ContextMenuParams, MenuItemConstructorOptions } from 'electron';

export function applicationMenuTemplate(platform: NodeJS.Platform): MenuItemConstructorOptions[] | null {
  if (platform !== 'darwin') return null;
  // Roles only: Electron fills in the localised labels and the standard accelerators.
  return [{ role: 'appMenu' }, { role: 'editMenu' }, { role: 'windowMenu' }];
}

/** The fields of ContextMenuParams this needs, so tests can pass literals. */
export type ContextMenuInput = Pick<ContextMenuParams, 'isEditable' | 'selectionText'> & {
  editFlags: Pick<ContextMenuParams['editFlags'], 'canCut' | 'canCopy' | 'canPaste' | 'canSelectAll'>;
};

/** null: no menu (a right-click on plain captions or empty space). */
export function contextMenuTemplate(params: ContextMenuInput): MenuItemConstructorOptions[] | null {
  const f = params.editFlags;
  if (params.isEditable) {
    return [
      { role: 'cut', enabled: f.canCut },
      { role: 'copy', enabled: f.canCopy },
      { role: 'paste', enabled: f.canPaste },
      { type: 'separator' },
      { role: 'selectAll', enabled: f.canSelectAll },
    ];
  }
  if (params.selectionText.trim() !== '') return [{ role: 'copy', enabled: f.canCopy }, { role: 'selectAll', enabled: f.canSelectAll }];
  return null;
}
