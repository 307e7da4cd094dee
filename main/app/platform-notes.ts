/** Things a person should know about their platform, said once at start. */
export function platformNotes(platform: NodeJS.Platform, env: Record<string, string | undefined>): string[] {
  const notes: string[] = [];
  if (platform === 'linux' && (env.XDG_SESSION_TYPE === 'wayland' || env.WAYLAND_DISPLAY)) {
    notes.push('On Wayland an app cannot keep itself above other windows. If the captions go behind other windows, use your window manager\'s "Always on top" for the Earshot captions window, or log in with an X11 session.');
  }
  return notes;
}
