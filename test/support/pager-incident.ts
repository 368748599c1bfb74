import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { findingEvent } from './events.js';
import { tempSqliteStore } from './store.js';

/** A policy that pages through PagerDuty. */
export const PAGERDUTY = parsePolicy({ onCall: { provider: 'pagerduty' } });

/** `minutes` after the incident below was opened. */
export const AT = (minutes: number) => new Date(Date.parse('2026-11-27T21:05:00.000Z') + minutes * 60_000).toISOString();

/** A High incident opened at AT(0) on a fresh store that pages through PagerDuty; `deps(m)` acts at AT(m). */
export async function pagerDutyIncident(prefix: string) {
  const fixture = tempSqliteStore();
  const r = await recordEvent(
    { store: fixture.store, policy: PAGERDUTY, now: () => AT(0), canEnforce: false },
    findingEvent({ id: `${prefix}-${Math.random()}`, severity: 8.5 }),
  );
  return { ...fixture, id: r.incidentId as string, deps: (minutes: number) => ({ store: fixture.store, policy: PAGERDUTY, now: () => AT(minutes) }) };
}
