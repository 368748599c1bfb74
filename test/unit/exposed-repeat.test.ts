/**
 * With SNS as the pager there is no alert to escalate, nor a pager to resolve one on its own: an
 * exposed interface's page went out once and was never raised again, however long the interface
 * stayed open to the internet and nobody took it. The sweep now repeats it on the on-call topic
 * every EXPOSED_REPEAT_MINUTES (not every sweep run), saying it is a repeat, while the record says
 * the interface is open and nobody acknowledged the incident since it was left open; and so it
 * does for an exposed alert the pager (PagerDuty, Opsgenie) failed, whose page went to the topic.
 */
import { describe, expect, it } from 'vitest';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { recordPagerFailure } from '../../handlers/core/pager.js';
import { type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { EXPOSED_REPEAT_MINUTES } from '../../handlers/core/schedule.js';
import { sweep } from '../../handlers/core/sweep.js';
import { findingEvent, instanceResource } from '../support/events.js';
import { exposedPage } from '../support/pager-incident.js';
import { tempSqliteStore } from '../support/store.js';

const T = (m: number) => new Date(Date.parse('2026-11-27T10:00:00.000Z') + m * 60_000).toISOString();
const ENI = 'eni-0c1d2e3f405162738';
const rules = [{ action: 'isolate-instance', findingTypes: ['Backdoor:EC2/*'], mode: 'enforce' }];
const SNS = parsePolicy({ language: 'en', onCall: { provider: 'sns' }, containment: { rules } });
const PAGERDUTY = parsePolicy({ language: 'en', onCall: { provider: 'pagerduty' }, containment: { rules } });

/** A High incident whose isolation left interface ENI open at minute 10 (its page queued then, as the contain function does). */
async function exposedIncident(policy: Policy, acknowledgedAt?: number) {
  const fixture = tempSqliteStore();
  const deps = (m: number) => ({ store: fixture.store, policy, now: () => T(m) });
  const event = findingEvent({ id: `repeat-${Math.random()}`, type: 'Backdoor:EC2/C&CActivity.B', resource: instanceResource('i-0c1d2e3f405162738') });
  const id = (await recordEvent({ ...deps(0), canEnforce: false }, event)).incidentId as string;
  if (acknowledgedAt !== undefined) await acknowledge(deps(acknowledgedAt), { incidentId: id, by: 'anna' });
  const step = (m: number, status: 'failed' | 'done') =>
    changeIncident(deps(m), id, (draft) => {
      const a = draft.actions[0] as ActionRecord;
      const exposed = status === 'failed';
      a.steps = [{ name: `isolate-eni:${ENI}`, status, at: T(m), ...(exposed ? { code: 'RequestLimitExceeded', exposed } : {}) }];
      a.status = status;
      return {
        entries: [{ at: T(m), kind: exposed ? 'resource-exposed' : 'containment-step-done', detail: { resource: ENI } }],
        messages: (d: Incident) => {
          if (!exposed) return [];
          return [exposedPage(d, policy, ENI, T(m))];
        },
      };
    });
  await step(10, 'failed');
  const exposedPages = async () => (await fixture.store.listMessages(id)).filter((m) => m.kind === 'interface-exposed');
  const sweepAt = (m: number) => sweep({ store: fixture.store, policy, now: () => T(m) });
  return { ...fixture, id, deps, step, exposedPages, sweepAt };
}

describe('an exposed interface’s page on the on-call topic', () => {
  it(`with SNS, is repeated every ${EXPOSED_REPEAT_MINUTES} minutes while the interface is open and nobody took it, saying it is a repeat`, async () => {
    const f = await exposedIncident(SNS);
    try {
      expect(await f.exposedPages()).toHaveLength(1);
      // Sweeps every 5 minutes: one repeat per interval, not one per sweep.
      for (let m = 15; m <= 10 + 2 * EXPOSED_REPEAT_MINUTES; m += 5) await f.sweepAt(m);
      const pages = await f.exposedPages();
      expect(pages).toHaveLength(3);
      const repeat = pages[1];
      expect(repeat.channel).toBe('on-call');
      expect(repeat.alert).toBeUndefined();
      expect(repeat.attributes.band).toBe('Critical');
      expect(repeat.subject).toContain('(repeat)');
      expect(repeat.body).toContain(`REPEAT: ${ENI} is still OPEN`);
      expect(repeat.body).toContain(`every ${EXPOSED_REPEAT_MINUTES} minutes`);
      expect(pages.map((p) => p.createdAt)).toEqual([T(10), T(10 + EXPOSED_REPEAT_MINUTES), T(10 + 2 * EXPOSED_REPEAT_MINUTES)]);
      const queued = (await f.store.getTimeline(f.id)).filter((e) => e.kind === 'notification-queued' && e.detail.messageKind === 'interface-exposed');
      expect(queued.at(-1)?.detail).toMatchObject({ channel: 'on-call', interfaces: 1 });
    } finally {
      await f.cleanup();
    }
  });

  it('stops once someone acknowledges the incident after the interface was left open', async () => {
    const f = await exposedIncident(SNS);
    try {
      await f.sweepAt(10 + EXPOSED_REPEAT_MINUTES);
      await acknowledge(f.deps(30), { incidentId: f.id, by: 'bram' });
      for (let m = 30; m <= 180; m += 5) await f.sweepAt(m);
      expect(await f.exposedPages()).toHaveLength(2);
    } finally {
      await f.cleanup();
    }
  });

  it('goes on after an acknowledgement from before the interface was left open, and stops once the record says it is isolated', async () => {
    const f = await exposedIncident(SNS, 5);
    try {
      await f.sweepAt(10 + EXPOSED_REPEAT_MINUTES);
      expect(await f.exposedPages()).toHaveLength(2);
      await f.step(40, 'done');
      for (let m = 40; m <= 180; m += 5) await f.sweepAt(m);
      expect(await f.exposedPages()).toHaveLength(2);
      expect((await f.store.getIncident(f.id))?.nextDueAt ?? null).not.toBe(T(10 + 3 * EXPOSED_REPEAT_MINUTES));
    } finally {
      await f.cleanup();
    }
  });

  it('with PagerDuty, is not repeated while the alert is up there (the pager escalates it), but is once the pager failed that alert', async () => {
    const f = await exposedIncident(PAGERDUTY);
    try {
      for (let m = 15; m <= 60; m += 5) await f.sweepAt(m);
      expect(await f.exposedPages()).toHaveLength(1);
      const key = (await f.exposedPages())[0].alert?.key as string;
      await recordPagerFailure(f.deps(61), f.id, 'HTTP 400: invalid routing key', key);
      await f.sweepAt(70);
      const pages = await f.exposedPages();
      expect(pages).toHaveLength(2);
      expect(pages[1].alert).toBeUndefined();
      expect(pages[1].body).toContain('REPEAT');
    } finally {
      await f.cleanup();
    }
  });
});
