/**
 * Sending what recording an event queued, from memory (no read of the outbox): each message is
 * claimed first, so one another sender sent or holds meanwhile is not sent twice; what was sent
 * is recorded, each once in the ledger; a delivery that fails stays pending and gives its claim
 * back, so the next delivery (a retry a minute later) sends it without waiting for the lease.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import type { Backend } from '../../handlers/cli/backend.js';
import { type Context, deliverQueued } from '../../handlers/cli/context.js';
import { deliverMessages, deliverPending } from '../../handlers/core/deliver.js';
import { StoreError } from '../../handlers/core/errors.js';
import type { OutboxMessage } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const NOW = '2026-11-28T03:00:00.000Z';

describe('delivering what an event queued', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  beforeEach(() => {
    ({ store, cleanup } = tempSqliteStore());
  });
  afterEach(async () => cleanup());

  const record = () => recordEvent({ store, policy: DEFAULT_POLICY, now: () => NOW, canEnforce: false }, findingEvent({ id: `d-${Date.now()}` }));

  it('sends the queued messages in order, records each sent once, and leaves one another sender sent', async () => {
    const result = await record();
    const queued = result.queued ?? [];
    expect(queued.map((m) => `${m.channel}/${m.kind}`)).toEqual(['fg/opened', 'on-call/opened']);
    // Another sender (the sweep) sent the FG message first.
    await store.markSent(queued[0].id, NOW);
    const sent: OutboxMessage[] = [];
    const report = await deliverMessages({ store, notifier: { deliver: async (m) => void sent.push(m) }, now: () => NOW }, queued);
    expect(sent.map((m) => m.id)).toEqual([queued[1].id]);
    expect(report.sent.map((m) => m.id)).toEqual([queued[1].id]);
    expect((await store.listMessages(result.incidentId as string)).every((m) => m.sentAt === NOW)).toBe(true);
    const ledger = await store.rawIncident(result.incidentId as string);
    expect(ledger.ledger.map((e) => JSON.parse(e.data).sent?.id).filter(Boolean)).toEqual(queued.map((m) => m.id));
    // Nothing is sent again.
    const again = await deliverPending({ store, notifier: { deliver: async (m) => void sent.push(m) }, now: () => NOW });
    expect(again.sent).toEqual([]);
  });

  it('keeps a message whose delivery failed pending, for the next delivery once its lease ran out', async () => {
    const result = await record();
    const queued = result.queued ?? [];
    const report = await deliverMessages(
      {
        store,
        notifier: {
          deliver: async (m) => {
            if (m.channel === 'fg') throw new Error('mail server down');
          },
        },
        now: () => NOW,
      },
      queued,
    );
    expect(report.failed.map((f) => f.message.channel)).toEqual(['fg']);
    expect(report.sent.map((m) => m.channel)).toEqual(['on-call']);
    const later = '2026-11-28T03:10:00.000Z';
    const retried = await deliverPending({ store, notifier: { deliver: async () => {} }, now: () => later });
    expect(retried.sent.map((m) => m.channel)).toEqual(['fg']);
  });

  it('gives the claim of a failed delivery back, so a retry a minute later sends it at once, not after the lease', async () => {
    const result = await record();
    const pagerDown = async (m: OutboxMessage) => {
      if (m.channel === 'on-call') throw new Error('pager: HTTP 503');
    };
    const first = await deliverMessages({ store, notifier: { deliver: pagerDown }, now: () => NOW }, result.queued ?? []);
    expect(first.failed.map((f) => [f.message.channel, f.error])).toEqual([['on-call', 'pager: HTTP 503']]);
    expect(first.unreleased).toBeUndefined();

    const sent: OutboxMessage[] = [];
    const retried = await deliverPending({ store, notifier: { deliver: async (m) => void sent.push(m) }, now: () => '2026-11-28T03:01:00.000Z' });

    expect(retried.sent.map((m) => m.channel)).toEqual(['on-call']);
    expect(sent.map((m) => m.channel)).toEqual(['on-call']);
    expect((await store.listMessages(result.incidentId as string)).map((m) => m.sentAt)).toEqual([NOW, '2026-11-28T03:01:00.000Z']);
  });

  it('never gives back a claim another sender took after its own lease ran out: nobody sends beside that one', async () => {
    const result = await record();
    const page = (result.queued ?? []).find((m) => m.channel === 'on-call') as OutboxMessage;
    // A pager that hangs past the lease: meanwhile the lease runs out and the sweep claims the page
    // (its delivery in flight when this one fails).
    const sweepLease = '2026-11-28T03:11:00.000Z';
    const slow = await deliverMessages(
      {
        store,
        notifier: {
          deliver: async () => {
            expect(await store.claimMessages([page.id], '2026-11-28T03:06:00.000Z', sweepLease)).toEqual([page.id]);
            throw new Error('pager: timed out');
          },
        },
        now: () => NOW,
      },
      [page],
    );
    expect(slow.failed.map((f) => f.message.id)).toEqual([page.id]);

    // A third sender finds the page claimed by the sweep, and leaves it (it sends only the FG's message).
    const third = await deliverPending({ store, notifier: { deliver: async () => {} }, now: () => '2026-11-28T03:07:00.000Z' });
    expect(third.sent.map((m) => m.channel)).toEqual(['fg']);
    const raw = await store.rawIncident(result.incidentId as string);
    expect(raw.messages.find((m) => m.id === page.id)).toMatchObject({ sentAt: null, claimedUntil: sweepLease });
  });

  it('keeps the delivery’s error when giving the claim back fails too; the claim then runs out as before', async () => {
    const result = await record();
    const broken = Object.assign(Object.create(store) as SqliteIncidentStore, {
      releaseMessageClaims: async () => {
        throw new StoreError('store: disk I/O error');
      },
    });
    const report = await deliverMessages(
      {
        store: broken,
        notifier: {
          deliver: async (m) => {
            if (m.channel === 'on-call') throw new Error('pager: HTTP 503');
          },
        },
        now: () => NOW,
      },
      result.queued ?? [],
    );
    expect(report.failed.map((f) => f.error)).toEqual(['pager: HTTP 503']);
    expect(report.sent.map((m) => m.channel)).toEqual(['fg']);
    expect(report.unreleased).toEqual({ ids: [`${result.incidentId}/on-call/opened`], error: 'store: disk I/O error' });
    // What was delivered is still recorded as sent.
    expect((await store.listMessages(result.incidentId as string)).map((m) => m.sentAt)).toEqual([NOW, null]);
    const deliver = async () => {};
    expect((await deliverPending({ store, notifier: { deliver }, now: () => '2026-11-28T03:01:00.000Z' })).sent).toEqual([]);
    expect((await deliverPending({ store, notifier: { deliver }, now: () => '2026-11-28T03:05:00.000Z' })).sent.map((m) => m.channel)).toEqual(['on-call']);
  });

  it('on the CLI, names on stderr both the page not delivered and the claim not given back', async () => {
    const result = await record();
    const broken = Object.assign(Object.create(store) as SqliteIncidentStore, {
      releaseMessageClaims: async () => {
        throw new StoreError('store: disk I/O error');
      },
    });
    const err: string[] = [];
    const ctx = { flags: {}, now: () => NOW, io: { err: (line: string) => void err.push(line) } } as unknown as Context;
    const backend = { store: broken } as unknown as Backend;
    const pagerDown = {
      deliver: async (m: OutboxMessage) => {
        if (m.channel === 'on-call') throw new Error('pager: HTTP 503');
      },
    };

    await deliverQueued(ctx, backend, { messages: result.queued ?? [] }, pagerDown);

    const page = `${result.incidentId}/on-call/opened`;
    expect(err).toEqual([
      `datalek: message ${page} not delivered (it stays pending; the next sweep tries again): pager: HTTP 503`,
      `datalek: the store could not give back the claim of ${page} (store: disk I/O error): a sweep can send it only once that claim runs out, 5 minutes after this run`,
    ]);
  });
});
