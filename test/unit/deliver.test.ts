/**
 * Sending what recording an event queued, from memory (no read of the outbox): each message is
 * claimed first, so one another sender sent or holds meanwhile is not sent twice; what was sent
 * is recorded, each once in the ledger; a delivery that fails stays pending.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { deliverMessages, deliverPending } from '../../handlers/core/deliver.js';
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
});
