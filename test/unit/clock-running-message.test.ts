/**
 * An incident below the FG's threshold (`thresholds.notifyFg`) still runs the AP's 72-hour clock from
 * detection: the FG is told when it opens, as a lower-priority message that says the clock runs and until
 * when (no page, no pager alert), once (atk29 A10: a Medium incident was silent until deadline − 48 h).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { coverageMarkdown } from '../../handlers/core/coverage.js';
import type { OutboxMessage } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY, type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { type RecordDeps, recordEvent } from '../../handlers/core/record-finding.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import { bucketResource, findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const DETECTED = '2026-11-24T08:00:00.000Z';
const medium = (o: Parameters<typeof findingEvent>[0] = {}) =>
  findingEvent({
    id: 'm9',
    type: 'Exfiltration:S3/AnomalousBehavior',
    severity: 5,
    resource: bucketResource('klantdata', 'NOT_PUBLIC'),
    createdAt: DETECTED,
    updatedAt: DETECTED,
    ...o,
  });

describe('an incident below the FG threshold tells the FG its AP clock runs', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  let now: string;
  const deps = (policy: Policy = DEFAULT_POLICY): RecordDeps => ({ store, policy, now: () => now, canEnforce: false });
  const kinds = async (id: string) => (await store.listMessages(id)).map((m: OutboxMessage) => `${m.channel}:${m.kind}`);

  beforeEach(() => {
    ({ store, cleanup } = tempSqliteStore());
    now = '2026-11-24T08:05:00.000Z';
  });
  afterEach(async () => cleanup());

  it('tells the FG at opening, in Dutch, with the deadline, and pages nobody', async () => {
    const opened = await recordEvent(deps(), medium());
    expect(opened.outcome).toBe('opened');
    const id = opened.incidentId as string;
    expect(await kinds(id)).toEqual(['fg:clock-running']);
    const [message] = await store.listMessages(id);
    expect(message.id).toBe(`${id}/fg/clock-running`);
    expect(message.subject).toContain('AP-termijn loopt');
    expect(message.body).toContain('loopt de termijn voor de melding aan de AP');
    expect(message.body).toContain('2026-11-27 09:00');
    // Below the threshold the FG set for "Mogelijk datalek": a notice, no escalation.
    expect(message.body).toContain('7.0');
    expect(message.alert).toBeUndefined();
    expect(message.ackLink).toBeUndefined();
    expect(message.attributes.kind).toBe('clock-running');
    expect((await store.getTimeline(id)).filter((e) => e.kind === 'notification-queued').map((e) => e.detail.messageKind)).toEqual(['clock-running']);
    expect(verifyOk(await verifyStore(store, { only: id, now }))).toBe(true);
  });

  it('recorded after its deadline, says the deadline passed, not that it runs until then (finA F2, finB F4)', async () => {
    now = '2026-11-28T08:05:00.000Z';
    const id = (await recordEvent(deps(), medium())).incidentId as string;
    const [message] = await store.listMessages(id);
    expect(message.body).not.toContain('loopt de termijn');
    expect(message.body).toContain('al af op 2026-11-27 09:00');
    expect(message.body).toContain('te laat');
    expect(verifyOk(await verifyStore(store, { only: id, now }))).toBe(true);
    expect(verifyOk(await verifyStore(store, { only: id, now: '2026-11-30T00:00:00.000Z' }))).toBe(true);
  });

  it('says it in English under an English policy', async () => {
    const opened = await recordEvent(deps(parsePolicy({ language: 'en' })), medium());
    const [message] = await store.listMessages(opened.incidentId as string);
    expect(message.subject).toContain('AP clock running');
    expect(message.body).toContain('the deadline for notifying the AP runs');
  });

  it('tells it once: a redelivery, an update and a Medium finding joining follow the existing rules', async () => {
    const id = (await recordEvent(deps(), medium())).incidentId as string;
    await recordEvent(deps(), { ...medium(), id: 'another-delivery' });
    now = '2026-11-24T09:00:00.000Z';
    await recordEvent(deps(), medium({ count: 3, updatedAt: '2026-11-24T08:50:00.000Z' }));
    const joined = await recordEvent(
      deps(),
      medium({ id: 'm10', type: 'Discovery:S3/AnomalousBehavior', createdAt: '2026-11-24T08:55:00.000Z', updatedAt: '2026-11-24T08:55:00.000Z' }),
    );
    expect(joined).toMatchObject({ outcome: 'attached', incidentId: id });
    expect(await kinds(id)).toEqual(['fg:clock-running']);
  });

  it('still announces the incident as a possible breach, and pages, when it rises to the thresholds', async () => {
    const id = (await recordEvent(deps(), medium())).incidentId as string;
    now = '2026-11-24T10:00:00.000Z';
    await recordEvent(deps(), medium({ severity: 8, count: 2, updatedAt: '2026-11-24T09:55:00.000Z' }));
    expect(await kinds(id)).toEqual(['fg:clock-running', 'fg:opened', 'on-call:opened']);
  });

  it('is not sent where the FG hears of the opening anyway, for a sample, or with notifyFg at the opening threshold', async () => {
    const high = await recordEvent(deps(), medium({ id: 'h1', severity: 8, resource: bucketResource('ander', 'NOT_PUBLIC') }));
    expect(await kinds(high.incidentId as string)).toEqual(['fg:opened', 'on-call:opened']);
    const sample = await recordEvent(deps(), medium({ id: 's1', sample: true, resource: bucketResource('test', 'NOT_PUBLIC') }));
    expect(await kinds(sample.incidentId as string)).toEqual([]);
    const told = await recordEvent(deps(parsePolicy({ thresholds: { notifyFg: 4 } })), medium({ id: 'm4', resource: bucketResource('derde', 'NOT_PUBLIC') }));
    expect(await kinds(told.incidentId as string)).toEqual(['fg:opened']);
  });

  it('coverage says the FG is told at Medium too, that the clock runs', () => {
    expect(coverageMarkdown(DEFAULT_POLICY)).toContain('at Medium (5.0): incident, FG told (AP clock running, no page)');
  });
});
