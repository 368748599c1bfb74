/**
 * fg26 item 4: a finding's `service.eventFirstSeen` that is not a strict instant ("0", a time without
 * a zone) is set aside since 9d6417b9, and its creation taken as the begin of the breach. Nothing
 * said so: the AP draft's "Start of the breach (first activity according to GuardDuty)" read as
 * GuardDuty's own time. show, the draft and the incident page now say which finding, what it sent
 * and the time used instead.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { eventFirstSeenEarlier, ORGANISATION, openCase } from '../support/fg-case.js';
import { pageText } from '../support/serve.js';
import { inProcessWebApp } from '../support/web-app.js';

const at = '2025-11-27T22:00:00Z';

it('show, the AP draft and the incident page say the first activity was set aside, and the time used instead', async () => {
  const c = await openCase({ events: [eventFirstSeenEarlier('2025-11-20T10:00:00', { id: 'case-1', createdAt: '2025-11-27T21:00:00Z' })] });
  const shown = await c.cli(['show', c.id], at);
  expect(shown.stdout).toMatch(
    /first seen +set aside: the first activity GuardDuty gave for finding case-1 \(eventFirstSeen "2025-11-20T10:00:00"\) is not a readable time with a zone and was set aside; the finding's creation was used instead \(2025-11-27 22:00 CET +\(2025-11-27T21:00:00.000Z\)\)/,
  );
  expect((await c.json(['show', c.id], at)).firstSeenSetAside).toEqual({
    findingId: 'case-1',
    value: '2025-11-20T10:00:00',
    usedInstead: '2025-11-27T21:00:00.000Z',
  });
  const en = (await c.cli(['draft', c.id, '--lang', 'en'], at)).stdout;
  expect(en).toMatch(
    /Start of the breach \(first activity according to GuardDuty\):\*\* 2025-11-27 22:00 CET \(2025-11-27T21:00:00.000Z\); note: the first activity GuardDuty gave for finding case-1 /,
  );
  const nl = (await c.cli(['draft', c.id, '--lang', 'nl'], at)).stdout;
  expect(nl).toMatch(/let op: de eerste activiteit die GuardDuty gaf voor bevinding case-1 \(eventFirstSeen "2025-11-20T10:00:00"\) is geen leesbaar tijdstip/);

  const store = new SqliteIncidentStore(join(c.dir, 'store'));
  try {
    const web = inProcessWebApp({ store, policy: parsePolicy({ organisation: ORGANISATION }), now: () => new Date(at).toISOString() });
    const page = pageText(await (await web.get(`/incidents/${c.id}`, 'nl')).text());
    expect(page).toMatch(/Eerste activiteit terzijde gelegd de eerste activiteit die GuardDuty gaf voor bevinding case-1/);
  } finally {
    await store.close();
  }
});

it('says nothing when the first activity was read', async () => {
  const c = await openCase({ events: [eventFirstSeenEarlier('2025-11-20T10:00:00Z', { id: 'case-1', createdAt: '2025-11-27T21:00:00Z' })] });
  expect((await c.cli(['show', c.id], at)).stdout).toMatch(/first activity 2025-11-20 11:00 CET/);
  expect((await c.cli(['show', c.id], at)).stdout).not.toMatch(/set aside/);
  expect(await c.json(['show', c.id], at)).not.toHaveProperty('firstSeenSetAside');
  expect((await c.cli(['draft', c.id, '--lang', 'en'], at)).stdout).not.toMatch(/set aside/);
});

// review25 #3: the note kept the first set-aside finding for good, whatever later set the begin.
it('names the finding whose creation became the begin, not the first one set aside', async () => {
  const c = await openCase({
    events: [
      eventFirstSeenEarlier('2025-11-20T10:00:00', { id: 'case-a', createdAt: '2025-11-27T21:00:00Z' }),
      eventFirstSeenEarlier('2025-11-19T10:00:00', { id: 'case-b', createdAt: '2025-11-27T18:00:00Z' }),
    ],
  });
  const shown = await c.json(['show', c.id], at);
  expect(shown.firstActivityAt).toBe('2025-11-27T18:00:00.000Z');
  expect(shown.firstSeenSetAside).toEqual({ findingId: 'case-b', value: '2025-11-19T10:00:00', usedInstead: '2025-11-27T18:00:00.000Z' });
  const en = (await c.cli(['draft', c.id, '--lang', 'en'], at)).stdout;
  expect(en).toMatch(/2025-11-27T18:00:00.000Z\); note: the first activity GuardDuty gave for finding case-b /);
  expect(en).not.toMatch(/case-a/);
});

it('drops the note when a later finding gives a readable, earlier first activity', async () => {
  const c = await openCase({
    events: [
      eventFirstSeenEarlier('2025-11-20T10:00:00', { id: 'case-a', createdAt: '2025-11-27T21:00:00Z' }),
      eventFirstSeenEarlier('2025-11-19T10:00:00Z', { id: 'case-b', createdAt: '2025-11-27T18:00:00Z' }),
    ],
  });
  const shown = await c.json(['show', c.id], at);
  expect(shown.firstActivityAt).toBe('2025-11-19T10:00:00.000Z');
  expect(shown).not.toHaveProperty('firstSeenSetAside');
  expect((await c.cli(['draft', c.id, '--lang', 'en'], at)).stdout).not.toMatch(/set aside/);
});
