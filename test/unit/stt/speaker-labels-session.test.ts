/**
 * The session side of live speaker labels: asked of a provider that cannot, they are refused
 * before anything connects (and a reconfigure asking for them leaves the running link alone);
 * a relabel of a final caption changes only who spoke it.
 */
import { describe, expect, test } from 'vitest';
import { EarshotError } from '../../../shared/errors.js';
import { PROVIDER_IDS, PROVIDERS } from '../../../shared/providers.js';
import { LinkSegments } from '../../../main/stt/link-segments.js';
import { getProvider } from '../../../main/stt/providers/index.js';
import { StreamingSession } from '../../../main/stt/streaming-session.js';
import { FakeClock, seededRandom } from '../../fakes/fake-clock.js';
import { FakeTransportHub } from '../../fakes/fake-transport.js';
import { ENDPOINT, harness, KEY } from './session-harness.js';

function construct(id: (typeof PROVIDER_IDS)[number], speakerLabels: boolean): { error: unknown; links: number } {
  const clock = new FakeClock();
  const hub = new FakeTransportHub(clock);
  try {
    const s = new StreamingSession({ spec: getProvider(id), provider: { apiKey: KEY, endpoint: 'ws://127.0.0.1:9/x', speakerLabels } }, { transport: hub.factory, clock, random: seededRandom(1) });
    s.start();
    clock.advance(100);
    return { error: undefined, links: hub.links.length };
  } catch (e) {
    return { error: e, links: hub.links.length };
  }
}

describe('speaker labels asked of the session', () => {
  test.each(PROVIDER_IDS)('%s: refused before connecting unless the provider labels speakers live', (id) => {
    const { error, links } = construct(id, true);
    if (PROVIDERS[id].liveSpeakerLabels) {
      expect(error).toBeUndefined();
      expect(links).toBe(1);
      return;
    }
    expect(error).toBeInstanceOf(EarshotError);
    expect((error as EarshotError).code).toBe('SPEAKERS_UNSUPPORTED');
    expect((error as EarshotError).message).toMatch(/AssemblyAI and Deepgram can/);
    expect(links).toBe(0);
    expect(construct(id, false).error).toBeUndefined();
  });

  test('a reconfigure that asks for them is refused and the running link stays', () => {
    const h = harness();
    h.session.start();
    h.clock.advance(200);
    expect(h.hub.links).toHaveLength(1);
    expect(() => h.session.reconfigure({ apiKey: KEY, endpoint: ENDPOINT, speakerLabels: true })).toThrow(/cannot tell speakers apart/);
    h.clock.advance(500);
    expect(h.hub.links).toHaveLength(1);
    expect(h.rec.statuses.some((s) => s.kind === 'reconnecting')).toBe(false);
  });
});

describe('LinkSegments.relabel', () => {
  test('a final caption gets its new speaker; text, times and finality stay', () => {
    const s = new LinkSegments(2, 16000, 16000);
    s.upsert({ id: 't0', text: 'hello', start: 0, end: 1, final: true, speaker: 'Speaker A' }, 1);
    expect(s.relabel('t0', 'Speaker B')).toEqual([{ kind: 'upsert', segment: { id: '2:t0', text: 'hello', start: 1, end: 2, final: true, speaker: 'Speaker B' } }]);
    // Same label again: nothing. No label any more: the field goes.
    expect(s.relabel('t0', 'Speaker B')).toEqual([]);
    expect(s.relabel('t0', undefined)).toEqual([{ kind: 'upsert', segment: { id: '2:t0', text: 'hello', start: 1, end: 2, final: true } }]);
  });

  test('a caption that is not on screen stays off it; an unknown id is ignored', () => {
    const s = new LinkSegments(1, 0, 16000);
    s.upsert({ id: 'a', text: 'gone', start: 0, end: 1, final: false }, 1);
    s.retire(0);
    expect(s.relabel('a', 'Speaker A')).toEqual([]);
    expect(s.relabel('nope', 'Speaker A')).toEqual([]);
  });

  test('a segment update carries its speaker, and a changed speaker alone is shown', () => {
    const s = new LinkSegments(1, 0, 16000);
    expect(s.upsert({ id: 'x', text: 'hi', start: 0, end: 1, final: false, speaker: 'Speaker A' }, 1).changes).toEqual([
      { kind: 'upsert', segment: { id: '1:x', text: 'hi', start: 0, end: 1, final: false, speaker: 'Speaker A' } },
    ]);
    expect(s.upsert({ id: 'x', text: 'hi', start: 0, end: 1, final: false, speaker: 'Speaker B' }, 1).changes).toHaveLength(1);
  });
});
