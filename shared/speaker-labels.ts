/**
 * Services name speakers their own way (Fireworks "SPEAKER_00" or "0", Deepgram 0, 1…,
 * AssemblyAI "A"). People read "Speaker A", "Speaker B"… in order of first appearance.
 */
export class SpeakerLabels {
  private readonly names = new Map<string, string>();

  label(raw: string | number): string {
    const key = String(raw);
    let name = this.names.get(key);
    if (!name) {
      name = `Speaker ${letters(this.names.size)}`;
      this.names.set(key, name);
    }
    return name;
  }
}

/** 0 → A, 25 → Z, 26 → AA… */
function letters(n: number): string {
  let s = '';
  let i = n;
  do {
    s = String.fromCharCode(65 + (i % 26)) + s;
    i = Math.floor(i / 26) - 1;
  } while (i >= 0);
  return s;
}
