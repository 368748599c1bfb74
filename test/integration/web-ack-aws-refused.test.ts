/**
 * `datalek serve --target aws` acknowledges through the acknowledgement function's URL. When the
 * function refuses (409: the incident was closed after the page was drawn, a time before its
 * detection), the page answers as it answers the same refusal on the embedded store: the form with
 * the refusal in the page's language (400), never a 500 with the function's English. The function
 * here is the real handler (handlers/lambda/acknowledge.ts) behind a local URL, on the same store.
 * `datalek ack` with DATALEK_ACK_URL is refused the same way: exit 2, as any refusal.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { lostRaceText } from '../../handlers/cli/lost-race.js';
import { signedAcknowledger } from '../../handlers/cli/signed-ack.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { RefusedError, StuckConflictError } from '../../handlers/core/errors.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { createAcknowledgeHandler } from '../../handlers/lambda/acknowledge.js';
import { createLogger } from '../../handlers/lambda/runtime.js';
import { incidentFixture } from '../support/incidents.js';
import { csrfOf, formBase, pageText } from '../support/serve.js';
import { plantTimelineRow, tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });
const id = 'dl-0123456789abcdef0123456789abcdef';
const now = () => '2026-11-28T08:00:00.000Z';
const ON_CALL = 'arn:aws:sts::123456789012:assumed-role/datalek-on-call/dienstdoende';

let t: ReturnType<typeof tempSqliteStore>;
let server: Server;
let url: string;
beforeAll(async () => {
  // The function URL (AWS_IAM): the request reaches the handler with the caller IAM verified.
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const handler = createAcknowledgeHandler({
      store: t.store,
      notifier: { deliver: async () => {} },
      publisher: { publish: async () => {} },
      policy,
      logger: createLogger(),
      now,
      allowedPrincipals: ['arn:aws:sts::123456789012:assumed-role/datalek-on-call/*'],
    });
    const r = (await handler(
      {
        requestContext: { http: { method: 'POST' }, authorizer: { iam: { userArn: ON_CALL } } },
        body: Buffer.concat(chunks).toString('utf8'),
        // Little time left: a conflict is tried again without pauses (conflict-retry.ts untilDeadline).
      },
      { getRemainingTimeInMillis: () => 10_000 } as never,
    )) as { statusCode: number; body: string };
    res.writeHead(r.statusCode, { 'content-type': 'application/json' }).end(r.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(async () => {
  t = tempSqliteStore();
  await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAEXAMPLEEXAMPLE00');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'example-secret-example-secret-example-sec');
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await t.cleanup();
});

/** Closed by someone else after the page was drawn. */
const closeMeanwhile = () =>
  changeIncident({ store: t.store, policy, now }, id, (draft) => {
    draft.state = 'closed';
    draft.closedAt = now();
    return { entries: [{ at: now(), kind: 'closed', actor: 'fg', detail: { reason: 'afgehandeld' } }] };
  });

it.each([
  ['nl', /Incident dl-\w+ is gesloten; er is niets op te pakken/],
  ['en', /incident dl-\w+ is closed; there is nothing to acknowledge/],
] as const)('in %s: the function refusing (409) is the page’s refusal in its language (400), not a 500', async (lang, words) => {
  const web = inProcessWebApp({ store: t.store, policy, now, acknowledge: signedAcknowledger(url, 'eu-west-1') });
  const html = await (await web.get(`/incidents/${id}`, lang)).text();
  await closeMeanwhile();
  const res = await web.post(`/incidents/${id}/ack`, { _csrf: csrfOf(html), ...formBase(html, 'ack'), note: 'gezien' }, lang);
  const page = pageText(await res.text());
  expect(page).toMatch(words);
  expect(page).not.toMatch(/HTTP 409|unexpected failure/);
  expect(res.status).toBe(400);
  expect(((await t.store.getIncident(id)) as Incident).acknowledgedBy).toBeNull();
});

it('the CLI is refused alike (a RefusedError: exit 2), with the function’s reason', async () => {
  await closeMeanwhile();
  const err = await signedAcknowledger(url, 'eu-west-1')({ incidentId: id, by: '' }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(RefusedError);
  expect((err as RefusedError).message).toMatch(/refused \(HTTP 409\): incident dl-\w+ is closed; there is nothing to acknowledge/);
});

it('a conflict that is no race (a planted row) is said as that by the function, the page and the CLI, with the store’s words and verify (fgops12 5)', async () => {
  plantTimelineRow(t.dir, id, now());
  const web = inProcessWebApp({ store: t.store, policy, now, acknowledge: signedAcknowledger(url, 'eu-west-1') });
  const html = await (await web.get(`/incidents/${id}`, 'en')).text();
  const res = await web.post(`/incidents/${id}/ack`, { _csrf: csrfOf(html), ...formBase(html, 'ack'), note: 'gezien' }, 'en');
  const page = pageText(await res.text());
  expect(page).toContain(`Not recorded: the store refused it at every try while incident ${id} did not change meanwhile`);
  expect(page).toContain(`datalek verify ${id}`);
  expect(page).toMatch(/The store said: .*UNIQUE constraint/);
  expect(page).not.toMatch(/storm|kept coming|send the form again/);
  expect(res.status).toBe(500);
  // The CLI gets the same error as on the embedded store, which cli.ts words with verify (exit 3).
  const err = await signedAcknowledger(url, 'eu-west-1')({ incidentId: id, by: '' }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(StuckConflictError);
  expect(lostRaceText('ack', id, err as StuckConflictError)).toContain(`datalek verify ${id}`);
  expect(((await t.store.getIncident(id)) as Incident).acknowledgedBy).toBeNull();
});
