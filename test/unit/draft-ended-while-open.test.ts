/**
 * Review 5 F2: once the FG stated an end of the breach (`facts --ended-at`), the AP draft answered
 * "Is het datalek nog gaande?" with a bare "nee", whatever the record's containment said: here the
 * isolation of the instance failed and left a network interface in the all-traffic group (the
 * record pages on-call about it as Critical). The AP form asks whether the breach is ongoing
 * (section 2); Art. 33(3)(d) wants the measures taken, and a failed step is never reported as
 * contained (domain notes §4). The draft keeps the open containment beside the stated end, and
 * "Let op" names the contradiction.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDraft } from '../../handlers/core/draft.js';
import { assess, type FgDeps, recordFacts } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const org = { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };

describe('an end of the breach stated while the record holds containment failed and an interface open', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let now: string;
  let deps: FgDeps;
  let policy: Policy;
  const id = 'dl-f2';
  const stored = async () => (await t.store.getIncident(id)) as Incident;
  const ongoing = async () =>
    buildDraft(await stored(), policy, now, 'nl')
      .sections.flatMap((s) => s.fields)
      .find((f) => f.key === 'ongoing')?.value ?? null;

  beforeEach(async () => {
    t = tempSqliteStore();
    policy = parsePolicy({ organisation: org });
    now = '2026-11-28T09:00:00.000Z';
    deps = { store: t.store, policy, now: () => now };
    const incident = incidentFixture({ id });
    incident.actions.push({
      id: 'isolate-instance:i-dl-f2',
      type: 'isolate-instance',
      target: 'i-dl-f2',
      status: 'failed',
      mode: 'enforce',
      findingId: incident.firstFinding.findingId,
      at: '2026-11-27T21:05:00.000Z',
      reason: 'isolate-eni:eni-1 failed (RequestLimitExceeded)',
      steps: [{ name: 'isolate-eni:eni-1', status: 'failed', at: '2026-11-27T21:05:00.000Z', code: 'RequestLimitExceeded', exposed: true }],
    });
    await t.store.commit({ incident, expectedRevision: null, timeline: [], messages: [] });
    await assess(deps, { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
  });
  afterEach(async () => t.cleanup());

  it('without an end, section 2 says the failed isolation and the open interface', async () => {
    expect(await ongoing()).toMatch(/mislukt; een netwerkinterface staat open/);
  });

  it('with an end stated, section 2 says the end and what is still open, and "Let op" names it', async () => {
    await recordFacts(deps, { incidentId: id, endedAt: '2026-11-28T08:00:00Z', by: 'FG' });
    const draft = buildDraft(await stored(), policy, now, 'nl');
    expect(await ongoing()).toMatch(
      /^nee; einde vastgesteld op .*2026-11-28T08:00:00\.000Z\); let op: inperking nog open: EC2-instantie isoleren i-dl-f2 \(mislukt; een netwerkinterface staat open\)$/,
    );
    expect(draft.warnings.filter((w) => w.startsWith('Het einde van het datalek is vastgesteld'))).toEqual([
      expect.stringContaining('nog open: EC2-instantie isoleren i-dl-f2 (mislukt; een netwerkinterface staat open)'),
    ]);
  });

  it('with an end stated and the containment carried out, says "nee" and warns of nothing', async () => {
    const incident = await stored();
    incident.actions[0] = { ...incident.actions[0], status: 'done', steps: [{ name: 'isolate-eni:eni-1', status: 'done', at: '2026-11-28T07:00:00.000Z' }] };
    await t.store.commit({ incident: { ...incident, revision: incident.revision + 1 }, expectedRevision: incident.revision, timeline: [], messages: [] });
    await recordFacts(deps, { incidentId: id, endedAt: '2026-11-28T08:00:00Z', by: 'FG' });
    expect(await ongoing()).toBe('nee');
    expect(buildDraft(await stored(), policy, now, 'nl').warnings.filter((w) => w.startsWith('Het einde van het datalek'))).toEqual([]);
  });
});
