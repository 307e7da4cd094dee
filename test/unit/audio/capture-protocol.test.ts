import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeFrame,
  errorFromMessage,
  errorMessage,
  FRAME_HEADER_BYTES,
  FrameDecoder,
  frameHeader,
  MAX_FRAME_BYTES,
  parseChildMessage,
  parseParentMessage,
} from '../../../main/audio/capture-protocol.js';
import { EarshotError } from '../../../shared/errors.js';

describe('PCM framing', () => {
  it('returns exactly the chunks that were sent, however the pipe splits the bytes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 0, maxLength: 300 }), { maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 1, maxLength: 20 }),
        (chunks, cuts) => {
          const wire = Buffer.concat(chunks.map((c) => encodeFrame(Buffer.from(c))));
          const dec = new FrameDecoder();
          const got: Buffer[] = [];
          let at = 0;
          for (let i = 0; at < wire.length; i++) {
            const n = cuts[i % cuts.length]!;
            got.push(...dec.push(wire.subarray(at, at + n)));
            at += n;
          }
          expect(got.map((b) => [...b])).toEqual(chunks.map((c) => [...c]));
          expect(dec.partialBytes).toBe(0);
        },
      ),
    );
  });

  it('holds a partial frame until the rest arrives', () => {
    const dec = new FrameDecoder();
    const wire = encodeFrame(Buffer.from([1, 2, 3, 4]));
    expect(dec.push(wire.subarray(0, 6))).toEqual([]);
    expect(dec.partialBytes).toBe(6);
    expect(dec.push(wire.subarray(6)).map((b) => [...b])).toEqual([[1, 2, 3, 4]]);
  });

  it('writes a little-endian length header', () => {
    expect([...frameHeader(0x010203)]).toEqual([3, 2, 1, 0]);
    expect(frameHeader(7).length).toBe(FRAME_HEADER_BYTES);
  });

  it('refuses lengths a chunk can never have, on both sides', () => {
    expect(() => frameHeader(MAX_FRAME_BYTES + 1)).toThrow(EarshotError);
    expect(() => frameHeader(-1)).toThrow(EarshotError);
    const bad = Buffer.alloc(8);
    bad.writeUInt32LE(MAX_FRAME_BYTES + 1, 0);
    expect(() => new FrameDecoder().push(bad)).toThrow(/corrupt PCM frame length/);
  });
});

describe('control messages', () => {
  it('accepts well-formed child messages', () => {
    const format = { sampleRate: 44100, channels: 2, sampleFormat: 's16' };
    expect(parseChildMessage({ type: 'opened', format, description: 'pulse' })).toEqual({ type: 'opened', format, description: 'pulse' });
    expect(parseChildMessage({ type: 'overflow', lostMs: 40, where: 'driver' })).toEqual({ type: 'overflow', lostMs: 40, where: 'driver' });
    expect(parseChildMessage({ type: 'end' })).toEqual({ type: 'end' });
    expect(parseChildMessage({ type: 'inputs', devices: [] })).toEqual({ type: 'inputs', devices: [] });
  });

  it('rejects malformed child messages', () => {
    for (const m of [
      null,
      'end',
      { type: 'nope' },
      { type: 'opened', format: { sampleRate: 0, channels: 2, sampleFormat: 's16' }, description: 'x' },
      { type: 'opened', format: { sampleRate: 48000, channels: 2, sampleFormat: 'f32' }, description: 'x' },
      { type: 'overflow', lostMs: Number.NaN, where: 'driver' },
      { type: 'overflow', lostMs: 1, where: 'disk' },
      { type: 'error', error: { code: 'NOT_A_CODE', message: 'x', retryable: false }, text: 'x' },
      { type: 'inputs', devices: 'none' },
    ]) {
      expect(parseChildMessage(m)).toBeNull();
    }
  });

  it('parses parent messages', () => {
    expect(parseParentMessage({ type: 'open', spec: 'mic', maxQueuedMs: 5000 })).toEqual({ type: 'open', spec: 'mic', maxQueuedMs: 5000 });
    expect(parseParentMessage({ type: 'open', spec: 'mic', maxQueuedMs: 'x' })).toEqual({ type: 'open', spec: 'mic' });
    expect(parseParentMessage({ type: 'stop' })).toEqual({ type: 'stop' });
    expect(parseParentMessage({ type: 'open' })).toBeNull();
    expect(parseParentMessage({ type: 'exit' })).toBeNull();
  });

  it('carries an EarshotError across as the same code, detail and message (through JSON, as IPC does)', () => {
    const original = new EarshotError('DEVICE_NOT_FOUND', 'no input device is named like "nonexistent". Inputs: 0 "pulse", 1 "default"');
    const wire = JSON.parse(JSON.stringify(errorMessage(original))) as unknown;
    const m = parseChildMessage(wire);
    if (m?.type !== 'error') throw new Error('not an error message');
    const back = errorFromMessage(m);
    expect(back).toBeInstanceOf(EarshotError);
    expect([back.code, back.detail, back.message, back.retryable]).toEqual([original.code, original.detail, original.message, original.retryable]);
  });

  it('keeps a custom message and turns anything else thrown into INTERNAL', () => {
    const custom = new EarshotError('DEVICE_OPEN_FAILED', 'd', 'Custom words for a person.');
    const m1 = parseChildMessage(JSON.parse(JSON.stringify(errorMessage(custom))));
    expect(m1?.type === 'error' && errorFromMessage(m1).message).toBe('Custom words for a person.');
    const m2 = parseChildMessage(JSON.parse(JSON.stringify(errorMessage(new TypeError('boom')))));
    if (m2?.type !== 'error') throw new Error('not an error message');
    expect(errorFromMessage(m2).message).toBe(new EarshotError('INTERNAL', 'boom').message);
  });
});
