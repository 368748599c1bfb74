/**
 * fg15 item 2 (last stop's "Still left", FG): an incident lists 100 finding types; those past it
 * were kept as hashes only (`findingTypesNotListed`, since 3f4c3fb; none before). `assess
 * --finding-types` checked that the listed ones were named and nothing else: a type past the list
 * could be left out, and a type the incident never had could be named, and the assessment was
 * recorded as answering for them. `show` did not show the types past the list, nor which the
 * assessment covered. Now the types are read from the incident's findings as its timeline recorded
 * them (the opening and each finding attached, a merged incident's too), so any can be named,
 * every one must be, and a name none of its findings had is refused; `show` lists them and says
 * which types the assessment in force covers (those its findings had when it was recorded).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { showText } from '../../handlers/cli/views.js';
import { assess, type FgDeps } from '../../handlers/core/fg-workflow.js';
import { findingTypesWithNames } from '../../handlers/core/finding-types.js';
import { appendEntries, type Incident, typeNotListedHash } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { csrfOf, formBase, pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const OWN = 'Backdoor:EC2/C&CActivity.B!DNS';
const LISTED = [OWN, ...Array.from({ length: 99 }, (_, i) => `Recon:EC2/A${String(i).padStart(3, '0')}`)].sort();
const PAST = ['Recon:EC2/B001', 'Recon:EC2/B002'];
const id = 'dl-types';

/** An incident whose findings brought the 100 listed types and two more; `hashed`: kept as hashes (after 3f4c3fb) or not (before). */
async function pastTheList(store: ReturnType<typeof tempSqliteStore>['store'], hashed: boolean) {
  const since = '2026-11-27T22:00:00.000Z';
  const incident = incidentFixture({
    id,
    findingTypes: LISTED,
    findings: 102,
    findingTypesNotListed: hashed ? { since, hashes: PAST.map(typeNotListedHash).sort() } : { since },
  });
  const joined = (type: string, at: string) => ({ at, kind: 'finding-attached', detail: { findingId: `f-${type}`, findingType: type, severity: 5 } });
  const timeline = [
    { at: '2026-11-27T21:01:00.000Z', kind: 'incident-opened', detail: { findingId: 'f-own', findingType: OWN, severity: 8 } },
    ...LISTED.filter((t) => t !== OWN).map((t) => joined(t, '2026-11-27T21:30:00.000Z')),
    ...PAST.map((t) => joined(t, since)),
  ];
  await store.commit({ incident, expectedRevision: null, timeline: appendEntries(incident, timeline), messages: [] });
}

describe('fg15 item 2: finding types past the 100 listed can be named, must be, and show shows them', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let now: string;
  let deps: FgDeps;
  const assessNaming = (types: string[]) =>
    assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'verkenning, geen data', by: 'FG', seen: { types } });
  beforeEach(() => {
    t = tempSqliteStore();
    now = '2026-11-28T09:00:00.000Z';
    deps = { store: t.store, policy: DEFAULT_POLICY, now: () => now };
  });
  afterEach(async () => t.cleanup());

  it('refuses an assessment that leaves out a type past the list, names it, and takes one naming them all', async () => {
    await pastTheList(t.store, true);
    await expect(assessNaming([...LISTED, PAST[0]])).rejects.toThrow(`not named in --finding-types: ${PAST[1]}`);
    await assessNaming([...LISTED, ...PAST]);
    expect((await t.store.getIncident(id))?.assessment?.personalData).toBe('no');
  });

  it('refuses a type none of the incident’s findings had', async () => {
    await pastTheList(t.store, true);
    await expect(assessNaming([...LISTED, ...PAST, 'Recon:EC2/NOTHERE'])).rejects.toThrow('not a type of any finding of incident dl-types: Recon:EC2/NOTHERE');
  });

  it('on a record from before 3f4c3fb (no hashes) reads the types past the list from its findings', async () => {
    await pastTheList(t.store, false);
    expect(await findingTypesWithNames(t.store, (await t.store.getIncident(id)) as Incident)).toMatchObject({ notListed: PAST, unnamed: 0 });
    await expect(assessNaming(LISTED)).rejects.toThrow(`not named in --finding-types: ${PAST.join(', ')}`);
    await assessNaming([...LISTED, ...PAST]);
  });

  // The page's assessment form checked the types by its page's token alone and named none: the FG
  // could not see the types past the list, nor say which the assessment covers (closing note, Still left).
  it('the page’s assessment form lists every type by name, past the list too, and records it only with each one ticked', async () => {
    await pastTheList(t.store, true);
    const web = inProcessWebApp({ store: t.store, policy: DEFAULT_POLICY, now: () => now });
    const page = await (await web.get(`/incidents/${id}`)).text();
    const form = /<form [^>]*id="assess"[\s\S]*?<\/form>/.exec(page)?.[0] ?? '';
    const ticks = [...form.matchAll(/<input type="checkbox" name="finding-types" value="([^"]*)"/g)].map((m) => m[1].replace(/&amp;/g, '&'));
    expect(ticks).toEqual([...LISTED, ...PAST].sort());
    const post = (types: string[]) =>
      web.post(`/incidents/${id}/assess`, {
        _csrf: csrfOf(page),
        ...formBase(page, 'assess'),
        'personal-data': 'no',
        risk: 'none',
        reason: 'verkenning, geen data',
        ...(types.length ? { 'finding-types': types.join(',') } : {}),
      });
    const refusal = async (types: string[]) => {
      const res = await post(types);
      expect(res.status).toBe(400);
      return pageText(await res.text());
    };
    expect(await refusal([])).toContain('Incident dl-types bevat 102 soorten bevindingen: vink bij "Beoordeelde soorten bevindingen" elke soort aan');
    const left = await post([...LISTED, PAST[0]]);
    expect(left.status).toBe(400);
    const again = await left.text();
    expect(pageText(again)).toContain(`niet aangevinkt: ${PAST[1]}`);
    // The form keeps what she ticked.
    expect(again).toMatch(new RegExp(`name="finding-types" value="${PAST[0]}" checked`));
    expect(again).not.toMatch(new RegExp(`name="finding-types" value="${PAST[1]}" checked`));
    expect(await refusal([...LISTED, ...PAST, 'Recon:EC2/NOTHERE'])).toContain('Geen soort van een bevinding van incident dl-types: Recon:EC2/NOTHERE');
    expect((await t.store.getIncident(id))?.assessment).toBeUndefined();
    expect((await post([...LISTED, ...PAST])).status).toBe(303);
    expect((await t.store.getIncident(id))?.assessment?.personalData).toBe('no');
  });

  it('show lists the types past the list and which the assessment covers', async () => {
    await pastTheList(t.store, true);
    await assessNaming([...LISTED, ...PAST]);
    // A type past the list comes after the assessment: not covered by it.
    const later = (await t.store.getIncident(id)) as Incident;
    const hashes = [...(later.findingTypesNotListed?.hashes ?? []), typeNotListedHash('Recon:EC2/B003')].sort();
    now = '2026-11-28T10:00:00.000Z';
    const next = { ...later, revision: later.revision + 1, findings: 103, findingTypesNotListed: { since: '2026-11-27T22:00:00.000Z', hashes } };
    const timeline = appendEntries(next, [{ at: now, kind: 'finding-attached', detail: { findingId: 'f-b3', findingType: 'Recon:EC2/B003', severity: 5 } }]);
    await t.store.commit({ incident: next, expectedRevision: later.revision, timeline, messages: [] });
    const incident = (await t.store.getIncident(id)) as Incident;
    const types = await findingTypesWithNames(t.store, incident);
    const text = showText(incident, await t.store.getTimeline(id), DEFAULT_POLICY, now, types);
    expect(text).toContain(`  not listed     ${[...PAST, 'Recon:EC2/B003'].join(', ')}   (past the 100 the record lists; read from its findings)`);
    expect(text).toContain('  assessed for   102 of the 103 finding types; not covered (came after the assessment): Recon:EC2/B003');
  });
});
