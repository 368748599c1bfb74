/**
 * law28 item 3: a notification to the AP made in time (M-1), withdrawn when the FG assessed the breach
 * not notifiable, and made anew (M-2) once it was found notifiable again after the 72 hours: the
 * record judged Art. 33(1) by M-2 alone. `reported` refused M-2 without reasons for a delay, and
 * status, show, the register and the messages read "reported … (late)" / "done late", the timely M-1
 * out of sight.
 *
 * Decided: Art. 33(1) asks the notification of the breach within 72 hours after awareness; the AP was
 * notified of this breach then (M-1). The withdrawal and the notification anew are later information
 * (Art. 33(4)). The verdict rests on the first notification, and every place that gives it names the
 * withdrawal and the notification anew beside it; a first notification made late stays late.
 *
 * law27 items 1 and 2: while the notification anew (M-2) was owed, status and the register read the AP
 * clock "overdue" (naming M-1 in the note) while the draft, judged by M-1, said "not late", and the
 * status line's deadline note named no M-1, only "overdue by". Decided: a state of its own,
 * `owed-anew`, wherever the AP clock is read: the Art. 33(1) verdict is M-1's (met or late, kept as
 * `anew.verdict`), and what is owed is the notification anew (Art. 33(4): without undue further delay,
 * no hours of its own), not a deadline passed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { deadlineNote, statusObject, statusTable } from '../../handlers/cli/views.js';
import { clocksOf } from '../../handlers/core/clocks.js';
import { buildDraft } from '../../handlers/core/draft.js';
import type { RefusedError } from '../../handlers/core/errors.js';
import { assess, type FgDeps, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { clockShownLabel } from '../../handlers/core/labels.js';
import { composeMessage } from '../../handlers/core/messages.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { registerRow } from '../../handlers/core/register.js';
import { openClocks } from '../../handlers/use-cases/queries.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const organisation = { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };
const policies = { nl: parsePolicy({ organisation }), en: parsePolicy({ organisation, language: 'en' }) };
const policy = policies.nl;
const id = 'dl-renotified';
let store: SqliteIncidentStore;
let cleanup: () => Promise<void>;
let now = '2026-11-28T08:00:00.000Z';
const deps = (): FgDeps => ({ store, policy, now: () => now });
const stored = async () => (await store.getIncident(id)) as Incident;
const apLine = (incident: Incident, lang: 'nl' | 'en') =>
  composeMessage({ incident, channel: 'fg', kind: 'opened', stateKey: 'test', now, policy: policies[lang] })
    .body.split('\n')
    .find((l) => l.startsWith(lang === 'nl' ? 'Melding AP: ' : 'AP notification: ')) as string;

// Detected 2026-11-27T21:00Z (the fixture): the AP deadline is 2026-11-30T21:00Z.
async function withdrawnThenNotifiableAgain(firstAt: string, delayReason?: string) {
  now = firstAt;
  await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
  await recordReport(deps(), { incidentId: id, reference: 'M-1', by: 'FG', delayReason });
  now = '2026-12-01T08:00:00.000Z';
  // A first notification made late: the record held it overdue, and "not notifiable" after that is confirmed.
  const confirmStatedTime = delayReason !== undefined;
  await assess(deps(), { incidentId: id, personalData: 'no', risk: 'none', reason: 'testgegevens, leek het', by: 'FG', confirmStatedTime });
  await recordReport(deps(), { incidentId: id, reference: 'M-1', kind: 'withdrawal', reason: 'geen persoonsgegevens', by: 'FG' });
  now = '2026-12-02T08:00:00.000Z';
  await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'toch echte klantgegevens', by: 'FG' });
  now = '2026-12-02T09:00:00.000Z';
}

beforeEach(async () => {
  ({ store, cleanup } = tempSqliteStore());
  await store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
});
afterEach(async () => cleanup());

describe('a notification made in time, withdrawn, and made anew after the 72 hours', () => {
  beforeEach(async () => {
    await withdrawnThenNotifiableAgain('2026-11-28T08:00:00.000Z');
    // No reasons for a delay asked: the AP was notified of the breach in time (M-1).
    await recordReport(deps(), { incidentId: id, reference: 'M-2', by: 'FG' });
  });

  it('is judged by the first notification, naming the withdrawal and the notification anew', async () => {
    const incident = await stored();
    const ap = clocksOf(incident, policy, now).find((c) => c.name === 'ap');
    expect(ap?.status).toBe('met');
    expect(ap?.doneAt).toBe('2026-11-28T08:00:00.000Z');
    expect(ap?.note?.en).toContain(
      'judged by the first notification M-1 (2026-11-28 09:00 CET); it was withdrawn on 2026-12-01 09:00 CET and notified anew as M-2 on 2026-12-02 10:00 CET',
    );
    expect(ap?.note?.nl).toContain('ingetrokken op 2026-12-01 09:00 CET en opnieuw gemeld als M-2 op 2026-12-02 10:00 CET');
    expect(deadlineNote(incident, now, policy.timeZone, policy)).toMatch(
      /^reported 2026-11-28 09:00 CET; withdrawn 2026-12-01 09:00 CET, notified anew 2026-12-02 10:00 CET/,
    );
    expect(registerRow(incident, policy, now).apInitialStatus).toBe('met');
    expect(registerRow(incident, policy, now).apClock).toContain('judged by the first notification M-1');
    // The messages give each time in the policy's zone with the instant beside it.
    expect(apLine(incident, 'nl')).toMatch(
      /gedaan op 2026-11-28 09:00 CET \(\S+\) \(gehaald\); die melding \(M-1\) is ingetrokken op 2026-12-01 09:00 CET \(\S+\) en opnieuw gedaan als M-2/,
    );
    expect(apLine(incident, 'en')).toMatch(
      /made on 2026-11-28 09:00 CET \(\S+\) \(met\); that notification \(M-1\) was withdrawn on 2026-12-01 09:00 CET \(\S+\) and made anew as M-2/,
    );
  });
});

it('a first notification made late stays late, its reasons with it', async () => {
  await withdrawnThenNotifiableAgain('2026-11-30T22:00:00.000Z', 'de leverancier meldde het pas laat');
  await recordReport(deps(), { incidentId: id, reference: 'M-2', by: 'FG' });
  const incident = await stored();
  const ap = clocksOf(incident, policy, now).find((c) => c.name === 'ap');
  expect(ap?.status).toBe('late');
  expect(ap?.doneAt).toBe('2026-11-30T22:00:00.000Z');
  expect(deadlineNote(incident, now, policy.timeZone, policy)).toMatch(/^reported 2026-11-30 23:00 CET \(late\); withdrawn/);
});

it('while owed anew, the AP reminders say to notify anew, not to give reasons for a delay', async () => {
  await withdrawnThenNotifiableAgain('2026-11-28T08:00:00.000Z');
  const incident = await stored();
  const reminder = (lang: 'nl' | 'en') =>
    composeMessage({ incident, channel: 'fg', kind: 'ap-owed-anew', stateKey: 'ap:ap-owed-anew:x', now, policy: policies[lang] });
  expect(reminder('nl').subject).toContain('Opnieuw melden aan de AP: de eerdere melding is ingetrokken');
  expect(reminder('nl').body).toMatch(/De AP kreeg dit datalek gemeld als M-1 op 2026-11-28 09:00 CET.*ingetrokken op 2026-12-01 09:00 CET/);
  expect(reminder('nl').body).not.toContain('redenen voor de vertraging');
  expect(reminder('en').subject).toContain('Notify the AP anew: the earlier notification was withdrawn');
  expect(reminder('en').body).toContain('The deadline is judged by M-1');
});

describe('moving awareness on a notification made anew (law2 item 2)', () => {
  beforeEach(async () => {
    await withdrawnThenNotifiableAgain('2026-11-28T08:00:00.000Z');
    await recordReport(deps(), { incidentId: id, reference: 'M-2', by: 'FG' });
  });

  it('is checked against the first notification: M-1 still in time asks no reasons for a delay', async () => {
    // Awareness moved later, before the first "personal data: yes": the deadline 2026-12-01 07:00Z, M-1 (11-28) within it.
    await assess(deps(), { incidentId: id, awareAt: '2026-11-28T07:00:00.000Z', awareReason: 'de melding kwam pas toen binnen', by: 'FG' });
    const incident = await stored();
    expect(incident.awareAt).toBe('2026-11-28T07:00:00.000Z');
    expect(clocksOf(incident, policy, now).find((c) => c.name === 'ap')?.status).toBe('met');
  });

  it('a move that makes M-1 late names M-1 and asks the reasons, in both languages', async () => {
    const move = (delayReason?: string) =>
      assess(deps(), { incidentId: id, awareAt: '2026-11-25T00:00:00.000Z', awareReason: 'al eerder gezien', delayReason, by: 'FG', confirmStatedTime: true });
    const refusal = (await move().catch((e: RefusedError) => e)) as RefusedError;
    expect(refusal.message).toMatch(/makes the initial report M-1 \(2026-11-28 09:00 CET/);
    expect(refusal.page?.nl).toMatch(/maakt de eerste melding M-1 \(2026-11-28 09:00 CET/);
    await move('de leverancier meldde het pas laat');
    expect(clocksOf(await stored(), policy, now).find((c) => c.name === 'ap')?.status).toBe('late');
  });
});

describe('the AP draft after a withdrawal (law2 item 1)', () => {
  const fieldOf = (incident: Incident, lang: 'nl' | 'en', key: string) =>
    buildDraft(incident, policies[lang], now, lang)
      .sections.flatMap((s) => s.fields)
      .find((f) => f.key === key)?.value;

  it('while owed anew: not late, no reasons asked, M-1 and its withdrawal named (nl, en)', async () => {
    await withdrawnThenNotifiableAgain('2026-11-28T08:00:00.000Z');
    const incident = await stored();
    const draft = buildDraft(incident, policies.en, now, 'en');
    expect(draft.late).toBe(false);
    expect(draft.missing.join('\n')).not.toMatch(/delay/i);
    // M-1 met it, not the notification anew drafted days after it (law28 s28).
    expect(fieldOf(incident, 'en', 'delayReason')).toMatch(
      /^not applicable: the first notification of this breach, M-1 on 2026-11-28 09:00 CET \(\S+\), was made within the deadline/,
    );
    expect(fieldOf(incident, 'en', 'earlierNotification')).toMatch(
      /^notified as M-1 on 2026-11-28 09:00 CET.*withdrawn on 2026-12-01 09:00 CET.*notify anew; the deadline is judged by M-1/,
    );
    expect(fieldOf(incident, 'nl', 'earlierNotification')).toMatch(/^gemeld als M-1 op 2026-11-28 09:00 CET.*ingetrokken op 2026-12-01 09:00 CET/);
  });

  it('while owed anew, the AP clock (show, the register) names M-1 and its withdrawal beside "owed anew", as the draft does', async () => {
    await withdrawnThenNotifiableAgain('2026-11-28T08:00:00.000Z');
    const incident = await stored();
    const ap = clocksOf(incident, policy, now).find((c) => c.name === 'ap');
    // A state of its own since law27 (withdrawn-owed-anew-state.test.ts); it read "overdue".
    expect(ap?.status).toBe('owed-anew');
    expect(ap?.note?.en).toContain('notified as M-1 on 2026-11-28 09:00 CET; that notification was withdrawn on 2026-12-01 09:00 CET: notify anew');
    expect(ap?.note?.nl).toContain('gemeld als M-1 op 2026-11-28 09:00 CET; die melding is ingetrokken op 2026-12-01 09:00 CET: meld opnieuw');
    expect(registerRow(incident, policy, now).apClock).toContain('notified as M-1 on 2026-11-28 09:00 CET');
  });

  it('made anew: judged by M-1, the withdrawal and M-2 named (nl, en)', async () => {
    await withdrawnThenNotifiableAgain('2026-11-28T08:00:00.000Z');
    await recordReport(deps(), { incidentId: id, reference: 'M-2', by: 'FG' });
    const incident = await stored();
    expect(buildDraft(incident, policies.nl, now, 'nl').late).toBe(false);
    // M-1 met it, not the notification anew drafted days after it (law28 s28).
    expect(fieldOf(incident, 'en', 'delayReason')).toMatch(
      /^not applicable: the first notification of this breach, M-1 on 2026-11-28 09:00 CET \(\S+\), was made within the deadline/,
    );
    expect(fieldOf(incident, 'en', 'earlierNotification')).toContain(
      'judged by the first notification M-1 (2026-11-28 09:00 CET); it was withdrawn on 2026-12-01 09:00 CET and notified anew as M-2',
    );
    expect(fieldOf(incident, 'nl', 'earlierNotification')).toContain('opnieuw gemeld als M-2');
  });

  it('a first notification made late: the draft is late, with its reasons', async () => {
    await withdrawnThenNotifiableAgain('2026-11-30T22:00:00.000Z', 'de leverancier meldde het pas laat');
    await recordReport(deps(), { incidentId: id, reference: 'M-2', by: 'FG' });
    const incident = await stored();
    expect(buildDraft(incident, policies.en, now, 'en').late).toBe(true);
    expect(fieldOf(incident, 'en', 'delayReason')).toContain('de leverancier meldde het pas laat');
  });
});

describe('owed anew, a state of its own (law27 items 1, 2): M-1 made in time, withdrawn, M-2 owed', () => {
  beforeEach(async () => withdrawnThenNotifiableAgain('2026-11-28T08:00:00.000Z'));

  it('the AP clock reads owed anew, its verdict M-1 met, nowhere overdue', async () => {
    const incident = await stored();
    const ap = clocksOf(incident, policy, now).find((c) => c.name === 'ap');
    expect(ap?.status).toBe('owed-anew');
    expect(ap?.anew).toEqual({ reference: 'M-1', at: '2026-11-28T08:00:00.000Z', withdrawnAt: '2026-12-01T08:00:00.000Z', verdict: 'met' });
    expect(ap?.note?.en).toContain('the deadline is judged by M-1: met');
    expect(clockShownLabel('en', ap as NonNullable<typeof ap>)).toBe('owed anew');
    expect(clockShownLabel('nl', ap as NonNullable<typeof ap>)).toBe('opnieuw te melden');
    // Still something to act on: the page and status list it.
    expect(openClocks(incident, policy, now).map((c) => c.name)).toContain('ap');
    const row = registerRow(incident, policy, now);
    expect(row.apClockStatus).toBe('owed-anew');
    expect(row.apInitialStatus).toBe('met');
    expect(row.apClock).toMatch(/^owed-anew \(notified as M-1/);
    expect((statusObject(incident, policy, now).clocks ?? []).find((c) => c.name === 'ap')?.status).toBe('owed-anew');
    // The draft agrees: not late, M-1 named.
    expect(buildDraft(incident, policies.en, now, 'en').late).toBe(false);
  });

  it("status's deadline note names M-1 and its withdrawal, not 'overdue'", async () => {
    const incident = await stored();
    const note = deadlineNote(incident, now, policy.timeZone, policy);
    expect(note).toBe('owed anew: M-1 reported 2026-11-28 09:00 CET (met), withdrawn 2026-12-01 09:00 CET');
    expect(statusTable([incident], policy, now)).not.toMatch(/overdue/);
  });

  it('the messages name M-1 and say to notify anew, not the time overdue (nl, en)', async () => {
    const incident = await stored();
    expect(apLine(incident, 'en')).toMatch(/notify anew: M-1 was made on 2026-11-28 09:00 CET \(\S+\) \(met\) and withdrawn on 2026-12-01 09:00 CET/);
    expect(apLine(incident, 'en')).not.toMatch(/overdue/);
    expect(apLine(incident, 'nl')).toMatch(/opnieuw melden: M-1 is gedaan op 2026-11-28 09:00 CET \(\S+\) \(gehaald\) en ingetrokken op 2026-12-01 09:00 CET/);
    expect(apLine(incident, 'nl')).not.toMatch(/verlopen/);
  });

  it('made anew, the clock reads met by M-1 again', async () => {
    await recordReport(deps(), { incidentId: id, reference: 'M-2', by: 'FG' });
    expect(clocksOf(await stored(), policy, now).find((c) => c.name === 'ap')?.status).toBe('met');
  });
});

it('M-1 made late, withdrawn, M-2 owed: owed anew, its verdict late, as the draft says', async () => {
  await withdrawnThenNotifiableAgain('2026-11-30T22:00:00.000Z', 'de leverancier meldde het pas laat');
  const incident = await stored();
  const ap = clocksOf(incident, policy, now).find((c) => c.name === 'ap');
  expect(ap?.status).toBe('owed-anew');
  expect(ap?.anew?.verdict).toBe('late');
  expect(registerRow(incident, policy, now).apInitialStatus).toBe('late');
  expect(buildDraft(incident, policies.en, now, 'en').late).toBe(true);
  expect(deadlineNote(incident, now, policy.timeZone, policy)).toBe('owed anew: M-1 reported 2026-11-30 23:00 CET (late), withdrawn 2026-12-01 09:00 CET');
});
