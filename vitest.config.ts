import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Real sockets, real Chromium and real PulseAudio share two cores; keep parallelism modest.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
