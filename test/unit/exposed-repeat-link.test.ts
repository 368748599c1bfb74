/**
 * The second acknowledgement that takes a repeated exposed page (SNS, an incident acknowledged
 * before the isolation left an interface open) worked on the CLI only (review6 L7): the repeat
 * carried no acknowledgement link, the incident page hid its acknowledge form once the incident was
 * acknowledged, and an earlier page's link answered "acknowledged already". The person with only
 * the page, or the link, could not stop a Critical page repeating every 15 minutes. The repeat now
 * carries a signed link of its own (valid until the next repeat, once), and the page and the link
 * page offer the acknowledgement that takes it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ACK_LINK_PATH, verifyAckLink } from '../../handlers/core/ack-link.js';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import type { Incident } from '../../handlers/core/incident.js';
import { withAckLinks } from '../../handlers/core/link-delivery.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { EXPOSED_REPEAT_MINUTES } from '../../handlers/core/schedule.js';
import { sweep } from '../../handlers/core/sweep.js';
import type { DeliveredMessage } from '../../handlers/ports/notifier.js';
import { WEB_FORMS } from '../../handlers/web/action-forms.js';
import { createLinkApp } from '../../handlers/web/links.js';
import { findingEvent, instanceResource } from '../support/events.js';
import { leaveOpen } from '../support/pager-incident.js';
import { tempSqliteStore } from '../support/store.js';

const T = (m: number) => new Date(Date.parse('2026-11-27T10:00:00.000Z') + m * 60_000).toISOString();
const ENI = 'eni-0c1d2e3f405162738';
const KEY = Buffer.alloc(32, 7);
const ORIGIN = 'http://127.0.0.1:8733';
const SNS = parsePolicy({
  language: 'en',
  onCall: { provider: 'sns' },
  containment: { rules: [{ action: 'isolate-instance', findingTypes: ['Backdoor:EC2/*'], mode: 'enforce' }] },
});

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups) await c();
  cleanups = [];
});

/** An incident (acknowledged at `ackAt` when given) whose isolation left ENI open at minute 10, and its repeat sent by the sweep at minute 25. */
async function repeated(ackAt?: number) {
  const f = tempSqliteStore();
  cleanups.push(f.cleanup);
  const deps = (m: number) => ({ store: f.store, policy: SNS, now: () => T(m) });
  const event = findingEvent({ id: `l7-${Math.random()}`, type: 'Backdoor:EC2/C&CActivity.B', resource: instanceResource('i-0c1d2e3f405162738') });
  const id = (await recordEvent({ ...deps(0), canEnforce: false }, event)).incidentId as string;
  if (ackAt !== undefined) await acknowledge(deps(ackAt), { incidentId: id, by: 'anna' });
  await leaveOpen(deps(10), id, ENI);
  await sweep({ store: f.store, policy: SNS, now: () => T(25) });
  const pages = async () => (await f.store.listMessages(id)).filter((m) => m.kind === 'interface-exposed');
  const repeat = (await pages()).at(-1) as DeliveredMessage;
  // Sent as the notifier sends it: the link signed then, never stored.
  const sent: DeliveredMessage[] = [];
  const notifier = withAckLinks({ deliver: async (m) => void sent.push(m) }, { baseUrl: ORIGIN, key: async () => KEY }, SNS, () => T(25));
  await notifier.deliver(repeat);
  const app = (m: number) => createLinkApp({ store: f.store, policy: SNS, now: () => T(m), linkKey: async () => KEY, target: 'local', live: false });
  const press = (m: number, path: string, by: string) =>
    app(m).request(`${ORIGIN}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN }, body: `by=${by}` });
  const incident = async () => (await f.store.getIncident(id)) as Incident;
  const formShown = async (m: number) =>
    WEB_FORMS.find((w) => w.id === 'ack')?.shown({ incident: await incident(), policy: SNS, now: T(m), releasable: false });
  return { ...f, id, deps, pages, repeat, sent: sent[0], app, press, incident, formShown };
}

describe('the repeated exposed page of an incident acknowledged before', () => {
  it('carries a signed link, valid until the next repeat, that takes the repeat once; the repeat then stops', async () => {
    const r = await repeated(5);
    expect(r.repeat.body).toContain('REPEAT');
    expect(r.repeat.ackLink?.expiresAt).toBe(T(25 + EXPOSED_REPEAT_MINUTES));
    const url = r.sent.ackUrl as string;
    expect(url).toContain(`${ORIGIN}${ACK_LINK_PATH}`);
    expect(r.sent.body.split('\n').slice(0, 2)).toEqual([expect.stringContaining('Acknowledge in two taps'), url]);
    const path = new URL(url).pathname;
    expect(verifyAckLink(KEY, path.slice(ACK_LINK_PATH.length), T(26)).ok).toBe(true);

    // Opened, the link offers the button: the page is someone's to take.
    const opened = await r.app(27).request(`${ORIGIN}${path}`);
    expect(opened.status).toBe(200);
    expect(await opened.text()).toContain('<button type="submit"');

    const pressed = await r.press(27, path, 'bram');
    expect(pressed.status).toBe(200);
    const after = await r.incident();
    expect(after.acknowledgedBy).toBe('anna');
    expect(after.exposedTakenAt).toBe(T(27));
    const taken = (await r.store.getTimeline(r.id)).filter((e) => e.kind === 'alert-acknowledged');
    expect(taken).toHaveLength(1);
    expect(taken[0].actor).toContain('bram');
    expect(taken[0].detail).toMatchObject({ via: 'page-link', interfaces: [ENI] });

    // Once: pressed again, it is refused.
    expect((await r.press(28, path, 'carol')).status).toBe(409);
    const before = (await r.pages()).length;
    for (let m = 30; m <= 120; m += 5) await sweep({ store: r.store, policy: SNS, now: () => T(m) });
    expect((await r.pages()).length).toBe(before);
  });

  it('is offered on the incident page: its acknowledge form is shown while the repeat is untaken, and not once it is taken', async () => {
    const r = await repeated(5);
    expect(await r.formShown(26)).toBe(true);
    await acknowledge(r.deps(27), { incidentId: r.id, by: 'bram' });
    expect(await r.formShown(28)).toBe(false);
  });

  it('expires at the next repeat, which carries a link of its own', async () => {
    const r = await repeated(5);
    const path = new URL(r.sent.ackUrl as string).pathname;
    expect((await r.press(25 + EXPOSED_REPEAT_MINUTES, path, 'bram')).status).toBe(410);
    await sweep({ store: r.store, policy: SNS, now: () => T(25 + EXPOSED_REPEAT_MINUTES) });
    const next = (await r.pages()).at(-1);
    expect(next?.createdAt).toBe(T(25 + EXPOSED_REPEAT_MINUTES));
    expect(next?.ackLink?.expiresAt).toBe(T(25 + 2 * EXPOSED_REPEAT_MINUTES));
  });

  it('of an incident nobody acknowledged, acknowledges the incident from its link', async () => {
    const r = await repeated();
    const path = new URL(r.sent.ackUrl as string).pathname;
    expect((await r.press(27, path, 'bram')).status).toBe(200);
    const after = await r.incident();
    expect(after.acknowledgedBy).toContain('bram');
    expect(after.acknowledgedAt).toBe(T(27));
    expect(await r.formShown(28)).toBe(false);
  });
});
