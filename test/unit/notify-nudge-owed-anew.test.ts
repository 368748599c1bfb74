/**
 * red27 #3: while a withdrawn AP notification is owed anew, the sweep sent the FG the one-time nudge
 * "Notifiable, not yet notified: notify the AP now … No notification to the AP is recorded yet",
 * counted from the first notifiable assessment, whose due time lay long past and was never announced
 * (the first report stopped the clock in time). The record holds a notification made in time and
 * withdrawn; the AP clock's owed-anew reminder already asks for the notification anew.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assess, type FgDeps, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { dueItems } from '../../handlers/core/schedule.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const org = { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };

describe('the notify nudge while a withdrawn notification is owed anew', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let now: string;
  let deps: FgDeps;
  let policy: Policy;
  const id = 'dl-anew-nudge';
  const stored = async () => (await t.store.getIncident(id)) as Incident;

  beforeEach(async () => {
    t = tempSqliteStore();
    policy = parsePolicy({ organisation: org });
    now = '2026-11-28T04:00:00.000Z'; // detected 2026-11-27T21:00Z
    deps = { store: t.store, policy, now: () => now };
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    await assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
  });
  afterEach(async () => t.cleanup());

  const kinds = (incident: Incident, at: string) => dueItems(incident, policy, at).map((i) => i.kind);

  it('is not sent: the notification was made and withdrawn, and the owed-anew reminder asks for it anew', async () => {
    now = '2026-11-28T05:00:00.000Z';
    await recordReport(deps, { incidentId: id, to: 'ap', kind: 'initial', reference: 'AP-1', at: now, by: 'FG' });
    now = '2026-11-28T05:30:00.000Z';
    await assess(deps, { incidentId: id, personalData: 'yes', risk: 'none', reason: 'toch versleuteld', by: 'FG' });
    now = '2026-11-28T06:00:00.000Z';
    await recordReport(deps, { incidentId: id, to: 'ap', kind: 'withdrawal', reference: 'AP-1', reason: 'ten onrechte gemeld', at: now, by: 'FG' });
    now = '2026-11-29T06:00:00.000Z';
    await assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'sleutel ook gelekt', by: 'FG' });
    const due = kinds(await stored(), '2026-12-02T12:00:00.000Z');
    expect(due).toContain('ap-owed-anew');
    expect(due).not.toContain('notify-nudge');
  });

  it('is still sent while no notification was ever made', async () => {
    const due = kinds(await stored(), '2026-11-29T05:00:00.000Z');
    expect(due).toContain('notify-nudge');
  });
});
