import { describe, expect, it } from 'vitest';
import { applicationMenuTemplate, contextMenuTemplate, type ContextMenuInput } from '../../../main/app/menu-templates.js';

const flags = { canCut: true, canCopy: true, canPaste: true, canSelectAll: true };
const input = (p: Partial<ContextMenuInput>): ContextMenuInput => ({ isEditable: false, selectionText: '', editFlags: flags, ...p });
const roles = (t: ReturnType<typeof contextMenuTemplate>) => t?.map((i) => i.role ?? i.type) ?? null;

describe('menus', () => {
  it('gives macOS an Edit menu (Cmd+C/V/X/A are menu accelerators there) and the others no menu bar', () => {
    expect(applicationMenuTemplate('darwin')?.map((m) => m.role)).toEqual(['appMenu', 'editMenu', 'windowMenu']);
    expect(applicationMenuTemplate('linux')).toBeNull();
    expect(applicationMenuTemplate('win32')).toBeNull();
  });

  it('offers Cut/Copy/Paste/Select All in text fields, enabled as Chromium says', () => {
    const t = contextMenuTemplate(input({ isEditable: true, editFlags: { ...flags, canCut: false, canCopy: false } }));
    expect(roles(t)).toEqual(['cut', 'copy', 'paste', 'separator', 'selectAll']);
    expect(t!.map((i) => i.enabled)).toEqual([false, false, true, undefined, true]);
  });

  it('offers Copy on selected text, and nothing on empty space', () => {
    expect(roles(contextMenuTemplate(input({ selectionText: 'live captions' })))).toEqual(['copy', 'selectAll']);
    expect(contextMenuTemplate(input({ selectionText: '  ' }))).toBeNull();
  });
});
