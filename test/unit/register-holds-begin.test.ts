/**
 * fgsec12 S3 (review11): G4 (9d3d147) added the begin of the breach as a person states it (`facts --started-at`
 * with `--started-reason`: "the key stood on GitHub since 20 November"), before GuardDuty's detection
 * only confirmed. The record and the AP draft (section 2) hold it, but the breach register (Art.
 * 33(5): "the facts relating to the personal data breach") holds neither the begin nor how it is
 * known: its rows carry GuardDuty's `firstActivityAt` (27 Nov) and `endedAt`, so the register says the
 * breach began a week later than the organisation itself recorded, and drops the reason the FG had
 * to give. Now the row carries `startedAt`, `startedReason` and `startedBeforeDetection` (new last CSV
 * columns), and the Markdown the begin beside the detection, marked, with its reason.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FgDeps, recordFacts } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { registerCsv, registerMarkdown, registerRow } from '../../handlers/core/register.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const org = { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };
const REASON = 'sleutel stond sinds 20 november op GitHub';

describe('fgsec12 S3: the register holds the begin of the breach the FG recorded', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  const policy = parsePolicy({ organisation: org });
  const now = '2026-11-28T08:00:00.000Z';
  let deps: FgDeps;
  const id = 'dl-s3';
  beforeEach(async () => {
    t = tempSqliteStore();
    deps = { store: t.store, policy, now: () => now };
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
  });
  afterEach(async () => t.cleanup());

  it('in its row, its CSV and its Markdown, with how it is known', async () => {
    await recordFacts(deps, { incidentId: id, by: 'FG', startedAt: '2026-11-20T09:00:00Z', startedReason: REASON, confirmStatedTime: true });
    const incident = (await t.store.getIncident(id)) as Incident;
    expect(incident.facts?.startedAt).toBe('2026-11-20T09:00:00.000Z'); // premise: the record holds it
    const row = JSON.stringify(registerRow(incident, policy, now));
    expect(row).toContain('2026-11-20T09:00:00.000Z');
    expect(row).toContain(REASON);
    expect(registerCsv([registerRow(incident, policy, now)])).toContain(REASON);
    expect(registerMarkdown([incident], policy, now, 'nl')).toContain(REASON);
    expect(registerRow(incident, policy, now)).toMatchObject({ startedAt: '2026-11-20T09:00:00.000Z', startedReason: REASON, startedBeforeDetection: true });
    expect(registerMarkdown([incident], policy, now, 'nl')).toMatch(
      /begonnen 2026-11-20 10:00 CET [^|]*\(vóór de detectie door GuardDuty\) \(reden: sleutel stond/,
    );
    // The CSV's last columns: new ones go after the others, so scripts reading by position keep working.
    const [header, line] = registerCsv([registerRow(incident, policy, now)]).split(/\r?\n/);
    // (Then review12 S3's internal AP target, empty here, and who recorded the FG's decisions.)
    expect(header.split(',').slice(-10, -6)).toEqual(['startedAt', 'startedReason', 'startedBeforeDetection', 'endedBeforeDetection']);
    expect(line).toContain(`"2026-11-20T09:00:00.000Z","${REASON}","true","false",`);
  });

  it('an incident without a stated begin has empty cells', async () => {
    const row = registerRow((await t.store.getIncident(id)) as Incident, policy, now);
    expect(row).toMatchObject({ startedAt: null, startedReason: null, startedBeforeDetection: false });
  });
});
