/**
 * The Art. 34(2) notice to the data subjects must not state a measure that was not taken unseen
 * (review8, fg-security's smaller observations; a variant of G15). The FG recorded "server
 * geïsoleerd" as a measure taken while the record holds the isolation only as planned: the notice
 * said "Wij hebben deze maatregelen genomen: server geïsoleerd" without a word, where the AP draft
 * warns ("Let op"). The notice now warns its sender the same way (CLI, JSON and the web page) until
 * the step is recorded as carried out by hand (`datalek contained`) or the end of the breach is.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordContainedByHand } from '../../handlers/core/by-hand.js';
import { buildDraft } from '../../handlers/core/draft.js';
import { assess, type FgDeps, recordFacts } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { buildNotice, noticeMarkdown } from '../../handlers/core/notice.js';
import { type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { doneIsolation, incidentFixture } from '../support/incidents.js';
import { pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const org = { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };
const NOW = '2026-11-28T09:00:00.000Z';

describe('the notice beside containment still planned', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let deps: FgDeps;
  let policy: Policy;
  const id = 'dl-notice-planned';
  const notice = async () => buildNotice((await t.store.getIncident(id)) as Incident, policy, NOW, 'nl');
  const whatWeDid = async () => (await notice()).sections.find((s) => s.key === 'whatWeDid')?.text ?? null;

  beforeEach(async () => {
    t = tempSqliteStore();
    policy = parsePolicy({ organisation: org });
    deps = { store: t.store, policy, now: () => NOW };
    const planned = doneIsolation(`i-${id}`, { status: 'planned', mode: 'plan', steps: [], reason: 'plan mode: a person acts' });
    await t.store.commit({ incident: incidentFixture({ id, actions: [planned] }), expectedRevision: null, timeline: [], messages: [] });
    await assess(deps, { incidentId: id, personalData: 'yes', risk: 'high', reason: 'medische gegevens', by: 'FG' });
    await recordFacts(deps, { incidentId: id, by: 'FG', measuresTaken: 'server geïsoleerd', measuresProposed: 'wachtwoorden laten wijzigen' });
  });
  afterEach(async () => t.cleanup());

  it('warns its sender that the record holds the isolation as planned beside the measures it names', async () => {
    expect(await whatWeDid()).toContain('server geïsoleerd');
    const n = await notice();
    expect(n.warnings).toEqual([
      expect.stringMatching(new RegExp(`^Let op: de inperking staat in het dossier nog als gepland \\(EC2-instantie isoleren i-${id}\\).*datalek contained`)),
    ]);
    expect(noticeMarkdown(n, policy)).toContain(`> Let op: de inperking staat in het dossier nog als gepland`);
  });

  it('shows the warning on the web page of the notice', async () => {
    const web = inProcessWebApp({ store: t.store, policy, now: () => NOW });
    const page = pageText(await (await web.get(`/incidents/${id}/notice?lang=nl`)).text());
    expect(page).toContain('Let op: de inperking staat in het dossier nog als gepland');
  });

  it('says it once the step is recorded as carried out by hand', async () => {
    await recordContainedByHand(deps, { incidentId: id, actionId: `isolate-instance:i-${id}`, what: 'met de hand geïsoleerd', by: 'on-call' });
    expect(await whatWeDid()).toContain('server geïsoleerd');
    expect((await notice()).warnings).toEqual([]);
  });
});

/**
 * review8 A2: the warning sent people to `datalek contained` for every planned step, also one the
 * policy enforces and the contain function is still to carry out, which `contained` now refuses
 * (once done by hand no run would carry it out). For such a step the notice and the AP draft say the
 * contain function carries it out and `datalek contain <id>` does if it stopped; a plan-mode step
 * keeps only the `datalek contained` advice (above).
 */
describe('the notice and the draft beside an enforced containment still planned', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  const id = 'dl-notice-enforced';
  const policy = parsePolicy({ organisation: org });

  beforeEach(async () => {
    t = tempSqliteStore();
    const deps = { store: t.store, policy, now: () => NOW };
    const planned = doneIsolation(`i-${id}`, { status: 'planned', mode: 'enforce', steps: [] });
    await t.store.commit({ incident: incidentFixture({ id, actions: [planned] }), expectedRevision: null, timeline: [], messages: [] });
    await assess(deps, { incidentId: id, personalData: 'yes', risk: 'high', reason: 'medische gegevens', by: 'FG' });
    await recordFacts(deps, { incidentId: id, by: 'FG', measuresTaken: 'server geïsoleerd', measuresProposed: 'wachtwoorden laten wijzigen' });
  });
  afterEach(async () => t.cleanup());

  it('points to datalek contain, not only to datalek contained', async () => {
    const incident = (await t.store.getIncident(id)) as Incident;
    expect(buildNotice(incident, policy, NOW, 'nl').warnings).toEqual([
      expect.stringMatching(new RegExp(`datalek contained.*Het beleid dwingt EC2-instantie isoleren i-${id} af.*datalek contain ${id}\\.$`)),
    ]);
    expect(buildDraft(incident, policy, NOW, 'en').warnings).toContainEqual(
      expect.stringMatching(new RegExp(`The policy enforces isolate the EC2 instance i-${id}: the contain function carries it out.*datalek contain ${id}\\.$`)),
    );
  });
});
