/**
 * The AP draft of a telecom provider (`clocks.telecom`) names the legal basis and the deadline that
 * run (review8 F6). When the FG assessed the breach not notifiable under the AVG ("personal data
 * yes, risk none": Art. 33(1)'s exception), the notification owed is the Telecommunicatiewet's alone
 * (Regulation 611/2013 art. 2: every breach, whatever the risk, initial within 24 hours): the draft
 * said "AVG (art. 33) en Telecommunicatiewet (art. 11.3a)" and gave the AVG's 72 hours as "Termijn
 * AP", while the AP's form asks exactly that (section 0: AVG or Telecommunicatiewet). When the
 * breach is notifiable under both, both are named, with both deadlines.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { showText, statusTable } from '../../handlers/cli/views.js';
import { buildDraft } from '../../handlers/core/draft.js';
import { assess, type FgDeps } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { composeMessage } from '../../handlers/core/messages.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const org = { name: 'Telecom Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };
const policy = parsePolicy({ organisation: org, clocks: { telecom: true } });

describe('the AP draft of a telecom breach the FG assessed not notifiable under the AVG', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  const id = 'dl-tw';
  const now = '2026-11-28T10:00:00.000Z';
  const deps = (): FgDeps => ({ store: t.store, policy, now: () => now });

  beforeEach(async () => {
    t = tempSqliteStore();
    // detected 2026-11-27T21:00Z; recorded under the telecom clocks, as a record opened today keeps them (law27: closed below, it owes what they ask)
    const incident = incidentFixture({ id, clocksInForce: { nis2: false, telecom: true } });
    await t.store.commit({ incident, expectedRevision: null, timeline: [], messages: [] });
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'none', reason: 'alleen verkeersgegevens van een testaccount', by: 'FG' });
  });
  afterEach(async () => t.cleanup());

  const fieldOf = async (key: string) => {
    const draft = buildDraft((await t.store.getIncident(id)) as Incident, policy, now, 'nl');
    return draft.sections.flatMap((s) => s.fields).find((f) => f.key === key);
  };

  it('does not give AVG art. 33 as the legal basis of the notification', async () => {
    const basis = await fieldOf('legalBasis');
    expect(basis?.value).toMatch(/Telecommunicatiewet/);
    expect(basis?.value).not.toMatch(/AVG \(art\. 33\)/);
  });

  it('gives the Telecommunicatiewet’s 24 hours as the AP deadline, not the AVG’s 72', async () => {
    const deadline = await fieldOf('apDeadline');
    // The AVG deadline would be 2026-11-30 22:00 CET; the Telecommunicatiewet's initial notification is due 2026-11-28 22:00 CET.
    expect(deadline?.value ?? '').not.toContain('2026-11-30');
    expect(deadline?.value).toContain('2026-11-28T21:00:00.000Z');
    expect(deadline?.value).toMatch(/Telecommunicatiewet/);
    expect((await fieldOf('awareAt'))?.label).not.toMatch(/72/);
  });

  // law24: the draft named the Telecommunicatiewet as its basis and its 24 hours as the deadline,
  // and above them warned that the breach was not notifiable and the draft served the register only:
  // the FG reading the warning first would not notify, while Regulation 611/2013 art. 2 asks it.
  it('warns that the notification is owed under the Telecommunicatiewet, not that the draft serves the register only', async () => {
    for (const lang of ['nl', 'en'] as const) {
      const draft = buildDraft((await t.store.getIncident(id)) as Incident, policy, now, lang);
      expect(draft.warnings.join(' ')).not.toMatch(/register only|alleen het register/);
    }
    const nl = buildDraft((await t.store.getIncident(id)) as Incident, policy, now, 'nl').warnings[0];
    expect(nl).toMatch(/niet meldplichtig onder de AVG \(art\. 33\(1\)\).*Telecommunicatiewet.*Verordening 611\/2013 art\. 2/);
    const en = buildDraft((await t.store.getIncident(id)) as Incident, policy, now, 'en').warnings[0];
    expect(en).toMatch(/not notifiable under the GDPR \(Art\. 33\(1\)\).*Telecommunications Act.*Regulation 611\/2013 Art\. 2/);
  });

  it('tells the FG in its messages that the AP notification is owed under the Telecommunicatiewet, not "niet meldplichtig" alone', async () => {
    const message = composeMessage({
      incident: (await t.store.getIncident(id)) as Incident,
      channel: 'fg',
      kind: 'clock-reminder',
      stateKey: 'x',
      now,
      policy,
    });
    expect(message.body.split('\n').filter((l) => l.startsWith('Melding AP:'))).toEqual([
      'Melding AP: niet meldplichtig onder de AVG (besluit FG); als aanbieder meldt u het datalek wel aan de AP (Telecommunicatiewet art. 11.3a, Verordening 611/2013 art. 2)',
    ]);
  });

  // law25: status and show gave "not notifiable (FG decision)" as the AP column's and line's note,
  // as for any breach assessed "no risk", while the provider's notification to the AP is still owed
  // (Regulation 611/2013 art. 2) and due within 24 hours: on-call reading the table saw nothing due.
  it('is shown by status and show with the notification to the AP still owed, and by when, not "not notifiable" alone', async () => {
    const incident = (await t.store.getIncident(id)) as Incident;
    const owed =
      'not notifiable under the GDPR (FG decision); the provider notifies the AP (Regulation 611/2013 Art. 2): due 2026-11-28 22:00 CET, 11h 0m left';
    const row = statusTable([incident], policy, now).split('\n')[1];
    expect(row).toContain(owed);
    const show = showText(incident, await t.store.getTimeline(id), policy, now);
    expect(show.split('\n').find((l) => l.startsWith('  AP deadline'))).toContain(owed);
    // Overdue, and closed with it overdue: still owed (61960886), so still said.
    const later = '2026-11-29T10:00:00.000Z';
    expect(statusTable([{ ...incident, state: 'closed', closedAt: later }], policy, later)).toContain(
      'the provider notifies the AP (Regulation 611/2013 Art. 2): due 2026-11-28 22:00 CET, overdue by 13h 0m',
    );
  });

  it('keeps "the register only" for a telecom provider once the FG finds no personal data affected', async () => {
    await assess(deps(), { incidentId: id, personalData: 'no', risk: 'none', reason: 'alleen systeemlogs', by: 'FG' });
    const draft = buildDraft((await t.store.getIncident(id)) as Incident, policy, now, 'en');
    expect(draft.warnings[0]).toMatch(/serves the register only/);
  });

  it('names both, with both deadlines, once the FG assesses it notifiable under the AVG too', async () => {
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'toch klantgegevens', by: 'FG' });
    expect((await fieldOf('legalBasis'))?.value).toBe('AVG (art. 33) en Telecommunicatiewet (art. 11.3a)');
    const deadline = (await fieldOf('apDeadline'))?.value ?? '';
    expect(deadline).toContain('2026-11-28T21:00:00.000Z');
    expect(deadline).toContain('2026-11-30T21:00:00.000Z');
  });
});
