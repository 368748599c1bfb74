/**
 * A merge that brings a finding type into an incident the FG assessed asks the FG to assess again,
 * as a finding of that type joining it directly does (review5 A9): an exfiltration from an HR
 * bucket, merged into an incident assessed "no personal data, not notifiable", must not stay under
 * that assessment with no AP clock and no reminder.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { assess } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { reviewPending } from '../../handlers/core/schedule.js';
import { accessKeyResource, bucketResource, credentialSequenceEvent, findingEvent, sequenceDetection } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';
const EXFILTRATION = 'Exfiltration:S3/AnomalousBehavior';

describe('a merge into an assessed incident', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  beforeEach(() => {
    ({ store, cleanup } = tempSqliteStore());
  });
  afterEach(async () => cleanup());

  it('asks the FG to assess again, at once, when the merged incident brings a new finding type', async () => {
    const deps = { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false };
    // Y: a key's misuse and a first attack sequence on it, assessed "not notifiable".
    const y = (
      await recordEvent(
        deps,
        findingEvent({ id: 'f-k', type: 'CredentialAccess:IAMUser/AnomalousBehavior', createdAt: '2026-11-27T19:30:00.000Z', resource: accessKeyResource() }),
      )
    ).incidentId as string;
    await recordEvent(deps, credentialSequenceEvent({ id: 'seq-1', createdAt: '2026-11-27T20:00:00.000Z' }));
    await assess({ store, policy: DEFAULT_POLICY, now: () => NOW }, { incidentId: y, personalData: 'no', risk: 'none', reason: 'testaccount', by: 'FG' });
    // X: exfiltration from another bucket, its own incident, nothing recorded on it for the FG.
    const x = (
      await recordEvent(
        deps,
        findingEvent({ id: 'f-b', type: EXFILTRATION, severity: 8, createdAt: '2026-11-28T01:00:00.000Z', resource: bucketResource('hr-salarissen') }),
      )
    ).incidentId as string;
    expect(x).not.toBe(y);

    // A second sequence, of a type Y has, names the key and that bucket: X is merged into Y.
    const seq = await recordEvent(
      deps,
      credentialSequenceEvent({ id: 'seq-2', createdAt: '2026-11-28T02:00:00.000Z', detection: sequenceDetection({ bucket: 'hr-salarissen' }) }),
    );
    expect(((await store.getIncident(x)) as Incident).mergedInto).toBe(y);
    const survivor = (await store.getIncident(y)) as Incident;
    expect(survivor.findingTypes).toContain(EXFILTRATION);
    // The FG is asked to assess again, naming the type and the finding that brought it (X's own).
    expect(reviewPending(survivor)).toBe(true);
    expect(survivor.reviewAsked).toMatchObject({ at: NOW, findingType: EXFILTRATION, findingId: 'f-b', assessedBy: 'FG' });
    const asked = (await store.getTimeline(y)).find((e) => e.kind === 'assessment-review-asked');
    expect(asked?.detail).toMatchObject({ findingType: EXFILTRATION, findingId: 'f-b', mergedIncidentId: x, mergedBy: 'seq-2', notifiable: false });
    // And told at once, as a finding of that type joining Y would be, not only at the first reminder.
    const toFg = (seq.queued ?? []).filter((m) => m.channel === 'fg' && m.incidentId === y);
    expect(toFg.map((m) => m.kind)).toContain('finding-added');
    expect(toFg.find((m) => m.kind === 'finding-added')?.body).toContain(EXFILTRATION);
  });
});
