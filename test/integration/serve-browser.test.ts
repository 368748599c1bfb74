/**
 * The FG's web page in a real browser (headless Chromium): open the printed URL, then carry one
 * incident from opened to closed without the command line (acknowledge, assess, facts, the draft,
 * the report, Art. 34, close). After each step the store holds what the page showed. Each page has
 * no serious or critical accessibility violation (axe-core), every control is reached by the
 * keyboard. The run takes the README's screenshots; it writes them to docs/screenshots/ only when
 * asked (`npm run screenshots`), so that `npm test` leaves the working tree as it found it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import type { Incident } from '../../handlers/core/incident.js';
import { CHROMIUM_AVAILABLE, type FileBrowser, launchChromium, seriousViolations, tabTo, unreachableByKeyboard } from '../support/browser.js';
import { ROOT, runCli } from '../support/cli.js';
import { type Served, startServe } from '../support/serve.js';

const NOW = '2026-11-28T08:00:00Z';
const WRITE_SCREENSHOTS = process.env.DATALEK_WRITE_SCREENSHOTS === '1';
const SCREENSHOTS = WRITE_SCREENSHOTS ? join(ROOT, 'docs', 'screenshots') : mkdtempSync(join(tmpdir(), 'datalek-screenshots-'));

describe.skipIf(!CHROMIUM_AVAILABLE)('the web page in headless Chromium', () => {
  let dir: string;
  let common: string[];
  let served: Served;
  let browser: FileBrowser;
  let context: BrowserContext;
  let page: Page;
  let id: string;
  const problems: string[] = [];
  /** The incident and its timeline as the store holds them (read through a second connection). */
  const stored = async () => {
    const store = new SqliteIncidentStore(join(dir, 'store'));
    try {
      const incident = (await store.getIncident(id)) as Incident;
      return { ...incident, timeline: await store.getTimeline(id) };
    } finally {
      await store.close();
    }
  };
  const submit = async (form: string) => {
    await Promise.all([page.waitForNavigation(), page.click(`form#${form} button[type=submit]`)]);
  };
  const flash = () => page.textContent('.flash');
  /** The Art. 34 form filled in as "inform", with `text` as sent. */
  const fillInform = async (text: string) => {
    await page.selectOption('#f-subjects-decision', 'inform');
    await page.fill('#f-subjects-reason', 'Hoog risico op identiteitsfraude.');
    await page.fill('#f-subjects-date', '2026-11-28T08:30');
    await page.fill('#f-subjects-channel', 'brief');
    await page.fill('#f-subjects-text', text);
  };
  const expectAccessible = async () => expect(await seriousViolations(page), page.url()).toEqual([]);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-browser-'));
    const policy = join(dir, 'policy.json');
    writeFileSync(
      policy,
      JSON.stringify({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@zorggroep.example', phone: '+31 20 000 0000' } } }),
    );
    common = ['--store', join(dir, 'store'), '--policy', policy];
    // The sample events, as `npm start` records them.
    await runCli(['replay', join(ROOT, 'events'), '--json', ...common, '--now', NOW]);
    const open = JSON.parse((await runCli(['status', '--json', ...common, '--now', NOW])).stdout) as Record<string, unknown>[];
    // An instance with personal data, still within its AP deadline.
    id = open.find((i) => !i.sample && (i.resource as { type: string }).type === 'Instance' && (i.deadline as string) > NOW)?.incidentId as string;
    expect(id).toBeDefined();
    served = await startServe([...common, '--now', NOW, '--by', 'A. de Vries']);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale: 'nl-NL', timezoneId: 'Europe/Amsterdam' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: served.origin });
    // A missing element fails the step in seconds, not at the test's timeout.
    context.setDefaultTimeout(5_000);
    page = await context.newPage();
    // A Content-Security-Policy violation or a failed script shows in the console.
    page.on('console', (m) => {
      // The refused form answers 400 on purpose; anything else (a blocked script or style) is a problem.
      if (m.type() === 'error' && !m.text().includes('status of 400')) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    if (!WRITE_SCREENSHOTS) rmSync(SCREENSHOTS, { recursive: true, force: true });
  });

  it('opens the overview from the printed URL, most urgent first, with the token out of the address bar', async () => {
    await page.goto(served.url);
    expect(page.url()).toBe(`${served.origin}/`);
    expect(await page.textContent('h1')).toBe('Open incidenten');
    const rows = await page.$$eval('table.overview tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-incident')));
    const status = JSON.parse((await runCli(['status', '--json', ...common, '--now', NOW])).stdout) as { incidentId: string }[];
    expect(rows).toEqual(status.map((s) => s.incidentId));
    const row = await page.textContent(`tr[data-incident="${id}"]`);
    expect(row).toContain('NIET OPGEPAKT');
    expect(row).toMatch(/AP: loopt, uiterlijk 2026-1\d-\d\d \d\d:\d\d CET \(nog \d/);
    await expectAccessible();
  });

  it('acknowledges with the keyboard only; the store names the person and the page says so', async () => {
    await page.click(`a[href="/incidents/${id}"]`);
    await expectAccessible();
    expect(await unreachableByKeyboard(page)).toEqual([]);
    await tabTo(page, '#f-ack-note');
    await page.keyboard.type('Ik pak hem op');
    await tabTo(page, 'form#ack button[type=submit]');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    expect(await flash()).toContain('Opgepakt door A. de Vries');
    const incident = await stored();
    expect(incident.acknowledgedBy).toBe('A. de Vries');
    expect(incident.timeline.at(-1)).toMatchObject({ kind: 'acknowledged', actor: 'A. de Vries', detail: { note: 'Ik pak hem op' } });
    expect(await page.$('form#ack')).toBeNull();
  });

  it('refuses to close what is not decided, with the rule, and records nothing', async () => {
    const before = await stored();
    await page.fill('#f-close-reason', 'te vroeg');
    await submit('close');
    expect(await page.textContent('#f-close-problem')).toContain('kan nog niet worden gesloten: geen beoordeling');
    expect(await page.inputValue('#f-close-reason')).toBe('te vroeg');
    expect(await stored()).toEqual(before);
  });

  it('records the assessment', async () => {
    await page.selectOption('#f-assess-personal-data', 'yes');
    await page.selectOption('#f-assess-risk', 'high');
    await page.fill('#f-assess-reason', 'Cliëntgegevens op de server; BSN in de database.');
    await submit('assess');
    expect(await flash()).toBe('Beoordeling vastgelegd.');
    const { assessment, state } = await stored();
    expect(assessment).toMatchObject({ personalData: 'yes', risk: 'high', notifiable: true, by: 'A. de Vries' });
    expect(state).toBe('assessed');
    expect(await page.textContent('dl.summary')).toContain('meldplichtig (persoonsgegevens ja, hoog risico): Cliëntgegevens op de server');
    // The Art. 34 decision is now asked for, and its clock shows.
    expect(await page.$('form#subjects')).not.toBeNull();

    await page.goto(`${served.origin}/`);
    await page.screenshot({ path: join(SCREENSHOTS, 'overview.png'), fullPage: true });
  });

  it('records the facts; the page shows them back and asks only for what is missing', async () => {
    await page.goto(`${served.origin}/incidents/${id}`);
    await page.fill('#f-facts-summary', 'Malware op een server met cliëntgegevens.');
    await page.fill('#f-facts-cause', 'Een kwetsbaarheid in de webapplicatie.');
    await page.selectOption('#f-facts-type', 'hacking-malware-phishing');
    await page.check('#f-facts-nature input[value=confidentiality]');
    await page.fill('#f-facts-categories', 'naam, adres, BSN');
    await page.fill('#f-facts-special', 'geen');
    await page.fill('#f-facts-records', '2500');
    await page.fill('#f-facts-subject-groups', 'cliënten');
    await page.fill('#f-facts-subjects', '120-2500');
    await page.fill('#f-facts-consequences', 'Risico op identiteitsfraude.');
    await page.selectOption('#f-facts-for', 'confidentiality');
    await page.check('#f-facts-harm input[value=material]');
    await page.check('#f-facts-harm input[value=immaterial]');
    await page.selectOption('#f-facts-harm-severity', 'high');
    await page.fill('#f-facts-measures-taken', 'Server geïsoleerd; wachtwoorden vervangen.');
    await page.fill('#f-facts-measures-proposed', 'Webapplicatie bijwerken.');
    await page.selectOption('#f-facts-unintelligible', 'no');
    await page.fill('#f-facts-other-party', 'geen');
    await page.selectOption('#f-facts-cross-border', 'no');
    await submit('facts');
    expect(await flash()).toBe('Feiten vastgelegd.');
    const { facts, timeline } = await stored();
    expect(facts).toMatchObject({
      summary: 'Malware op een server met cliëntgegevens.',
      cause: 'Een kwetsbaarheid in de webapplicatie.',
      breachType: 'hacking-malware-phishing',
      nature: ['confidentiality'],
      categories: ['naam', 'adres', 'BSN'],
      specialCategories: [],
      specialStated: true,
      subjectGroups: ['cliënten'],
      subjectsMin: 120,
      subjectsMax: 2500,
      records: 2500,
      consequencesByNature: { confidentiality: { text: 'Risico op identiteitsfraude.', harm: ['material', 'immaterial'], severity: 'high' } },
      measuresTaken: 'Server geïsoleerd; wachtwoorden vervangen.',
      measuresProposed: 'Webapplicatie bijwerken.',
      unintelligible: 'no',
      otherParties: [],
      otherPartiesStated: true,
      crossBorder: false,
      updatedBy: 'A. de Vries',
    });
    const missing = JSON.parse((await runCli(['draft', id, '--format', 'json', ...common, '--now', NOW])).stdout).missing;
    expect(missing).toEqual(['Hoog risico: besluit over het informeren van betrokkenen (datalek subjects)']);
    // The page names the same fact, and links its form instead of naming the command.
    expect(await page.$$eval('#missing li', (lis) => lis.map((li) => li.textContent))).toEqual(['Hoog risico: besluit over het informeren van betrokkenen']);
    expect(await page.getAttribute('#missing li a', 'href')).toBe(`/incidents/${id}#subjects`);
    expect(await page.inputValue('#f-facts-categories')).toBe('naam, adres, BSN');
    expect(await page.inputValue('#f-facts-subjects')).toBe('120-2500');

    // Saving the form again with one change records only that change.
    await page.fill('#f-facts-records', '2600');
    await submit('facts');
    const after = await stored();
    expect(after.timeline.at(-1)?.detail).toEqual({ records: 2600 });
    // One change: its entry, after the mark that the page's clock (serve --now, in the past) was stated.
    expect(after.timeline.slice(timeline.length).map((e: { kind: string }) => e.kind)).toEqual(['clock-stated', 'facts-recorded']);
    await page.goto(`${served.origin}/incidents/${id}`);
    await page.screenshot({ path: join(SCREENSHOTS, 'incident.png') });
  });

  it('shows the AP draft in the form’s order, in Dutch and English, with a working copy button per field', async () => {
    await page.click(`a[href="/incidents/${id}/draft?lang=nl"]`);
    await expectAccessible();
    expect(await unreachableByKeyboard(page)).toEqual([]);
    const draft = JSON.parse((await runCli(['draft', id, '--format', 'json', '--lang', 'nl', ...common, '--now', NOW])).stdout) as {
      sections: { key: string; number: number; title: string; fields: { key: string; value: string | null }[] }[];
      warnings: string[];
    };
    const sections = await page.$$eval('main section[data-section] h2', (hs) => hs.map((h) => h.textContent?.trim()));
    expect(sections).toEqual(draft.sections.map((x) => `${x.number}. ${x.title}`));
    expect(sections[0]).toBe('0. Over deze melding');
    expect(sections[9]).toBe('9. Overig');
    // Every recorded value on the page as the CLI's draft has it, ready to copy.
    for (const section of draft.sections) {
      for (const field of section.fields.filter((f) => f.value !== null)) {
        expect(await page.inputValue(`#d-${section.key}-${field.key.replace(/[^\w-]/g, '-')}`)).toBe(field.value);
      }
    }
    for (const warning of draft.warnings) expect(await page.textContent('#warnings-title + ul')).toContain(warning);
    const copy = page.locator('button[data-copy="d-personalData-categories"]');
    expect(await copy.isVisible()).toBe(true);
    await copy.click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('naam, adres, BSN');
    expect(await copy.textContent()).toBe('Gekopieerd');

    await page.click('a[href$="draft?lang=en"]');
    // The page speaks the interface's language; the draft the one asked for.
    expect(await page.textContent('h1')).toContain('Concept-melding AP (Engels)');
    expect(await page.getAttribute('main > div[lang]', 'lang')).toBe('en');
    expect(await page.textContent('label[for="d-personalData-categories"]')).toBe('Categories of personal data');
    await expectAccessible();
  });

  it('shows the Art. 34 notice to the data subjects from the recorded facts', async () => {
    await page.goto(`${served.origin}/incidents/${id}/notice?lang=nl`);
    await expectAccessible();
    expect(await unreachableByKeyboard(page)).toEqual([]);
    const notice = JSON.parse((await runCli(['notice', id, '--format', 'json', ...common, '--now', NOW])).stdout) as {
      sections: { key: string; text: string | null }[];
      note: string;
    };
    expect(await page.textContent('main')).toContain(notice.note);
    for (const section of notice.sections.filter((x) => x.text !== null)) expect(await page.inputValue(`#n-${section.key}`)).toBe(section.text);
    expect(await page.inputValue('#n-whatHappened')).toContain('Malware op een server met cliëntgegevens.');
    expect(await page.inputValue('#n-whole')).toContain('Bericht aan betrokkenen: datalek bij Zorggroep Voorbeeld');
  });

  it('records the report to the AP', async () => {
    await page.goto(`${served.origin}/incidents/${id}#reported`);
    await page.fill('#f-reported-reference', 'M-2026-0042');
    await submit('reported');
    // Entered now, by the machine's clock, after the AP deadline had passed (serve --now states the page's only): confirmed (atk28 F16).
    expect(await page.textContent('form#reported')).toContain('nadat die verstreken was');
    await page.check('#f-reported-confirm-stated-time');
    await submit('reported');
    expect(await flash()).toBe('Melding vastgelegd.');
    const { reports, state } = await stored();
    expect(reports).toEqual([
      expect.objectContaining({ to: 'ap', kind: 'initial', reference: 'M-2026-0042', at: new Date(NOW).toISOString(), by: 'A. de Vries' }),
    ]);
    expect(state).toBe('reported');
    expect(await page.textContent('dl.summary')).toContain('AP · eerste melding · M-2026-0042');
  });

  // law27 item 6: the warning on a text recorded as sent came only after recording; now the form asks first.
  it('warns before recording an Art. 34 text with a placeholder, and asks to confirm, accessibly', async () => {
    await fillInform('Beste [naam], uw gegevens zijn gelekt.');
    await submit('subjects');
    expect(await page.textContent('form#subjects')).toContain('Nog niet vastgelegd: de tekst die u vastlegt als wat is verstuurd, bevat plaatshouders');
    expect(await page.isChecked('#f-subjects-confirm-text')).toBe(false);
    expect(await page.inputValue('#f-subjects-text')).toBe('Beste [naam], uw gegevens zijn gelekt.');
    expect((await stored()).subjects ?? null, 'nothing recorded').toBeNull();
    await expectAccessible();
  });

  it('records the Art. 34 decision', async () => {
    await fillInform('Uw gegevens zijn gelekt; wijzig uw wachtwoord.');
    await submit('subjects');
    expect(await flash()).toBe('Besluit over het informeren van betrokkenen vastgelegd.');
    const { subjects } = await stored();
    // 08:30 in Amsterdam in November is 07:30 UTC.
    expect(subjects).toMatchObject({ decision: 'inform', date: '2026-11-28T07:30:00.000Z', channel: 'brief', by: 'A. de Vries' });
  });

  it('closes it; the overview no longer lists it and the closed incidents do', async () => {
    await page.fill('#f-close-reason', 'Gemeld, betrokkenen geïnformeerd, server opnieuw opgebouwd.');
    await page.fill('#f-close-follow-up-reason', 'De aanvulling ging per brief naar de AP.');
    await submit('close');
    // The page serves a plan-only store: the isolation was planned, never recorded as done, and the
    // close says so beside the FG's "server opnieuw opgebouwd" (fg26, 9474f2e9).
    expect(await flash()).toBe(
      'Afgesloten; het incident blijft in het register. Let op: gesloten met inperking die nog gepland staat en niet als uitgevoerd is vastgelegd: EC2-instantie isoleren i-0c3d4e5f607182930. De tijdlijn, het register en het rapport noemen die stap als nog gepland, zodat het dossier niet leest alsof hij is uitgevoerd.',
    );
    const { state } = await stored();
    expect(state).toBe('closed');
    // Only what may follow after closing (Art. 33(4)) is offered now.
    expect(await page.$$eval('form.action', (fs) => fs.map((f) => f.id))).toEqual([
      'after-close-report',
      'after-close-facts',
      'after-close-assess',
      'after-close-subjects',
    ]);
    await expectAccessible();
    expect(await unreachableByKeyboard(page)).toEqual([]);
  });

  it('after closing, records a correction to the AP and a corrected fact, each with its reason; refuses what the CLI refuses', async () => {
    // A withdrawal while the assessment in force says notifiable: refused beside the form, nothing recorded.
    const before = await stored();
    await page.fill('#f-after-close-report-reference', 'M-2026-0042');
    await page.selectOption('#f-after-close-report-kind', 'withdrawal');
    await page.fill('#f-after-close-report-reason', 'Toch geen datalek.');
    await submit('after-close-report');
    expect(await page.textContent('#f-after-close-report-problem')).toContain('Een intrekking zegt dat het datalek toch niet gemeld hoefde te worden');
    expect(await page.inputValue('#f-after-close-report-reason')).toBe('Toch geen datalek.');
    await expectAccessible();
    expect(await stored()).toEqual(before);

    await page.selectOption('#f-after-close-report-kind', 'correction');
    await page.fill('#f-after-close-report-reason', 'Meer records getroffen dan gemeld.');
    await submit('after-close-report');
    expect(await flash()).toBe('Informatie aan de AP na het sluiten vastgelegd; het incident blijft gesloten.');
    expect((await stored()).reports?.at(-1)).toMatchObject({ kind: 'correction', reason: 'Meer records getroffen dan gemeld.', afterClose: true });

    await page.fill('#f-after-close-facts-records', '3100');
    await page.fill('#f-after-close-facts-reason', 'Nader onderzoek van de database.');
    await submit('after-close-facts');
    expect(await flash()).toBe('Feiten na het sluiten gecorrigeerd; het incident blijft gesloten.');
    const after = await stored();
    expect(after).toMatchObject({ state: 'closed', facts: expect.objectContaining({ records: 3100 }) });
    expect(after.timeline.at(-1)?.detail).toEqual({ records: 3100, reason: 'Nader onderzoek van de database.', afterClose: true });
    await page.click('nav a[href="/"]');
    expect(await page.$(`tr[data-incident="${id}"]`)).toBeNull();
    await page.click('nav a[href="/closed"]');
    expect(await page.textContent('main')).toContain(id);
    await expectAccessible();
  });

  it('shows the register by period with its exports, the runbooks, and the page in English', async () => {
    await page.click('nav a[href="/register"]');
    await page.fill('#from', '2026-11-26');
    await page.fill('#to', '2026-11-27');
    await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
    expect(page.url()).toBe(`${served.origin}/register?from=2026-11-26&to=2026-11-27`);
    // Whole days in Amsterdam: 26 November 00:00 CET up to and including the 27th.
    const register = JSON.parse(
      (await runCli(['register', '--format', 'json', '--from', '2026-11-26T00:00+01:00', '--to', '2026-11-28T00:00+01:00', ...common, '--now', NOW])).stdout,
    ) as { incidentId: string }[];
    const shown = await page.$$eval('main table tbody th a', (as) => as.map((a) => a.textContent));
    expect(shown).toEqual(register.map((r) => r.incidentId));
    expect(shown.length).toBeGreaterThan(0);
    expect(await page.getAttribute('a[href^="/register/export?format=csv"]', 'href')).toBe('/register/export?format=csv&from=2026-11-26&to=2026-11-27');
    await expectAccessible();
    expect(await unreachableByKeyboard(page)).toEqual([]);

    // Every containment step of every incident links to a runbook the page serves.
    const open = JSON.parse((await runCli(['status', '--json', ...common, '--now', NOW])).stdout) as { incidentId: string }[];
    const runbooks = new Set<string>();
    for (const { incidentId } of open) {
      const html = await (await page.request.get(`${served.origin}/incidents/${incidentId}`)).text();
      for (const m of html.matchAll(/href="(\/runbooks\/[^"]+)"/g)) runbooks.add(m[1]);
    }
    expect(runbooks.size).toBeGreaterThan(3);
    expect(
      [...runbooks].some((link) => link.includes('#')),
      'a step names a runbook section',
    ).toBe(true);
    for (const link of runbooks) {
      const [path, section] = link.split('#');
      const answer = await page.request.get(`${served.origin}${path}`);
      expect(answer.status(), link).toBe(200);
      // A step that names a section of its runbook lands on that heading.
      if (section !== undefined) expect(await answer.text(), link).toContain(` id="${section}"`);
    }

    await page.goto(`${served.origin}/runbooks/fg-assessment`);
    expect(await page.textContent('h1')).toContain('FG');
    await expectAccessible();

    await page.click('nav a[href^="/lang/en"]');
    expect(page.url()).toBe(`${served.origin}/runbooks/fg-assessment`);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.goto(`${served.origin}/`);
    expect(await page.textContent('h1')).toBe('Open incidents');
    await expectAccessible();
    expect(problems).toEqual([]);
  });

  it('checks the incident’s record against its ledger, as datalek verify does', async () => {
    await page.goto(`${served.origin}/incidents/${id}`);
    await Promise.all([page.waitForNavigation(), page.click(`a[href="/incidents/${id}/verify"]`)]);
    expect(await page.textContent('[role=status]')).toContain(`The record of ${id} matches its ledger`);
    expect((await runCli(['verify', id, ...common])).code).toBe(0);
    await expectAccessible();
    expect(await unreachableByKeyboard(page)).toEqual([]);
  });

  it('opens an incident by hand and records a planned step carried out by hand (datalek open, contained): each form accessible, by the keyboard', async () => {
    await page.goto(`${served.origin}/lang/nl?back=/`);
    await Promise.all([page.waitForNavigation(), page.click('a[href="/open"]')]);
    await expectAccessible();
    expect(await unreachableByKeyboard(page)).toEqual([]);
    await page.fill('#f-open-what', 'Brief met cliëntgegevens naar een verkeerd adres.');
    await page.fill('#f-open-aware-at', '2026-11-28T08:30');
    await submit('open');
    expect(await flash()).toContain('Incident met de hand geopend');
    const opened = new URL(page.url()).pathname.split('/').at(-1) as string;
    const byHand = JSON.parse((await runCli(['show', opened, '--json', ...common, '--now', NOW])).stdout) as { openedByHand: { by: string } };
    expect(byHand.openedByHand.by).toBe('A. de Vries');

    // An open incident whose step the policy only plans: on-call carried it out in the console.
    const open = JSON.parse((await runCli(['status', '--json', ...common, '--now', NOW])).stdout) as {
      incidentId: string;
      sample: boolean;
      actions: { id: string; status: string }[];
    }[];
    const other = open.find((i) => !i.sample && i.actions.some((a) => a.status === 'planned')) as (typeof open)[number];
    const action = other.actions.find((a) => a.status === 'planned')?.id as string;
    await page.goto(`${served.origin}/incidents/${other.incidentId}`);
    await page.selectOption('#f-contained-action', action);
    await page.fill('#f-contained-what', 'In de console in de quarantainegroep gezet.');
    await submit('contained');
    expect(await flash()).toBe('Vastgelegd dat de stap met de hand is uitgevoerd.');
    await expectAccessible();
    expect(await unreachableByKeyboard(page)).toEqual([]);
    const shown = JSON.parse((await runCli(['show', other.incidentId, '--json', ...common, '--now', NOW])).stdout) as {
      actions: { id: string; status: string; byHand?: { by: string } }[];
    };
    expect(shown.actions.find((a) => a.id === action)).toMatchObject({ status: 'done', byHand: { by: 'A. de Vries' } });
  });

  it('counts the time left down on the page when the server runs on the real clock', async () => {
    const live = await startServe([...common, '--by', 'A. de Vries']);
    try {
      const countdown = await browser.newPage();
      await countdown.clock.install();
      await countdown.goto(live.url);
      const before = await countdown.textContent('[data-due]');
      // The page's own script ticks every 30 seconds: two hours later the time left says so.
      await countdown.clock.runFor(2 * 3_600_000);
      const after = await countdown.textContent('[data-due]');
      const minutes = (text: string | null) => {
        const part = (unit: string) => Number(new RegExp(`(\\d+)${unit}\\b`).exec(text ?? '')?.[1] ?? 0);
        return part('d') * 1440 + part('[uh]') * 60 + part('m');
      };
      const overdue = (before ?? '').includes('te laat');
      expect(minutes(after) - minutes(before)).toBe(overdue ? 120 : -120);
      await countdown.close();
    } finally {
      await live.stop();
    }
  });

  it('reports with the axe check every serious or critical violation a full axe run reports, though it runs only the rules that can', async () => {
    // seriousViolations leaves out axe's rules of impact minor or moderate (test/support/browser.ts):
    // on a page breaking rules of every impact, what it reports is what a full run reports at those two.
    const planted = await browser.newPage();
    try {
      await planted.setContent(
        '<html><head><title>t</title></head><body><main><h1>x</h1><input type="text"><p style="color:#777;background:#888">grijs</p>' +
          '<img src="data:,"><div role="bogus">r</div><h4>kop</h4></main><footer><main>twee</main></footer></body></html>',
      );
      const reported = (await seriousViolations(planted)).map((v) => `${v.id} ${v.impact}`);
      const full = await planted.evaluate(async () => {
        const axe = (globalThis as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<{ violations: { id: string; impact: string }[] }> } }).axe;
        return (await axe.run(document, { resultTypes: ['violations'] })).violations.map((v) => `${v.id} ${v.impact}`);
      });
      expect(full.some((v) => /(minor|moderate)$/.test(v))).toBe(true);
      expect(reported).toEqual(full.filter((v) => /(serious|critical)$/.test(v)));
      expect(reported.length).toBeGreaterThan(3);
    } finally {
      await planted.close();
    }
  });
});
