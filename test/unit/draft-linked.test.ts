/**
 * A finding that names resources of two incidents links them when the FG recorded on one (it is not
 * merged: record-finding.ts `notMergeable`). The AP reads one draft per notification: each draft
 * names the incidents linked to it, the same attack recorded separately, so the AP reads the whole
 * story and the FG knows which records to consult (Art. 33(3), (4)).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { buildDraft, draftMarkdown } from '../../handlers/core/draft.js';
import { recordFacts } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { accessKeyResource, credentialSequenceEvent, findingEvent, instanceResource } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';

describe('the AP draft of a linked incident', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  beforeEach(() => {
    ({ store, cleanup } = tempSqliteStore());
  });
  afterEach(async () => cleanup());

  it('names the incidents it is linked to, on both sides, in either language', async () => {
    const d = { store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false };
    const x = (await recordEvent(d, findingEvent({ id: 'f-i', createdAt: '2026-11-27T21:00:00.000Z', resource: instanceResource() }))).incidentId as string;
    const key = findingEvent({
      id: 'f-k',
      type: 'CredentialAccess:IAMUser/AnomalousBehavior',
      createdAt: '2026-11-27T19:30:00.000Z',
      resource: accessKeyResource(),
    });
    const y = (await recordEvent(d, key)).incidentId as string;
    await recordFacts(d, { incidentId: x, by: 'FG', categories: ['contact details'], summary: 'klantbestand gekopieerd' });
    // The sequence names the key and the instance: X (facts recorded) is linked to Y, not merged.
    await recordEvent(d, credentialSequenceEvent());
    const onX = (await store.getIncident(x)) as Incident;
    const onY = (await store.getIncident(y)) as Incident;
    expect(onX.linked).toEqual([y]);

    const linkedField = (incident: Incident, lang: 'nl' | 'en') =>
      buildDraft(incident, DEFAULT_POLICY, NOW, lang)
        .sections.flatMap((s) => s.fields)
        .find((f) => f.key === 'linkedIncidents');
    expect(linkedField(onX, 'en')?.value).toMatch(new RegExp(`^${y}: the same attack, recorded separately`));
    expect(linkedField(onY, 'en')?.value).toContain(x);
    expect(linkedField(onX, 'nl')?.value).toMatch(new RegExp(`^${y}: dezelfde aanval, apart vastgelegd`));
    expect(draftMarkdown(buildDraft(onX, DEFAULT_POLICY, NOW, 'en'), DEFAULT_POLICY.timeZone)).toContain(y);

    // One beyond the listed ones is counted, never passed over.
    expect(linkedField({ ...onX, linkedNotListed: 3 }, 'en')?.value).toMatch(/and 3 more/);
    // An incident linked to none has no such field.
    const alone = (await recordEvent(d, findingEvent({ id: 'f-z', instanceId: 'i-0000000000000000z' }))).incidentId as string;
    expect(linkedField((await store.getIncident(alone)) as Incident, 'en')).toBeUndefined();
  });
});
