import { describe, expect, it } from 'vitest';
import { FileTranscriber, type FileTranscriberDeps } from '../../../main/app/file-transcriber.js';
import type { JobStatus } from '../../../main/prerecorded/transcribe-job.js';
import type { FileTranscript } from '../../../main/prerecorded/types.js';
import type { Segment } from '../../../shared/captions.js';
import { EarshotError } from '../../../shared/errors.js';
import type { TranscriptionProgress } from '../../../shared/ipc-contract.js';
import { FakeClock } from '../../fakes/fake-clock.js';

const RESULT: FileTranscript = {
  task: 'transcribe', language: 'en', duration: 4, text: 'Hello. Hi.',
  segments: [{ id: '1', text: 'Hello.', start: 0, end: 1, speaker: 'Speaker A' }, { id: '2', text: 'Hi.', start: 2, end: 3, speaker: 'Speaker B' }],
};

function setup(opts: { key?: string; file?: string | null; run?: (job: Parameters<FileTranscriberDeps['transcribe']>[0]) => Promise<FileTranscript> } = {}) {
  const kept: string[] = [];
  const replaced: { audio: string; info: Record<string, string>; segments: Segment[] }[] = [];
  const clock = new FakeClock();
  const pushed: TranscriptionProgress[] = [];
  const history: { info: Record<string, string>; segments: Segment[] }[] = [];
  const jobs: Parameters<FileTranscriberDeps['transcribe']>[0][] = [];
  const t = new FileTranscriber({
    chooseFile: async () => (opts.file === undefined ? '/home/me/meeting.flac' : opts.file),
    apiKey: () => ('key' in opts ? opts.key : 'fw-key'),
    preferences: () => ({ language: '', prompt: 'Earshot', model: 'whisper-v3' }),
    transcribe: async (job) => { jobs.push(job); return opts.run ? opts.run(job) : RESULT; },
    addToHistory: (info, segments) => history.push({ info, segments }),
    keptAudio: {
      toWav: async (id) => { kept.push(`wav:${id}`); return { path: `/tmp/${id}.wav`, offsetSeconds: 120, dispose: () => kept.push(`dispose:${id}`) }; },
      describe: (id) => `session ${id}`,
      remove: (id) => kept.push(`remove:${id}`),
    },
    replaceWithImproved: (audio, info, segments) => replaced.push({ audio, info, segments }),
    publish: (p) => pushed.push(p),
    clock,
  });
  return { t, clock, pushed, history, jobs, kept, replaced };
}

describe('FileTranscriber', () => {
  it('picks a file, sends it with the settings, and keeps the result as a history run with speakers', async () => {
    const s = setup();
    const end = await s.t.start({ translate: false, diarize: true });
    expect(end).toEqual({ state: 'done', file: 'meeting.flac', segments: 2, speakers: 2, language: 'en' });
    expect(s.jobs[0]!.options).toEqual({ model: 'whisper-v3', translate: false, diarize: true, prompt: 'Earshot' }); // '' language = detect
    expect(s.history).toEqual([{ info: { kind: 'file', file: 'meeting.flac', task: 'transcribe', model: 'whisper-v3', language: 'en' }, segments: [
      { id: '1', text: 'Hello.', start: 0, end: 1, final: true, speaker: 'Speaker A' },
      { id: '2', text: 'Hi.', start: 2, end: 3, final: true, speaker: 'Speaker B' },
    ] }]);
    expect(s.pushed.map((p) => p.state)).toEqual(['choosing', 'done']);
  });

  it('throttles upload progress but always shows the last byte, then the wait and the retries', async () => {
    const s = setup({
      run: async (job) => {
        const up = (sent: number): JobStatus => ({ phase: 'uploading', sent, total: 1000, attempt: 1 });
        job.onStatus(up(10));
        job.onStatus(up(20)); // within 100 ms: dropped
        s.clock.advance(150);
        job.onStatus(up(500));
        job.onStatus(up(1000)); // the last byte always shows
        job.onStatus({ phase: 'transcribing', attempt: 1 });
        job.onStatus({ phase: 'retrying', attempt: 1, inMs: 2000, reason: 'Fireworks AI answered HTTP 503' });
        return RESULT;
      },
    });
    await s.t.start({ translate: false, diarize: false });
    expect(s.pushed.map((p) => (p.state === 'uploading' ? `up:${p.sent}` : p.state))).toEqual(['choosing', 'up:10', 'up:500', 'up:1000', 'transcribing', 'retrying', 'done']);
  });

  it('cancels the upload in progress and says so', async () => {
    const s = setup({
      run: (job) => new Promise((_, reject) => job.signal.addEventListener('abort', () => reject(new EarshotError('CANCELLED')))),
    });
    const running = s.t.start({ translate: false, diarize: false });
    await Promise.resolve();
    await Promise.resolve();
    expect(s.t.busy).toBe(true);
    expect(await s.t.start({ translate: true, diarize: false })).toMatchObject({ state: 'choosing' }); // one at a time
    s.t.cancel();
    expect(await running).toEqual({ state: 'cancelled', file: 'meeting.flac' });
    expect(s.history).toEqual([]);
    expect(s.t.busy).toBe(false);
  });

  it('improves a session from its kept audio, on the session\'s timeline, and waits for the person\'s choice', async () => {
    const s = setup();
    const end = await s.t.improve('s-1');
    expect(s.jobs[0]!.path).toBe('/tmp/s-1.wav');
    expect(s.jobs[0]!.options).toMatchObject({ model: 'whisper-v3', diarize: true, translate: false });
    expect(end).toMatchObject({ state: 'improved', audio: 's-1', speakers: 2, segments: [{ start: 120, end: 121, speaker: 'Speaker A' }, { start: 122 }] });
    expect(s.kept).toEqual(['wav:s-1', 'dispose:s-1']); // the temporary WAV is gone either way
    expect(s.replaced).toEqual([]); // nothing changes until the person chooses
    s.t.resolveImproved({ audio: 's-1', keep: 'improved', keepAudio: false });
    expect(s.replaced).toEqual([expect.objectContaining({ audio: 's-1', info: expect.objectContaining({ kind: 'improved', of: 's-1' }) })]);
    expect(s.kept.at(-1)).toBe('remove:s-1');
    expect(s.t.status()).toEqual({ state: 'idle' });
  });

  it('keeps the live captions, and the audio when asked', async () => {
    const s = setup();
    await s.t.improve('s-2');
    s.t.resolveImproved({ audio: 's-2', keep: 'live', keepAudio: true });
    expect(s.replaced).toEqual([]);
    expect(s.kept).not.toContain('remove:s-2');
    s.t.resolveImproved({ audio: 's-2', keep: 'improved', keepAudio: false }); // nothing pending any more
    expect(s.replaced).toEqual([]);
  });

  it('without a Fireworks key, says where to add one and opens no dialog', async () => {
    const s = setup({ key: undefined });
    const end = await s.t.start({ translate: false, diarize: false });
    expect(end).toMatchObject({ state: 'failed', error: { code: 'KEY_MISSING', detail: expect.stringContaining('Fireworks key in settings') } });
    expect(s.jobs).toEqual([]);
  });

  it('a closed dialog is not an error; a failed upload keeps its cause', async () => {
    expect(await setup({ file: null }).t.start({ translate: false, diarize: false })).toEqual({ state: 'idle' });
    const s = setup({ run: async () => { throw new EarshotError('FILE_TOO_LARGE', 'meeting.flac is 1.5 GB'); } });
    expect(await s.t.start({ translate: true, diarize: true })).toMatchObject({ state: 'failed', file: 'meeting.flac', error: { code: 'FILE_TOO_LARGE' } });
    expect(s.jobs[0]!.options.diarize).toBe(false); // translations carry no speakers
  });
});
