import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Real sockets, real Chromium and real PulseAudio share two cores; keep parallelism modest.
    maxWorkers: 2,
    reporters: ['default'],
    // The Electron stand-in and the app it boots run as plain Node modules (one shared
    // instance, the 'electron' resolve hook applies): not through vitest's transform.
    server: { deps: { external: [/\/out\/test\/electron-standin\//] } },
  },
});
