/**
 * The release form acts on the containment its page listed (review 6, W1): a page drawn while one
 * containment was in effect, pressed after another was carried out on the incident (a later
 * finding, another instance), is refused in the page's words and releases nothing; the fresh form
 * it draws lists what is in effect now and releases it when pressed. A page that still shows what
 * is in effect releases it, as before.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import type { Containment } from '../../handlers/ports/containment.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { acknowledgeInStore } from '../../handlers/use-cases/actions.js';
import { createWebApp } from '../../handlers/web/app.js';
import { newSession, sessionCookieName } from '../../handlers/web/security.js';
import { ROOT } from '../support/cli.js';
import { doneIsolation, incidentFixture } from '../support/incidents.js';
import { csrfOf, formBase, pageText } from '../support/serve.js';
import { racing, tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const HOST = '127.0.0.1:8733';
const now = '2026-11-28T08:00:00.000Z';

/** Undoes whatever it is asked to, and remembers what. */
class RecordingContainment implements Partial<Containment> {
  readonly canEnforce = true;
  readonly released: string[] = [];
  async release(action: ActionRecord, _incident: Incident, options: { record: (s: { name: string; status: 'done'; at: string }) => Promise<void> }) {
    this.released.push(action.target);
    await options.record({ name: `restore:${action.target}`, status: 'done', at: now });
  }
}

describe('the release form releases only what its page listed', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  const id = 'dl-stale-release';

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    await store.commit({ incident: incidentFixture({ id, actions: [doneIsolation('i-first')] }), expectedRevision: null, timeline: [], messages: [] });
  });
  afterEach(async () => cleanup());

  /** A second containment carried out on the incident (a later finding, another instance). */
  const carryOutSecond = async () => {
    const current = (await store.getIncident(id)) as Incident;
    await store.commit({
      incident: { ...current, revision: current.revision + 1, actions: [...current.actions, doneIsolation('i-second')] },
      expectedRevision: current.revision,
      timeline: [],
      messages: [],
    });
  };

  const served = (from: IncidentStore = store) => {
    const containment = new RecordingContainment();
    const session = newSession();
    const deps = { store: from, policy, now: () => now };
    const app = createWebApp({
      ...deps,
      containment: containment as unknown as Containment,
      acknowledge: acknowledgeInStore(deps),
      actor: 'A. de Vries',
      target: 'local',
      live: false,
      session,
      hosts: [HOST],
      port: 8733,
      runbooksDir: join(ROOT, 'runbooks'),
    });
    const headers = { host: HOST, cookie: `${sessionCookieName(8733)}=${session.token}; datalek_lang=nl` };
    const page = async () => (await app.request(`http://${HOST}/incidents/${id}`, { headers })).text();
    const release = (html: string) =>
      app.request(`http://${HOST}/incidents/${id}/release`, {
        method: 'POST',
        headers: { ...headers, origin: `http://${HOST}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrfOf(html), ...formBase(html, 'release'), reason: 'vals positief, nagekeken' }).toString(),
      });
    return { containment, page, release };
  };

  it('refuses a page drawn before another containment was carried out, and releases nothing', async () => {
    const { containment, page, release } = served();
    const html = await page();
    expect(html).toContain('i-first');
    expect(html).not.toContain('i-second');
    // Meanwhile a second containment is carried out on the incident.
    await carryOutSecond();
    const res = await release(html);
    expect(res.status).toBe(400);
    const refusal = await res.text();
    expect(pageText(refusal)).toContain('De inperking die van kracht is, is gewijzigd sinds u deze pagina opende. Er is niets opgeheven');
    expect(containment.released).toEqual([]);
    expect(((await store.getIncident(id)) as Incident).actions.filter((a) => a.released)).toEqual([]);
    // The refusal draws a fresh form: it lists both, and pressing it releases both.
    expect(refusal).toContain('i-second');
    expect((await release(refusal)).status).toBe(303);
    expect(containment.released.sort()).toEqual(['i-first', 'i-second']);
  });

  it('refuses, and releases nothing, when another containment is carried out between the page handler’s read and the use case’s', async () => {
    const race = racing(store, id);
    const { containment, page, release } = served(race.raced);
    const html = await page();
    race.meanwhileBefore(2, carryOutSecond);
    const res = await release(html);
    expect(res.status).toBe(400);
    expect(pageText(await res.text())).toContain('De inperking die van kracht is, is gewijzigd sinds u deze pagina opende. Er is niets opgeheven');
    expect(containment.released).toEqual([]);
    expect(((await store.getIncident(id)) as Incident).actions.filter((a) => a.released || a.releasing)).toEqual([]);
  });

  it('releases what a page still showing it offers, and refuses a form without what its page showed', async () => {
    const { containment, page, release } = served();
    const html = await page();
    // An unrelated change (the incident acknowledged) leaves the page's containment as it was.
    const current = (await store.getIncident(id)) as Incident;
    await store.commit({
      incident: { ...current, revision: current.revision + 1, acknowledgedBy: 'on-call', acknowledgedAt: now },
      expectedRevision: current.revision,
      timeline: [],
      messages: [],
    });
    const bare = html.replace(/name="_base" value="[^"]*"/g, '');
    expect((await release(bare)).status).toBe(400);
    expect(containment.released).toEqual([]);
    expect((await release(html)).status).toBe(303);
    expect(containment.released).toEqual(['i-first']);
  });
});
