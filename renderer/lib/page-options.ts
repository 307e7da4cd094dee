/** Options for the page itself (not the caption style), from the browser overlay URL. */
export interface PageOptions {
  /** `status=off` hides the status bar and level meter (clean OBS scenes). */
  showStatus: boolean;
}

export function parsePageOptions(query: { get(name: string): string | null }): PageOptions {
  const status = query.get('status')?.trim().toLowerCase();
  return { showStatus: !(status === 'off' || status === '0' || status === 'false' || status === 'hide') };
}
