/**
 * atk28 F15: one incident the register fails on (a record shape no check on reading foresaw) made
 * `register` exit 3 with the whole register gone. It is now named as an unreadable record is (left
 * out, said so), and the others are in the register.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { registerExport } from '../../handlers/use-cases/queries.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

describe('the register, when one incident throws what no check foresaw', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let a: string;
  let b: string;
  beforeEach(async () => {
    t = tempSqliteStore();
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => '2026-11-27T21:05:00.000Z', canEnforce: false };
    a = (await recordEvent(deps, findingEvent({ id: 'a', instanceId: 'i-0aaaaaaaaaaaaaaa1' }))).incidentId as string;
    b = (await recordEvent(deps, findingEvent({ id: 'b', instanceId: 'i-0bbbbbbbbbbbbbbb2' }))).incidentId as string;
  });
  afterEach(async () => t.cleanup());

  /** The store, incident `a` listed with a field that throws when the register reads it. */
  const throwing = (): IncidentStore =>
    new Proxy(t.store, {
      get(target, prop, receiver) {
        if (prop === 'listIncidents')
          return async (...args: Parameters<IncidentStore['listIncidents']>) =>
            (await target.listIncidents(...args)).map((i: Incident) =>
              i.id === a
                ? Object.defineProperty(i, 'reports', {
                    get() {
                      throw new TypeError('an unforeseen shape');
                    },
                  })
                : i,
            );
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });

  for (const format of ['json', 'csv', 'md'] as const)
    it(`names it and lists the others (${format})`, async () => {
      const named: { incidentId: string; reason: string }[] = [];
      const out = await registerExport(
        { store: throwing(), policy: DEFAULT_POLICY, now: () => '2026-11-30T12:00:00.000Z' },
        { onUnreadable: (p) => named.push(p) },
        format,
      );
      expect(named).toEqual([{ incidentId: a, reason: expect.stringContaining('TypeError: an unforeseen shape') }]);
      expect(out).toContain(b);
      expect(out).not.toContain(a);
    });
});
