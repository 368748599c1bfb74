/**
 * Two people deciding at once on the page of `datalek serve`: the one whose commit keeps losing the
 * race for the incident (other changes keep coming, a storm of findings) after every try the use
 * case makes is told, in the page's language, that nothing was recorded and to send the form
 * again: 503 with the form as she filled it in, never a 500 or an internal error's text. Nothing of
 * her decision is in the record. The other writer commits the incident before each of her commits
 * (a real conflict in the embedded store).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { signedAcknowledger } from '../../handlers/cli/signed-ack.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { containAgain } from '../../handlers/core/contain-again.js';
import { ActedNotRecordedError } from '../../handlers/core/errors.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import type { Containment } from '../../handlers/ports/containment.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { findingEvent } from '../support/events.js';
import { doneIsolation, incidentFixture } from '../support/incidents.js';
import { csrfOf, formBase, pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const id = 'dl-web-race';
const now = () => '2026-11-28T08:00:00.000Z';

let t: ReturnType<typeof tempSqliteStore>;
beforeEach(async () => {
  t = tempSqliteStore();
  await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
});
afterEach(async () => t.cleanup());

/** `t.store`, whose every commit of the incident another writer beats (while `on()`): it commits the incident first. */
function storming(on: () => boolean = () => true, incidentId = id): IncidentStore {
  return new Proxy(t.store, {
    get(target, prop) {
      if (prop === 'commit')
        return async (change: Parameters<IncidentStore['commit']>[0]) => {
          if (on() && change.incident.id === incidentId)
            await changeIncident({ store: target, policy, now }, incidentId, () => ({ entries: [{ at: now(), kind: 'other-writer' }] }));
          return target.commit(change);
        };
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

it.each([
  ['nl', /Niet vastgelegd.*Er is niets vastgelegd.*verstuur het formulier opnieuw/],
  ['en', /Not recorded.*Nothing was recorded.*send the form again/],
] as const)('in %s: 503, nothing recorded, send it again; the form keeps what she entered', async (lang, words) => {
  // Three tries, as the use case's ten but quicker.
  const web = inProcessWebApp({ store: storming(), policy, now, conflictRetry: { again: async (attempt) => attempt < 3 } });
  const html = await (await web.get(`/incidents/${id}`, lang)).text();
  const reason = 'beoordeeld tijdens de storm';
  const res = await web.post(
    `/incidents/${id}/assess`,
    { _csrf: csrfOf(html), ...formBase(html, 'assess'), 'personal-data': 'yes', risk: 'high', reason },
    lang,
  );
  const page = await res.text();
  expect(res.status).toBe(503);
  expect(pageText(page)).toMatch(words);
  expect(page).not.toMatch(/changed since revision|another writer|ConflictError|at \w+ \(/);
  expect(page).toContain(reason);
  const stored = (await t.store.getIncident(id)) as Incident;
  expect(stored.assessment).toBeFalsy();
});

it('on AWS, the acknowledgement function answering a storm (503: nothing recorded) is the same page, not a 500', async () => {
  // The function URL, answering as the acknowledge function does when its invocation ran out of time.
  const server = createServer((_req, res) => {
    res.writeHead(503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: `not recorded: other changes to incident ${id} kept coming; nothing was recorded: acknowledge again`, incidentId: id }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAEXAMPLEEXAMPLE00');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'example-secret-example-secret-example-sec');
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const web = inProcessWebApp({ store: t.store, policy, now, acknowledge: signedAcknowledger(url, 'eu-west-1') });
    const html = await (await web.get(`/incidents/${id}`, 'en')).text();
    const res = await web.post(`/incidents/${id}/ack`, { _csrf: csrfOf(html), ...formBase(html, 'ack'), note: 'seen' }, 'en');
    expect(res.status).toBe(503);
    expect(pageText(await res.text())).toMatch(/Nothing was recorded.*send the form again/);
    expect((await t.store.getIncident(id))?.acknowledgedBy).toBeFalsy();
  } finally {
    vi.unstubAllEnvs();
    await new Promise((resolve) => server.close(resolve));
  }
});

/**
 * read10a A1: the Release form (and `datalek contain`) acts in AWS between its commits. When the
 * storm starts once AWS has acted, the page never says nothing was recorded: it says what was
 * carried out in AWS and that the record lacks it, and sending the form again (the storm over)
 * records it.
 */
describe('a form that acted in AWS before its record lost the race', () => {
  const retry = { again: async (attempt: number) => attempt < 3 };
  let storm = false;
  let stormOnAct = true;
  const acted: string[] = [];
  // Stands in for AWS: the storm starts once AWS has acted.
  const containment: Containment = {
    canEnforce: true,
    execute: async (action, ctx) => {
      acted.push(`execute ${action.id}`);
      storm = stormOnAct;
      await ctx.record({ name: 'isolate-eni:eni-1', status: 'done', at: now() });
    },
    release: async (action, _incident, options) => {
      acted.push(`release ${action.id}`);
      storm = stormOnAct;
      await options.record({ name: 'restore-groups:eni-1', status: 'done', at: now() });
    },
  };
  beforeEach(() => {
    storm = false;
    stormOnAct = true;
    acted.length = 0;
  });
  const send = async (form: string, fields: Record<string, string>) => {
    const web = inProcessWebApp({ store: storming(() => storm), policy, now, conflictRetry: retry, containment });
    const html = await (await web.get(`/incidents/${id}`, 'en')).text();
    const res = await web.post(`/incidents/${id}/${form}`, { _csrf: csrfOf(html), ...formBase(html, form), ...fields }, 'en');
    return { status: res.status, page: pageText(await res.text()) };
  };

  it('Release: says the release was carried out in AWS and not recorded; sent again, it is recorded', async () => {
    await t.store.commit({
      incident: { ...((await t.store.getIncident(id)) as Incident), revision: 2, actions: [doneIsolation('i-0abc')] },
      expectedRevision: 1,
      timeline: [],
      messages: [],
    });
    const first = await send('release', { reason: 'false positive' });
    expect(acted).toEqual(['release isolate-instance:i-0abc']);
    expect(first.status).toBe(503);
    expect(first.page).not.toMatch(/Nothing was recorded/);
    expect(first.page).toMatch(
      /release of isolate-instance i-0abc was carried out in AWS, wholly or in part \(restore-groups:eni-1 done\), but could not be recorded.*Send the form again/,
    );
    expect(((await t.store.getIncident(id)) as Incident).actions[0].released).toBeUndefined();
    storm = false;
    stormOnAct = false;
    const again = await send('release', { reason: 'false positive' });
    expect(again.status).toBe(303);
    expect(((await t.store.getIncident(id)) as Incident).actions[0].released).toMatchObject({ reason: 'false positive' });
  });

  it('datalek contain (the page has no such form): says containment may have been carried out in AWS, never that nothing was recorded', async () => {
    const opened = await recordEvent({ store: t.store, policy, now, canEnforce: false }, findingEvent({ instanceId: 'i-0abc' }));
    const incidentId = opened.incidentId as string;
    const err = await containAgain(
      { store: storming(() => storm, incidentId), policy, now, containment, conflictRetry: retry },
      { incidentId, by: 'A. de Vries', reason: 'bevestigd', enforce: true },
    ).catch((e: unknown) => e);
    expect(acted).toEqual(['execute isolate-instance:i-0abc']);
    expect(err).toBeInstanceOf(ActedNotRecordedError);
    expect((err as Error).message).toMatch(/was started in AWS \(isolate-instance i-0abc\) and may have been carried out.*Run it again/);
  });
});
