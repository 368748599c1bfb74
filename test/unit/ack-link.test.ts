/**
 * The signed acknowledgement link: what it says, how long it lives, what it refuses, and that the
 * store holds what a link is for but never a link.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ACK_LINK_MAX_MINUTES, ackLinkExpiry, linkKeyId, signAckLink, verifyAckLink } from '../../handlers/core/ack-link.js';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import { ConfigurationError } from '../../handlers/core/errors.js';
import type { OutboxMessage } from '../../handlers/core/incident.js';
import { withAckLinks } from '../../handlers/core/link-delivery.js';
import { composeMessage } from '../../handlers/core/messages.js';
import { DEFAULT_POLICY, parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { sweep } from '../../handlers/core/sweep.js';
import type { DeliveredMessage } from '../../handlers/ports/notifier.js';
import { findingEvent } from '../support/events.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const KEY = Buffer.from('a'.repeat(64), 'hex');
const OTHER_KEY = Buffer.from('b'.repeat(64), 'hex');
const ID = `dl-${'0123456789abcdef'.repeat(2)}`;
const OTHER_ID = `dl-${'fedcba9876543210'.repeat(2)}`;
const claims = { incidentId: ID, level: 'secondary', round: 1, expiresAt: '2026-11-28T03:30:00.000Z' };
const NOW = '2026-11-28T03:00:00.000Z';

describe('the signed acknowledgement link', () => {
  it('says which page of which incident it belongs to, and until when', () => {
    const token = signAckLink(KEY, claims);
    expect(verifyAckLink(KEY, token, NOW)).toEqual({ ok: true, claims });
    // Identifiers only: nothing in it a person would not find on the page itself.
    const payload = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
    expect(Object.keys(payload).sort()).toEqual(['e', 'i', 'k', 'l', 'r', 'v']);
    expect(payload.k).toBe(linkKeyId(KEY));
  });

  it('is refused once it expired, naming the incident it was for', () => {
    const token = signAckLink(KEY, claims);
    expect(verifyAckLink(KEY, token, '2026-11-28T03:29:59.999Z').ok).toBe(true);
    expect(verifyAckLink(KEY, token, claims.expiresAt)).toEqual({ ok: false, problem: 'expired', claims });
  });

  it('is refused when altered: another incident, level, round or expiry, or another signature', () => {
    const [payload, signature] = signAckLink(KEY, claims).split('.');
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    for (const change of [{ i: OTHER_ID }, { l: 'on-call' }, { r: 0 }, { e: decoded.e + 86_400 }]) {
      const forged = Buffer.from(JSON.stringify({ ...decoded, ...change })).toString('base64url');
      expect(verifyAckLink(KEY, `${forged}.${signature}`, NOW)).toEqual({ ok: false, problem: 'altered' });
    }
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'AB' : 'AA'}`;
    expect(verifyAckLink(KEY, `${payload}.${flipped}`, NOW)).toEqual({ ok: false, problem: 'altered' });
    // The token of another incident does not become this incident's with another id in the URL.
    const other = signAckLink(KEY, { ...claims, incidentId: OTHER_ID });
    expect(verifyAckLink(KEY, `${payload}.${other.split('.')[1]}`, NOW)).toEqual({ ok: false, problem: 'altered' });
  });

  it('is refused when signed by another datalek (another key)', () => {
    expect(verifyAckLink(KEY, signAckLink(OTHER_KEY, claims), NOW)).toEqual({ ok: false, problem: 'foreign' });
  });

  it('refuses what is not a link at all', () => {
    for (const token of ['', 'x', 'a.b.c', '../../etc/passwd', `${'A'.repeat(2000)}.b`, 'eyJ2IjoxfQ.AAAA', 42, null]) {
      expect(verifyAckLink(KEY, token, NOW)).toEqual({ ok: false, problem: 'malformed' });
    }
  });

  it('refuses a key shorter than 256 bits', () => {
    expect(() => signAckLink(randomBytes(16), claims)).toThrow(ConfigurationError);
  });
});

describe('how long a page’s link lives', () => {
  const incident = incidentFixture({ id: ID, paging: { firstPageAt: '2026-11-28T03:00:00.000Z', lastDueAt: null } });

  it('until the next escalation step', () => {
    // Default levels: on-call at once, the secondary after 15 minutes, the FG after 30.
    expect(ackLinkExpiry(incident, DEFAULT_POLICY, '2026-11-28T03:00:00.000Z')).toBe('2026-11-28T03:15:00.000Z');
    expect(ackLinkExpiry(incident, DEFAULT_POLICY, '2026-11-28T03:15:00.000Z')).toBe('2026-11-28T03:30:00.000Z');
  });

  it('at most an hour', () => {
    const slow = parsePolicy({
      onCall: {
        escalation: {
          levels: [
            { name: 'on-call', afterMinutes: 0, channel: 'on-call' },
            { name: 'fg', afterMinutes: 180, channel: 'fg' },
          ],
        },
      },
    });
    expect(ackLinkExpiry(incident, slow, NOW)).toBe(`2026-11-28T0${3 + ACK_LINK_MAX_MINUTES / 60}:00:00.000Z`);
  });

  it('skips a page that quiet hours hold: the link stays valid until a page is really sent', () => {
    const quiet = parsePolicy({ onCall: { quietHours: { from: '00:00', to: '23:59' } } });
    // The FG level (after 30 minutes) respects quiet hours; the next page sent is round 2's on-call at 45 minutes.
    expect(ackLinkExpiry(incident, quiet, '2026-11-28T03:15:00.000Z')).toBe('2026-11-28T03:45:00.000Z');
  });

  it('an hour with a pager: its escalation is not datalek’s to know', () => {
    const paged = { ...incident, pager: { provider: 'pagerduty' as const, keys: [ID], state: 'triggered' as const, at: NOW } };
    expect(ackLinkExpiry(paged, DEFAULT_POLICY, NOW)).toBe('2026-11-28T04:00:00.000Z');
  });
});

describe('which messages carry a link', () => {
  const incident = incidentFixture({ id: ID, paging: { firstPageAt: NOW, lastDueAt: null } });
  const compose = (over: Partial<Parameters<typeof composeMessage>[0]>) =>
    composeMessage({ incident, channel: 'on-call', kind: 'opened', stateKey: 'opened', now: NOW, policy: DEFAULT_POLICY, ...over });

  it('the opening page to on-call (the first level, round 0) and every escalation page (its level and round)', () => {
    expect(compose({}).ackLink).toEqual({ level: 'on-call', round: 0, expiresAt: '2026-11-28T03:15:00.000Z' });
    expect(compose({ kind: 'page', stateKey: 'page:1:secondary', level: 'secondary', round: 1, now: '2026-11-28T04:00:00.000Z' }).ackLink).toEqual({
      level: 'secondary',
      round: 1,
      expiresAt: '2026-11-28T04:15:00.000Z',
    });
    expect(compose({ channel: 'fg', kind: 'page', stateKey: 'page:0:fg', level: 'fg', round: 0, now: '2026-11-28T03:30:00.000Z' }).ackLink?.level).toBe('fg');
  });

  it('not the FG’s own message, not a reminder, and nothing once someone acknowledged', () => {
    expect(compose({ channel: 'fg' }).ackLink).toBeUndefined();
    expect(compose({ kind: 'containment-done', stateKey: 'c' }).ackLink).toBeUndefined();
    const taken = { ...incident, acknowledgedBy: 'anna', acknowledgedAt: NOW, state: 'acknowledged' as const };
    expect(
      composeMessage({ incident: taken, channel: 'on-call', kind: 'opened', stateKey: 'opened', now: NOW, policy: DEFAULT_POLICY }).ackLink,
    ).toBeUndefined();
  });
});

describe('the link is added when the page is sent, never stored', () => {
  const sent: DeliveredMessage[] = [];
  const notifier = withAckLinks(
    { deliver: async (m) => void sent.push(m) },
    { baseUrl: 'https://links.example/', key: async () => KEY },
    DEFAULT_POLICY,
    () => NOW,
  );

  it('puts the link at the top of the page (what a phone shows first) and hands it on for the card and the pager', async () => {
    sent.length = 0;
    const message = composeMessage({
      incident: incidentFixture({ id: ID, paging: { firstPageAt: NOW, lastDueAt: null } }),
      channel: 'on-call',
      kind: 'opened',
      stateKey: 'opened',
      now: NOW,
      policy: DEFAULT_POLICY,
    });
    await notifier.deliver(message);
    const [out] = sent;
    expect(out.ackUrl).toMatch(/^https:\/\/links\.example\/ack\/[\w-]+\.[\w-]+$/);
    const lines = out.body.split('\n');
    expect(lines[0]).toBe('Oppakken, met twee tikken (link geldig tot 2026-11-28 04:15 CET):');
    expect(lines[1]).toBe(out.ackUrl);
    expect(lines.slice(4).join('\n')).toBe(message.body);
    const token = (out.ackUrl as string).split('/ack/')[1];
    expect(verifyAckLink(KEY, token, NOW)).toEqual({ ok: true, claims: { incidentId: ID, level: 'on-call', round: 0, expiresAt: '2026-11-28T03:15:00.000Z' } });
  });

  it('leaves out a link that expired before the page could be sent', async () => {
    sent.length = 0;
    const late = withAckLinks(
      { deliver: async (m) => void sent.push(m) },
      { baseUrl: 'https://l', key: async () => KEY },
      DEFAULT_POLICY,
      () => '2026-11-28T05:00:00.000Z',
    );
    const message = { id: 'm', ackLink: { level: 'on-call', round: 0, expiresAt: '2026-11-28T03:15:00.000Z' }, body: 'text' } as OutboxMessage;
    await late.deliver(message);
    expect(sent[0]).toEqual(message);
  });

  it('stores no link: replaying and sweeping leave the key’s work out of the store', async () => {
    const { store, cleanup } = tempSqliteStore();
    try {
      const deps = { store, policy: DEFAULT_POLICY, now: () => '2026-11-27T21:05:00.000Z', canEnforce: false };
      const r = await recordEvent(deps, findingEvent({ id: 'link-stored', severity: 8.5 }));
      await sweep({ store, policy: DEFAULT_POLICY, now: () => '2026-11-27T21:25:00.000Z' });
      const messages = await store.listMessages(r.incidentId as string);
      expect(messages.filter((m) => m.ackLink).map((m) => m.ackLink?.level)).toEqual(['on-call', 'secondary']);
      expect(JSON.stringify(messages)).not.toContain('/ack/');
    } finally {
      await cleanup();
    }
  });
});

describe('acknowledging from a link', () => {
  it('records the page it came from, uses the link up, and a second press changes nothing', async () => {
    const { store, cleanup } = tempSqliteStore();
    try {
      const now = () => '2026-11-27T21:10:00.000Z';
      const r = await recordEvent({ store, policy: DEFAULT_POLICY, now, canEnforce: false }, findingEvent({ id: 'link-ack', severity: 8.5 }));
      const id = r.incidentId as string;
      const deps = { store, policy: DEFAULT_POLICY, now };
      const first = await acknowledge(deps, { incidentId: id, by: 'Anna (from the page to on-call, round 1)', link: { level: 'on-call', round: 0 } });
      expect(first.changed).toBe(true);
      expect(first.incident.ackLinksUsed).toEqual(['on-call#0']);
      const again = await acknowledge(deps, { incidentId: id, by: 'Bob (from the page to on-call, round 1)', link: { level: 'on-call', round: 0 } });
      expect(again).toMatchObject({ changed: false, linkUsed: true });
      expect(again.incident.acknowledgedBy).toBe('Anna (from the page to on-call, round 1)');
      const entries = (await store.getTimeline(id)).filter((e) => e.kind === 'acknowledged');
      expect(entries).toHaveLength(1);
      expect(entries[0].detail).toEqual({ via: 'page-link', level: 'on-call', round: 1 });
    } finally {
      await cleanup();
    }
  });
});
