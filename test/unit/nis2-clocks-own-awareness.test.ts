/**
 * Review 7, G5: the NIS2 / Cyberbeveiligingswet clocks (early warning 24 h, notification 72 h) start
 * at the incident's GDPR awareness (`awareAt`: certainty that *personal data* was compromised, EDPB
 * 9/2022), not at awareness of the significant incident (NIS2 art. 23(4)(a)). Moving the GDPR
 * awareness later for a good GDPR reason moves the NIS2 deadlines later too, even past the moment
 * the entity itself decided the incident was significant.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clocksOf } from '../../handlers/core/clocks.js';
import { assess, type FgDeps } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const org = { name: 'Waterbedrijf Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };

describe('G5: NIS2 deadlines follow the GDPR awareness', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let deps: FgDeps;
  let policy: Policy;
  let now: string;
  const id = 'dl-g5';
  const stored = async () => (await t.store.getIncident(id)) as Incident;

  beforeEach(async () => {
    t = tempSqliteStore();
    policy = parsePolicy({ organisation: org, clocks: { nis2: true } });
    now = '2026-11-27T22:00:00.000Z';
    deps = { store: t.store, policy, now: () => now };
    // detected 2026-11-27T21:00Z
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
  });
  afterEach(async () => t.cleanup());

  it('keeps the NIS2 early warning due 24 h after the incident was known significant, whatever the GDPR awareness', async () => {
    // 22:00Z: the entity decides the incident is significant (ransomware on the production network).
    await assess(deps, { incidentId: id, nis2Significant: true, reason: 'productie ligt stil', by: 'CISO' });
    // Next morning: only now is it certain that personal data was compromised (GDPR awareness).
    now = '2026-11-28T12:00:00.000Z'; // before the NIS2 deadline: no confirmation asked
    await assess(deps, {
      incidentId: id,
      personalData: 'yes',
      risk: 'risk',
      reason: 'klantbestand versleuteld',
      awareAt: '2026-11-28T12:00:00Z',
      awareReason: 'pas na forensisch onderzoek zeker dat persoonsgegevens getroffen zijn',
      by: 'FG',
    });
    now = '2026-11-28T23:00:00.000Z';
    const warning = clocksOf(await stored(), policy, now).find((c) => c.name === 'nis2-early-warning');
    // Aware of the incident at detection (21:00Z), significant at 22:00Z: the early warning was due 2026-11-28T21:00Z.
    // Today: due 2026-11-29T12:00Z (GDPR awareness + 24 h), and 'running' at 23:00Z instead of overdue.
    expect({ dueAt: warning?.dueAt, status: warning?.status }).toEqual({ dueAt: '2026-11-28T21:00:00.000Z', status: 'overdue' });
  });
});
