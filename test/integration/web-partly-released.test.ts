/**
 * L5: a release that restored one interface of an isolated instance and failed on another leaves
 * the action partly released (`partlyReleased`). The page's timeline and containment table say
 * what is true: partly released, which interfaces were restored and which are still isolated,
 * never "FAILED, still in effect" as if nothing had been undone.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import type { ActionRecord } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { releaseContainment } from '../../handlers/core/release.js';
import { incidentFixture } from '../support/incidents.js';
import { releasing } from '../support/release-steps.js';
import { pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const NOW = '2026-11-28T10:00:00.000Z';
const INSTANCE = 'i-0part000000000002';
const id = 'dl-web-partly';

describe('a partly released isolation on the page (L5)', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    const isolated: ActionRecord = {
      id: `isolate-instance:${INSTANCE}`,
      type: 'isolate-instance',
      target: INSTANCE,
      status: 'done',
      mode: 'enforce',
      findingId: 'f-part',
      at: '2026-11-27T21:05:00.000Z',
      steps: [
        { name: 'isolate-eni:eni-0a', status: 'done', at: '2026-11-27T21:05:00.000Z' },
        { name: 'isolate-eni:eni-0b', status: 'done', at: '2026-11-27T21:05:00.000Z' },
      ],
    };
    await store.commit({ incident: incidentFixture({ id, actions: [isolated] }), expectedRevision: null, timeline: [], messages: [] });
    const adapter = releasing([
      { name: 'restore-eni:eni-0a', status: 'done', at: NOW, detail: 'restored' },
      { name: 'restore-eni:eni-0b', status: 'failed', at: NOW, detail: 'not allowed', code: 'UnauthorizedOperation' },
    ]);
    await releaseContainment({ store, policy: DEFAULT_POLICY, now: () => NOW, containment: adapter }, { incidentId: id, by: 'Bram', reason: 'vals alarm' });
  });
  afterEach(async () => cleanup());

  it('says in the timeline and the containment table which interfaces were restored and which are still isolated', async () => {
    const web = inProcessWebApp({ store, policy: DEFAULT_POLICY, now: () => NOW });
    for (const [lang, partly, notThis] of [
      [
        'nl',
        'Opheffen inperking deels gelukt: EC2-instantie isoleren i-0part000000000002; interfaces hersteld: eni-0a; nog geïsoleerd: eni-0b',
        'ze is nog van kracht',
      ],
      [
        'en',
        'Release of containment partly done: isolate the EC2 instance i-0part000000000002; interfaces restored: eni-0a; still isolated: eni-0b',
        'it is still in effect',
      ],
    ] as const) {
      const text = pageText(await (await web.get(`/incidents/${id}`, lang)).text());
      expect(text).toContain(partly);
      expect(text).not.toContain(notThis);
    }
    const table = pageText(await (await web.get(`/incidents/${id}`, 'en')).text());
    expect(table).toMatch(/partly released at 2026-11-28 11:00 CET by Bram: interfaces restored: eni-0a; still isolated: eni-0b/);
  });
});
