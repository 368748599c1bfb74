/**
 * The closing note's "Still left" (FG): for a notification made in phases (Art. 33(4)) the draft did
 * not say which facts the AP has not received. The follow-up draft read "vervolgmelding op M-1"
 * and then every fact as recorded now, so the FG had to work out herself what the first phase
 * lacked. Now each AP report keeps which Art. 33(3) facts it carried (a short hash per fact), and
 * the draft names those added or changed since the last report, and those still missing.
 *
 * Review 12 (fgsec14) S4: it compared only the thirteen Art. 33(3) facts. Those the AP's form asks
 * and the FG records after the first phase were left out: the begin of the breach stated a week
 * before GuardDuty saw it (form section 2), its end ("is het datalek nog gaande?": nee), a processor
 * involved (section 1), the data subjects informed under Art. 34 (section 8), the risk raised
 * (section 3), the other authorities informed (section 8). After recording them the follow-up draft
 * said "niets nieuw of gewijzigd sinds M-1": the FG who trusts it sends a follow-up without them,
 * and the AP keeps a timeline and an Art. 34 answer no longer true (Art. 33(4), 33(3)(a)/(d), 5(2)).
 * Now each is named when recorded or changed since the last report, never as "missing".
 *
 * read14a A1: the rest of the form's timeline was still left out. The FG reports M-1 on time, then
 * learns the helpdesk knew days before and moves the awareness back with the reasons for the delay;
 * the CLI tells her to send those to the AP with a follow-up, the draft's sections 2 and 9 changed,
 * and "Nog niet bij de AP" said "niets nieuw of gewijzigd sinds M-1" (Art. 33(1), (4)). Likewise a
 * finding that moves the detection, and with it the begin the draft shows, earlier.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { buildDraft } from '../../handlers/core/draft.js';
import { assess, decideSubjects, recordFacts, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const id = 'dl-not-with-ap';
let clock = '2026-11-27T22:00:00.000Z';

describe('the draft names the facts the AP has not received (Art. 33(4))', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  const deps = () => ({ store, policy, now: () => clock });
  const notWithAp = async (lang: 'nl' | 'en') =>
    buildDraft((await store.getIncident(id)) as Incident, policy, clock, lang)
      .sections.flatMap((s) => s.fields)
      .find((f) => f.key === 'notWithAp');

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    clock = '2026-11-27T22:00:00.000Z';
    await store.commit({ incident: incidentFixture({ id, actions: [] }), expectedRevision: null, timeline: [], messages: [] });
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'cliëntgegevens op de server', by: 'FG' });
    await recordFacts(deps(), { incidentId: id, by: 'FG', summary: 'Server gecompromitteerd', nature: ['confidentiality'], categories: ['naam'] });
  });
  afterEach(async () => cleanup());

  it('asks nothing of a first notification', async () => {
    expect(await notWithAp('nl')).toBeUndefined();
  });

  it('names the facts added or changed since the last report, and those still missing', async () => {
    clock = '2026-11-28T08:00:00.000Z';
    await recordReport(deps(), { incidentId: id, reference: 'M-1', by: 'FG' });
    clock = '2026-11-29T10:00:00.000Z';
    await recordFacts(deps(), { incidentId: id, by: 'FG', categories: ['naam', 'adres'], records: 1200, cause: 'gestolen wachtwoord' });
    const en = await notWithAp('en');
    expect(en?.label).toBe('Not yet with the AP (Art. 33(4))');
    expect(en?.value).toMatch(
      /^Added since M-1: The cause in your own words; Approximate number of records\. Changed since M-1: Categories of personal data\. Still missing: /,
    );
    expect((await notWithAp('nl'))?.value).toMatch(/^Nieuw sinds M-1: .*\. Gewijzigd sinds M-1: .*\. Nog onbekend: /);
  });

  // fg28 item 3: the facts were joined with commas, and a fact's own name holds commas ("Aard van het
  // datalek: vertrouwelijkheid, integriteit en/of beschikbaarheid"): the FG could not tell where one ended.
  it('gives each group as a sentence, the facts in it apart by semicolons, for a fact whose name holds commas', async () => {
    clock = '2026-11-28T08:00:00.000Z';
    await recordReport(deps(), { incidentId: id, reference: 'M-1', by: 'FG' });
    clock = '2026-11-29T10:00:00.000Z';
    await recordFacts(deps(), { incidentId: id, by: 'FG', nature: ['confidentiality', 'integrity'], subjectsMin: 10, subjectsMax: 20 } as never);
    const value = (await notWithAp('nl'))?.value ?? '';
    expect(value).toMatch(
      /^Nieuw sinds M-1: Aantal betrokkenen, minimaal en maximaal\. Gewijzigd sinds M-1: Aard van het datalek: vertrouwelijkheid, integriteit en\/of beschikbaarheid\. Nog onbekend: [^.]+; /,
    );
  });

  it('says the AP has every fact once a follow-up carried them', async () => {
    clock = '2026-11-28T08:00:00.000Z';
    await recordReport(deps(), { incidentId: id, reference: 'M-1', by: 'FG' });
    await recordFacts(deps(), { incidentId: id, by: 'FG', records: 1200 });
    await recordReport(deps(), { incidentId: id, reference: 'M-1', kind: 'follow-up', by: 'FG' });
    expect((await notWithAp('en'))?.value).toMatch(/^Nothing added or changed since M-1 \(follow-up\)\. Still missing: /);
  });

  describe('review12 S4: the facts of the AP form beyond Art. 33(3)', () => {
    const afterM1 = async () => {
      clock = '2026-11-28T08:00:00.000Z';
      await recordReport(deps(), { incidentId: id, reference: 'M-1', by: 'FG' });
      clock = '2026-11-29T10:00:00.000Z';
    };

    it('says nothing changed while nothing did (the assessment M-1 carried is no change)', async () => {
      await afterM1();
      expect((await notWithAp('nl'))?.value).toMatch(/^Niets nieuw of gewijzigd sinds M-1\./);
    });

    it('after the begin, the end, a processor and the data subjects informed, it does not say nothing changed', async () => {
      await afterM1();
      await recordFacts(deps(), {
        incidentId: id,
        by: 'FG',
        startedAt: '2026-11-20T09:00:00Z',
        startedReason: 'de logs tonen de eerste download op 20 november',
        confirmStatedTime: true,
        endedAt: '2026-11-28T12:00:00Z',
        otherParty: { name: 'Hosting BV', role: 'processor' },
      } as never);
      await decideSubjects(deps(), {
        incidentId: id,
        decision: 'inform',
        reason: 'hoog risico',
        by: 'FG',
        date: '2026-11-29T09:00:00Z',
        channel: 'e-mail',
        text: 'Beste cliënt, …',
      });
      const incident = (await store.getIncident(id)) as Incident;
      expect([incident.facts?.startedAt, incident.subjects?.decision]).toEqual(['2026-11-20T09:00:00.000Z', 'inform']); // premise: recorded
      const value = (await notWithAp('nl'))?.value;
      // M-1 carried the begin as GuardDuty's first activity (read14a A1): the stated begin changes it.
      expect(value).toMatch(
        /^Nieuw sinds M-1: Einde van het datalek \(nog gaande\?\); Andere betrokken partijen \(zoals een verwerker\); Betrokkenen geïnformeerd of niet \(art\. 34\)\. Gewijzigd sinds M-1: Begin van het datalek\./,
      );
      // Never asked as missing: they are the form's own, not Art. 33(3)'s required facts.
      expect(value).not.toMatch(/Nog onbekend:.*(Begin van het datalek|art\. 34)/);
    });

    it('names a risk raised after M-1 and the other authorities informed', async () => {
      await afterM1();
      await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'high', reason: 'ook medische gegevens', by: 'FG' });
      await recordFacts(deps(), { incidentId: id, by: 'FG', otherAuthorities: 'politie (aangifte)' } as never);
      expect((await notWithAp('en'))?.value).toMatch(/^Added since M-1: Other authorities informed\. Changed since M-1: Assessment of the risk\./);
    });
  });

  describe('read14a A1: the timeline of section 2 and the reasons for a delay', () => {
    const onTimeM1 = async () => {
      clock = '2026-11-30T08:00:00.000Z';
      await recordReport(deps(), { incidentId: id, reference: 'M-1', by: 'FG' });
      clock = '2026-11-30T10:00:00.000Z';
    };

    it('names the moved awareness and the delay reasons it asks as not yet with the AP', async () => {
      await onTimeM1();
      await assess(deps(), {
        incidentId: id,
        awareAt: '2026-11-26T09:00:00Z',
        awareReason: 'de helpdesk meldde het lek al op 26 november',
        delayReason: 'de melding van de helpdesk bereikte de FG niet',
        confirmStatedTime: true,
        by: 'FG',
      } as never);
      expect(((await store.getIncident(id)) as Incident).awareAt).toBe('2026-11-26T09:00:00.000Z'); // premise: moved
      expect((await notWithAp('nl'))?.value).toMatch(/^Nieuw sinds M-1: Reden voor vertraging \(art\. 33\(1\)\)\. Gewijzigd sinds M-1: Bewust geworden\./);
    });

    it('fg24: the reasons a late report gave with it are with the AP, not "added since" that report', async () => {
      clock = '2026-12-01T08:00:00.000Z';
      await recordReport(deps(), { incidentId: id, reference: 'M-1', at: '2026-12-01T07:00:00Z', delayReason: 'de FG was pas toen bereikbaar', by: 'FG' });
      const value = (await notWithAp('en'))?.value;
      expect(value, 'premise: the draft compares with M-1').toMatch(/since M-1/);
      expect(value).not.toMatch(/Reasons for the delay/);
      // A follow-up that gives them afterwards carries them too.
      await recordReport(deps(), { incidentId: id, reference: 'M-1', kind: 'follow-up', delayReason: 'en het systeem lag eruit', by: 'FG' });
      expect((await notWithAp('en'))?.value).not.toMatch(/Reasons for the delay/);
    });

    it('names a detection moved earlier after M-1, and the begin shown from it', async () => {
      await onTimeM1();
      const incident = (await store.getIncident(id)) as Incident;
      const moved = { ...incident, detectedAt: '2026-11-27T18:00:00.000Z', firstActivityAt: '2026-11-27T17:00:00.000Z', revision: incident.revision + 1 };
      await store.commit({ incident: moved, expectedRevision: incident.revision, timeline: [], messages: [] });
      expect((await notWithAp('en'))?.value).toMatch(/^Changed since M-1: Start of the breach; Discovered\./);
    });
  });
});
