/**
 * The first page for an interface containment left open (Critical, on the on-call topic) carried
 * no acknowledgement link; only its repeats did (review6 L7, core/ack-link.ts repeatAckLink). On-call
 * with only the page had to find the incident page or the CLI to take it, while the page repeated
 * every 15 minutes. The first page now carries the link its first repeat carries: the same signed
 * claims (marked repeat, named for the first level, used as exposed-repeat@<expiry>, never an
 * escalation page's id), valid until the repeat after that carries its own, at most an hour, once.
 * It takes the exposed page (or acknowledges the incident nobody acknowledged). With a working
 * pager the interface has its own alert there, taken at the pager: no link, as no repeat on the topic.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ACK_LINK_PATH, linkId, verifyAckLink } from '../../handlers/core/ack-link.js';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import type { Incident, OutboxMessage } from '../../handlers/core/incident.js';
import { withAckLinks } from '../../handlers/core/link-delivery.js';
import { type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { EXPOSED_REPEAT_MINUTES } from '../../handlers/core/schedule.js';
import { sweep } from '../../handlers/core/sweep.js';
import type { DeliveredMessage } from '../../handlers/ports/notifier.js';
import { createLinkApp } from '../../handlers/web/links.js';
import { findingEvent, instanceResource } from '../support/events.js';
import { leaveOpen } from '../support/pager-incident.js';
import { tempSqliteStore } from '../support/store.js';

const T = (m: number) => new Date(Date.parse('2026-11-27T10:00:00.000Z') + m * 60_000).toISOString();
const ENI = 'eni-0c1d2e3f405162738';
const KEY = Buffer.alloc(32, 7);
const ORIGIN = 'http://127.0.0.1:8733';
const rules = { rules: [{ action: 'isolate-instance', findingTypes: ['Backdoor:EC2/*'], mode: 'enforce' }] };
const SNS = parsePolicy({ language: 'en', onCall: { provider: 'sns' }, containment: rules });
const PAGERDUTY = parsePolicy({ language: 'en', onCall: { provider: 'pagerduty' }, containment: rules });

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups) await c();
  cleanups = [];
});

/** An incident (acknowledged at `ackAt` when given) whose isolation left ENI open at minute 10: its first exposed page, sent as the notifier sends it. */
async function exposed(policy: Policy, ackAt?: number) {
  const f = tempSqliteStore();
  cleanups.push(f.cleanup);
  const deps = (m: number) => ({ store: f.store, policy, now: () => T(m) });
  const event = findingEvent({ id: `first-${Math.random()}`, type: 'Backdoor:EC2/C&CActivity.B', resource: instanceResource('i-0c1d2e3f405162738') });
  const id = (await recordEvent({ ...deps(0), canEnforce: false }, event)).incidentId as string;
  if (ackAt !== undefined) await acknowledge(deps(ackAt), { incidentId: id, by: 'anna' });
  await leaveOpen(deps(10), id, ENI);
  const pages = async () => (await f.store.listMessages(id)).filter((m) => m.kind === 'interface-exposed');
  const first = (await pages())[0] as OutboxMessage;
  const sent: DeliveredMessage[] = [];
  const notifier = withAckLinks({ deliver: async (m) => void sent.push(m) }, { baseUrl: ORIGIN, key: async () => KEY }, policy, () => T(10));
  await notifier.deliver(first as DeliveredMessage);
  const app = (m: number) => createLinkApp({ store: f.store, policy, now: () => T(m), linkKey: async () => KEY, target: 'local', live: false });
  const press = (m: number, path: string, by: string) =>
    app(m).request(`${ORIGIN}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN }, body: `by=${by}` });
  const incident = async () => (await f.store.getIncident(id)) as Incident;
  return { ...f, id, pages, first, sent: sent[0], press, incident };
}

describe('the first page for an exposed interface', () => {
  it('carries a signed link, the one its first repeat carries, that takes the exposed page once; no repeat follows', async () => {
    const r = await exposed(SNS, 5);
    const link = r.first.ackLink;
    expect(link).toEqual({ level: SNS.onCall.escalation.levels[0].name, round: 0, expiresAt: T(10 + 2 * EXPOSED_REPEAT_MINUTES), repeat: true });
    expect(linkId(link as NonNullable<typeof link>)).toBe(`exposed-repeat@${T(40)}`);
    const url = r.sent.ackUrl as string;
    expect(r.sent.body.split('\n').slice(0, 2)).toEqual([expect.stringContaining('Acknowledge in two taps'), url]);
    const path = new URL(url).pathname;
    expect(verifyAckLink(KEY, path.slice(ACK_LINK_PATH.length), T(11))).toMatchObject({ ok: true, claims: { repeat: true } });

    expect((await r.press(12, path, 'bram')).status).toBe(200);
    const after = await r.incident();
    expect(after.acknowledgedBy).toBe('anna');
    expect(after.exposedTakenAt).toBe(T(12));
    expect(after.ackLinksUsed).toEqual([`exposed-repeat@${T(40)}`]);
    const taken = (await r.store.getTimeline(r.id)).filter((e) => e.kind === 'alert-acknowledged');
    expect(taken).toHaveLength(1);
    expect(taken[0].detail).toMatchObject({ via: 'page-link', repeat: true, interfaces: [ENI] });

    // Once; and the page stops repeating.
    expect((await r.press(13, path, 'carol')).status).toBe(409);
    for (let m = 15; m <= 70; m += 5) await sweep({ store: r.store, policy: SNS, now: () => T(m) });
    expect(await r.pages()).toHaveLength(1);
  });

  it('left untaken, is followed by a repeat carrying the same link, and the link expires when the next repeat carries its own', async () => {
    const r = await exposed(SNS, 5);
    await sweep({ store: r.store, policy: SNS, now: () => T(10 + EXPOSED_REPEAT_MINUTES) });
    const repeat = (await r.pages()).at(-1);
    expect(repeat?.createdAt).toBe(T(25));
    expect(repeat?.ackLink).toEqual(r.first.ackLink);
    const path = new URL(r.sent.ackUrl as string).pathname;
    expect((await r.press(40, path, 'bram')).status).toBe(410);
    await sweep({ store: r.store, policy: SNS, now: () => T(40) });
    expect((await r.pages()).at(-1)?.ackLink?.expiresAt).toBe(T(55));
  });

  it('of an incident nobody acknowledged, acknowledges the incident, and uses no escalation page of it', async () => {
    const r = await exposed(SNS);
    const path = new URL(r.sent.ackUrl as string).pathname;
    expect((await r.press(12, path, 'bram')).status).toBe(200);
    const after = await r.incident();
    expect(after.acknowledgedBy).toContain('bram');
    expect(after.acknowledgedAt).toBe(T(12));
    expect(after.ackLinksUsed).toEqual([`exposed-repeat@${T(40)}`]);
  });

  it('with a working pager carries no link: the interface has its own alert there, taken at the pager', async () => {
    const r = await exposed(PAGERDUTY, 5);
    expect(r.first.ackLink).toBeUndefined();
  });
});
