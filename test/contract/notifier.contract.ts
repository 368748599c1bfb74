/**
 * The guarantees of the Notifier port, against every adapter: a delivered message arrives with its
 * subject, its whole body and its attributes; a delivery that could not be made throws (so the
 * outbox keeps the message pending) instead of passing as sent.
 */
import { describe, expect, it } from 'vitest';
import type { OutboxMessage } from '../../handlers/core/incident.js';
import type { Notifier } from '../../handlers/ports/notifier.js';

export interface Received {
  channel: 'fg' | 'on-call';
  subject: string;
  body?: string;
  attributes?: Record<string, string>;
}

export interface NotifierFixture {
  notifier: Notifier;
  /** What reached the channel, as a subscriber would see it. */
  received: () => Promise<Received[]>;
  /** The same adapter pointed at a destination that refuses the message. */
  broken: Notifier;
  /** Whether the channel carries the body and attributes (a terminal shows subjects only). */
  carriesBody: boolean;
}

export function message(channel: 'fg' | 'on-call', n: number): OutboxMessage {
  return {
    id: `dl-0000000000/${channel}/contract-${n}`,
    incidentId: 'dl-0000000000',
    channel,
    kind: 'opened',
    subject: `[datalek High] Mogelijk datalek: Backdoor:EC2/C&CActivity.B!DNS dl-0000000000 #${n}`,
    body: `Incident: dl-0000000000\nRegel twee met é en ü\n#${n}`,
    attributes: { incidentId: 'dl-0000000000', severity: '8.5', band: 'High', sample: 'false', kind: 'opened' },
    createdAt: '2026-11-28T03:00:00.000Z',
    sentAt: null,
  };
}

export function notifierContract(name: string, make: () => Promise<NotifierFixture>): void {
  describe(`Notifier contract: ${name}`, () => {
    it('delivers each message to its own channel with its subject (and body and attributes where the channel has them)', async () => {
      const fx = await make();
      await fx.notifier.deliver(message('fg', 1));
      await fx.notifier.deliver(message('on-call', 2));
      const got = await fx.received();
      expect(got.map((r) => [r.channel, r.subject])).toEqual([
        ['fg', message('fg', 1).subject],
        ['on-call', message('on-call', 2).subject],
      ]);
      if (fx.carriesBody) {
        expect(got[0].body).toBe(message('fg', 1).body);
        expect(got[0].attributes).toEqual(message('fg', 1).attributes);
      }
    });

    it('throws when the message could not be delivered, so it stays pending', async () => {
      const fx = await make();
      await expect(fx.broken.deliver(message('fg', 3))).rejects.toThrow();
    });
  });
}
