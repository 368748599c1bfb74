/**
 * Issue #10's walk-through: five cases end to end through the CLI on the embedded store, as a Dutch
 * FG would run them, each draft checked against the sections of the AP's form; then every piece of
 * Dutch output the workflow produced (drafts, notices, messages, HTML reports, the Markdown
 * register) is scanned for English codes that slipped through. The CLI's own confirmations and
 * errors speak English to the operator whatever the policy's language and are not part of it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findingEvent } from '../support/events.js';
import { type FgCase, informArgs, openCase } from '../support/fg-case.js';

/** The AP's form (meldformulier datalekken): its sections in order, and what each must answer. */
const AP_FORM: { number: number; key: string; title: string; required: string[] }[] = [
  { number: 0, key: 'notification', title: 'Over deze melding', required: ['legalBasis', 'notificationType'] },
  { number: 1, key: 'contact', title: 'Contactgegevens', required: ['organisation', 'notifier', 'fg', 'processorInvolved'] },
  { number: 2, key: 'timeline', title: 'Tijdlijn', required: ['startedAt', 'detectedAt', 'awareAt', 'ongoing'] },
  { number: 3, key: 'breach', title: 'Het datalek', required: ['summary', 'breachType', 'nature', 'cause'] },
  { number: 4, key: 'personalData', title: 'Persoonsgegevens', required: ['categories', 'specialCategories', 'records'] },
  { number: 5, key: 'dataSubjects', title: 'Betrokkenen', required: ['subjectGroups', 'subjectsRange'] },
  { number: 6, key: 'priorMeasures', title: 'Voorafgaande maatregelen', required: ['unintelligible'] },
  { number: 7, key: 'consequences', title: 'Gevolgen', required: ['consequences.confidentiality'] },
  { number: 8, key: 'followUp', title: 'Vervolgacties', required: ['subjectsInformed', 'measuresTaken', 'crossBorder'] },
  { number: 9, key: 'other', title: 'Overig', required: [] },
];

interface DraftJson {
  missing: string[];
  warnings: string[];
  sections: { number: number; key: string; title: string; fields: { key: string; label: string; value: string | null }[] }[];
}

/** The draft answers every section of the form, in its order, with the required fields filled; the Markdown says the same. */
function expectAnswersTheForm(draft: DraftJson, md: string): void {
  expect(draft.missing).toEqual([]);
  expect(draft.sections.map((s) => [s.number, s.key, s.title])).toEqual(AP_FORM.map((s) => [s.number, s.key, s.title]));
  for (const section of AP_FORM) {
    const fields = draft.sections[section.number].fields;
    for (const key of section.required) {
      const f = fields.find((x) => x.key === key);
      expect(f?.value, `${section.key}.${key}`).toBeTruthy();
    }
  }
  // Same sections and fields in the Markdown, in the same order.
  let at = 0;
  for (const s of draft.sections) {
    at = md.indexOf(`## ${s.number}. ${s.title}`, at);
    expect(at, s.title).toBeGreaterThan(0);
    for (const f of s.fields) {
      at = md.indexOf(`**${f.label}:**`, at);
      expect(at, f.key).toBeGreaterThan(0);
    }
  }
}

const field = (draft: DraftJson, key: string) => draft.sections.flatMap((s) => s.fields).find((f) => f.key === key)?.value;
// biome-ignore lint/suspicious/noExplicitAny: parsed CLI JSON
const clock = (status: any, name: string) => status.clocks.find((c: { name: string }) => c.name === name);

/** Every piece of Dutch output the five cases produce, with where it came from. */
const DUTCH: { source: string; text: string }[] = [];

async function ok(c: FgCase, args: string[], now: string): Promise<string> {
  const r = await c.cli(args, now);
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

/** Collects the Dutch output of an incident at this moment: draft (md and json), notice, messages, HTML report, register. */
async function collectDutch(c: FgCase, name: string, now: string): Promise<void> {
  DUTCH.push({ source: `${name}: draft`, text: await ok(c, ['draft', c.id], now) });
  const json = (await c.json(['draft', c.id, '--format', 'json'], now)) as DraftJson;
  const values = json.sections.flatMap((s) => [s.title, ...s.fields.flatMap((f) => [f.label, f.value ?? ''])]);
  DUTCH.push({ source: `${name}: draft json`, text: [...values, ...json.missing, ...json.warnings].join('\n') });
  DUTCH.push({ source: `${name}: notice`, text: await ok(c, ['notice', c.id], now) });
  for (const m of (await c.json(['messages', c.id], now)) as { kind: string; subject: string; body: string }[]) {
    DUTCH.push({ source: `${name}: message ${m.kind}`, text: `${m.subject}\n${m.body}` });
  }
  const file = join(c.dir, `${name}.html`);
  await ok(c, ['report', c.id, '--html', file], now);
  const html = readFileSync(file, 'utf8')
    .replace(/<style>[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
  DUTCH.push({ source: `${name}: report`, text: html });
  DUTCH.push({ source: `${name}: register`, text: await ok(c, ['register', '--format', 'md'], now) });
}

const FACTS = (extra: string[] = [], otherParty = ['--other-party', 'none']) => [
  '--summary',
  'Een aanvaller las via een gestolen beheerderswachtwoord klantgegevens in de webwinkel.',
  '--cause',
  'Gestolen wachtwoord van een beheerder, zonder tweestapsverificatie.',
  '--type',
  'hacking-malware-phishing',
  '--nature',
  'confidentiality',
  '--categories',
  'naam,adres,e-mailadres',
  '--special',
  'none',
  '--subject-groups',
  'klanten',
  '--subjects',
  '1200-1500',
  '--records',
  '1500',
  '--consequences',
  'phishing en identiteitsfraude',
  '--for',
  'confidentiality',
  '--harm',
  'material,immaterial',
  '--harm-severity',
  'medium',
  '--measures-taken',
  'wachtwoorden gereset, sessies ingetrokken',
  '--measures-proposed',
  'tweestapsverificatie voor beheerders',
  '--unintelligible',
  'no',
  '--cross-border',
  'no',
  ...otherParty,
  '--by',
  'A. de Vries',
  ...extra,
];

describe("issue #10 walk-through: five cases as a Dutch FG runs them, each draft against the AP's form", () => {
  it('1. notifiable, high risk: reported in time, the Art. 34 notice drafted and the data subjects informed', async () => {
    const c = await openCase();
    await ok(c, ['ack', c.id, '--by', 'Sam'], '2025-11-27T21:20:00Z');
    await ok(
      c,
      ['assess', c.id, '--personal-data', 'yes', '--risk', 'high', '--reason', 'klantgegevens leesbaar ingezien', '--by', 'A. de Vries'],
      '2025-11-28T08:00:00Z',
    );
    await ok(c, ['facts', c.id, ...FACTS()], '2025-11-28T08:30:00Z');
    const notice = await c.json(['notice', c.id, '--format', 'json'], '2025-11-28T08:40:00Z');
    expect(notice).toMatchObject({ required: true, missing: [] });
    expect(notice.sections.map((s: { text: string | null }) => s.text).every(Boolean)).toBe(true);
    await ok(c, [...informArgs(c.id, '2025-11-28T10:00:00Z', 'e-mail'), '--reason', 'hoog risico op phishing', '--by', 'A. de Vries'], '2025-11-28T10:05:00Z');
    await ok(c, ['reported', c.id, '--reference', 'M-2025-0101', '--at', '2025-11-28T11:00:00Z', '--by', 'A. de Vries'], '2025-11-28T11:05:00Z');
    const draft = (await c.json(['draft', c.id, '--format', 'json'], '2025-11-28T11:10:00Z')) as DraftJson;
    expectAnswersTheForm(draft, await ok(c, ['draft', c.id], '2025-11-28T11:10:00Z'));
    expect(field(draft, 'subjectsInformed')).toMatch(/^geïnformeerd op 2025-11-28 11:00 CET/);
    expect(field(draft, 'notificationType')).toBe('vervolgmelding op M-2025-0101');
    await ok(c, ['sweep'], '2025-11-29T12:00:00Z'); // the follow-up reminder
    await ok(c, ['facts', c.id, '--complete', '--by', 'A. de Vries'], '2025-11-30T09:00:00Z');
    await ok(c, ['reported', c.id, '--reference', 'M-2025-0101', '--kind', 'follow-up', '--by', 'A. de Vries'], '2025-11-30T09:10:00Z');
    await ok(c, ['close', c.id, '--reason', 'gemeld, betrokkenen geïnformeerd', '--by', 'A. de Vries'], '2025-11-30T10:00:00Z');
    const [row] = await c.json(['register', '--format', 'json'], '2025-11-30T10:00:00Z');
    expect(row).toMatchObject({ state: 'closed', apClock: 'met', notifiable: true, role: 'controller', apReportEnteredLater: false });
    await collectDutch(c, 'case1', '2025-11-30T10:00:00Z');
  });

  it('2. not notifiable: the reasoning kept, no delay asked, nothing reminds', async () => {
    const c = await openCase({ events: [findingEvent({ id: 'build', createdAt: '2025-11-27T21:00:00Z', instanceId: 'i-build' })] });
    await ok(
      c,
      ['assess', c.id, '--personal-data', 'no', '--risk', 'none', '--reason', 'buildserver zonder persoonsgegevens', '--by', 'A. de Vries'],
      '2025-11-28T08:00:00Z',
    );
    const draft = (await c.json(['draft', c.id, '--format', 'json'], '2025-12-05T08:00:00Z')) as DraftJson;
    expect(field(draft, 'delayReason')).toBeUndefined();
    expect(draft.warnings[0]).toMatch(/niet meldplichtig/);
    const swept = await c.json(['sweep'], '2025-12-05T08:00:00Z');
    expect(swept.filter((s: { kind: string }) => s.kind !== 'page')).toEqual([]);
    await ok(c, ['close', c.id, '--reason', 'geen datalek', '--by', 'A. de Vries'], '2025-12-05T08:10:00Z');
    const [row] = await c.json(['register', '--format', 'json'], '2025-12-05T09:00:00Z');
    expect(row).toMatchObject({ notifiable: false, decisionReason: 'buildserver zonder persoonsgegevens', apClockStatus: 'not-needed' });
    await collectDutch(c, 'case2', '2025-12-05T09:00:00Z');
  });

  it('3. late: refused without the reasons for the delay, recorded with them, and the draft carries them', async () => {
    const c = await openCase();
    await ok(
      c,
      ['assess', c.id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'adresgegevens ingezien', '--by', 'A. de Vries'],
      '2025-11-28T08:00:00Z',
    );
    await ok(c, ['facts', c.id, ...FACTS()], '2025-11-28T08:30:00Z');
    await ok(c, ['sweep'], '2025-11-29T09:00:00Z'); // nudge: notifiable, not notified
    await ok(c, ['sweep'], '2025-12-01T09:00:00Z'); // the deadline passed
    const refused = await c.cli(['reported', c.id, '--reference', 'M-2025-0202', '--by', 'A. de Vries'], '2025-12-01T10:00:00Z');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/Art\. 33\(1\) requires the reasons for the delay/);
    await ok(
      c,
      ['reported', c.id, '--reference', 'M-2025-0202', '--delay-reason', 'de leverancier leverde de logbestanden pas op 1 december', '--by', 'A. de Vries'],
      '2025-12-01T10:00:00Z',
    );
    const draft = (await c.json(['draft', c.id, '--format', 'json'], '2025-12-01T10:05:00Z')) as DraftJson;
    expectAnswersTheForm(draft, await ok(c, ['draft', c.id], '2025-12-01T10:05:00Z'));
    expect(field(draft, 'delayReason')).toBe('de leverancier leverde de logbestanden pas op 1 december');
    expect(field(draft, 'subjectsInformed')).toMatch(/niet vereist/);
    expect(clock(await c.json(['show', c.id], '2025-12-01T10:05:00Z'), 'ap').status).toBe('late');
    await ok(
      c,
      ['close', c.id, '--reason', 'te laat gemeld, met reden', '--follow-up-reason', 'de aanvulling ging per brief naar de AP', '--by', 'A. de Vries'],
      '2025-12-01T11:00:00Z',
    );
    await collectDutch(c, 'case3', '2025-12-01T11:00:00Z');
  });

  it('4. processor: the controller informed within its hours; the AP notification and Art. 34 are the controller’s', async () => {
    const c = await openCase({ organisation: { processor: true } });
    await ok(
      c,
      ['assess', c.id, '--personal-data', 'yes', '--risk', 'high', '--reason', 'gegevens van Klant BV ingezien', '--by', 'A. de Vries'],
      '2025-11-28T08:00:00Z',
    );
    await ok(c, ['facts', c.id, ...FACTS([], ['--other-party', 'Klant BV', '--role', 'controller'])], '2025-11-28T08:30:00Z');
    const refused = await c.cli([...informArgs(c.id, '2025-11-28T09:00:00Z', 'brief'), '--reason', 'r', '--by', 'FG'], '2025-11-28T09:00:00Z');
    expect(refused.stderr).toMatch(/controller's \(Art\. 33\(2\), 34\)/);
    await ok(c, ['reported', c.id, '--recipient', 'controller', '--reference', 'brief 2025-17', '--by', 'A. de Vries'], '2025-11-28T12:00:00Z');
    const show = await c.json(['show', c.id], '2025-11-28T12:00:00Z');
    expect(clock(show, 'processor')).toMatchObject({ status: 'met', dueAt: '2025-11-28T21:00:00.000Z' });
    expect(clock(show, 'ap').status).toBe('not-needed');
    const draft = (await c.json(['draft', c.id, '--format', 'json'], '2025-11-28T12:05:00Z')) as DraftJson;
    expectAnswersTheForm(draft, await ok(c, ['draft', c.id], '2025-11-28T12:05:00Z'));
    expect(field(draft, 'role')).toBe('verwerker');
    expect(field(draft, 'otherParties')).toBe('Klant BV (verwerkingsverantwoordelijke)');
    expect(field(draft, 'subjectsInformed')).toMatch(/taak van de verwerkingsverantwoordelijke/);
    expect(field(draft, 'apDeadline')).toBeUndefined();
    expect(await c.json(['sweep'], '2025-12-02T09:00:00Z')).toEqual(expect.not.arrayContaining([expect.objectContaining({ kind: 'ap-overdue' })]));
    await ok(c, ['close', c.id, '--reason', 'verwerkingsverantwoordelijke geïnformeerd', '--by', 'A. de Vries'], '2025-12-02T10:00:00Z');
    await collectDutch(c, 'case4', '2025-12-02T10:00:00Z');
  });

  it('5. NIS2 significant and a telecom provider: CSIRT and competent authority, the AP within 24 hours, complete within 3 days, subscribers', async () => {
    const c = await openCase({
      policy: { clocks: { nis2: true, telecom: true } },
      organisation: { nis2Recipients: { csirt: 'CSIRT-DSP', competentAuthority: 'RDI' } },
    });
    await ok(
      c,
      [
        'assess',
        c.id,
        '--personal-data',
        'yes',
        '--risk',
        'risk',
        '--nis2-significant',
        'yes',
        '--reason',
        'dienst 6 uur onbereikbaar, klantgegevens ingezien',
        '--by',
        'A. de Vries',
      ],
      '2025-11-28T07:00:00Z',
    );
    await ok(c, ['sweep'], '2025-11-28T09:00:00Z');
    for (const to of ['csirt', 'authority']) {
      await ok(c, ['reported', c.id, '--recipient', to, '--kind', 'early-warning', '--reference', `${to}-1`, '--by', 'A. de Vries'], '2025-11-28T10:00:00Z');
    }
    await ok(c, ['reported', c.id, '--reference', 'M-2025-0303', '--by', 'A. de Vries'], '2025-11-28T11:00:00Z');
    await ok(
      c,
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
        '2025-11-28T12:00:00Z',
        '--channel',
        'sms',
        '--reason',
        'privacy geschaad',
        '--by',
        'A. de Vries',
      ],
      '2025-11-28T12:10:00Z',
    );
    await ok(c, ['facts', c.id, ...FACTS(['--complete'])], '2025-11-29T09:00:00Z');
    await ok(c, ['reported', c.id, '--reference', 'M-2025-0303', '--kind', 'follow-up', '--by', 'A. de Vries'], '2025-11-29T09:30:00Z');
    for (const to of ['csirt', 'authority']) {
      await ok(c, ['reported', c.id, '--recipient', to, '--kind', 'notification', '--reference', `${to}-2`, '--by', 'A. de Vries'], '2025-11-29T10:00:00Z');
    }
    await ok(c, ['sweep'], '2025-12-28T00:00:00Z'); // the final report's reminder, 48 hours before the month ends
    for (const to of ['csirt', 'authority']) {
      await ok(c, ['reported', c.id, '--recipient', to, '--kind', 'final', '--reference', `${to}-3`, '--by', 'A. de Vries'], '2025-12-28T10:00:00Z');
    }
    const show = await c.json(['show', c.id], '2025-12-28T10:00:00Z');
    const states = Object.fromEntries(show.clocks.map((x: { name: string; status: string }) => [x.name, x.status]));
    expect(states).toEqual({
      ap: 'met',
      'nis2-significance': 'met',
      'nis2-early-warning': 'met',
      'nis2-notification': 'met',
      'nis2-final': 'met',
      'telecom-initial': 'met',
      'telecom-complete': 'met',
      'telecom-subscribers': 'met',
    });
    expect(clock(show, 'nis2-final').dueAt).toBe('2025-12-29T22:59:59.999Z');
    const draft = (await c.json(['draft', c.id, '--format', 'json'], '2025-12-28T10:05:00Z')) as DraftJson;
    expectAnswersTheForm(draft, await ok(c, ['draft', c.id], '2025-12-28T10:05:00Z'));
    expect(field(draft, 'legalBasis')).toBe('AVG (art. 33) en Telecommunicatiewet (art. 11.3a)');
    expect(field(draft, 'subscribersInformed')).toMatch(/^geïnformeerd op/);
    await ok(c, ['close', c.id, '--reason', 'alle meldingen gedaan', '--by', 'A. de Vries'], '2025-12-28T11:00:00Z');
    const messages = (await c.json(['messages', c.id], '2025-12-28T11:00:00Z')) as { subject: string; body: string; attributes: Record<string, string> }[];
    expect(new Set(messages.filter((m) => m.attributes.clock).map((m) => m.attributes.clock)).size).toBeGreaterThan(2);
    const warning = messages.find((m) => m.attributes.clock === 'nis2-early-warning');
    expect(warning?.body).toContain('Ontvangers: de CSIRT (CSIRT-DSP) en de bevoegde autoriteit (RDI)');
    await collectDutch(c, 'case5', '2025-12-28T11:00:00Z');
  });

  describe('the Dutch of it all', () => {
    /** English codes the record keeps, and code words of the software, none of which may show in Dutch prose. */
    const CODES = [
      'yes',
      'no',
      'unknown',
      'partly',
      'none',
      'risk',
      'high',
      'running',
      'overdue',
      'not-needed',
      'initial',
      'follow-up',
      'correction',
      'withdrawal',
      'early-warning',
      'notification',
      'intermediate',
      'progress',
      'final',
      'inform',
      'exception',
      'not-required',
      'encrypted',
      'measures-taken',
      'disproportionate-effort',
      'confidentiality',
      'integrity',
      'availability',
      'physical',
      'material',
      'immaterial',
      'very-high',
      'controller',
      'processor',
      'joint',
      'csirt',
      'authority',
      'planned',
      'done',
      'skipped',
      'failed',
      'acknowledged',
      'assessed',
      'reported',
      'closed',
      'released',
      'Low',
      'Medium',
      'High',
      'Critical',
      'true',
      'false',
      'null',
      'undefined',
      'NaN',
      'system',
      'isolate-instance',
      'hacking-malware-phishing',
    ];

    /** Prose only: command lines, code in backticks, policy keys, identifiers and GuardDuty's own names are code. */
    function prose(text: string): string {
      return text
        .replace(/`[^`]*`/g, ' ')
        .replace(/datalek (ack|assess|facts|draft|notice|reported|subjects|close|register|report|show|sweep)\b[^\n)]*/g, ' ')
        .replace(/beleid: [\w.]+/g, ' ')
        .replace(/\b[A-Z][A-Za-z0-9]*:[A-Za-z0-9]+\/[\w.!&-]+/g, ' ')
        .replace(/\b(dl|i|f|eni|sg|vpc)-[0-9a-z-]+/g, ' ');
    }

    afterAll(() => {
      DUTCH.length = 0;
    });

    it('shows no English code in any Dutch output of the five cases', () => {
      expect(DUTCH.length).toBeGreaterThan(30);
      const found: string[] = [];
      for (const { source, text } of DUTCH) {
        const p = prose(text);
        for (const code of CODES) {
          const m = new RegExp(`(?<![\\w-])${code.replace(/[-]/g, '\\-')}(?![\\w-])`).exec(p);
          if (m) found.push(`${source}: "${code}" in …${p.slice(Math.max(0, m.index - 40), m.index + 40).replace(/\s+/g, ' ')}…`);
        }
        // "met" and "late" are Dutch words too; as a clock's verdict they stand alone after a colon.
        const verdict = /[:(]\s*(met|late)\s*($|[;,).])/m.exec(p);
        if (verdict) found.push(`${source}: verdict "${verdict[1]}"`);
        if (/\[object Object\]|<name>|local replay/.test(text)) found.push(`${source}: a code word`);
      }
      expect(found).toEqual([]);
    });

    it('says the verdicts in Dutch', () => {
      const all = DUTCH.map((d) => d.text).join('\n');
      for (const word of ['gehaald', 'te laat gedaan', 'niet nodig', 'hoog risico', 'vertrouwelijkheid', 'verwerker', 'vervolgmelding', 'gesloten']) {
        expect(all).toContain(word);
      }
    });
  });
});
