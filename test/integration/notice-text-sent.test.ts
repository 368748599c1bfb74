/**
 * fg25 item 1: the documented way to record what the data subjects were told,
 * `subjects ID --decision inform --text "$(datalek notice ID)"` (the help's example, the runbook's
 * `datalek notice ID > sent-letter.txt`), recorded as the text sent, and so as what an FG copying it
 * sends, the notice's parts meant for the FG alone: the incident id, the note on Art. 34, the "Let op"
 * naming a step still planned and datalek commands, the "Ontbreekt nog" checklist and the footer.
 * Art. 34(2) asks for clear and plain language to the people affected; the sender's notes go to
 * stderr, the text meant for them alone to stdout.
 */

import { join } from 'node:path';
import { expect, it } from 'vitest';
import { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { ORGANISATION, openCase } from '../support/fg-case.js';
import { csrfOf, formBase, pageText } from '../support/serve.js';
import { inProcessWebApp } from '../support/web-app.js';

const at = '2025-11-28T09:00:00Z';

/**
 * A high-risk incident whose facts claim the isolation that the record holds as planned (plan mode),
 * and leave the summary out; its notice, and `ok` running a command that must succeed.
 */
async function noticed() {
  const c = await openCase();
  const ok = async (args: string[]) => {
    const r = await c.cli(args, at);
    expect(r.code, r.stderr).toBe(0);
    return r;
  };
  await ok(['assess', c.id, '--personal-data', 'yes', '--risk', 'high', '--reason', 'klantdossiers', '--by', 'FG']);
  await ok(['facts', c.id, '--categories', 'naam,adres', '--consequences', 'phishing', '--measures-taken', 'server geïsoleerd', '--by', 'FG']);
  return { c, ok, notice: await ok(['notice', c.id]) };
}

it('records as the text sent, by the documented command line, only what the notice says to the data subjects', async () => {
  const { c, ok, notice } = await noticed();
  // "$(…)" takes stdout without its trailing newlines.
  const text = notice.stdout.replace(/\n+$/, '');
  await ok(['subjects', c.id, '--decision', 'inform', '--date', at, '--channel', 'brief', '--text', text, '--reason', 'hoog risico', '--by', 'FG']);
  const sent = JSON.stringify((await c.json(['register', '--format', 'json'], at)).find((r: { incidentId: string }) => r.incidentId === c.id));
  expect(sent).toContain('Wij hebben deze maatregelen genomen: server geïsoleerd');
  for (const internal of [
    'Ontbreekt nog',
    'Let op',
    'datalek contained',
    'datalek not-done',
    'datalek subjects',
    'Dit is een concept',
    'AVG art. 34(1)',
    c.id,
  ]) {
    expect(text).not.toContain(internal);
  }
  // The sender still sees the notes: on stderr.
  expect(notice.stderr).toContain('Ontbreekt nog');
  expect(notice.stderr).toContain('Let op: de inperking staat in het dossier nog als gepland');
});

// fg26 item 2: the notes taken along with the letter (`datalek notice ID 2>&1`, the terminal copied
// whole) were recorded as what the data subjects were told, without a word.
it('warns, naming them, when the text recorded as sent holds the notice notes for the sender; the letter alone goes without', async () => {
  const { c, ok, notice } = await noticed();
  const inform = (text: string) => [
    'subjects',
    c.id,
    '--decision',
    'inform',
    '--date',
    at,
    '--channel',
    'brief',
    '--text',
    text,
    '--reason',
    'hoog risico',
    '--by',
    'FG',
  ];

  const whole = await ok(inform(`${notice.stderr}\n${notice.stdout}`));
  expect(whole.stderr).toMatch(/^Warning: the text recorded as what was sent holds parts of the notice meant for the sender alone: /);
  for (const named of [
    `the incident id ${c.id}`,
    'the note on Art. 34 for the sender',
    'the "Let op" / "Note" on containment still planned',
    'the "Ontbreekt nog" / "Still missing" checklist',
    "the draft's footer",
    'datalek commands',
  ]) {
    expect(whole.stderr).toContain(named);
  }
  expect(whole.stderr).toContain(`datalek notice ${c.id} prints the letter alone on stdout`);

  // Recorded again with the letter alone, as the warning says: no warning, and the register holds the letter.
  const letter = notice.stdout.replace(/\n+$/, '');
  const again = await ok(inform(letter));
  expect(again.stderr).not.toContain('meant for the sender alone');
  const [row] = await c.json(['register'], at);
  expect(row.subjectsText).not.toContain('Ontbreekt nog');
});

/**
 * Runs `check` with `post`, which sends the Art. 34 form on the web page ("inform", with `text`),
 * confirming the text as sent where the form asks first (law27 item 6), and returns the text of the
 * page it leads to.
 */
async function onThePage(c: Awaited<ReturnType<typeof openCase>>, check: (post: (text: string) => Promise<string>) => Promise<void>) {
  const store = new SqliteIncidentStore(join(c.dir, 'store'));
  try {
    const web = inProcessWebApp({ store, policy: parsePolicy({ organisation: ORGANISATION }), now: () => new Date(at).toISOString() });
    await check(async (text: string) => {
      const html = await (await web.get(`/incidents/${c.id}`, 'nl')).text();
      const fields = { decision: 'inform', reason: 'hoog risico', date: '2025-11-28T09:30', channel: 'brief', text };
      const send = (extra: Record<string, string> = {}) =>
        web.post(`/incidents/${c.id}/subjects`, { _csrf: csrfOf(html), ...formBase(html, 'subjects'), ...fields, ...extra }, 'nl');
      let res = await send();
      const asked = res.status === 400 ? /name="_confirm-text" value="([0-9a-f]{64})"/.exec(await res.text())?.[1] : undefined;
      if (asked) res = await send({ '_confirm-text': asked });
      expect(res.status).toBe(303);
      return pageText(await (await web.get(res.headers.get('location') as string, 'nl')).text());
    });
  } finally {
    await store.close();
  }
}

it('on the web page, the Art. 34 form recorded with the notes for the sender says so in its message', async () => {
  const { c, notice } = await noticed();
  await onThePage(c, async (post) => {
    const warning = 'Let op: de tekst die is vastgelegd als wat is verstuurd, bevat delen van het bericht die alleen voor de afzender zijn';
    expect(await post(`${notice.stderr}\n${notice.stdout}`)).toContain(warning);
    expect(await post(notice.stdout)).not.toContain(warning);
  });
});

// fg28 item 6: the letter puts "…" where a section has nothing yet (here the summary), and an FG
// shortening a letter leaves "…" where text is still to come; recorded as what was sent, the register
// showed the elision as what the people affected were told, without a word.
it('warns, naming where, when the text recorded as sent holds an elision "…"; a finished text goes without', async () => {
  const { c, ok, notice } = await noticed();
  const inform = (text: string) =>
    ok(['subjects', c.id, '--decision', 'inform', '--date', at, '--channel', 'brief', '--text', text, '--reason', 'hoog risico', '--by', 'FG']);
  const letter = notice.stdout.replace(/\n+$/, '');
  expect(letter).toMatch(/## Wat is er gebeurd\?\n\n…\n/);
  const left = await inform(letter);
  expect(left.stderr).toMatch(/^Warning: the text recorded as what was sent holds "…" where text was left out: under "Wat is er gebeurd\?"/);
  expect(left.stderr).toContain('The register shows it as what they were told');

  const shortened = await inform('Beste klant, bij ons is … misgegaan. Wij hebben uw gegevens beschermd.');
  expect(shortened.stderr).toContain('holds "…" where text was left out: "Beste klant, bij ons is … misgegaan.');

  const finished = await inform(letter.replace(/\n…\n/, '\nEen server met klantgegevens is binnengedrongen.\n'));
  expect(finished.stderr).toBe('');
});

it('on the web page, the Art. 34 form recorded with an elision "…" in its text says so in its message', async () => {
  const { c } = await noticed();
  await onThePage(c, async (post) => {
    const warning = 'Let op: de tekst die is vastgelegd als wat is verstuurd, bevat "…" waar tekst is weggelaten';
    expect(await post('Beste klant, bij ons is … misgegaan.')).toContain(warning);
    expect(await post('Beste klant, bij ons is een server binnengedrongen.')).not.toContain(warning);
  });
});

// law27 item 5: a template's placeholders left in the text recorded as sent were recorded without a
// word, while "…" was warned about; so were they in the reasons for the delay given to the AP.
it('warns, naming them, when the text recorded as sent holds placeholders ([naam], XXX, TODO, <...>); so does a delay reason', async () => {
  const { c, ok } = await noticed();
  const inform = (text: string) =>
    ok(['subjects', c.id, '--decision', 'inform', '--date', at, '--channel', 'brief', '--text', text, '--reason', 'hoog risico', '--by', 'FG']);
  const left = await inform('## Wat is er gebeurd?\n\nBeste [naam], op <datum> is XXX misgegaan. Bel TODO.');
  expect(left.stderr).toMatch(/^Warning: the text recorded as what was sent holds placeholders still to be filled in: "\[naam\]" under "Wat is er gebeurd\?"/);
  expect(left.stderr).toContain('"<datum>" under "Wat is er gebeurd?"; "XXX" under "Wat is er gebeurd?"; "TODO" under "Wat is er gebeurd?"');
  expect(left.stderr).toContain('The register shows it as what they were told');
  expect((await inform('Beste klant, bij ons is een server binnengedrongen.')).stderr).toBe('');

  // Past the AP deadline (detected 2025-11-27): a late initial report with its reasons, one left a placeholder.
  const late = await c.cli(
    ['reported', c.id, '--reference', 'M-1', '--delay-reason', 'de leverancier meldde het pas op [datum]', '--by', 'FG'],
    '2025-12-01T09:00:00Z',
  );
  expect(late.code, late.stderr).toBe(0);
  expect(late.stderr).toMatch(/Warning: the reasons for the delay recorded as given to the AP hold placeholders still to be filled in: "\[datum\]"/);
});

it('on the web page, the Art. 34 form recorded with placeholders in its text says so in its message', async () => {
  const { c } = await noticed();
  await onThePage(c, async (post) => {
    const warning = 'Let op: de tekst die is vastgelegd als wat is verstuurd, bevat plaatshouders die nog ingevuld moesten worden';
    expect(await post('Beste [naam], bij ons is een server binnengedrongen.')).toContain(warning);
    expect(await post('Beste klant, bij ons is een server binnengedrongen.')).not.toContain(warning);
  });
});

// law27 item 6: on the page the warning came only after the text was recorded as sent; the form now
// shows it first and records only once the person confirms that text (or sends a finished one).
it('on the web page, the Art. 34 form warns before recording a text it would warn about, and records it once confirmed', async () => {
  const { c } = await noticed();
  const store = new SqliteIncidentStore(join(c.dir, 'store'));
  try {
    const web = inProcessWebApp({ store, policy: parsePolicy({ organisation: ORGANISATION }), now: () => new Date(at).toISOString() });
    const post = async (text: string, extra: Record<string, string> = {}) => {
      const html = await (await web.get(`/incidents/${c.id}`, 'nl')).text();
      const fields = { decision: 'inform', reason: 'hoog risico', date: '2025-11-28T09:30', channel: 'brief', text, ...extra };
      return web.post(`/incidents/${c.id}/subjects`, { _csrf: csrfOf(html), ...formBase(html, 'subjects'), ...fields }, 'nl');
    };
    const draft = 'Beste [naam], bij ons is … misgegaan.';
    const first = await post(draft);
    expect(first.status).toBe(400);
    const html = await first.text();
    expect(pageText(html)).toContain(
      'Nog niet vastgelegd: de tekst die u vastlegt als wat is verstuurd, bevat "…" waar tekst is weggelaten ("Beste [naam], bij ons is … misgegaan."); plaatshouders die nog ingevuld moesten worden ("[naam]")',
    );
    expect((await store.getIncident(c.id))?.subjects ?? null, 'nothing recorded').toBeNull();
    const confirm = /name="_confirm-text" value="([0-9a-f]{64})"/.exec(html)?.[1] as string;
    expect(confirm).toBeDefined();
    // Confirmed for another text: asked again.
    expect((await post('Beste [klant], bij ons is iets misgegaan.', { '_confirm-text': confirm })).status).toBe(400);
    const confirmed = await post(draft, { '_confirm-text': confirm });
    expect(confirmed.status).toBe(303);
    expect((await store.getIncident(c.id))?.subjects?.text).toBe(draft);
    // A finished text is recorded at once.
    expect((await post('Beste klant, bij ons is een server binnengedrongen.')).status).toBe(303);
  } finally {
    await store.close();
  }
});
