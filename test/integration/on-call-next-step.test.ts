/**
 * Review item 8: `ack` and `show` on the command line gave on-call no next step (the link page says
 * "Volg nu het draaiboek: runbooks/…"), and after an assessment of "not notifiable" the CLI still
 * counted what the AP notification lacked. Now both name the runbook and the containment steps
 * still to do (planned or failed), and the count is left out when nothing is to be notified.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { findingEvent } from '../support/events.js';
import { type FgCase, openCase } from '../support/fg-case.js';

const AT = '2025-11-27T21:10:00Z';
const RUNBOOK = 'runbooks/isolate-ec2-instance.md';

describe('on-call: the next step after ack and in show', () => {
  let c: FgCase;
  beforeEach(async () => {
    c = await openCase({
      events: [findingEvent({ id: 'next-1', instanceId: 'i-0next', createdAt: '2025-11-27T21:00:00Z' })],
      replayAt: '2025-11-27T21:05:00Z',
      policy: { onCall: { runbookBaseUrl: 'https://github.com/acme/datalek/blob/main/' } },
    });
  });

  it('ack names the runbook and the containment step still to do', async () => {
    const r = await c.cli(['ack', c.id, '--by', 'Anna'], AT);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Acknowledged .* Pages stop; the AP deadline does not/);
    expect(r.stdout).toContain(`Next: follow the runbook https://github.com/acme/datalek/blob/main/${RUNBOOK}`);
    expect(r.stdout).toMatch(/planned\s+isolate-instance i-0next: local replay only plans: nothing is touched/);
    // A second ack says who was first, and still where to go.
    const again = await c.cli(['ack', c.id, '--by', 'Bob'], AT);
    expect(again.stdout).toMatch(/already acknowledged by Anna/);
    expect(again.stdout).toContain(RUNBOOK);
  });

  it('ack --json keeps the contract and adds the runbook and the steps', async () => {
    const json = await c.json(['ack', c.id, '--by', 'Anna'], AT);
    expect(json).toMatchObject({ incidentId: c.id, changed: true, acknowledgedBy: 'Anna', acknowledgedAt: expect.any(String) });
    expect(json.runbook).toBe(RUNBOOK);
    // A !DNS finding: the DNS channel the isolation leaves open is a step of its own, with its runbook.
    expect(json.nextSteps).toEqual([
      { type: 'isolate-instance', target: 'i-0next', status: 'planned', reason: 'local replay only plans: nothing is touched', runbook: RUNBOOK },
      {
        type: 'block-dns-channel',
        target: 'i-0next',
        status: 'planned',
        reason: 'a person acts: runbooks/block-dns-channel.md',
        runbook: 'runbooks/block-dns-channel.md',
      },
    ]);
  });

  it('show names the runbook beside the containment, in text and JSON', async () => {
    const text = await c.cli(['show', c.id], AT);
    expect(text.stdout).toMatch(new RegExp(`runbook\\s+https://github.com/acme/datalek/blob/main/${RUNBOOK.replace('.', '\\.')}`));
    expect(text.stdout).toMatch(/planned\s+isolate-instance i-0next: .*\(runbook: runbooks\/isolate-ec2-instance\.md\)/);
    const json = await c.json(['show', c.id], AT);
    expect(json).toMatchObject({ incidentId: c.id, timeline: expect.any(Array), runbook: RUNBOOK });
    expect(json.nextSteps.map((s: { type: string }) => s.type)).toEqual(['isolate-instance', 'block-dns-channel']);
  });

  it('does not count what the AP notification lacks once the FG assessed it not notifiable', async () => {
    const no = await c.cli(['assess', c.id, '--personal-data', 'no', '--risk', 'none', '--reason', 'testserver', '--by', 'FG'], AT);
    expect(no.code, no.stderr).toBe(0);
    expect(no.stdout).not.toMatch(/Still missing for the AP notification/);
    const facts = await c.cli(['facts', c.id, '--summary', 'testserver', '--by', 'FG'], AT);
    expect(facts.stdout).not.toMatch(/Still missing for the AP notification/);
  });

  it('still counts it while the incident is to be notified', async () => {
    const yes = await c.cli(['assess', c.id, '--personal-data', 'yes', '--risk', 'high', '--reason', 'klantdata', '--by', 'FG'], AT);
    expect(yes.stdout).toMatch(/Still missing for the AP notification: \d+/);
  });
});
