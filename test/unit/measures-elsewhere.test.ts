/**
 * A resource incident B holds was contained by another incident K (B's action left to K, `heldBy`;
 * or K's containment covering B's resource): that isolation is a measure taken for B's breach too
 * (Art. 33(3)(d)). B's AP draft, its notice and its register row name it, saying it was carried out
 * under incident K; a containment K did not carry out (failed) is not named as taken.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { carriedOutElsewhere, measuresTaken } from '../../handlers/core/breach-facts.js';
import { heldByReason } from '../../handlers/core/containment.js';
import { buildDraft } from '../../handlers/core/draft.js';
import { assess, recordFacts } from '../../handlers/core/fg-workflow.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { registerExport } from '../../handlers/use-cases/queries.js';
import { runCli } from '../support/cli.js';
import { incidentFixture, REGISTER_FACTS } from '../support/incidents.js';
import { pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const NOW = '2026-11-28T10:00:00.000Z';
const ISOLATED_AT = '2026-11-27T21:05:00.000Z';

const isolation = (over: Partial<ActionRecord>): ActionRecord => ({
  id: 'isolate-instance:i-shared',
  type: 'isolate-instance',
  target: 'i-shared',
  status: 'done',
  mode: 'enforce',
  findingId: 'f-dl-k',
  at: '2026-11-27T21:02:00.000Z',
  steps: [{ name: 'isolate', status: 'done', at: ISOLATED_AT }],
  ...over,
});

/** K carried out the isolation; B's own action on the instance was left to K. */
const K = incidentFixture({ id: 'dl-k', actions: [isolation({})] });
const B = incidentFixture({
  id: 'dl-b',
  findingType: 'UnauthorizedAccess:EC2/SSHBruteForce',
  actions: [isolation({ status: 'skipped', heldBy: 'dl-k', reason: heldByReason('dl-k'), findingId: 'f-dl-b', steps: undefined })],
});

describe('containment another incident carried out for this one', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  const deps = () => ({ store: t.store, policy, now: () => NOW });

  beforeEach(async () => {
    t = tempSqliteStore();
    for (const incident of [K, B]) await t.store.commit({ incident, expectedRevision: null, timeline: [], messages: [] });
  });
  afterEach(async () => t.cleanup());

  it("is named in B's AP draft on the command line, with the incident that carried it out", async () => {
    const nl = await runCli(['draft', 'dl-b', '--store', t.dir, '--lang', 'nl', '--format', 'json']);
    expect(nl.code, nl.stderr).toBe(0);
    const taken = (JSON.parse(nl.stdout) as { sections: { fields: { key: string; value: string | null }[] }[] }).sections
      .flatMap((s) => s.fields)
      .find((f) => f.key === 'measuresTaken');
    expect(taken?.value).toMatch(/i-shared .*uitgevoerd onder incident dl-k/);
    const en = await runCli(['draft', 'dl-b', '--store', t.dir, '--lang', 'en']);
    expect(en.stdout).toMatch(/i-shared .*carried out under incident dl-k/);
  });

  it("is named in B's register row and on the page's draft and register", async () => {
    const rows = JSON.parse(await registerExport(deps(), {}, 'json')) as { incidentId: string; measuresTaken: string }[];
    expect(rows.find((r) => r.incidentId === 'dl-b')?.measuresTaken).toMatch(
      /isolate-instance i-shared \(2026-11-27T21:05:00.000Z\).*carried out under incident dl-k/,
    );
    // K's own row names it as its own.
    expect(rows.find((r) => r.incidentId === 'dl-k')?.measuresTaken).not.toContain('under incident');
    const web = inProcessWebApp({ store: t.store, policy, now: () => NOW });
    expect(pageText(await (await web.get('/incidents/dl-b/draft', 'nl')).text())).toContain('uitgevoerd onder incident dl-k');
    expect(pageText(await (await web.get('/register', 'nl')).text())).toContain('uitgevoerd onder incident dl-k');
  });

  it('counts for closing B: its register has the measure, though B recorded none of its own', async () => {
    const d = { ...deps(), now: () => NOW };
    await assess(d, { incidentId: 'dl-b', personalData: 'yes', risk: 'none', reason: 'versleutelde schijf', by: 'FG' });
    const { measuresTaken: _none, ...facts } = REGISTER_FACTS;
    await recordFacts(d, { incidentId: 'dl-b', by: 'FG', ...facts });
    const closed = await runCli(['close', 'dl-b', '--reason', 'afgehandeld', '--by', 'FG', '--store', t.dir]);
    expect(closed.code, closed.stderr).toBe(0);
    expect(((await t.store.getIncident('dl-b')) as Incident).state).toBe('closed');
  });

  it('names only containment K carried out and did not release; B carrying it out itself names its own', () => {
    expect(carriedOutElsewhere(B, [K]).map((e) => e.incidentId)).toEqual(['dl-k']);
    const failed = { ...K, actions: [isolation({ status: 'failed', steps: [{ name: 'isolate', status: 'failed', at: ISOLATED_AT }] })] };
    expect(carriedOutElsewhere(B, [failed])).toEqual([]);
    const released = { ...K, actions: [isolation({ released: { at: NOW, by: 'FG', reason: 'onderzoek klaar' } })] };
    expect(measuresTaken(B, 'en', undefined, carriedOutElsewhere(B, [released]))).toEqual([]);
    const own = { ...B, actions: [isolation({ findingId: 'f-dl-b' })] };
    expect(carriedOutElsewhere(own, [K])).toEqual([]);
  });

  it("is named in the draft of B when only B's note says K took it up (containedBy): B holds the resource's key, and no action of B's was left to K", async () => {
    const holder = incidentFixture({
      id: 'dl-h',
      resourceKeys: ['ec2-instance:111122223333:eu-west-1:i-shared'],
      containedBy: [{ type: 'isolate-instance', target: 'i-shared', accountId: '111122223333', region: 'eu-west-1', incidentId: 'dl-k' }],
      actions: [],
    });
    await t.store.commit({ incident: holder, expectedRevision: null, timeline: [], messages: [] });
    const en = await runCli(['draft', 'dl-h', '--store', t.dir, '--lang', 'en']);
    expect(en.code, en.stderr).toBe(0);
    expect(en.stdout).toMatch(/i-shared .*carried out under incident dl-k/);
    const rows = JSON.parse(await registerExport(deps(), {}, 'json')) as { incidentId: string; measuresTaken: string }[];
    expect(rows.find((r) => r.incidentId === 'dl-h')?.measuresTaken).toMatch(/i-shared.*carried out under incident dl-k/);
  });

  it("names K's containment of B's own resource, B having no action on it (K holds the resource)", () => {
    const onInstance = incidentFixture({ id: 'dl-c', resourceKey: 'ec2-instance:111122223333:eu-west-1:i-shared', actions: [] });
    const draft = buildDraft(onInstance, policy, NOW, 'en', carriedOutElsewhere(onInstance, [K]));
    const taken = draft.sections.flatMap((s) => s.fields).find((f) => f.key === 'measuresTaken');
    expect(taken?.value).toMatch(/i-shared .*carried out under incident dl-k/);
    // Another account's instance of that id is not B's resource.
    const elsewhere = incidentFixture({ id: 'dl-d', resourceKey: 'ec2-instance:999999999999:eu-west-1:i-shared', actions: [] });
    expect(carriedOutElsewhere(elsewhere, [K])).toEqual([]);
  });
});
