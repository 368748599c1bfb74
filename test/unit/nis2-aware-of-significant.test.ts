/**
 * Review 7 Y15: the NIS2 early warning (24 h) and incident notification (72 h) count from becoming
 * aware of the *significant* incident (NIS2 art. 23(4)(a), (b); domain notes §1), but the clocks
 * always started at GuardDuty's detection and nothing let a person record that awareness: an entity
 * whose investigation showed the incident significant two days after the finding read its early
 * warning, sent two hours after that, as late. Now `assess --nis2-aware-at ISO --reason` records an
 * NIS2 awareness of its own (default: the detection), never after the significance decision nor
 * after an NIS2 report, marked like the GDPR awareness, and never moved by the GDPR awareness.
 */
import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clocksOf } from '../../handlers/core/clocks.js';
import { assess, type FgDeps, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { type FgCase, openCase } from '../support/fg-case.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const org = { name: 'Waterbedrijf Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };
// The fixture: detected 2026-11-27T21:00Z. The investigation shows the incident significant two days later.
const DECIDED = '2026-11-29T21:00:00.000Z';
const SENT = '2026-11-29T23:00:00.000Z';
const WHY = 'forensisch onderzoek: productiedata versleuteld, dienst ligt stil';

describe('Y15: an NIS2 awareness of the significant incident, of its own', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let policy: Policy;
  let now: string;
  let deps: FgDeps;
  const id = 'dl-y15';
  const stored = async () => (await t.store.getIncident(id)) as Incident;
  const clock = async (name: string, at = now) => clocksOf(await stored(), policy, at).find((c) => c.name === name);
  const warn = (at: string) =>
    Promise.all(
      (['csirt', 'authority'] as const).map((to) =>
        recordReport({ ...deps, now: () => at }, { incidentId: id, to, kind: 'early-warning', reference: `EW-${to}`, by: 'CISO' }),
      ),
    );

  beforeEach(async () => {
    t = tempSqliteStore();
    policy = parsePolicy({ organisation: org, clocks: { nis2: true } });
    now = DECIDED;
    deps = { store: t.store, policy, now: () => now };
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
  });
  afterEach(async () => t.cleanup());

  it('counts the early warning from the awareness of the significant incident a person records, marked', async () => {
    await assess(deps, { incidentId: id, nis2Significant: true, nis2AwareAt: DECIDED, reason: WHY, by: 'CISO' });
    await warn(SENT);
    const warning = await clock('nis2-early-warning', SENT);
    expect({ startsAt: warning?.startsAt, dueAt: warning?.dueAt, status: warning?.status }).toEqual({
      startsAt: DECIDED,
      dueAt: '2026-11-30T21:00:00.000Z',
      status: 'met',
    });
    const incident = await stored();
    expect(incident.nis2AwareAt).toBe(DECIDED);
    expect(incident.decisions?.find((d) => d.kind === 'nis2-awareness')).toMatchObject({ from: null, to: DECIDED, reason: WHY, by: 'CISO' });
    // The significance decision itself was due a day after the detection: it stays late.
    expect((await clock('nis2-significance', SENT))?.status).toBe('late');
  });

  it('defaults to the detection, and a move of the GDPR awareness does not move it', async () => {
    await assess(deps, { incidentId: id, nis2Significant: true, reason: WHY, by: 'CISO' });
    expect((await clock('nis2-early-warning'))?.startsAt).toBe('2026-11-27T21:00:00.000Z');
    await assess(deps, {
      incidentId: id,
      personalData: 'yes',
      risk: 'risk',
      reason: 'klantbestand',
      awareAt: '2026-11-26T21:00:00Z',
      awareReason: 'een klant belde een dag eerder',
      confirmStatedTime: true,
      by: 'FG',
    });
    expect((await clock('nis2-early-warning'))?.startsAt).toBe('2026-11-27T21:00:00.000Z');
  });

  it('moving it later after the record held the early warning overdue needs the confirmation, and is marked', async () => {
    await assess(deps, { incidentId: id, nis2Significant: true, reason: WHY, by: 'CISO' });
    now = '2026-11-29T22:00:00.000Z';
    const move = { incidentId: id, nis2AwareAt: DECIDED, reason: 'pas na het onderzoek bleek het significant', by: 'CISO' };
    await expect(assess(deps, move)).rejects.toThrow(/--confirm-stated-time/);
    await assess(deps, { ...move, confirmStatedTime: true });
    const d = (await stored()).decisions?.find((x) => x.kind === 'nis2-awareness');
    expect(d?.clocksEnteredAfterDeadline?.map((c) => c.clock)).toContain('nis2-early-warning');
  });

  it('is refused after the significance decision, after an NIS2 report, without a reason, or without NIS2 clocks', async () => {
    // An early warning on 28 Nov 10:00Z, the decision recorded on 29 Nov.
    await warn('2026-11-28T10:00:00.000Z');
    await assess(deps, { incidentId: id, nis2Significant: true, reason: WHY, by: 'CISO' });
    now = '2026-11-30T08:00:00.000Z';
    await expect(assess(deps, { incidentId: id, nis2AwareAt: '2026-11-30T01:00:00Z', reason: 'x', by: 'CISO' })).rejects.toThrow(/significant at/);
    await expect(assess(deps, { incidentId: id, nis2AwareAt: '2026-11-28T21:00:00Z', by: 'CISO' })).rejects.toThrow(/--reason/);
    await expect(assess(deps, { incidentId: id, nis2AwareAt: '2026-11-28T21:00:00Z', reason: 'x', by: 'CISO', confirmStatedTime: true })).rejects.toThrow(
      /early warning|NIS2 report/,
    );
    const gdprOnly = parsePolicy({ organisation: org });
    await expect(assess({ ...deps, policy: gdprOnly }, { incidentId: id, nis2AwareAt: '2026-11-28T21:00:00Z', reason: 'x', by: 'CISO' })).rejects.toThrow(
      /no NIS2 clocks/,
    );
  });

  it('before the detection only confirmed, and marked so', async () => {
    const before = { incidentId: id, nis2Significant: true, nis2AwareAt: '2026-11-27T09:00:00Z', reason: 'de leverancier waarschuwde ons', by: 'CISO' };
    await expect(assess(deps, before)).rejects.toThrow(/before GuardDuty's detection/);
    await assess(deps, { ...before, confirmStatedTime: true });
    expect((await stored()).decisions?.find((x) => x.kind === 'nis2-awareness')).toMatchObject({ beforeDetection: true, enteredLater: true });
  });
});

describe('Y15 on the command line: assess --nis2-aware-at', () => {
  let c: FgCase;
  afterEach(() => rmSync(c.dir, { recursive: true, force: true }));

  it('records it with --reason and says the NIS2 deadlines run from it', async () => {
    c = await openCase({ policy: { clocks: { nis2: true } } }); // GuardDuty created the finding 2025-11-27T21:00Z
    const args = ['assess', c.id, '--nis2-significant', 'yes', '--nis2-aware-at', '2025-11-29T20:00:00Z', '--reason', WHY, '--by', 'CISO'];
    const r = await c.cli(args, '2025-11-29T21:00:00Z');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Aware of the significant incident (NIS2) at 2025-11-29 21:00 CET (2025-11-29T20:00:00.000Z): the NIS2 deadlines run from it.');
  });
});
