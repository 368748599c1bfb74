/**
 * What the incident's record had no room for (commit-bounds.ts: `actionsNotPlanned`,
 * `resourcesNotListed`) is said wherever a person reads the incident, not only in the human
 * `show` (review3 attack §8): `show --json` and `status --json`, the web page, the AP draft
 * ("is the breach ongoing?" and the measures) and the register.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { showObject, statusObject } from '../../handlers/cli/views.js';
import { buildDraft } from '../../handlers/core/draft.js';
import { emptyFacts, type Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY, type Policy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { registerCsv, registerMarkdown, registerRow } from '../../handlers/core/register.js';
import { ACCOUNT, largeSequenceEvent, REGION } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const NOW = '2026-11-28T03:00:00.000Z';
const ENGLISH: Policy = { ...DEFAULT_POLICY, language: 'en' };

/** A Critical attack sequence naming 150 EC2 instances: more than the record holds. */
function fleetSequence() {
  const more = Array.from({ length: 150 }, (_, i) => {
    const uid = `i-${i.toString(16).padStart(17, '0')}`;
    return { uid, name: uid, accountId: ACCOUNT, resourceType: 'EC2_INSTANCE', region: REGION, service: 'EC2' };
  });
  return largeSequenceEvent({ id: 'b'.repeat(32), type: 'AttackSequence:EC2/CompromisedInstanceGroup', createdAt: '2026-11-28T02:50:00.000Z', more });
}

describe('the containment the record had no room for, everywhere a person reads the incident', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let incident: Incident;
  beforeEach(async () => {
    t = tempSqliteStore();
    const r = await recordEvent({ store: t.store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false }, fleetSequence());
    incident = (await t.store.getIncident(r.incidentId as string)) as Incident;
    expect(incident.actionsNotPlanned?.count).toBeGreaterThan(0);
    expect(incident.resourcesNotListed).toBeGreaterThan(0);
  });
  afterEach(async () => t.cleanup());

  it('show --json and status --json carry actionsNotPlanned and resourcesNotListed', async () => {
    const expected = { actionsNotPlanned: incident.actionsNotPlanned, resourcesNotListed: incident.resourcesNotListed };
    expect(statusObject(incident, DEFAULT_POLICY, NOW)).toMatchObject(expected);
    expect(showObject(incident, await t.store.getTimeline(incident.id), DEFAULT_POLICY, NOW)).toMatchObject(expected);
  });

  it('leaves both keys out while the bounds were not reached', () => {
    const { actionsNotPlanned: _a, resourcesNotListed: _r, ...within } = incident;
    const object = statusObject(within as Incident, DEFAULT_POLICY, NOW);
    expect(object).not.toHaveProperty('actionsNotPlanned');
    expect(object).not.toHaveProperty('resourcesNotListed');
  });

  it('the web page says it on the incident and in the overview, in Dutch and English', async () => {
    const web = inProcessWebApp({ store: t.store, policy: DEFAULT_POLICY, now: () => NOW });
    const n = incident.actionsNotPlanned?.count;
    const en = await (await web.get(`/incidents/${incident.id}`, 'en')).text();
    expect(en).toContain(`Not planned: ${n} further containment action(s) the incident&#39;s record had no room for.`);
    expect(en).toContain(`${incident.resourcesNotListed} more resource(s) the findings name are not in the incident&#39;s list.`);
    expect(await (await web.get(`/incidents/${incident.id}`, 'nl')).text()).toContain(`Niet gepland: ${n} verdere inperkingsactie(s)`);
    expect(await (await web.get('/', 'en')).text()).toContain(`${n} not planned (no room)`);
  });

  it('the AP draft does not call the breach contained, and says it beside the measures taken', () => {
    const n = incident.actionsNotPlanned?.count;
    const facts = { ...emptyFacts(), measuresTaken: 'Netwerk van de cluster afgesloten' };
    const withMeasures: Incident = { ...incident, facts };
    const draft = buildDraft(withMeasures, ENGLISH, NOW, 'en');
    const fields = draft.sections.flatMap((s) => s.fields);
    const value = (key: string) => fields.find((f) => f.key === key)?.value;
    expect(value('ongoing')).toMatch(new RegExp(`^not contained; still open: .*${n} further containment action\\(s\\) not planned or carried out by datalek`));
    expect(value('measuresTaken')).toMatch(
      new RegExp(`^Netwerk van de cluster afgesloten; ${n} further containment action\\(s\\) not planned or carried out by datalek`),
    );
    expect(JSON.stringify(buildDraft(withMeasures, DEFAULT_POLICY, NOW, 'nl'))).toContain(
      `nog ${n} inperkingsactie(s) niet gepland en niet uitgevoerd door datalek`,
    );
  });

  it('the register says it in its containment column (CSV, JSON) and beside what was not carried out (Markdown)', () => {
    const n = incident.actionsNotPlanned?.count;
    const row = registerRow(incident, DEFAULT_POLICY, NOW);
    expect(row.containment).toContain(`${n} further containment action(s) not planned or carried out by datalek`);
    expect(registerCsv([row])).toContain(`${n} further containment action(s) not planned`);
    expect(registerMarkdown([incident], DEFAULT_POLICY, NOW, 'nl')).toContain(`nog ${n} inperkingsactie(s) niet gepland en niet uitgevoerd door datalek`);
  });
});
