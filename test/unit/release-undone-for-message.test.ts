/**
 * What the FG and on-call of another incident hear when a release undoes its containment too (`--undo-for`): the
 * generic "Containment was released." told a closed incident's FG nothing of why a closed incident's containment was
 * undone, nor by whom: it was held by the closed incident (a closing releases nothing) and released for another
 * incident, whose release undid it; the incident stays closed and its register entry changed after closing.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ContainDeps } from '../../handlers/core/contain.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY, type Policy } from '../../handlers/core/policy.js';
import { releaseContainment } from '../../handlers/core/release.js';
import { doneIsolation, incidentFixture } from '../support/incidents.js';
import { releasing } from '../support/release-steps.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-27T22:00:00.000Z';

let t: ReturnType<typeof tempSqliteStore>;
const put = (incident: Incident) => t.store.commit({ incident, expectedRevision: null, timeline: [], messages: [] });
const release = (policy: Policy, undoFor: string[]) => {
  const deps: ContainDeps = {
    store: t.store,
    policy,
    now: () => NOW,
    containment: releasing([{ name: 'restore-groups', status: 'done', at: NOW, detail: 'restored' }]),
  };
  return releaseContainment(deps, { incidentId: 'dl-s', by: 'oncall', reason: 'vals positief', undoFor });
};
const releasedMessages = async (id: string) => (await t.store.listMessages(id)).filter((m) => m.kind === 'released');

beforeEach(async () => {
  t = tempSqliteStore();
  await put(incidentFixture({ id: 'dl-s', actions: [doneIsolation('i-0shared')] }));
  await put(incidentFixture({ id: 'dl-closed', state: 'closed', closedAt: '2026-11-27T21:30:00.000Z', actions: [doneIsolation('i-0shared')] }));
});
afterEach(async () => t.cleanup());

it("tells a closed incident's FG and on-call that the containment it held was released for the other incident (en)", async () => {
  await release({ ...DEFAULT_POLICY, language: 'en' }, ['dl-closed']);
  const messages = await releasedMessages('dl-closed');
  expect(messages.map((m) => m.channel).sort()).toEqual(['fg', 'on-call']);
  for (const m of messages) {
    expect(m.subject).toContain('released for incident dl-s');
    expect(m.body).toContain('This incident is closed, and its containment still held the resource');
    expect(m.body).toContain('released for incident dl-s');
    expect(m.body).not.toContain('Containment was released.');
  }
  const fg = messages.find((m) => m.channel === 'fg');
  expect(fg?.body).toContain('Art. 33(4)');
  // The released incident's own message stays as it was.
  expect((await releasedMessages('dl-s')).map((m) => m.body)).toEqual([
    expect.stringContaining('Containment was released.'),
    expect.stringContaining('Containment was released.'),
  ]);
});

it('says it in Dutch by default', async () => {
  await release(DEFAULT_POLICY, ['dl-closed']);
  const [m] = await releasedMessages('dl-closed');
  expect(m.subject).toContain('opgeheven voor incident dl-s');
  expect(m.body).toContain('Dit incident is gesloten');
  expect(m.body).toContain('opgeheven voor incident dl-s');
});

it('tells an open incident whose own containment was released too that it was released for the other incident', async () => {
  await put(incidentFixture({ id: 'dl-open', actions: [doneIsolation('i-0shared')] }));
  await release({ ...DEFAULT_POLICY, language: 'en' }, ['dl-closed', 'dl-open']);
  const [m] = await releasedMessages('dl-open');
  expect(m.body).toContain('released for incident dl-s');
  expect(m.body).not.toContain('is closed');
});

it('tells an open incident that left the action to the released one that it is planned again there, not carried out', async () => {
  await put(incidentFixture({ id: 'dl-left', actions: [doneIsolation('i-0shared', { status: 'skipped', steps: undefined, heldBy: 'dl-s' })] }));
  await release({ ...DEFAULT_POLICY, language: 'en' }, ['dl-closed', 'dl-left']);
  const [m] = await releasedMessages('dl-left');
  expect(m.subject).toContain('released for incident dl-s');
  expect(m.body).toContain('Incident dl-s held this incident');
  expect(m.body).toContain('planned again here, not carried out (datalek contain dl-left --enforce');
});
