/**
 * fg15 item 1 (last stop's "Still left", FG): with an internal AP target under 72 hours (policy
 * `apDeadlineHours` 48), the law's 72 hours is "the deadline" everywhere since review12 S3, but:
 * - the timeline entries stored the target as `deadline` (`incident-opened`, `assessed`,
 *   `awareness-set`): `show --json` and any script reading the timeline took it for the law's;
 * - the reminder at the target was "Herinnering AP-termijn: de termijn voor de melding aan de AP
 *   loopt af", while the law's deadline was a day off;
 * - `status` ordered by the target under a column giving the law's deadline and its time left, and
 *   said nothing of the target.
 * The reminders and the order still run to the target the organisation set; the texts say so.
 * Old timeline entries (the target as `deadline`) still read as before.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statusTable } from '../../handlers/cli/views.js';
import { assess } from '../../handlers/core/fg-workflow.js';
import type { Incident, TimelineEntry } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { describeEntry } from '../../handlers/core/report-html.js';
import { sweep } from '../../handlers/core/sweep.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } }, apDeadlineHours: 48 });
const DETECTED = '2026-11-27T21:00:00.000Z';
const TARGET = '2026-11-29T21:00:00.000Z';
const LEGAL = '2026-11-30T21:00:00.000Z';

describe('fg15 item 1: an internal target is named as one, the law’s deadline beside it', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let now = '2026-11-27T21:05:00.000Z';
  const deps = () => ({ store: t.store, policy, now: () => now, canEnforce: false });
  let id: string;
  beforeEach(async () => {
    t = tempSqliteStore();
    now = '2026-11-27T21:05:00.000Z';
    id = (await recordEvent(deps(), findingEvent({ id: 'f-named', createdAt: DETECTED }))).incidentId as string;
  });
  afterEach(async () => t.cleanup());

  it('new timeline entries store the law’s deadline as `deadline`, the target as `internalTarget`', async () => {
    await assess(deps(), { incidentId: id, awareAt: '2026-11-27T21:03:00.000Z', awareReason: 'pas toen bevestigd', by: 'FG' });
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
    const details = (await t.store.getTimeline(id))
      .filter((e) => ['incident-opened', 'assessed', 'awareness-set'].includes(e.kind))
      .map((e) => [e.kind, e.detail.deadline, e.detail.internalTarget]);
    expect(details).toEqual([
      ['incident-opened', LEGAL, TARGET],
      ['awareness-set', '2026-11-30T21:03:00.000Z', '2026-11-29T21:03:00.000Z'],
      ['assessed', '2026-11-30T21:03:00.000Z', '2026-11-29T21:03:00.000Z'],
    ]);
  });

  it('an old entry holding the target as `deadline` still reads as the target, the law’s deadline beside it', () => {
    const old = {
      seq: 1,
      at: now,
      kind: 'detection-moved-earlier',
      detail: {
        from: DETECTED,
        to: '2026-11-27T19:00:00.000Z',
        awareAt: '2026-11-27T19:00:00.000Z',
        deadline: '2026-11-29T19:00:00.000Z',
        awarenessMoved: true,
      },
    } as unknown as TimelineEntry;
    expect(describeEntry(old, 'nl', policy.timeZone)).toContain('AP-termijn vervroegd naar 2026-11-30 20:00 CET (interne doelstelling: 2026-11-29 20:00 CET)');
    const renewed = { ...old, detail: { ...old.detail, deadline: '2026-11-30T19:00:00.000Z', internalTarget: '2026-11-29T19:00:00.000Z' } } as TimelineEntry;
    expect(describeEntry(renewed, 'nl', policy.timeZone)).toContain(
      'AP-termijn vervroegd naar 2026-11-30 20:00 CET (interne doelstelling: 2026-11-29 20:00 CET)',
    );
  });

  it('the reminder at the target calls it the internal target and gives the law’s deadline; the one after it is the deadline’s', async () => {
    now = '2026-11-29T21:02:00.000Z';
    await sweep({ store: t.store, policy, now: () => now });
    now = '2026-11-30T09:01:00.000Z';
    await sweep({ store: t.store, policy, now: () => now });
    const reminders = (await t.store.listMessages(id)).filter((m) => m.channel === 'fg' && m.kind === 'ap-reminder');
    expect(reminders.map((m) => m.subject.split(':')[0])).toEqual([
      '[datalek hoog] Interne AP-doelstelling (48 uur) bereikt',
      '[datalek hoog] Herinnering AP-termijn',
    ]);
    expect(reminders[0]?.body).toContain(
      'De interne doelstelling van de organisatie voor de melding aan de AP (48 uur na bewustwording) is bereikt: 2026-11-29 22:00 CET (2026-11-29T21:00:00Z). De wettelijke termijn (AVG art. 33(1), 72 uur) loopt af op 2026-11-30 22:00 CET (2026-11-30T21:00:00Z).',
    );
  });

  it('status says the order and the reminders follow the internal target, and how much of it is left', async () => {
    now = '2026-11-28T21:00:00.000Z';
    const incident = (await t.store.getIncident(id)) as Incident;
    const out = statusTable([incident], policy, now);
    expect(out).toContain('2d 0h left; internal target 1d 0h left');
    expect(out).toContain(
      'Most urgent first; the AP reminders and the order run to the internal target where the policy sets one (48 hours, not the law’s 72).',
    );
  });
});
