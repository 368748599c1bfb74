/**
 * law26: NIS2 art. 23(4)(c) owes an intermediate report "upon the request of a CSIRT or, where
 * relevant, the competent authority": each request is a report owed. The clock took the first
 * intermediate report on record as meeting whatever request was in force, so a second request, after
 * the first report was made, read "met" from the start (by a report made before it was asked): no
 * reminder, status did not list it, closing asked nothing and the CSIRT never had the second report.
 * A request is met by an intermediate report made since it was recorded.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clocksOf } from '../../handlers/core/clocks.js';
import { assess } from '../../handlers/core/fg-workflow.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { dueItems } from '../../handlers/core/schedule.js';
import { nis2NotifiedCase } from '../support/nis2-case.js';

const policy = parsePolicy({ organisation: { name: 'Waterbedrijf Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } }, clocks: { nis2: true } });
const id = 'dl-nis2-second-request';

describe('NIS2 art. 23(4)(c): a second request for an intermediate report', () => {
  let c: Awaited<ReturnType<typeof nis2NotifiedCase>>;
  const intermediate = async () => clocksOf(await c.stored(), policy, c.clock.now).find((x) => x.name === 'nis2-intermediate');
  const ask = (dueAt: string) => assess(c.deps, { incidentId: id, nis2IntermediateDueAt: dueAt, reason: 'CSIRT vraagt een tussentijds verslag', by: 'CISO' });

  beforeEach(async () => {
    c = await nis2NotifiedCase(policy, id);
    c.clock.now = '2026-11-29T09:00:00.000Z';
    await ask('2026-12-01T12:00:00.000Z');
    c.clock.now = '2026-12-01T10:00:00.000Z';
    await c.toBoth('intermediate', '2026-12-01T09:00:00.000Z');
  });
  afterEach(async () => c.t.cleanup());

  it('is owed until an intermediate report made since it; the first report does not meet it', async () => {
    expect(await intermediate()).toMatchObject({ status: 'met', doneAt: '2026-12-01T09:00:00.000Z' });
    c.clock.now = '2026-12-08T09:00:00.000Z';
    await ask('2026-12-10T12:00:00.000Z');
    expect(await intermediate()).toMatchObject({ startsAt: '2026-12-08T09:00:00.000Z', dueAt: '2026-12-10T12:00:00.000Z', doneAt: null, status: 'running' });
    expect(dueItems(await c.stored(), policy, '2026-12-11T09:00:00.000Z').map((d) => `${d.clock}:${d.kind}`)).toContain('nis2-intermediate:clock-overdue');
    c.clock.now = '2026-12-10T10:00:00.000Z';
    await c.toBoth('intermediate', '2026-12-10T09:00:00.000Z');
    expect(await intermediate()).toMatchObject({ status: 'met', doneAt: '2026-12-10T09:00:00.000Z' });
  });
});
