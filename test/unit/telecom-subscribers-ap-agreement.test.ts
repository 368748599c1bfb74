/**
 * Regulation 611/2013 art. 4(1): a telecom provider need not notify its subscribers of a breach
 * only when it "has demonstrated to the satisfaction of the competent national authority" (in the
 * Netherlands the AP) that the data was rendered unintelligible to anyone not authorised. The
 * provider's own view that the data was encrypted is not enough: the AP must have agreed. Nothing
 * recorded the AP's view: the subscribers' exception "encrypted" was recorded on the facts alone,
 * and the AP draft and the register showed it as a decision taken. Now the exception needs the AP's
 * agreement (its reference and when it agreed; who recorded it), and the draft and the register
 * show it; a record from before without it is named in the draft's "Let op", not as settled.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { showText, statusObject } from '../../handlers/cli/views.js';
import { clocksOf, dutiesAfterClosing } from '../../handlers/core/clocks.js';
import { buildDraft } from '../../handlers/core/draft.js';
import { decideSubjects, type FgDeps, recordFacts } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { REGISTER_COLUMNS, registerMarkdown, registerRow } from '../../handlers/core/register.js';
import { reportHtml } from '../../handlers/core/report-html.js';
import { dueItems } from '../../handlers/core/schedule.js';
import { subjectsAction } from '../../handlers/use-cases/actions.js';
import { parseFields } from '../../handlers/use-cases/fields.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const org = { name: 'Telecom Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };
const policy = parsePolicy({ organisation: org, clocks: { telecom: true } });
const id = 'dl-tw-411';
const now = '2026-11-28T10:00:00.000Z';

describe('the subscribers’ exception for unintelligible data needs the AP’s agreement (Regulation 611/2013 art. 4(1))', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  const deps = (): FgDeps => ({ store: t.store, policy, now: () => now });
  const exception = {
    incidentId: id,
    audience: 'subscribers',
    decision: 'exception',
    exception: 'encrypted',
    reason: 'database versleuteld, sleutel niet gelekt',
    by: 'FG',
  } as const;
  const subscribersField = (incident: Incident, lang: 'nl' | 'en') =>
    buildDraft(incident, policy, now, lang)
      .sections.flatMap((s) => s.fields)
      .find((f) => f.key === 'subscribersInformed')?.value;

  beforeEach(async () => {
    t = tempSqliteStore();
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    await recordFacts(deps(), { incidentId: id, by: 'FG', unintelligible: 'yes', nature: ['confidentiality'] });
  });
  afterEach(async () => t.cleanup());

  it('is refused on the facts alone, naming what is missing; nothing recorded', async () => {
    const before = await t.store.getIncident(id);
    await expect(decideSubjects(deps(), exception)).rejects.toThrow(/Regulation 611\/2013 art\. 4\(1\).*--ap-reference.*--ap-agreed-at/);
    expect(await t.store.getIncident(id)).toEqual(before);
  });

  it('is recorded with the AP’s reference and when it agreed; the draft and the register show them', async () => {
    const incident = await decideSubjects(deps(), { ...exception, apReference: 'AP-z2026-01234', apAgreedAt: '2026-11-28T09:00:00+01:00' });
    expect(incident.subscribers?.apAgreed).toEqual({ reference: 'AP-z2026-01234', at: '2026-11-28T08:00:00.000Z', by: 'FG' });
    expect(subscribersField(incident, 'en')).toContain('the AP agreed (Regulation 611/2013 art. 4(1)) on 2026-11-28 09:00 CET');
    expect(subscribersField(incident, 'en')).toContain('AP-z2026-01234');
    expect(subscribersField(incident, 'nl')).toContain('de AP stemde in (Verordening 611/2013 art. 4(1))');
    const row = registerRow(incident, policy, now);
    expect(row.subscribersApAgreement).toBe('AP-z2026-01234 at 2026-11-28T08:00:00.000Z, recorded by FG');
    expect(REGISTER_COLUMNS).toContain('subscribersApAgreement');
  });

  it('takes the AP’s agreement from the command line’s flags and the page’s fields (subjects --ap-reference --ap-agreed-at)', async () => {
    const flags = {
      audience: 'subscribers',
      decision: 'exception',
      exception: 'encrypted',
      reason: 'versleuteld',
      'ap-reference': 'AP-2',
      'ap-agreed-at': '2026-11-28T09:00:00+01:00',
    };
    const input = subjectsAction.input(parseFields(subjectsAction.fields, flags), { incidentId: id, by: 'FG' });
    const incident = await subjectsAction.run(deps() as never, input);
    expect(incident.subscribers?.apAgreed).toEqual({ reference: 'AP-2', at: '2026-11-28T08:00:00.000Z', by: 'FG' });
    const offered = (telecom: boolean) =>
      subjectsAction.fields
        .filter((f) => f.name.startsWith('ap-'))
        .filter((f) => !('offered' in f) || f.offered({ policy: parsePolicy({ organisation: org, clocks: { telecom } }), incident, now }));
    expect(offered(true).map((f) => f.name)).toEqual(['ap-reference', 'ap-agreed-at']);
    expect(offered(false)).toEqual([]);
  });

  it('takes the AP’s agreement only with the subscribers’ exception for unintelligible data', async () => {
    await expect(
      decideSubjects(deps(), { ...exception, audience: 'data-subjects', risk: undefined, apReference: 'AP-1', apAgreedAt: now } as never),
    ).rejects.toThrow(/--ap-reference and --ap-agreed-at belong to the subscribers’ exception/);
    await expect(decideSubjects(deps(), { ...exception, apReference: 'AP-1' })).rejects.toThrow(/--ap-agreed-at/);
  });

  it('names a record from before without the AP’s agreement in the draft’s "Let op", never as a settled exception', async () => {
    const stored = (await t.store.getIncident(id)) as Incident;
    const old = {
      ...stored,
      subscribers: { decision: 'exception', exception: 'encrypted', date: null, channel: null, reason: 'versleuteld', by: 'FG', at: now },
    } as Incident;
    const draft = buildDraft(old, policy, now, 'en');
    expect(draft.warnings.join(' ')).toContain('the AP’s agreement (Regulation 611/2013 art. 4(1)) is not recorded');
    expect(subscribersField(old, 'en')).toContain('the AP’s agreement (Regulation 611/2013 art. 4(1)) not recorded');
  });

  it('counts a record from before without the AP’s agreement as not done: the clock, status, show, the register and the report say so', async () => {
    const stored = (await t.store.getIncident(id)) as Incident;
    const old = {
      ...stored,
      assessment: { risk: 'risk', notifiable: true, reason: 'telecom', by: 'FG', at: now },
      subscribers: { decision: 'exception', exception: 'encrypted', date: null, channel: null, reason: 'versleuteld', by: 'FG', at: now },
    } as Incident;
    const clock = clocksOf(old, policy, now).find((c) => c.name === 'telecom-subscribers');
    expect(clock).toMatchObject({ status: 'running', doneAt: null });
    expect(clock?.note?.en).toContain('not done: the exception for unintelligible data was recorded without the AP’s agreement');
    expect(clock?.note?.nl).toContain('niet gedaan: de uitzondering wegens onbegrijpelijke gegevens is vastgelegd zonder de instemming van de AP');
    expect(statusObject(old, policy, now).clocks?.find((c) => c.name === 'telecom-subscribers')).toMatchObject({ status: 'running', doneAt: null });
    expect(showText(old, [], policy, now)).toContain('NOT DONE       not done: the exception for unintelligible data');
    // Reminded as no decision is, so a closed record stays in the due index status reads.
    expect(dueItems(old, policy, '2026-12-05T10:00:00.000Z').map((d) => d.track)).toContain('subscribers');
    // Closed, it still owes the decision: status lists it beside the open ones.
    const closed = { ...old, state: 'closed', closedAt: now } as Incident;
    expect(dutiesAfterClosing(closed, policy, now).map((c) => c.name)).toContain('telecom-subscribers');
    const row = registerRow(old, policy, now);
    expect(row.otherClocks).toContain('telecom-subscribers: running');
    expect(row.subscribersApAgreement).toBe('not recorded: the subscribers’ decision is not done (Regulation 611/2013 art. 4(1))');
    const nl = registerMarkdown([old], policy, now, 'nl');
    expect(nl).toContain('niet gedaan: de uitzondering wegens onbegrijpelijke gegevens is vastgelegd zonder de instemming van de AP');
    const html = reportHtml(old, [], policy, now, 'nl');
    expect(html).toContain('niet gedaan: de uitzondering wegens onbegrijpelijke gegevens is vastgelegd zonder de instemming van de AP');
    // The incident page too, beside the decision and its clock.
    await t.store.commit({ incident: { ...old, revision: stored.revision + 1 }, expectedRevision: stored.revision, timeline: [], messages: [] });
    const page = await (await inProcessWebApp({ store: t.store, policy, now: () => now }).get(`/incidents/${id}`, 'nl')).text();
    expect(page).toContain('niet gedaan: de uitzondering wegens onbegrijpelijke gegevens is vastgelegd zonder de instemming van de AP');
    // With the AP's agreement it is done, and says nothing of the kind.
    const agreed = { ...old, subscribers: { ...old.subscribers, apAgreed: { reference: 'AP-3', at: now, by: 'FG' } } } as Incident;
    expect(clocksOf(agreed, policy, now).find((c) => c.name === 'telecom-subscribers')).toMatchObject({ status: 'met', doneAt: now });
    expect(registerMarkdown([agreed], policy, now, 'nl')).not.toContain('niet gedaan: de uitzondering');
  });
});
