/**
 * Memory of file transcription: the real `earshot transcribe` uploading 100 MB and 1 GB
 * recordings to the pre-recorded server on loopback (which counts and discards the bytes,
 * in this process, so the child's numbers are the upload's alone), against the obvious way
 * of doing it (read the file, post it with fetch + FormData) in a child of its own. Peak RSS
 * from /proc/PID/status VmHWM (Linux).
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startPrerecordedServer } from '../fakes/prerecorded-server.js';

const CLI = resolve(import.meta.dirname, '../../main/cli/earshot.js');
const KEY = 'bench-transcribe-key';

function writeSilentWav(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  const header = Buffer.alloc(44);
  header.write('RIFF', 0); header.writeUInt32LE(bytes - 8, 4); header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16); header.writeUInt16LE(1, 20); header.writeUInt16LE(1, 22);
  header.writeUInt32LE(16000, 24); header.writeUInt32LE(32000, 28); header.writeUInt16LE(2, 32); header.writeUInt16LE(16, 34);
  header.write('data', 36); header.writeUInt32LE(bytes - 44, 40);
  writeSync(fd, header);
  const block = Buffer.alloc(8 * 1024 * 1024);
  for (let left = bytes - 44; left > 0; left -= block.length) writeSync(fd, block, 0, Math.min(block.length, left));
  closeSync(fd);
}

async function peakRss(args: string[], env: NodeJS.ProcessEnv): Promise<{ peakMb: number; seconds: number; code: number | null }> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let peakKb = 0;
  const sample = () => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
    } catch { /* exited */ }
  };
  const timer = setInterval(sample, 50);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const code = await new Promise<number | null>((res) => child.on('close', res));
  clearInterval(timer);
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}: ${stderr.slice(-400)}`);
  return { peakMb: peakKb / 1024, seconds: (performance.now() - started) / 1000, code };
}

/** The obvious client: the whole file in memory, posted with fetch and FormData. */
const NAIVE = `
const { readFileSync } = require('node:fs');
const [path, url, key] = process.argv.slice(1);
const form = new FormData();
form.append('model', 'whisper-v3');
form.append('response_format', 'verbose_json');
form.append('file', new Blob([readFileSync(path)]), 'audio.wav');
fetch(url + '/v1/audio/transcriptions', { method: 'POST', headers: { Authorization: 'Bearer ' + key }, body: form })
  .then((r) => r.text()).then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
`;

export async function runTranscribeBench(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-transcribe-bench-'));
  const server = await startPrerecordedServer({ key: KEY, discardAudio: true });
  const rows: string[] = [];
  try {
    for (const mb of [100, 1000]) {
      const path = join(dir, `${mb}mb.wav`);
      writeSilentWav(path, mb * 1024 * 1024);
      const env = { ...process.env, FIREWORKS_API_KEY: KEY };
      const ours = await peakRss([CLI, 'transcribe', path, '--endpoint', server.url, '--quiet'], env);
      const naive = await peakRss(['-e', NAIVE, path, server.url, KEY], env);
      rows.push(`| ${mb} MB | earshot transcribe (streamed from disk) | ${ours.peakMb.toFixed(0)} MB | ${ours.seconds.toFixed(1)} s | ${(mb / ours.seconds).toFixed(0)} MB/s |`);
      rows.push(`| ${mb} MB | fetch + FormData, file read whole | ${naive.peakMb.toFixed(0)} MB | ${naive.seconds.toFixed(1)} s | ${(mb / naive.seconds).toFixed(0)} MB/s |`);
      rmSync(path, { force: true });
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return ['| file | client | peak RSS | wall time | upload rate |', '|---|---|---|---|---|', ...rows].join('\n');
}
