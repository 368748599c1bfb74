/**
 * law28 item 4: the NIS2 clocks' reminders (significance decision, early warning, notification, final
 * report) went to the FG alone. The reports to the CSIRT and the competent authority are the
 * organisation's security duty under NIS2 art. 23 and the Cyberbeveiligingswet, often on-call's or
 * the CISO's: the policy now names who gets them (`reminders.nis2To`; the FG always). Each channel's
 * reminder is its own message, sent once; the AP's and Art. 34's stay the FG's. By default the FG
 * alone (reread26 #2): on AWS the reports and the NIS2 decisions are recorded only as the FG's role
 * (cli/fg-role.ts), so an on-call reminded by default could send the early warning and not record it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { assess, type FgDeps } from '../../handlers/core/fg-workflow.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { sweep } from '../../handlers/core/sweep.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const organisation = { name: 'Waterbedrijf Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };
const id = 'dl-nis2-to';
let store: SqliteIncidentStore;
let cleanup: () => Promise<void>;

// Detected 2026-11-27T21:00Z (the fixture); decided significant at 22:00: early warning due 2026-11-28T22:00Z.
async function significant(policy: ReturnType<typeof parsePolicy>) {
  const deps: FgDeps = { store, policy, now: () => '2026-11-27T22:00:00.000Z' };
  await store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
  await assess(deps, { incidentId: id, nis2Significant: true, reason: 'uitval drinkwater', by: 'CISO' });
}
const reminders = async () =>
  (await store.listMessages(id)).filter((m) => m.kind === 'clock-reminder' || m.kind === 'clock-overdue').map((m) => `${m.channel} ${m.subject}`);

beforeEach(() => {
  ({ store, cleanup } = tempSqliteStore());
});
afterEach(async () => cleanup());

describe('NIS2 reminders', () => {
  it('go to the FG alone by default: on AWS only the FG records what they ask', async () => {
    const policy = parsePolicy({ organisation, clocks: { nis2: true } });
    expect(policy.reminders.nis2To).toEqual(['fg']);
    await significant(policy);
    await sweep({ store, policy, now: () => '2026-11-28T10:00:00.000Z' });
    const told = await reminders();
    expect(told.length).toBeGreaterThan(0);
    expect(told.every((m) => m.startsWith('fg '))).toBe(true);
  });

  it('go to the FG and on-call when the policy names both, each once', async () => {
    const policy = parsePolicy({ organisation, clocks: { nis2: true }, reminders: { nis2To: ['fg', 'on-call'] } });
    await significant(policy);
    // 12 hours before the early warning's deadline (policy beforeDeadlineHours holds 12).
    const sent = (await sweep({ store, policy, now: () => '2026-11-28T10:00:00.000Z' })).sent.filter((s) => s.clock === 'nis2-early-warning');
    expect(sent.map((s) => s.kind)).toEqual(['clock-reminder']);
    const told = await reminders();
    expect(told.filter((m) => m.includes('NIS2 vroegtijdige waarschuwing'))).toEqual([
      expect.stringMatching(/^fg \[datalek .*\] Herinnering: NIS2 vroegtijdige waarschuwing \(24 uur\)/),
      expect.stringMatching(/^on-call \[datalek .*\] Herinnering: NIS2 vroegtijdige waarschuwing \(24 uur\)/),
    ]);
    const onCall = (await store.listMessages(id)).find((m) => m.channel === 'on-call' && m.kind === 'clock-reminder');
    expect(onCall?.body).toContain('Doe de vroegtijdige waarschuwing aan de CSIRT en de bevoegde autoriteit');
    await sweep({ store, policy, now: () => '2026-11-28T10:30:00.000Z' });
    expect((await reminders()).length, 'sent once').toBe(told.length);
  });

  it('go to the FG alone when the policy names only the FG', async () => {
    const policy = parsePolicy({ organisation, clocks: { nis2: true }, reminders: { nis2To: ['fg'] } });
    await significant(policy);
    await sweep({ store, policy, now: () => '2026-11-28T10:00:00.000Z' });
    const told = await reminders();
    expect(told.length).toBeGreaterThan(0);
    expect(told.every((m) => m.startsWith('fg '))).toBe(true);
  });

  it('a policy without the FG is refused, naming the field', () => {
    expect(() => parsePolicy({ organisation, clocks: { nis2: true }, reminders: { nis2To: ['on-call'] } })).toThrow(/reminders\.nis2To.*must include "fg"/s);
  });
});
