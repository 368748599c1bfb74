/**
 * read11c C1, C2: a retention hold keeps every finding record written under the held incident,
 * whichever incident the record names now. A record leaves an incident in ways the incidents' links
 * do not show: a later version recorded through a merge names the survivor (C1), and a closed
 * incident's finding active again joins the incident open on its resource (C2). Core, SQLite.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { STORE_FILE } from '../../handlers/adapters/local/sqlite-store.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import type { FindingRecord, Incident } from '../../handlers/core/incident.js';
import { holdsInherited, inheritedHoldSummary, minimiseClosed } from '../../handlers/core/minimise.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { holdFindings } from '../../handlers/core/retention-hold.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { findingEvent } from '../support/events.js';
import { closedHeldIncident, HELD_FINDING } from '../support/held-incident.js';
import { tempSqliteStore } from '../support/store.js';

const ev = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, '../../events', `${name}.json`), 'utf8'));

it('keeps a held merged incident’s finding after GuardDuty republished it through the merge (C1)', async () => {
  const t = tempSqliteStore();
  const { store } = t;
  try {
    let clock = '2026-11-27T15:00:00.000Z';
    const deps = { store, policy: DEFAULT_POLICY, now: () => clock, canEnforce: false };
    const key = ev('07-iam-long-term-access-key-anomalous-fractional-severity-7.2');
    const merged = (await recordEvent(deps, key)).incidentId as string;
    await recordEvent(deps, ev('08-s3-bucket-made-public-anonymous-access'));
    const survivor = (await recordEvent(deps, ev('28-attack-sequence-iam-credentials-merges-key-and-bucket-incidents'))).incidentId as string;
    expect(((await store.getIncident(merged)) as Incident).mergedInto).toBeDefined();
    clock = '2026-11-27T15:10:00.000Z';
    await holdFindings(deps, merged, { by: 'FG', reason: 'Schadeclaim over de gelekte sleutel' });

    // GuardDuty republishes the key's finding: same id, more occurrences; recorded on the survivor.
    key.detail.updatedAt = '2026-11-27T15:15:00.000Z';
    key.detail.service.count = 4;
    key.detail.service.eventLastSeen = '2026-11-27T15:14:00.000Z';
    clock = '2026-11-27T15:20:00.000Z';
    await recordEvent(deps, key);
    const findingKey = { accountId: key.detail.accountId, region: key.detail.region, findingId: key.detail.id };
    const holder = ((await store.getFinding(findingKey)) as FindingRecord).incidentId;
    expect(holder).not.toBe(merged);

    clock = '2026-11-27T16:10:00.000Z';
    await assess(deps, { incidentId: holder, personalData: 'no', risk: 'none', reason: 'Geen persoonsgegevens', by: 'FG' });
    await closeIncident(deps, { incidentId: holder, reason: 'Afgehandeld', by: 'FG' });
    const at = () => '2026-12-27T00:00:00.000Z';
    const report = await minimiseClosed({ store, audit: store, now: at, machineNow: at }, { by: 'FG', afterDays: 1 });
    expect(((await store.getFinding(findingKey)) as FindingRecord).minimised).toBeUndefined();
    // The run says why, and the bucket's finding (not held) was minimised: the hold keeps only what it holds.
    expect(report.minimised.find((m) => m.incidentId === holder)?.held).toMatch(new RegExp(`incident ${merged}.* is held by FG`));
    expect(report.minimised.find((m) => m.incidentId === survivor || m.incidentId === holder)?.findings).toBeGreaterThan(0);
  } finally {
    await t.cleanup();
  }
});

/**
 * The held incident's finding active again after another finding on the same instance opened an
 * incident of its own (the held one is closed): `attachedTo`, the incident it was recorded on.
 */
async function heldFindingAttached(store: IncidentStore) {
  const { clock, deps, held, key } = await closedHeldIncident(store);
  clock.now = '2026-02-01T09:00:00.000Z';
  const other = (await recordEvent(deps, findingEvent({ id: 'other-finding', createdAt: '2026-02-01T08:55:00Z', instanceId: 'i-0held' }))).incidentId as string;
  clock.now = '2026-02-01T10:00:00.000Z';
  const again = findingEvent({ ...HELD_FINDING, updatedAt: '2026-02-01T09:55:00Z', count: 5 });
  const attachedTo = (await recordEvent(deps, again)).incidentId;
  return { deps, held, key, other, attachedTo };
}

it('keeps a held finding that moved to an incident open on its resource (C2)', async () => {
  const t = tempSqliteStore();
  const { store } = t;
  try {
    const { deps, held, key, other, attachedTo } = await heldFindingAttached(store);
    expect(other).not.toBe(held);
    expect(attachedTo).toBe(other);
    expect(((await store.getFinding(key)) as FindingRecord).incidentId).toBe(other);

    // Its page says the finding that came from the held incident is kept (holdsInherited).
    const inherited = await holdsInherited(store, (await store.getIncident(other)) as Incident, await store.getTimeline(other));
    expect(inherited.map((h) => [h.incidentId, h.as])).toEqual([[held, 'attached-from']]);
    expect(inheritedHoldSummary(inherited[0], 'en', (iso) => iso)).toContain(`moved on from incident ${held}`);

    await assess(deps, { incidentId: other, personalData: 'no', risk: 'none', reason: 'zelfde activiteit, geen gegevens', by: 'FG' });
    await closeIncident(deps, { incidentId: other, reason: 'afgehandeld', by: 'FG' });
    const at = () => '2026-09-01T00:00:00.000Z';
    await minimiseClosed({ store, audit: store, now: at, machineNow: at }, { by: 'FG', afterDays: 180 });
    expect(((await store.getFinding(key)) as FindingRecord).minimised).toBeUndefined();
    // The other incident's own finding is not held: minimised.
    expect(((await store.getFinding({ ...key, findingId: 'other-finding' })) as FindingRecord).minimised).toBeDefined();
    // Minimising that incident alone says why the held record stays.
    await expect(minimiseClosed({ store, audit: store, now: at, machineNow: at }, { by: 'FG', afterDays: 180, only: other })).rejects.toThrow(
      new RegExp(`incident ${held} is held by FG`),
    );
  } finally {
    await t.cleanup();
  }
});

it('stops, naming it, when the incident a held record was written under cannot be read (fgops12 1)', async () => {
  const t = tempSqliteStore();
  const { store } = t;
  try {
    const { deps, held, key, other, attachedTo } = await heldFindingAttached(store);
    expect(attachedTo).toBe(other);
    await assess(deps, { incidentId: other, personalData: 'no', risk: 'none', reason: 'zelfde activiteit, geen gegevens', by: 'FG' });
    await closeIncident(deps, { incidentId: other, reason: 'afgehandeld', by: 'FG' });
    // The held incident's record no longer reads: its hold cannot be seen.
    const db = new Database(join(t.dir, STORE_FILE));
    db.prepare('UPDATE incidents SET data = \'{"id": broken\' WHERE id = ?').run(held);
    db.close();

    const at = () => '2026-09-01T00:00:00.000Z';
    for (const only of [undefined, other])
      await expect(minimiseClosed({ store, audit: store, now: at, machineNow: at }, { by: 'FG', afterDays: 180, only })).rejects.toThrow(
        new RegExp(`incident ${held} cannot be read .*datalek verify ${held}`),
      );
    // Nothing was removed: neither the held record nor the other incident's own.
    expect(((await store.getFinding(key)) as FindingRecord).minimised).toBeUndefined();
    expect(((await store.getFinding({ ...key, findingId: 'other-finding' })) as FindingRecord).minimised).toBeUndefined();
  } finally {
    await t.cleanup();
  }
});
