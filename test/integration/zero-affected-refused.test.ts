/**
 * atk29 A12: a breach assessed as affecting personal data (Art. 33(1), 34(1): a risk to natural persons)
 * was recorded as affecting at most 0 data subjects, or 0 records with categories of personal data named,
 * without a word, and the AP draft stated that impossible breach. Refused both ways, as "no personal data"
 * beside facts naming it is (checkAssessmentAgainstFacts): the facts under "personal data: yes", and
 * "personal data: yes" over such facts. On the command line and on the page.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assess, type FgDeps, recordFacts } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { runCli } from '../support/cli.js';
import { incidentFixture } from '../support/incidents.js';
import { csrfOf, formBase } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const id = 'dl-zero-a12';
const now = '2026-11-28T08:00:00.000Z';

describe('no data subject and no record under "personal data affected" is refused', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let deps: FgDeps;
  const stored = async () => (await t.store.getIncident(id)) as Incident;

  beforeEach(async () => {
    t = tempSqliteStore();
    deps = { store: t.store, policy, now: () => now };
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
  });
  afterEach(async () => t.cleanup());

  const assessedYes = () => assess(deps, { incidentId: id, personalData: 'yes', risk: 'high', reason: 'klantdata', by: 'FG' });

  it('refuses facts of at most 0 data subjects, or 0 records with categories, under an assessment of personal data', async () => {
    await assessedYes();
    const before = (await stored()).facts;
    await expect(recordFacts(deps, { incidentId: id, by: 'FG', subjectsMin: 0, subjectsMax: 0 })).rejects.toThrow(
      /--subjects 0-0: .*personal data is affected.*at least one data subject/,
    );
    await expect(recordFacts(deps, { incidentId: id, by: 'FG', records: 0, categories: ['contact'] })).rejects.toThrow(
      /--records 0 beside categories of personal data \(contact\)/,
    );
    expect((await stored()).facts).toEqual(before);
    // A number above 0, or 0 records with no category named, is taken.
    await recordFacts(deps, { incidentId: id, by: 'FG', subjectsMin: 0, subjectsMax: 10, records: 0 });
    expect((await stored()).facts).toMatchObject({ subjectsMin: 0, subjectsMax: 10, records: 0 });
    await expect(recordFacts(deps, { incidentId: id, by: 'FG', categories: ['contact'] })).rejects.toThrow(/--records 0 beside categories/);
  });

  it('refuses assessing personal data affected over facts of 0 data subjects; unknown is taken', async () => {
    await recordFacts(deps, { incidentId: id, by: 'FG', subjectsMin: 0, subjectsMax: 0 });
    await expect(assessedYes()).rejects.toThrow(/--personal-data yes contradicts the facts on record.*--subjects 0-0/);
    expect((await stored()).assessment).toBeFalsy();
    await assess(deps, { incidentId: id, personalData: 'unknown', risk: 'risk', reason: 'nog onbekend', by: 'FG' });
    expect((await stored()).assessment?.personalData).toBe('unknown');
  });

  it('says so on the page, beside the field, in Dutch', async () => {
    await assessedYes();
    const web = inProcessWebApp({ store: t.store, policy, now: () => now });
    const html = await (await web.get(`/incidents/${id}`)).text();
    const res = await web.post(`/incidents/${id}/facts`, { _csrf: csrfOf(html), ...formBase(html, 'facts'), subjects: '0-0' });
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(/<p class="error" id="f-facts-subjects-error">([^<]*)/.exec(page)?.[1]).toMatch(/ten minste één betrokkene/);
  });
});

describe('on the command line', () => {
  it('facts --subjects 0-0 --records 0 --categories under "personal data: yes" exits 2, nothing recorded', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const store = join(mkdtempSync(join(tmpdir(), 'datalek-zero-')), 's');
    const at = ['--store', store, '--now', '2026-11-27T22:10:00Z'];
    const replay = await runCli([
      'replay',
      'events/01-ec2-backdoor-command-and-control-high.json',
      '--json',
      '--store',
      store,
      '--now',
      '2026-11-27T21:20:00Z',
    ]);
    const incident = JSON.parse(replay.stdout.split('\n')[0]).incidentId as string;
    expect((await runCli(['assess', incident, '--personal-data', 'yes', '--risk', 'high', '--reason', 'klantdata', '--by', 'fg', ...at])).code).toBe(0);
    const r = await runCli(['facts', incident, '--subjects', '0-0', '--records', '0', '--categories', 'contact', '--by', 'fg', ...at]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--subjects 0-0');
    expect(JSON.parse((await runCli(['show', incident, '--json', '--store', store])).stdout).facts?.subjectsMax ?? null).toBeNull();
  });
});
