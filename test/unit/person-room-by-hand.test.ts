/**
 * small11 item 2: the person-entered texts of a `not-done` decision (`notDone`) and of a containment
 * recorded by hand (`contained`, `byHand`) did not count toward the share of the record kept for
 * people's text (commit-bounds.ts MAX_PERSON_BYTES), nor toward the record's bound: one long text
 * was stored whole, and could take the record past the store's item size (DynamoDB 400 KB), after
 * which every write to it fails. Now both count, with the refusal the other texts get. A
 * containment recorded by hand is on-call's entry, as a release is: the FG's text never refuses it
 * (review6 R8), the record's bound still does.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { recordContainedByHand, recordNotToBeDone } from '../../handlers/core/by-hand.js';
import { MAX_PERSON_BYTES, MAX_RECORD_BYTES, personBytes } from '../../handlers/core/commit-bounds.js';
import { recordFacts } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';
const POLICY = parsePolicy({ containment: { rules: [{ action: 'contain-workload', findingTypes: ['*:EC2/*'], minSeverity: 1, mode: 'plan' }] } });
const REFUSED = /KB of text people entered, more than the 64 KB it keeps for it/;
const deps = () => ({ store, policy: POLICY, now: () => NOW });
let store: SqliteIncidentStore;
let cleanup: () => Promise<void>;
let incidentId: string;
let actionId: string;
beforeEach(async () => {
  ({ store, cleanup } = tempSqliteStore());
  incidentId = (await recordEvent({ ...deps(), canEnforce: false }, findingEvent({ id: 'c'.repeat(32) }))).incidentId as string;
  actionId = ((await store.getIncident(incidentId)) as Incident).actions.find((a) => a.type === 'isolate-instance')?.id as string;
});
afterEach(async () => cleanup());

const stored = async () => (await store.getIncident(incidentId)) as Incident;

describe("a person's text on a containment step counts toward the record's bounds", () => {
  it('a not-done reason past the share is refused, nothing written; it counts in the share', async () => {
    const long = 'de instance is vervangen; '.repeat(3000);
    await expect(recordNotToBeDone(deps(), { incidentId, actionId, by: 'FG', reason: long })).rejects.toThrow(REFUSED);
    expect((await stored()).actions.find((a) => a.id === actionId)?.notDone).toBeUndefined();
    const before = personBytes(await stored());
    await recordNotToBeDone(deps(), { incidentId, actionId, by: 'FG', reason: 'de instance is vervangen' });
    expect(personBytes(await stored())).toBeGreaterThan(before + 'de instance is vervangen'.length);
  });

  it('what was done by hand counts in the share; past the record bound it is refused, nothing written', async () => {
    const tooLong = 'security group verwijderd; '.repeat(Math.ceil(MAX_RECORD_BYTES / 20));
    await expect(recordContainedByHand(deps(), { incidentId, actionId, by: 'Anna', what: tooLong })).rejects.toThrow(REFUSED);
    expect((await stored()).actions.find((a) => a.id === actionId)?.status).toBe('planned');
    const before = personBytes(await stored());
    await recordContainedByHand(deps(), { incidentId, actionId, by: 'Anna', what: 'security group verwijderd' });
    expect(personBytes(await stored())).toBeGreaterThan(before + 'security group verwijderd'.length);
  });

  it("what was done by hand is recorded when the FG's text filled the share (on-call's entry)", async () => {
    await recordFacts(deps(), { incidentId, summary: 'a', by: 'FG' });
    const room = MAX_PERSON_BYTES - personBytes(await stored());
    await recordFacts(deps(), { incidentId, summary: 'a'.repeat(room - 10), by: 'FG' });
    await recordContainedByHand(deps(), { incidentId, actionId, by: 'Anna', what: 'security group verwijderd' });
    expect((await stored()).actions.find((a) => a.id === actionId)?.byHand?.what).toBe('security group verwijderd');
  });
});
