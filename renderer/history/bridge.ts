/** The one place the history window touches the preload bridge. */
import { BRIDGE_GLOBAL, type HistoryBridge } from '../../shared/ipc-contract.js';

const METHODS: (keyof HistoryBridge)[] = ['get', 'exportAs', 'copy', 'transcribeFile', 'cancelTranscription', 'transcriptionStatus', 'improve', 'resolveImproved', 'on'];

export function historyBridge(): HistoryBridge | null {
  const b = (window as unknown as Record<string, unknown>)[BRIDGE_GLOBAL] as Partial<HistoryBridge> | undefined;
  if (typeof b !== 'object' || b === null) return null;
  return METHODS.every((m) => typeof b[m] === 'function') ? (b as HistoryBridge) : null;
}
