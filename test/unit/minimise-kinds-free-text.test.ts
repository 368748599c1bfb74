/**
 * readA19 (after 798548b3): minimise removes e-mail and IP addresses from every free text of a finding
 * (`service.additionalInfo`, a tag's value in the resource, …), but the kinds it records as removed
 * (`minimised.kinds`, the `finding-minimised` entry's `kinds`, and from them the incident page's and
 * the HTML report's "Bewaartermijn" sentence) came from the removed fields' names alone: an e-mail
 * address taken out of a tag or additionalInfo was named nowhere (there was no such kind), an IP
 * address only in free text neither. The FG defending the record read a list shorter than what went.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { minimiseClosed, minimisedSummary } from '../../handlers/core/minimise.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { findingEvent, instanceResource } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const RECORDED_AT = '2026-06-01T03:00:00.000Z';
const NOW = '2026-12-29T00:00:00.000Z';

describe('readA19: the kinds minimise records include what it removed from free text', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  beforeEach(() => {
    t = tempSqliteStore();
  });
  afterEach(async () => t.cleanup());

  it("an e-mail address in a tag is named as removed, the tag's own address not", async () => {
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => RECORDED_AT, canEnforce: false };
    const resource = instanceResource();
    resource.instanceDetails.tags.push({ key: 'Owner', value: 'piet.devries@zorggroep.nl (10.0.0.12)' });
    const id = (await recordEvent(deps, findingEvent({ id: 'f-tag', createdAt: RECORDED_AT, resource } as never))).incidentId as string;
    await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'testaccount', by: 'FG' });
    await closeIncident(deps, { incidentId: id, reason: 'afgehandeld', by: 'FG' });
    await minimiseClosed({ store: t.store, audit: t.store, now: () => NOW, machineNow: () => NOW }, { by: 'FG', afterDays: 180 });
    expect(((await t.store.getIncident(id)) as Incident).minimised?.kinds).toEqual(['e-mail-address', 'domain-name']);
  });

  it('an e-mail address in a tag and an IP address in additionalInfo are named as removed', async () => {
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => RECORDED_AT, canEnforce: false };
    const resource = instanceResource();
    // The tag names the instance's own address too, which stays: not an IP address removed.
    resource.instanceDetails.tags.push({ key: 'Owner', value: 'piet.devries@zorggroep.nl (10.0.0.12)' });
    const event = findingEvent({
      id: 'f-kinds',
      createdAt: RECORDED_AT,
      resource,
      service: { additionalInfo: { value: '{"origin":"198.51.100.23"}' } },
    } as never);
    const id = (await recordEvent(deps, event)).incidentId as string;
    await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'testaccount', by: 'FG' });
    await closeIncident(deps, { incidentId: id, reason: 'afgehandeld', by: 'FG' });
    await minimiseClosed({ store: t.store, audit: t.store, now: () => NOW, machineNow: () => NOW }, { by: 'FG', afterDays: 180 });

    const incident = (await t.store.getIncident(id)) as Incident;
    expect(incident.minimised?.kinds).toEqual(expect.arrayContaining(['ip-address', 'e-mail-address']));
    const entry = (await t.store.getTimeline(id)).find((e) => e.kind === 'finding-minimised');
    expect(entry?.detail?.kinds).toEqual(expect.arrayContaining(['ip-address', 'e-mail-address']));
    expect(minimisedSummary(incident, [], 'en', (iso) => iso)).toContain('e-mail addresses');
    expect(minimisedSummary(incident, [], 'nl', (iso) => iso)).toContain('e-mailadressen');
  });
});
