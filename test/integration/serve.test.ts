/**
 * `datalek serve` over HTTP, as its own process: what it refuses (no token, a wrong token, a foreign
 * Host, a POST without the page's CSRF token or from another origin) and that a refusal changes
 * nothing; that it listens on loopback only; and that a form refuses with the CLI's own words.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, runCli, spawnCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';
import { csrfOf, form, formBase, pageText, request, type Served, signIn, startServe } from '../support/serve.js';

const NOW = '2026-11-28T08:00:00Z';

/** The error shown beside one field of a form on the page. */
function errorBeside(html: string, action: string, field: string): string | null {
  const m = new RegExp(`<p class="error" id="f-${action}-${field}-error">([^<]*)</p>`).exec(html);
  return m ? pageText(m[1]).trim() : null;
}

describe('datalek serve over HTTP', () => {
  let dir: string;
  let common: string[];
  let served: Served;
  let onTime: string;
  let late: string;
  const cli = (args: string[]) => runCli([...args, ...common, '--now', NOW]);
  /** Everything the store holds about an incident, to compare before and after a refused request. */
  const snapshot = async (id: string) => {
    const show = await cli(['show', id, '--json']);
    const messages = await cli(['messages', id, '--json']);
    return `${show.stdout}\n${messages.stdout}`;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-serve-'));
    const policy = join(dir, 'policy.json');
    writeFileSync(
      policy,
      JSON.stringify({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } }, clocks: { nis2: true } }),
    );
    common = ['--store', join(dir, 'store'), '--policy', policy];
    const events = join(dir, 'events.json');
    writeFileSync(
      events,
      JSON.stringify([
        findingEvent({ id: 'on-time', createdAt: '2026-11-27T21:00:00Z' }),
        findingEvent({ id: 'late', instanceId: 'i-late', createdAt: '2026-11-20T10:00:00Z' }),
      ]),
    );
    const replay = jsonLines((await cli(['replay', events, '--json'])).stdout);
    [onTime, late] = replay.map((r) => r.incidentId as string);
    served = await startServe([...common, '--now', NOW, '--by', 'A. de Vries']);
  });
  afterAll(async () => served?.stop());

  it('prints one URL, on a loopback address of its own (never 127.0.0.1), holding a random session token', () => {
    expect(served.url).toMatch(new RegExp(`^http://127\\.\\d+\\.\\d+\\.\\d+:${served.port}/\\?token=[A-Za-z0-9_-]{43}$`));
    expect(served.host).not.toMatch(/^127\.0\.0\./);
    expect(served.origin).toBe(`http://${served.host}:${served.port}`);
    expect(served.actor).toBe('A. de Vries');
  });

  it('serves nothing without the token, with a wrong one, or with a wrong cookie', async () => {
    for (const path of [
      '/',
      '/assets/app.css',
      '/assets/app.js',
      `/incidents/${onTime}`,
      `/incidents/${onTime}/draft`,
      '/register/export?format=csv',
      '/runbooks/triage',
      '/nothing',
    ]) {
      const reply = await request(served, path);
      expect(reply.status, path).toBe(403);
      expect(reply.body).not.toContain(onTime);
      expect(reply.headers['content-security-policy']).toContain("default-src 'none'");
    }
    const wrongToken = await request(served, '/?token=not-the-token');
    expect(wrongToken.status).toBe(403);
    expect(wrongToken.headers['set-cookie']).toBeUndefined();
    const wrongCookie = await request(served, '/', { headers: { cookie: `datalek_session_${served.port}=${'x'.repeat(43)}` } });
    expect(wrongCookie.status).toBe(403);
  });

  it('opens with the printed URL: an HttpOnly, SameSite=Strict cookie, and the token out of the address bar', async () => {
    const reply = await request(served, `/?token=${served.token}`);
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe('/');
    const cookie = reply.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await request(served, '/', { headers: { cookie: cookie.split(';')[0] } });
    expect(page.status).toBe(200);
    expect(page.body).toContain(onTime);
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['referrer-policy']).toBe('same-origin');
    // No asset from outside: every src and href stays on this server.
    for (const m of page.body.matchAll(/(?:src|href)="([^"]+)"/g)) expect(m[1]).toMatch(/^(\/|#|data:)/);
    expect(page.body).not.toMatch(/<script>|<style>|style="/);
  });

  it('refuses a foreign Host header (DNS rebinding), with the token or the cookie', async () => {
    const cookie = await signIn(served);
    // localhost and 127.0.0.1 too: a cookie set on them would go to every other local service there.
    for (const host of [`evil.example:${served.port}`, `127.0.0.1.nip.io:${served.port}`, `localhost:${served.port}`, `127.0.0.1:${served.port}`, '']) {
      const page = await request(served, '/', { headers: { host, cookie } });
      // No Host at all: node's HTTP server answers 400 before the app sees it.
      expect(page.status, host).toBe(host ? 403 : 400);
      expect(page.body).not.toContain(onTime);
      const token = await request(served, `/?token=${served.token}`, { headers: { host } });
      expect(token.status, host).toBe(host ? 403 : 400);
      expect(token.headers['set-cookie']).toBeUndefined();
    }
    expect((await request(served, '/', { headers: { host: `${served.host}:${served.port}`, cookie } })).status).toBe(200);
  });

  it('refuses a POST without the CSRF token, with a wrong one or from another origin, and changes nothing', async () => {
    const cookie = await signIn(served);
    const page = await request(served, `/incidents/${onTime}`, { headers: { cookie } });
    const csrf = csrfOf(page.body);
    const before = await snapshot(onTime);
    const post = (body: string, headers: Record<string, string> = {}) =>
      request(served, `/incidents/${onTime}/ack`, {
        method: 'POST',
        body,
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
      });
    expect((await post(form({ note: 'no token' }))).status).toBe(403);
    expect((await post(form({ note: 'wrong', _csrf: `${csrf.slice(0, -1)}x` }))).status).toBe(403);
    expect((await post(form({ note: 'served token', _csrf: served.token }))).status).toBe(403);
    expect((await post(form({ note: 'foreign', _csrf: csrf }), { origin: 'http://evil.example' })).status).toBe(403);
    expect((await post(form({ note: 'cross-site', _csrf: csrf }), { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await post(form({ note: 'no cookie', _csrf: csrf }), { cookie: '' })).status).toBe(403);
    expect((await post(form({ note: 'foreign host', _csrf: csrf }), { host: `evil.example:${served.port}` })).status).toBe(403);
    expect(await snapshot(onTime)).toBe(before);

    const ok = await post(form({ note: 'on it', _csrf: csrf }), { origin: served.origin });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe(`/incidents/${onTime}?done=ack`);
    const shown = JSON.parse((await cli(['show', onTime, '--json'])).stdout);
    expect(shown.acknowledgedBy).toBe('A. de Vries');
    expect(shown.timeline.at(-1)).toMatchObject({ kind: 'acknowledged', actor: 'A. de Vries', detail: { note: 'on it' } });
  });

  it('refuses what the CLI refuses, beside the field, with the same rule in the page’s words (never a flag), and records nothing', async () => {
    const cookie = await signIn(served);
    const page = (await request(served, `/incidents/${late}`, { headers: { cookie } })).body;
    const csrf = csrfOf(page);
    const english = (await request(served, '/lang/en', { headers: { cookie } })).headers['set-cookie']?.[0]?.split(';')[0] ?? '';
    const post = (action: string, fields: Record<string, string>, lang: 'nl' | 'en') =>
      request(served, `/incidents/${late}/${action}`, {
        method: 'POST',
        // The Art. 34 form is not on this page (no decision owed yet): sent as a page showing it would, no decision recorded.
        body: form({ ...fields, ...(action === 'subjects' ? { _base: '[0,null]' } : formBase(page, action)), _csrf: csrf }),
        headers: { cookie: lang === 'en' ? `${cookie}; ${english}` : cookie, 'content-type': 'application/x-www-form-urlencoded' },
      });
    /** The articles a refusal names, whatever the language: the page names the same rule. */
    const articles = (message: string) => [...message.matchAll(/art\. ?(\d+(?:\(\d\))?)/gi)].map((m) => m[1]).sort();
    const before = await snapshot(late);
    const cases: { action: string; field: string; web: Record<string, string>; cli: string[] }[] = [
      // A report after the deadline without the reasons for the delay (Art. 33(1)): the core refuses.
      { action: 'reported', field: 'delay-reason', web: { reference: 'M-1', recipient: 'ap' }, cli: ['reported', late, '--reference', 'M-1'] },
      // A value that is not one of the choices: the field's parser refuses.
      {
        action: 'assess',
        field: 'risk',
        web: { 'personal-data': 'yes', risk: 'bogus', reason: 'r' },
        cli: ['assess', late, '--personal-data', 'yes', '--risk', 'bogus', '--reason', 'r'],
      },
      // A required reason left empty.
      { action: 'close', field: 'reason', web: { reason: ' ' }, cli: ['close', late, '--reason', ' '] },
      { action: 'facts', field: 'records', web: { records: 'many' }, cli: ['facts', late, '--records', 'many'] },
      { action: 'facts', field: 'subjects', web: { subjects: '10 to 20' }, cli: ['facts', late, '--subjects', '10 to 20'] },
      // Rules across fields, in the use case's input.
      { action: 'facts', field: 'role', web: { 'other-party': 'Hosting BV' }, cli: ['facts', late, '--other-party', 'Hosting BV'] },
      { action: 'facts', field: 'role', web: { role: 'processor' }, cli: ['facts', late, '--role', 'processor'] },
      // Rules of the core, beside the field their text names.
      {
        action: 'subjects',
        field: 'date',
        web: { decision: 'inform', reason: 'r', channel: 'brief' },
        cli: ['subjects', late, '--decision', 'inform', '--reason', 'r', '--channel', 'brief'],
      },
      { action: 'aware', field: 'aware-reason', web: { 'aware-at': '2026-11-20T12:00' }, cli: ['assess', late, '--aware-at', '2026-11-20T12:00:00+01:00'] },
      {
        action: 'assess',
        field: 'personal-data',
        web: { 'personal-data': 'no', risk: 'high', reason: 'r' },
        cli: ['assess', late, '--personal-data', 'no', '--risk', 'high', '--reason', 'r'],
      },
    ];
    for (const c of cases) {
      const fromCli = await cli(c.cli);
      expect(fromCli.code, c.cli.join(' ')).toBe(2);
      const message = fromCli.stderr.replace(/^datalek: /, '');
      for (const lang of ['nl', 'en'] as const) {
        const reply = await post(c.action, c.web, lang);
        expect(reply.status, c.action).toBe(400);
        const beside = errorBeside(reply.body, c.action, c.field);
        expect(beside, `${c.action}: ${pageText(reply.body).slice(0, 3000)}`).not.toBeNull();
        expect(beside, `${lang} ${c.action}: ${beside}`).not.toMatch(/--[a-z]|datalek (assess|facts|reported|subjects|close|ack)\b/);
        expect(articles(beside as string), `${lang} ${c.action}: ${beside} / ${message}`).toEqual(articles(message));
        if (lang === 'nl') expect(beside, beside as string).not.toMatch(/\b(the|needs|must|is required|given)\b/);
      }
    }
    expect(await snapshot(late)).toBe(before);
  });

  it('names what is missing and what holds up closing by the page’s own forms, in its language, never a command or a flag', async () => {
    const cookie = await signIn(served);
    const english = (await request(served, '/lang/en', { headers: { cookie } })).headers['set-cookie']?.[0]?.split(';')[0] ?? '';
    for (const lang of ['nl', 'en'] as const) {
      const headers = { cookie: lang === 'en' ? `${cookie}; ${english}` : cookie };
      const page = (await request(served, `/incidents/${late}`, { headers })).body;
      const missing = /<ul id="missing">(.*?)<\/ul>/s.exec(page)?.[1] ?? '';
      const blockers = /<div class="blockers">(.*?)<\/div>/s.exec(page)?.[1] ?? '';
      expect(pageText(missing)).toContain(lang === 'nl' ? 'Samenvatting in eigen woorden' : 'A summary in your own words');
      expect(pageText(blockers)).toContain(lang === 'nl' ? 'geen beoordeling' : 'no assessment');
      for (const part of [missing, blockers]) expect(pageText(part)).not.toMatch(/--[a-z]|datalek (assess|facts|reported|subjects|close|ack)\b|organisation\./);
      // Every link goes to a form or a field that is on the page.
      for (const [, target] of `${missing}${blockers}`.matchAll(/href="\/incidents\/[^#"]+#([^"]+)"/g)) expect(page).toContain(`id="${target}"`);
      for (const doc of ['draft', 'notice']) {
        const body = (await request(served, `/incidents/${late}/${doc}?lang=${lang}`, { headers })).body;
        const list = /<h2 id="missing-title">.*?<ul>(.*?)<\/ul>/s.exec(body)?.[1] ?? '';
        expect(pageText(list).trim(), doc).not.toBe('');
        expect(pageText(list), doc).not.toMatch(/--[a-z]|datalek (assess|facts|reported|subjects|close)\b/);
      }
    }
    // The command line keeps naming the command that records each fact.
    expect((await cli(['draft', late])).stdout).toContain('(datalek facts --summary)');
  });

  it('records awareness, the role and the NIS2 decision, each from its own form with its own reason', async () => {
    const cookie = await signIn(served);
    const page = await request(served, `/incidents/${onTime}`, { headers: { cookie } });
    for (const form of ['assess', 'aware', 'role', 'nis2'])
      expect(page.body).toContain(`<form class="action" method="post" action="/incidents/${onTime}/${form}"`);
    const csrf = csrfOf(page.body);
    const post = (form: string, fields: Record<string, string>) =>
      request(served, `/incidents/${onTime}/${form}`, {
        method: 'POST',
        body: new URLSearchParams({ ...fields, ...formBase(page.body, form), _csrf: csrf }).toString(),
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      });
    // 22:30 in Amsterdam on 27 November is 21:30 UTC; the deadline moves with it. Entered at the machine's
    // clock, after the AP deadline had passed (serve --now states only the page's): confirmed (atk28 F16).
    const aware = { 'aware-at': '2026-11-27T22:30', 'aware-reason': 'de melding van de hoster' };
    const unconfirmed = await post('aware', aware);
    expect(unconfirmed.status).toBe(400);
    expect(pageText(unconfirmed.body)).toContain('nadat de termijn van');
    expect((await post('aware', { ...aware, 'confirm-stated-time': 'on' })).status).toBe(303);
    // A field of another form is not read: the role form records the role only.
    const role = { 'acting-as': 'processor', reason: 'wij hosten voor de zorggroep', 'personal-data': 'yes', risk: 'high', 'confirm-stated-time': 'on' };
    expect((await post('role', role)).status).toBe(303);
    // Its deadline to decide (art. 23(3)) had passed too by the machine's clock: confirmed.
    expect((await post('nis2', { 'nis2-significant': 'yes', reason: 'zorgcontinuïteit geraakt', 'confirm-stated-time': 'on' })).status).toBe(303);
    const shown = JSON.parse((await cli(['show', onTime, '--json'])).stdout);
    expect(shown.awareAt).toBe('2026-11-27T21:30:00.000Z');
    expect(shown.deadline).toBe('2026-11-30T21:30:00.000Z');
    expect(shown.assessment).toBeNull();
    // Each form one change, each with the mark that the page's clock (serve --now, in the past) was stated.
    const kinds = shown.timeline.slice(-6).map((e: { kind: string; actor: string }) => `${e.kind}:${e.actor}`);
    expect(kinds).toEqual([
      'clock-stated:A. de Vries',
      'awareness-set:A. de Vries',
      'clock-stated:A. de Vries',
      'role-set:A. de Vries',
      'clock-stated:A. de Vries',
      'nis2-decided:A. de Vries',
    ]);
  });

  it('switches the language, and only ever back to a page of its own', async () => {
    const cookie = await signIn(served);
    const english = await request(served, `/lang/en?back=${encodeURIComponent(`/incidents/${onTime}`)}`, { headers: { cookie } });
    expect(english.status).toBe(303);
    expect(english.headers.location).toBe(`/incidents/${onTime}`);
    const lang = (english.headers['set-cookie']?.[0] ?? '').split(';')[0];
    expect((await request(served, '/', { headers: { cookie: `${cookie}; ${lang}` } })).body).toContain('<h1>Open incidents</h1>');
    for (const back of ['//evil.example/', 'http://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
      const reply = await request(served, `/lang/nl?back=${encodeURIComponent(back)}`, { headers: { cookie } });
      expect(reply.headers.location, back).toBe('/');
    }
  });

  it('exports the register as the CLI writes it', async () => {
    const cookie = await signIn(served);
    const json = await request(served, '/register/export?format=json', { headers: { cookie } });
    expect(json.headers['content-disposition']).toBe('attachment; filename="datalek-register.json"');
    expect(JSON.parse(json.body)).toEqual(JSON.parse((await cli(['register', '--format', 'json'])).stdout));
    const csv = await request(served, '/register/export?format=csv&from=2026-11-25&to=2026-11-30', { headers: { cookie } });
    expect(csv.body.split('\n')).toHaveLength(2); // the header and the on-time incident
    expect(csv.body).toContain(onTime);
    expect(csv.body).not.toContain(late);
  });

  it('asks on the page, as on the command line, to confirm a report dated before the AP deadline but entered after it had passed', async () => {
    const cookie = await signIn(served);
    const page = (await request(served, `/incidents/${late}`, { headers: { cookie } })).body;
    const reportedForm = new RegExp(`<form class="action" method="post" action="/incidents/${late}/reported".*?</form>`, 's').exec(page)?.[0] ?? '';
    expect(reportedForm).toContain('name="confirm-stated-time"');
    expect(pageText(reportedForm)).toContain('Ik bevestig het opgegeven tijdstip');
    const post = (fields: Record<string, string>) =>
      request(served, `/incidents/${late}/reported`, {
        method: 'POST',
        body: form({ ...fields, _csrf: csrfOf(page) }),
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      });
    // 10:30 in Amsterdam on 23 November is 09:30 UTC, half an hour before the deadline; it is entered on the 28th.
    const stated = { reference: 'M-9', recipient: 'ap', at: '2026-11-23T10:30' };
    const before = await snapshot(late);
    const refused = await post(stated);
    expect(refused.status).toBe(400);
    expect(errorBeside(refused.body, 'reported', 'at')).toMatch(/Ik bevestig het opgegeven tijdstip.*AVG art\. 33\(5\)/);
    expect(await snapshot(late)).toBe(before);
    expect((await post({ ...stated, 'confirm-stated-time': 'on' })).status).toBe(303);
    const shown = JSON.parse((await cli(['show', late, '--json'])).stdout);
    expect(shown.reports[0]).toMatchObject({ at: '2026-11-23T09:30:00.000Z', enteredLater: true, enteredAfterDeadline: '2026-11-23T10:00:00.000Z' });
  });

  it("records of a facts form only what the person changed on the page: a colleague's later facts stay, and a field both changed is refused", async () => {
    expect((await cli(['facts', onTime, '--summary', 'Backdoor op webserver', '--records', '100', '--by', 'FG'])).code).toBe(0);
    const cookie = await signIn(served);
    const page = (await request(served, `/incidents/${onTime}`, { headers: { cookie } })).body;
    // What the FG's page shows, as it was when she opened it.
    const shown = { summary: 'Backdoor op webserver', records: '100', _csrf: csrfOf(page), ...formBase(page, 'facts') };
    const post = (fields: Record<string, string>) =>
      request(served, `/incidents/${onTime}/facts`, {
        method: 'POST',
        body: form(fields),
        headers: { cookie, origin: served.origin, 'content-type': 'application/x-www-form-urlencoded' },
      });
    // A colleague records 5000 records on the command line meanwhile.
    expect((await cli(['facts', onTime, '--records', '5000', '--by', 'Collega'])).code).toBe(0);
    // The FG saves her page with only the cause changed.
    expect((await post({ ...shown, cause: 'Gestolen SSH-sleutel' })).status).toBe(303);
    const facts = JSON.parse((await cli(['show', onTime, '--json'])).stdout).facts;
    expect(facts).toMatchObject({ records: 5000, cause: 'Gestolen SSH-sleutel' });
    // She changes the records too, on the same old page: both changed them, so nothing is recorded.
    const before = await snapshot(onTime);
    const refused = await post({ ...shown, cause: 'Gestolen SSH-sleutel', records: '120' });
    expect(refused.status).toBe(400);
    expect(pageText(refused.body)).toMatch(/records.*(changed|gewijzigd).*(since|sinds)/i);
    expect(await snapshot(onTime)).toBe(before);
  });

  it('listens on the loopback interface only', async () => {
    const outside = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal);
    if (!outside) return;
    const reached = await fetch(`http://${outside.address}:${served.port}/`).then(
      () => true,
      () => false,
    );
    expect(reached).toBe(false);
  });

  it('refuses to start without a store, on a bad port, or with --by on AWS, naming the problem', async () => {
    const none = await spawnCli(['serve', '--store', join(dir, 'nothing-here')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`no store at ${join(dir, 'nothing-here')}`);
    expect((await runCli(['serve', '--port', 'http', ...common])).stderr).toContain('--port must be a port number');
    expect((await runCli(['serve', '--target', 'aws', '--by', 'x'], { AWS_REGION: 'eu-west-1' })).stderr).toContain('--by cannot be used with --target aws');
    const busy = await spawnCli(['serve', ...common, '--port', String(served.port)]);
    expect(busy.code).toBe(2);
    expect(busy.stderr).toContain(`port ${served.port} on 127.0.0.1 is in use`);
  });
});
