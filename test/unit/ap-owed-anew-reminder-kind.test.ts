/**
 * law28 (s28) item 1: while a withdrawn AP notification is owed anew (AP clock `owed-anew`), the AP
 * track's reminder still had kind `ap-overdue` (or `ap-reminder` before the deadline). Its text said
 * "notify anew", but the kind is what the sweep's JSON, the SNS message attribute a subscription
 * filters on, the timeline's `notification-queued` entry and any script read: they called a
 * notification the AP had in time "overdue". It has its own kind, `ap-owed-anew`, before and after
 * the deadline alike (Art. 33(4) gives the notification anew no hours of its own).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { assess, type FgDeps, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { composeMessage } from '../../handlers/core/messages.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { dueItems } from '../../handlers/core/schedule.js';
import { sweep } from '../../handlers/core/sweep.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const organisation = { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } };
const policies = { nl: parsePolicy({ organisation }), en: parsePolicy({ organisation, language: 'en' }) };
const policy = policies.nl;
const id = 'dl-owed-anew-kind';
// Detected 2026-11-27T21:00Z (the fixture): the AP deadline is 2026-11-30T21:00Z.
const DEADLINE = '2026-11-30T21:00:00.000Z';
let store: SqliteIncidentStore;
let cleanup: () => Promise<void>;
let now: string;
const deps = (): FgDeps => ({ store, policy, now: () => now });
const stored = async () => (await store.getIncident(id)) as Incident;

/** M-1 made in time, withdrawn as not notifiable, and the breach assessed notifiable again at `againAt`. */
async function owedAnew(againAt: string) {
  now = '2026-11-28T05:00:00.000Z';
  await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
  await recordReport(deps(), { incidentId: id, reference: 'M-1', by: 'FG' });
  now = '2026-11-28T06:00:00.000Z';
  await assess(deps(), { incidentId: id, personalData: 'no', risk: 'none', reason: 'testgegevens, leek het', by: 'FG' });
  await recordReport(deps(), { incidentId: id, reference: 'M-1', kind: 'withdrawal', reason: 'geen persoonsgegevens', by: 'FG' });
  now = againAt;
  await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'toch echte klantgegevens', by: 'FG' });
}

beforeEach(async () => {
  ({ store, cleanup } = tempSqliteStore());
  await store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
});
afterEach(async () => cleanup());

describe('the AP reminder while a withdrawn notification is owed anew', () => {
  it('has its own kind after the deadline, not ap-overdue, in the schedule, the sweep, the message and the timeline', async () => {
    await owedAnew('2026-12-01T08:00:00.000Z');
    const apKinds = (at: string) =>
      stored().then((i) =>
        dueItems(i, policy, at)
          .filter((d) => d.track === 'ap')
          .map((d) => d.kind),
      );
    expect(await apKinds('2026-12-01T09:00:00.000Z')).toEqual(['ap-owed-anew']);

    now = '2026-12-01T09:00:00.000Z';
    const swept = await sweep({ store, policy, now: () => now });
    expect(swept.sent.map((s) => s.kind)).toContain('ap-owed-anew');
    expect(swept.sent.map((s) => s.kind)).not.toContain('ap-overdue');
    const message = (await store.listMessages(id)).find((m) => m.kind === 'ap-owed-anew');
    expect(message?.attributes.kind).toBe('ap-owed-anew');
    expect(message?.subject).toContain('Opnieuw melden aan de AP');
    expect(message?.subject).not.toMatch(/verstreken/);
    const queued = (await store.getTimeline(id)).filter((e) => e.kind === 'notification-queued').map((e) => e.detail.messageKind);
    expect(queued).toContain('ap-owed-anew');
    expect(queued).not.toContain('ap-overdue');
  });

  it('has its own kind before the deadline too, not ap-reminder', async () => {
    await owedAnew('2026-11-29T08:00:00.000Z');
    const ap = dueItems(await stored(), policy, '2026-11-30T20:00:00.000Z').filter((d) => d.track === 'ap');
    expect(ap.map((d) => d.kind)).toEqual(['ap-owed-anew']);
    expect(Date.parse(ap[0].dueAt)).toBeLessThan(Date.parse(DEADLINE));
  });

  it('says in Dutch and English to notify anew, naming the first notification, never the deadline passed', async () => {
    await owedAnew('2026-12-01T08:00:00.000Z');
    const incident = await stored();
    const text = (lang: 'nl' | 'en') =>
      composeMessage({ incident, channel: 'fg', kind: 'ap-owed-anew', stateKey: 'ap:ap-owed-anew:x', now, policy: policies[lang] });
    expect(text('nl').subject).toContain('Opnieuw melden aan de AP: de eerdere melding is ingetrokken');
    expect(text('nl').body).toContain('De AP kreeg dit datalek gemeld als M-1');
    expect(`${text('nl').subject}${text('nl').body}`).not.toMatch(/termijn .*verstreken|redenen voor de vertraging/);
    expect(text('en').subject).toContain('Notify the AP anew: the earlier notification was withdrawn');
    expect(`${text('en').subject}${text('en').body}`).not.toMatch(/deadline .*passed|reasons for the delay/);
  });

  it('leaves a notification never made overdue as before', async () => {
    now = '2026-11-28T05:00:00.000Z';
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'klantgegevens', by: 'FG' });
    const ap = dueItems(await stored(), policy, '2026-12-01T09:00:00.000Z').filter((d) => d.track === 'ap');
    expect(ap.map((d) => d.kind)).toEqual(['ap-overdue']);
  });
});
