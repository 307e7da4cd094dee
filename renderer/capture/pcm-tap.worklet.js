// Runs on the audio thread: gathers 128-frame render quanta into ~20 ms interleaved blocks
// and hands them to the page (transferring the buffer, no copy).
class PcmTap extends AudioWorkletProcessor {
  constructor() {
    super();
    this.channels = 2;
    this.frames = Math.round(sampleRate / 50);
    this.block = new Float32Array(this.frames * this.channels);
    this.filled = 0;
  }

  process(inputs) {
    const input = inputs[0];
    if (!input || input.length === 0) return true;
    const n = input[0].length;
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < this.channels; c++) {
        const ch = input[c] ?? input[0];
        this.block[this.filled * this.channels + c] = ch[i];
      }
      this.filled++;
      if (this.filled === this.frames) {
        this.port.postMessage(this.block, [this.block.buffer]);
        this.block = new Float32Array(this.frames * this.channels);
        this.filled = 0;
      }
    }
    return true;
  }
}
registerProcessor('pcm-tap', PcmTap);
