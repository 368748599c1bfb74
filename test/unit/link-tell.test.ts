/**
 * A finding that links incidents rather than merging them (record-finding.ts `notMergeable`) is told
 * on both sides: the linked incident's timeline names the finding, its type, the incident it was
 * recorded on and why they were not merged; the FG gets one message per linked incident (once per
 * pair of incidents and finding type, not again for an update of the finding); `show` and the
 * register row name the incident it is linked to. Without it, the FG working on the incident with
 * the facts never learns that a finding on its resources was recorded elsewhere (Art. 33(3)-(5)).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { showText } from '../../handlers/cli/views.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { recordFacts } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY, type Policy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { registerRow } from '../../handlers/core/register.js';
import { accessKeyResource, credentialSequenceEvent, findingEvent, instanceResource } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';
const SEQUENCE_TYPE = 'AttackSequence:IAM/CompromisedCredentials';

describe('a finding that links incidents tells the linked one', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  beforeEach(() => {
    ({ store, cleanup } = tempSqliteStore());
  });
  afterEach(async () => cleanup());
  const deps = (policy: Policy = DEFAULT_POLICY) => ({ store, policy, now: () => NOW, canEnforce: false });

  /** X on the instance, Y on the key (detected earlier: the survivor of a merge). */
  async function twoIncidents(policy: Policy = DEFAULT_POLICY) {
    const x = (await recordEvent(deps(policy), findingEvent({ id: 'f-i', createdAt: '2026-11-27T21:00:00.000Z', resource: instanceResource() })))
      .incidentId as string;
    const y = (
      await recordEvent(
        deps(policy),
        findingEvent({ id: 'f-k', type: 'CredentialAccess:IAMUser/AnomalousBehavior', createdAt: '2026-11-27T19:30:00.000Z', resource: accessKeyResource() }),
      )
    ).incidentId as string;
    return { x, y };
  }

  /** X with facts recorded, Y, then a sequence naming both. */
  async function linked(policy: Policy = DEFAULT_POLICY) {
    const { x, y } = await twoIncidents(policy);
    await recordFacts(
      { store, policy, now: () => NOW },
      { incidentId: x, by: 'FG', categories: ['contact details'], subjectsMin: 1200, subjectsMax: 1500, summary: 'klantbestand gekopieerd' },
    );
    const seq = await recordEvent(deps(policy), credentialSequenceEvent());
    return { x, y, seq };
  }

  const linkMessages = async (x: string) => (await store.listMessages(x)).filter((m) => m.kind === 'incident-linked');

  it('writes the link on the linked incident, in the finding’s commit, and tells its FG once', async () => {
    const { x, y, seq } = await linked();
    expect(seq).toMatchObject({ outcome: 'attached', incidentId: y });

    const entries = (await store.getTimeline(x)).filter((e) => e.kind === 'linked-to-incident');
    expect(entries).toHaveLength(1);
    expect(entries[0].detail).toMatchObject({ incidentId: y, findingId: 'seq-finding', findingType: SEQUENCE_TYPE });
    expect(String(entries[0].detail.reason)).toContain('the FG already recorded on it');

    const told = await linkMessages(x);
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ channel: 'fg', incidentId: x });
    expect(told[0].body).toContain(y);
    expect(told[0].body).toContain(SEQUENCE_TYPE);
    expect(told[0].body).toContain('seq-finding');
    // Dutch by default: the FG's language.
    expect(told[0].subject).toContain('Gekoppeld');
    // The message was queued by the finding's own commit (the replay sends what `queued` lists).
    expect(seq.queued?.map((m) => m.id)).toContain(told[0].id);

    const onX = (await store.getIncident(x)) as Incident;
    expect(onX.linked).toEqual([y]);
    expect(showText(onX, [], DEFAULT_POLICY, NOW)).toMatch(new RegExp(`linked to\\s+${y}`));
    expect(registerRow(onX, DEFAULT_POLICY, NOW).linkedTo).toContain(y);
    // The survivor names it too.
    expect(((await store.getIncident(y)) as Incident).linked).toEqual([x]);
  });

  it('tells nothing again for a redelivery or a later version of the finding', async () => {
    const { x } = await linked();
    const before = (await store.getTimeline(x)).length;
    await recordEvent(deps(), credentialSequenceEvent());
    await recordEvent(deps(), { ...credentialSequenceEvent(), detail: { ...credentialSequenceEvent().detail, updatedAt: '2026-11-28T02:00:00.000Z' } });
    expect(await linkMessages(x)).toHaveLength(1);
    expect((await store.getTimeline(x)).filter((e) => e.kind === 'linked-to-incident')).toHaveLength(1);
    expect((await store.getTimeline(x)).length).toBe(before);
  });

  it('tells the FG in English when the policy says so', async () => {
    const { x, y } = await linked({ ...DEFAULT_POLICY, language: 'en' });
    const [told] = await linkMessages(x);
    expect(told.subject).toContain('Linked');
    expect(told.body).toContain(`incident ${y}`);
  });

  it('is no longer listed as linked on the survivor once a later version merges it', async () => {
    const { x, y } = await twoIncidents();
    // A containment run holds X: the sequence links it.
    await changeIncident({ store, policy: DEFAULT_POLICY, now: () => NOW }, x, (draft) => {
      draft.containmentLease = { holder: 'run-1', until: '2026-11-28T04:00:00.000Z' };
      return { entries: [] };
    });
    await recordEvent(deps(), credentialSequenceEvent());
    expect(((await store.getIncident(y)) as Incident).linked).toEqual([x]);
    // The run is over: a later version of the sequence merges X into Y.
    await changeIncident({ store, policy: DEFAULT_POLICY, now: () => NOW }, x, (draft) => {
      draft.containmentLease = null;
      return { entries: [] };
    });
    const later = credentialSequenceEvent();
    later.detail.updatedAt = '2026-11-28T02:00:00.000Z';
    await recordEvent(deps(), later);
    expect(((await store.getIncident(x)) as Incident).mergedInto).toBe(y);
    const onY = (await store.getIncident(y)) as Incident;
    expect(onY.linked ?? []).toEqual([]);
    expect(registerRow(onY, DEFAULT_POLICY, NOW).linkedTo).toBe('');
  });
});
