/**
 * Closing an incident is an FG decision about personal data; it must not silence containment. While
 * a network interface is recorded exposed (left in the all-traffic group), or a containment run
 * holds the incident, close is refused, naming what stands in the way: closing would resolve the
 * exposed interface's Critical alert at the pager while the interface is still open to all traffic
 * (attack review 2, §7).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { RefusedError } from '../../handlers/core/errors.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import type { StepRecord } from '../../handlers/core/incident.js';
import { composeMessage, exposedAlertKey } from '../../handlers/core/messages.js';
import { notePagerTrigger } from '../../handlers/core/pager.js';
import { AT, PAGERDUTY, pagerDutyIncident } from '../support/pager-incident.js';

type Fixture = Awaited<ReturnType<typeof pagerDutyIncident>>;

/** Containment at minute 10 leaves eni-1 in the all-traffic group, recorded and paged as contain.ts does. */
async function exposeEni1(f: Fixture) {
  await changeIncident(f.deps(10), f.id, (draft) => {
    draft.actions.push({
      id: 'isolate-instance:i-x',
      type: 'isolate-instance',
      target: 'i-x',
      status: 'failed',
      mode: 'enforce',
      findingId: draft.firstFinding.findingId,
      at: AT(10),
      reason: 'isolate-eni:eni-1 failed (RequestLimitExceeded)',
      steps: [{ name: 'isolate-eni:eni-1', status: 'failed', at: AT(10), code: 'RequestLimitExceeded', exposed: true }],
    });
    return {
      entries: [{ at: AT(10), kind: 'resource-exposed', detail: { step: 'isolate-eni:eni-1', resource: 'eni-1' } }],
      messages: (d) => {
        const page = composeMessage({
          incident: d,
          channel: 'on-call',
          kind: 'interface-exposed',
          stateKey: 'exposed:isolate-eni:eni-1:1',
          now: AT(10),
          policy: PAGERDUTY,
          exposed: 'eni-1',
        });
        notePagerTrigger(d, page, PAGERDUTY, AT(10));
        return [page];
      },
    };
  });
}

/** The FG at minute 20: no personal data on that instance. */
async function assessNoPersonalData(f: Fixture) {
  await acknowledge(f.deps(5), { incidentId: f.id, by: 'anna' });
  await assess(f.deps(20), { incidentId: f.id, personalData: 'no', risk: 'none', reason: 'build runner, no personal data', by: 'fg' });
}

const close = (f: Fixture, minute: number) => closeIncident(f.deps(minute), { incidentId: f.id, by: 'fg', reason: 'not a breach' });

describe('closing while containment is not settled', () => {
  let f: Fixture;
  afterEach(async () => f.cleanup());

  it('refuses while an interface is recorded exposed, and leaves its alert paging', async () => {
    f = await pagerDutyIncident('exposed-close');
    await exposeEni1(f);
    await assessNoPersonalData(f);
    const refused = await close(f, 25).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(RefusedError);
    expect(String((refused as Error).message)).toMatch(/eni-1 .*open to all traffic/);
    expect(String((refused as Error).message)).toContain('isolate-ec2-instance.md#an-interface-exposed-page');
    expect((await f.store.getIncident(f.id))?.state).not.toBe('closed');
    const resolves = (await f.store.listMessages(f.id)).filter((m) => m.alert?.action === 'resolve' && m.alert.key === exposedAlertKey(f.id, 'eni-1'));
    expect(resolves).toHaveLength(0);
  });

  it('closes once a later run isolated the interface, or a person released the action', async () => {
    f = await pagerDutyIncident('exposed-then-isolated');
    await exposeEni1(f);
    await assessNoPersonalData(f);
    const isolated: StepRecord = { name: 'isolate-eni:eni-1', status: 'done', at: AT(30), detail: 'isolation sg-1' };
    await changeIncident(f.deps(30), f.id, (draft) => {
      const action = draft.actions.find((a) => a.id === 'isolate-instance:i-x');
      action?.steps?.push(isolated);
      // The run that isolated it carried the action out (a failed one would still need --containment-reason).
      if (action) action.status = 'done';
      return { entries: [] };
    });
    expect((await close(f, 35)).state).toBe('closed');

    const g = await pagerDutyIncident('exposed-then-released');
    try {
      await exposeEni1(g);
      await assessNoPersonalData(g);
      await changeIncident(g.deps(30), g.id, (draft) => {
        const action = draft.actions.find((a) => a.id === 'isolate-instance:i-x');
        if (action) action.released = { at: AT(30), by: 'on-call', reason: 'groups put back by hand' };
        return { entries: [] };
      });
      expect((await close(g, 35)).state).toBe('closed');
    } finally {
      await g.cleanup();
    }
  });

  it('refuses while a containment run holds the incident, and closes once its lease ran out', async () => {
    f = await pagerDutyIncident('contain-running');
    await assessNoPersonalData(f);
    await changeIncident(f.deps(21), f.id, (draft) => {
      draft.containmentLease = { holder: 'contain-run-1', until: AT(31) };
      return { entries: [] };
    });
    await expect(close(f, 25)).rejects.toThrow(/containment is running/);
    expect((await close(f, 32)).state).toBe('closed');
  });
});
