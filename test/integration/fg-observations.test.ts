/**
 * Issue #10: the ten observations of a Dutch FG and a privacy lawyer, each as the test that would
 * have caught it. Every refusal is one line naming the rule and the article, exit 2, and writes
 * nothing (the timeline keeps its length).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findingEvent } from '../support/events.js';
import { eventFirstSeenEarlier, type FgCase, informArgs, openCase } from '../support/fg-case.js';

type Run = { code: number; stdout: string; stderr: string };

function ok(r: Run): Run {
  expect(r.code, r.stderr).toBe(0);
  return r;
}

/** One line on stderr naming the rule (`pattern`), exit 2, and nothing written. */
async function refused(c: FgCase, args: string[], now: string, pattern: RegExp): Promise<string> {
  const before = await c.timelineLength(now);
  const r = await c.cli(args, now);
  expect(r.code, `${args.join(' ')}: ${r.stdout}`).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
  expect(await c.timelineLength(now)).toBe(before);
  return r.stderr;
}

// biome-ignore lint/suspicious/noExplicitAny: parsed CLI JSON
const clock = (status: any, name: string) => status.clocks.find((c: { name: string }) => c.name === name);
// biome-ignore lint/suspicious/noExplicitAny: parsed CLI JSON
const field = (draft: any, key: string) => draft.sections.flatMap((s: { fields: { key: string }[] }) => s.fields).find((f: { key: string }) => f.key === key);

const HIGH = ['--personal-data', 'yes', '--risk', 'high', '--reason', 'patient records readable', '--by', 'FG'];
const FULL_FACTS = [
  '--nature',
  'confidentiality',
  '--categories',
  'name,address',
  '--subject-groups',
  'patients',
  '--subjects',
  '10-20',
  '--records',
  '20',
  '--consequences',
  'phishing',
  '--for',
  'confidentiality',
  '--harm',
  'immaterial',
  '--harm-severity',
  'medium',
  '--measures-taken',
  'passwords reset',
  '--by',
  'FG',
];

describe('1. Art. 34 as the law reads', () => {
  it('refuses "not required" at high risk, and close with it, until a new assessment lowers the risk', async () => {
    const c = await openCase();
    ok(await c.cli(['assess', c.id, ...HIGH], '2025-11-28T09:00:00Z'));
    await refused(
      c,
      ['subjects', c.id, '--decision', 'not-required', '--reason', 'we think not', '--by', 'FG'],
      '2025-11-28T10:00:00Z',
      /^datalek: .*high.*Art\. 34\(1\)/,
    );
    expect((await c.cli(['close', c.id, '--reason', 'done', '--by', 'FG'], '2025-11-28T10:00:00Z')).code).toBe(2);
    ok(
      await c.cli(
        ['assess', c.id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'the file was encrypted after all', '--by', 'FG'],
        '2025-11-28T11:00:00Z',
      ),
    );
    ok(await c.cli(['subjects', c.id, '--decision', 'not-required', '--reason', 'risk no longer high', '--by', 'FG'], '2025-11-28T11:05:00Z'));
  });

  it('allows the "encrypted" exception only when the facts say the data was unintelligible', async () => {
    const c = await openCase();
    ok(await c.cli(['assess', c.id, ...HIGH], '2025-11-28T09:00:00Z'));
    ok(await c.cli(['facts', c.id, '--unintelligible', 'no', '--by', 'FG'], '2025-11-28T09:10:00Z'));
    const args = ['subjects', c.id, '--decision', 'exception', '--exception', 'encrypted', '--reason', 'AES', '--by', 'FG'];
    await refused(c, args, '2025-11-28T10:00:00Z', /unintelligible.*Art\. 34\(3\)\(a\)/);
    ok(await c.cli(['facts', c.id, '--unintelligible', 'yes', '--nature', 'confidentiality', '--by', 'FG'], '2025-11-28T10:10:00Z'));
    ok(await c.cli(args, '2025-11-28T10:20:00Z'));
    // Facts that take its ground away set it aside, and say so (review12, low): not left to show or the next reminder.
    const setAside = await c.cli(['facts', c.id, '--unintelligible', 'no', '--by', 'FG'], '2025-11-28T10:30:00Z');
    ok(setAside);
    expect(setAside.stdout).toMatch(
      /Facts recorded\. The Art\. 34 decision on the data subjects \(exception \(encrypted\)\) is set aside: these facts take away its ground/,
    );
  });

  it('requires a public communication for "disproportionate effort", and recorded measures for "measures taken"', async () => {
    const c = await openCase();
    ok(await c.cli(['assess', c.id, ...HIGH], '2025-11-28T09:00:00Z'));
    const effort = ['subjects', c.id, '--decision', 'exception', '--exception', 'disproportionate-effort', '--reason', 'no addresses', '--by', 'FG'];
    await refused(c, effort, '2025-11-28T10:00:00Z', /public communication.*Art\. 34\(3\)\(c\)/);
    const measures = ['subjects', c.id, '--decision', 'exception', '--exception', 'measures-taken', '--reason', 'keys rotated', '--by', 'FG'];
    await refused(c, measures, '2025-11-28T10:00:00Z', /measures.*Art\. 34\(3\)\(b\)/);
    ok(
      await c.cli(
        [...effort, '--date', '2025-11-28T09:30:00Z', '--channel', 'website and newspaper', '--text', 'Wij melden een datalek...'],
        '2025-11-28T10:00:00Z',
      ),
    );
    const status = await c.json(['show', c.id], '2025-11-28T10:00:00Z');
    expect(status.subjects).toMatchObject({ decision: 'exception', exception: 'disproportionate-effort', channel: 'website and newspaper' });
  });

  it('keeps the date of informing between the detection and now, and never mixes informing with an exception', async () => {
    const c = await openCase();
    ok(await c.cli(['assess', c.id, ...HIGH], '2025-11-28T09:00:00Z'));
    const inform = (date: string) => [...informArgs(c.id, date, 'letter'), '--reason', 'r', '--by', 'FG'];
    await refused(c, inform('2025-11-20T09:00:00Z'), '2025-11-28T10:00:00Z', /before the detection/);
    await refused(c, inform('2025-11-29T09:00:00Z'), '2025-11-28T10:00:00Z', /after now/);
    await refused(c, [...inform('2025-11-28T09:30:00Z'), '--exception', 'encrypted'], '2025-11-28T10:00:00Z', /exclude each other.*Art\. 34/);
    ok(await c.cli(inform('2025-11-28T09:30:00Z'), '2025-11-28T10:00:00Z'));
  });
});

describe('2. stated times cannot be back-dated out of range, and entering late shows', () => {
  it('refuses a report dated before the detection (or in 1999), and an acknowledgement recorded before the detection', async () => {
    const c = await openCase();
    const report = (at: string) => ['reported', c.id, '--reference', 'M-1', '--at', at, '--by', 'FG'];
    await refused(c, report('2025-11-27T20:00:00Z'), '2025-11-28T10:00:00Z', /before the detection.*Art\. 33\(5\)/);
    await refused(c, report('1999-01-01T00:00:00Z'), '2025-11-28T10:00:00Z', /before the detection/);
    await refused(c, ['ack', c.id, '--by', 'alice'], '2025-11-27T20:30:00Z', /before the detection/);
  });

  it('judges "met" by the stated time, marks a report entered more than a day later, and shows both in the register', async () => {
    const c = await openCase();
    ok(await c.cli(['assess', c.id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'r', '--by', 'FG'], '2025-11-28T09:00:00Z'));
    // Entered after the deadline (2025-11-30 21:00) had passed: the FG confirms the time stated.
    ok(await c.cli(['reported', c.id, '--reference', 'M-7', '--at', '2025-11-30T20:00:00Z', '--by', 'FG', '--confirm-stated-time'], '2025-12-03T10:00:00Z'));
    const show = await c.json(['show', c.id], '2025-12-03T10:00:00Z');
    expect(clock(show, 'ap')).toMatchObject({ status: 'met', doneAt: '2025-11-30T20:00:00.000Z' });
    expect(show.timeline.find((e: { kind: string }) => e.kind === 'reported').detail).toMatchObject({
      at: '2025-11-30T20:00:00.000Z',
      recordedAt: '2025-12-03T10:00:00.000Z',
      enteredLater: true,
    });
    const [row] = await c.json(['register', '--format', 'json'], '2025-12-03T11:00:00Z');
    expect(row).toMatchObject({ apReportedAt: '2025-11-30T20:00:00.000Z', apReportRecordedAt: '2025-12-03T10:00:00.000Z', apReportEnteredLater: true });
    const csv = (await c.cli(['register', '--format', 'csv'], '2025-12-03T11:00:00Z')).stdout;
    expect(csv.split('\n')[0]).toContain('apReportRecordedAt');
  });
});

describe('3. the draft says only what is true', () => {
  it('says "onbekend" for special categories until stated, and warns when the categories name BSN or health data', async () => {
    const c = await openCase();
    const draft = async () => c.json(['draft', c.id, '--format', 'json'], '2025-11-28T10:00:00Z');
    expect(field(await draft(), 'specialCategories').value).toBe('onbekend');
    ok(await c.cli(['facts', c.id, '--categories', 'naam,BSN', '--by', 'FG'], '2025-11-28T09:00:00Z'));
    const withBsn = await draft();
    expect(field(withBsn, 'specialCategories').value).toBe('onbekend');
    expect(field(withBsn, 'specialCategoriesWarning').value).toMatch(/BSN/);
    ok(await c.cli(['facts', c.id, '--special', 'none', '--by', 'FG'], '2025-11-28T09:10:00Z'));
    // Never "geen" while the categories name the BSN: the form's question includes it (review2 L2).
    expect(field(await draft(), 'specialCategories').value).toBe('BSN (genoemd bij de soorten persoonsgegevens); verder geen');
  });

  it('prints the measures the FG took as taken, apart from those proposed', async () => {
    const c = await openCase();
    ok(await c.cli(['facts', c.id, '--measures-taken', 'wachtwoorden gereset', '--measures-proposed', 'MFA invoeren', '--by', 'FG'], '2025-11-28T09:00:00Z'));
    const draft = await c.json(['draft', c.id, '--format', 'json'], '2025-11-28T10:00:00Z');
    expect(field(draft, 'measuresTaken').value).toContain('wachtwoorden gereset');
    expect(field(draft, 'measuresTaken').value).not.toContain('MFA');
    expect(field(draft, 'measuresProposed').value).toBe('MFA invoeren');
  });

  it("starts the breach at the findings' earliest first activity, not at the detection", async () => {
    const c = await openCase({ events: [eventFirstSeenEarlier('2025-11-24T03:00:00Z', { id: 'early', createdAt: '2025-11-27T21:00:00Z' })] });
    const draft = await c.json(['draft', c.id, '--format', 'json'], '2025-11-28T10:00:00Z');
    expect(field(draft, 'startedAt').value).toContain('2025-11-24T03:00:00.000Z');
    expect(field(draft, 'detectedAt').value).toContain('2025-11-27T21:00:00.000Z');
  });

  it('names a processor as involved only when the incident records one, and never says "no" before it is stated', async () => {
    const c = await openCase();
    const draft = async () => c.json(['draft', c.id, '--format', 'json'], '2025-11-28T10:00:00Z');
    expect(field(await draft(), 'processorInvolved').value).toBe('onbekend');
    ok(await c.cli(['facts', c.id, '--other-party', 'Hosting BV', '--role', 'processor', '--by', 'FG'], '2025-11-28T09:00:00Z'));
    const after = await draft();
    expect(field(after, 'processorInvolved').value).toBe('ja');
    expect(field(after, 'otherParties').value).toContain('Hosting BV (verwerker)');
  });

  it('asks no reasons for a delay when nothing is to be notified', async () => {
    const c = await openCase();
    ok(await c.cli(['assess', c.id, '--personal-data', 'no', '--risk', 'none', '--reason', 'build server', '--by', 'FG'], '2025-11-28T09:00:00Z'));
    const draft = await c.json(['draft', c.id, '--format', 'json'], '2025-12-05T10:00:00Z');
    expect(field(draft, 'delayReason')).toBeUndefined();
    expect(draft.missing.join(' ')).not.toMatch(/vertraging/);
    expect((await c.cli(['draft', c.id], '2025-12-05T10:00:00Z')).stdout).not.toMatch(/vertraging/);
  });
});

describe('4. the processor role per incident', () => {
  it('runs the clock to the controller (24 hours by default), and neither the AP clock nor Art. 34 for a processor', async () => {
    const c = await openCase({ organisation: { processor: true } });
    ok(await c.cli(['assess', c.id, ...HIGH], '2025-11-28T09:00:00Z'));
    const status = await c.json(['show', c.id], '2025-11-28T10:00:00Z');
    expect(clock(status, 'processor')).toMatchObject({ dueAt: '2025-11-28T21:00:00.000Z', status: 'running' });
    expect(clock(status, 'ap')).toMatchObject({ status: 'not-needed' });
    expect(clock(status, 'subjects')?.status ?? 'not-needed').toBe('not-needed');
    const draft = await c.json(['draft', c.id, '--format', 'json'], '2025-11-28T10:00:00Z');
    expect(draft.missing.join(' ')).not.toMatch(/art\. 34/i);
  });

  it('cannot close as processor until the controller is informed', async () => {
    const c = await openCase({ organisation: { processor: true } });
    ok(await c.cli(['assess', c.id, ...HIGH], '2025-11-28T09:00:00Z'));
    ok(await c.cli(['facts', c.id, ...FULL_FACTS], '2025-11-28T09:10:00Z'));
    await refused(c, ['close', c.id, '--reason', 'done', '--by', 'FG'], '2025-11-29T10:00:00Z', /controller.*Art\. 33\(2\)/);
    // Dated within the processor's hours, entered after them: the FG confirms the time stated (core/clocks.ts).
    ok(
      await c.cli(
        ['reported', c.id, '--recipient', 'controller', '--reference', 'mail 12', '--at', '2025-11-28T12:00:00Z', '--confirm-stated-time', '--by', 'FG'],
        '2025-11-29T10:00:00Z',
      ),
    );
    ok(await c.cli(['close', c.id, '--reason', 'controller informed', '--by', 'FG'], '2025-11-29T10:05:00Z'));
  });

  it('takes the role per incident, with its reason kept', async () => {
    const c = await openCase();
    ok(await c.cli(['assess', c.id, '--acting-as', 'processor', '--reason', 'customer data hosted for Klant BV', '--by', 'FG'], '2025-11-28T09:00:00Z'));
    const status = await c.json(['show', c.id], '2025-11-28T10:00:00Z');
    expect(status.role).toBe('processor');
    expect(clock(status, 'processor')).toMatchObject({ status: 'running' });
  });
});

describe('5. awareness moves only with its own reason, and decisions are kept', () => {
  it('refuses to move awareness without its own reason, or past the recorded "personal data yes", and keeps every reason', async () => {
    const c = await openCase();
    ok(await c.cli(['assess', c.id, ...HIGH.slice(0, 4), '--reason', 'first: portal logs show access', '--by', 'FG'], '2025-11-28T09:00:00Z'));
    await refused(c, ['assess', c.id, '--aware-at', '2025-11-28T08:00:00Z', '--by', 'FG'], '2025-11-30T15:00:00Z', /--aware-reason.*EDPB/);
    await refused(
      c,
      ['assess', c.id, '--aware-at', '2025-11-30T14:00:00Z', '--aware-reason', 'confirmed today', '--by', 'FG'],
      '2025-11-30T15:00:00Z',
      /personal data.*2025-11-28T09:00:00.000Z.*Art\. 33\(1\)/,
    );
    ok(await c.cli(['assess', c.id, '--aware-at', '2025-11-28T08:00:00Z', '--aware-reason', 'logs read at 09:00 CET', '--by', 'FG'], '2025-11-28T10:00:00Z'));
    ok(
      await c.cli(
        ['assess', c.id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'second: data was pseudonymised', '--by', 'FG'],
        '2025-11-28T11:00:00Z',
      ),
    );
    const [row] = await c.json(['register', '--format', 'json'], '2025-11-28T12:00:00Z');
    expect(row.decisions.map((d: { kind: string }) => d.kind)).toEqual(['assessment', 'awareness', 'assessment']);
    expect(row.decisions[1]).toMatchObject({ to: '2025-11-28T08:00:00.000Z', reason: 'logs read at 09:00 CET', movedLaterAfterPersonalDataYes: true });
    expect(row).toMatchObject({ firstDecisionReason: 'first: portal logs show access', decisionReason: 'second: data was pseudonymised' });
    const csv = (await c.cli(['register', '--format', 'csv'], '2025-11-28T12:00:00Z')).stdout;
    expect(csv).toContain('first: portal logs show access');
    expect(csv).toContain('second: data was pseudonymised');
  });
});

describe('6. the register is complete (Art. 33(5))', () => {
  it('keeps a breach with personal data open until nature, categories, numbers, consequences and measures are recorded', async () => {
    const c = await openCase();
    ok(await c.cli(['assess', c.id, '--personal-data', 'yes', '--risk', 'none', '--reason', 'one address, no risk', '--by', 'FG'], '2025-11-28T09:00:00Z'));
    const message = await refused(c, ['close', c.id, '--reason', 'done', '--by', 'FG'], '2025-11-28T10:00:00Z', /Art\. 33\(5\)/);
    for (const word of ['nature', 'categories', 'numbers', 'consequences', 'measures']) expect(message).toContain(word);
    ok(await c.cli(['facts', c.id, ...FULL_FACTS], '2025-11-28T10:00:00Z'));
    ok(await c.cli(['close', c.id, '--reason', 'no risk', '--by', 'FG'], '2025-11-28T10:05:00Z'));
  });

  it('shows consequences, categories and numbers in the Markdown register, and the measures people took', async () => {
    const c = await openCase();
    ok(await c.cli(['facts', c.id, ...FULL_FACTS], '2025-11-28T10:00:00Z'));
    const md = (await c.cli(['register', '--format', 'md'], '2025-11-28T11:00:00Z')).stdout;
    for (const text of ['phishing', 'name, address', '10-20', 'passwords reset']) expect(md).toContain(text);
    const [row] = await c.json(['register', '--format', 'json'], '2025-11-28T11:00:00Z');
    expect(row.measuresTaken).toContain('passwords reset');
  });
});

describe('7. reminders say what is due, per clock', () => {
  it('never calls the AP clock late in another reminder after an on-time report, and opens each with its own words', async () => {
    const c = await openCase({ policy: { clocks: { nis2: true, telecom: true } } });
    ok(await c.cli(['assess', c.id, ...HIGH, '--nis2-significant', 'yes'], '2025-11-28T09:00:00Z'));
    ok(await c.cli(['reported', c.id, '--reference', 'M-1', '--by', 'FG'], '2025-11-28T10:00:00Z'));
    ok(await c.cli(['sweep'], '2025-11-28T20:00:00Z'));
    ok(await c.cli(['sweep'], '2025-12-01T09:00:00Z'));
    const messages = (await c.json(['messages', c.id], '2025-12-01T09:00:00Z')) as {
      kind: string;
      subject: string;
      body: string;
      attributes: Record<string, string>;
    }[];
    const reminders = messages.filter((m) => m.kind.startsWith('clock-') || m.kind === 'subjects-reminder');
    expect(reminders.length).toBeGreaterThan(2);
    for (const m of reminders) {
      expect(m.body).not.toMatch(/AP-termijn.*te laat/);
      expect(m.body.startsWith('GuardDuty meldt')).toBe(false);
      expect(m.body).not.toContain('Beoordeel of persoonsgegevens zijn getroffen');
    }
    const subjectOf = (clockName: string) => reminders.find((m) => m.attributes.clock === clockName)?.subject;
    expect(subjectOf('nis2-early-warning')).toMatch(/NIS2/);
    expect(subjectOf('telecom-complete')).toMatch(/Telecommunicatiewet/);
    expect(subjectOf('nis2-early-warning')).not.toBe(subjectOf('telecom-complete'));
  });

  it('nudges the FG to notify when the assessment says notifiable and no report follows within 24 hours', async () => {
    const c = await openCase();
    ok(await c.cli(['assess', c.id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'r', '--by', 'FG'], '2025-11-28T00:00:00Z'));
    const sent = await c.json(['sweep'], '2025-11-29T00:30:00Z');
    expect(sent.map((s: { kind: string }) => s.kind)).toContain('notify-nudge');
    const nudge = (await c.json(['messages', c.id], '2025-11-29T00:30:00Z')).find((m: { kind: string }) => m.kind === 'notify-nudge');
    expect(nudge.body).toMatch(/zonder onredelijke vertraging/);
  });
});

describe('8. the Telecommunicatiewet clocks (Regulation 611/2013)', () => {
  it('counts the complete notification from the initial one, and judges it by the follow-up', async () => {
    const c = await openCase({ policy: { clocks: { telecom: true } } });
    ok(await c.cli(['assess', c.id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'r', '--by', 'FG'], '2025-11-28T09:00:00Z'));
    ok(await c.cli(['reported', c.id, '--reference', 'M-1', '--by', 'FG'], '2025-11-28T10:00:00Z'));
    expect(clock(await c.json(['show', c.id], '2025-11-28T10:00:00Z'), 'telecom-complete')).toMatchObject({
      startsAt: '2025-11-28T10:00:00.000Z',
      // Three days from Friday 28 November: 29, 30 November, 1 December, to its end in Amsterdam (Regulation 1182/71 art. 3; review7 G18),
      // and on to Tuesday 2 December, as the period holds two working days (art. 3(5); review7 Y9).
      dueAt: '2025-12-02T22:59:59.999Z',
      status: 'running',
    });
    // Marking the facts complete with the facts missing is refused, naming them (review2 F6): it would meet this clock.
    const bare = await c.cli(['facts', c.id, '--complete', '--by', 'FG'], '2025-12-03T09:00:00Z');
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/cannot be marked complete: still missing .*categories.*--unknown-reason/i);
    ok(
      await c.cli(
        [
          ...['facts', c.id, '--summary', 's', '--cause', 'c', '--type', 'hacking-malware-phishing', '--nature', 'confidentiality'],
          ...['--categories', 'naam', '--special', 'none', '--subject-groups', 'klanten', '--subjects', '10-20', '--records', '20'],
          ...['--consequences', 'phishing', '--for', 'confidentiality', '--harm', 'immaterial', '--harm-severity', 'low'],
          ...['--measures-taken', 'wachtwoorden gereset', '--unintelligible', 'no', '--cross-border', 'no', '--complete', '--by', 'FG'],
        ],
        '2025-12-03T09:00:00Z',
      ),
    );
    // After the three days the complete notification gives the reasons for the delay (Regulation 611/2013 art. 2(3); law24).
    const followUp = ['reported', c.id, '--reference', 'M-1', '--kind', 'follow-up', '--by', 'FG'];
    expect((await c.cli(followUp, '2025-12-03T09:05:00Z')).stderr).toMatch(/Regulation 611\/2013 art\. 2\(3\) requires the reasons for the delay/);
    ok(await c.cli([...followUp, '--delay-reason', 'de klantenadministratie was pas woensdag doorzocht'], '2025-12-03T09:05:00Z'));
    expect(clock(await c.json(['show', c.id], '2025-12-03T10:00:00Z'), 'telecom-complete')).toMatchObject({
      doneAt: '2025-12-03T09:05:00.000Z',
      status: 'late',
    });
  });

  it('asks the art. 3 decision on informing subscribers', async () => {
    const c = await openCase({ policy: { clocks: { telecom: true } } });
    ok(await c.cli(['assess', c.id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'r', '--by', 'FG'], '2025-11-28T09:00:00Z'));
    expect(clock(await c.json(['show', c.id], '2025-11-28T10:00:00Z'), 'telecom-subscribers')).toMatchObject({ status: 'running' });
    ok(
      await c.cli(
        [
          'subjects',
          c.id,
          '--audience',
          'subscribers',
          '--decision',
          'inform',
          '--text',
          'Uw gegevens zijn gelekt; wijzig uw wachtwoord.',
          '--date',
          '2025-11-28T09:30:00Z',
          '--channel',
          'sms',
          '--reason',
          'r',
          '--by',
          'FG',
        ],
        '2025-11-28T10:00:00Z',
      ),
    );
    expect(clock(await c.json(['show', c.id], '2025-11-28T10:00:00Z'), 'telecom-subscribers')).toMatchObject({ status: 'met' });
  });

  // law24: "no risk" ends the AVG's AP clock, not the Telecommunicatiewet's (Regulation 611/2013
  // art. 2: every breach, whatever the risk): the command said "the AP clock stops" while the
  // provider's initial notification to the AP was due within the day.
  it('says after "no risk" that the provider still notifies the AP, and by when', async () => {
    const c = await openCase({ policy: { clocks: { telecom: true } } });
    const noRisk = ['assess', c.id, '--personal-data', 'yes', '--risk', 'none', '--reason', 'testaccount', '--by', 'FG'];
    const { stdout } = ok(await c.cli(noRisk, '2025-11-28T09:00:00Z'));
    expect(stdout).not.toMatch(/the AP clock stops/);
    expect(stdout).toMatch(
      /not notifiable under the GDPR.*Regulation 611\/2013 Art\. 2.*due by 2025-11-28 22:00 CET \(2025-11-28T21:00:00\.000Z\): datalek reported/,
    );
  });

  it('stops the telecom clocks for an incident without personal data', async () => {
    const c = await openCase({ policy: { clocks: { telecom: true } } });
    ok(await c.cli(['assess', c.id, '--personal-data', 'no', '--risk', 'none', '--reason', 'build server', '--by', 'FG'], '2025-11-28T09:00:00Z'));
    const status = await c.json(['show', c.id], '2025-12-05T10:00:00Z');
    for (const c2 of status.clocks.filter((x: { name: string }) => x.name.startsWith('telecom'))) expect(c2.status).toBe('not-needed');
    // Nothing of the FG's: on-call's pages go on, nobody having acknowledged (review12 K6).
    expect((await c.json(['sweep'], '2025-12-05T10:00:00Z')).filter((s: { kind: string }) => s.kind !== 'page')).toEqual([]);
  });
});

describe('9. NIS2 (art. 23) and the Cyberbeveiligingswet', () => {
  it('starts the NIS2 clocks only when a person decides the incident is significant, and needs the CSIRT and the competent authority', async () => {
    const c = await openCase({ policy: { clocks: { nis2: true } } });
    const names = async () => (await c.json(['show', c.id], '2025-11-28T09:00:00Z')).clocks.map((x: { name: string }) => x.name);
    expect(await names()).not.toContain('nis2-early-warning');
    expect(await names()).toContain('nis2-significance');
    ok(await c.cli(['assess', c.id, '--nis2-significant', 'yes', '--reason', 'hospital systems down', '--by', 'FG'], '2025-11-28T09:00:00Z'));
    expect(await names()).toContain('nis2-early-warning');
    ok(await c.cli(['reported', c.id, '--recipient', 'csirt', '--kind', 'early-warning', '--reference', 'C-1', '--by', 'FG'], '2025-11-28T10:00:00Z'));
    expect(clock(await c.json(['show', c.id], '2025-11-28T10:00:00Z'), 'nis2-early-warning').status).toBe('running');
    ok(await c.cli(['reported', c.id, '--recipient', 'authority', '--kind', 'early-warning', '--reference', 'A-1', '--by', 'FG'], '2025-11-28T10:05:00Z'));
    expect(clock(await c.json(['show', c.id], '2025-11-28T10:05:00Z'), 'nis2-early-warning')).toMatchObject({
      status: 'met',
      doneAt: '2025-11-28T10:05:00.000Z',
    });
  });

  it("counts the final report's month on the calendar of the policy's time zone, with intermediate and progress reports", async () => {
    const c = await openCase({
      policy: { clocks: { nis2: true } },
      events: [findingEvent({ id: 'jan', createdAt: '2026-01-30T20:00:00Z' })],
      replayAt: '2026-01-30T20:05:00Z',
    });
    ok(await c.cli(['assess', c.id, '--nis2-significant', 'yes', '--reason', 'r', '--by', 'FG'], '2026-01-30T21:00:00Z'));
    for (const to of ['csirt', 'authority']) {
      // 31 January 00:30 CET: the month ends when 28 February ends in Amsterdam; a Saturday, so
      // with Monday 2 March (Regulation 1182/71 art. 3(4); review7 G18).
      ok(await c.cli(['reported', c.id, '--recipient', to, '--kind', 'notification', '--reference', 'N-1', '--by', 'FG'], '2026-01-30T23:30:00Z'));
    }
    expect(clock(await c.json(['show', c.id], '2026-01-31T00:00:00Z'), 'nis2-final').dueAt).toBe('2026-03-02T22:59:59.999Z');
    ok(
      await c.cli(
        ['assess', c.id, '--nis2-intermediate-due', '2026-02-05T12:00:00Z', '--reason', 'CSIRT asked by phone', '--by', 'FG'],
        '2026-02-01T09:00:00Z',
      ),
    );
    expect(clock(await c.json(['show', c.id], '2026-02-01T09:00:00Z'), 'nis2-intermediate')).toMatchObject({
      dueAt: '2026-02-05T12:00:00.000Z',
      status: 'running',
    });
    for (const to of ['csirt', 'authority']) {
      ok(await c.cli(['reported', c.id, '--recipient', to, '--kind', 'progress', '--reference', 'P-1', '--by', 'FG'], '2026-02-20T09:00:00Z'));
    }
    ok(await c.cli(['facts', c.id, '--ended-at', '2026-03-10T12:00:00Z', '--by', 'FG'], '2026-03-11T09:00:00Z'));
    expect(clock(await c.json(['show', c.id], '2026-03-11T09:00:00Z'), 'nis2-final').dueAt).toBe('2026-04-10T21:59:59.999Z');
  });

  it('refuses to close while a NIS2 clock is overdue, unless the reason is recorded', async () => {
    const c = await openCase({ policy: { clocks: { nis2: true } } });
    ok(
      await c.cli(
        ['assess', c.id, '--personal-data', 'no', '--risk', 'none', '--nis2-significant', 'yes', '--reason', 'outage, no personal data', '--by', 'FG'],
        '2025-11-28T09:00:00Z',
      ),
    );
    await refused(c, ['close', c.id, '--reason', 'done', '--by', 'FG'], '2025-12-05T10:00:00Z', /overdue.*--overdue-reason/);
    // The incident notification stays owed overdue (art. 23(1), (4)(b); law25): its reason alone does not end it.
    const overdueOnly = ['close', c.id, '--reason', 'done', '--overdue-reason', 'CSIRT told by phone on day 1', '--by', 'FG'];
    await refused(c, overdueOnly, '2025-12-05T10:00:00Z', /NIS2.*notification.*--reports-pending-reason/);
    ok(await c.cli([...overdueOnly, '--reports-pending-reason', 'notification follows'], '2025-12-05T10:00:00Z'));
  });
});

describe('10. Dutch output is Dutch', () => {
  it('labels values in Dutch in the nl draft, messages and report, and prints local times in status and show', async () => {
    const c = await openCase();
    ok(await c.cli(['assess', c.id, ...HIGH], '2025-11-28T09:00:00Z'));
    const draft = (await c.cli(['draft', c.id], '2025-11-28T10:00:00Z')).stdout;
    expect(draft).not.toMatch(/yes \/ high|: running|\bnot-needed\b/);
    expect(draft).toContain('hoog');
    const messages = (await c.json(['messages', c.id], '2025-11-28T10:00:00Z')) as { body: string }[];
    for (const m of messages) {
      expect(m.body).not.toContain('(High)');
      expect(m.body).not.toContain('<name>');
      expect(m.body).not.toContain('local replay only plans');
    }
    expect(messages[0].body).toContain('Ernst: 8.0 (hoog)');
    const file = join(c.dir, 'r.html');
    ok(await c.cli(['report', c.id, '--html', file], '2025-11-28T10:00:00Z'));
    const html = readFileSync(file, 'utf8');
    expect(html).not.toMatch(/>(running|yes|high)</);
    ok(await c.cli(['reported', c.id, '--reference', 'M-1', '--at', '2025-11-28T09:30:00Z', '--by', 'FG'], '2025-11-28T10:00:00Z'));
    for (const cmd of [['status'], ['show', c.id]]) {
      const out = (await c.cli(cmd, '2025-11-28T10:00:00Z')).stdout;
      expect(out).not.toMatch(/reported \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
      expect(out).toContain('2025-11-28 10:30 CET');
    }
  });
});
