/**
 * Review10 K5: an account let onto the pipeline's bus (an EventBridge permission for an account
 * outside the organisation) forwards its own real GuardDuty findings, and each became an incident
 * of this organisation: the FG told of a breach, on-call paged, an AP clock running. The record
 * path now takes a finding only of the pipeline's own account, its member accounts (the policy's
 * `containment.memberAccounts`), or delivered by the pipeline account's own GuardDuty (the
 * administrator's events carry its account in the envelope, a member's id in the detail); others
 * are refused by account, nothing stored. A policy that does not name the pipeline's account
 * (local replay of events/) takes every account, as before.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, type Policy } from '../../handlers/core/policy.js';
import { recordEvent, recordEventText } from '../../handlers/core/record-finding.js';
import { ACCOUNT, findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const OUTSIDE = '444455556666';
const MEMBER = '222233334444';
const policy: Policy = { ...DEFAULT_POLICY, containment: { ...DEFAULT_POLICY.containment, pipelineAccount: ACCOUNT, memberAccounts: [MEMBER] } };
const EVENTS = join(import.meta.dirname, '../../events');

async function record(event: unknown, p: Policy = policy) {
  const { store, cleanup } = tempSqliteStore();
  try {
    const result = await recordEvent({ store, policy: p, now: () => '2026-11-28T00:00:00.000Z', canEnforce: false }, event);
    return { result, incidents: (await store.listIncidents()).length };
  } finally {
    cleanup();
  }
}

describe("a finding of an account that is not the pipeline's (review10 K5)", () => {
  it('is refused by its account, nothing stored', async () => {
    const { result, incidents } = await record(findingEvent({ accountId: OUTSIDE }));
    expect(result.outcome).toBe('rejected');
    expect(result.reason).toContain(`account ${OUTSIDE}`);
    expect(result.reason).toContain("not this pipeline's");
    expect(incidents).toBe(0);
  });

  it("is taken when a person replays it from a file (datalek replay's path): the check guards the bus, not the person", async () => {
    // `replay --target aws` names the credentials' account as the pipeline's, and README's
    // `datalek replay events/ --target aws` replays sample findings of 111122223333 into any account.
    const { store, cleanup } = tempSqliteStore();
    try {
      const text = readFileSync(join(EVENTS, '01-ec2-backdoor-command-and-control-high.json'), 'utf8').replaceAll(ACCOUNT, OUTSIDE);
      const result = await recordEventText({ store, policy, now: () => '2026-11-28T00:00:00.000Z', canEnforce: false }, text);
      expect(result.outcome).toBe('opened');
      expect(await store.listIncidents()).toHaveLength(1);
    } finally {
      cleanup();
    }
  });

  it("takes the pipeline's own, a member account's, and one the pipeline account's GuardDuty delivered (its administrator's)", async () => {
    expect((await record(findingEvent())).result.outcome).toBe('opened');
    expect((await record(findingEvent({ accountId: MEMBER }))).result.outcome).toBe('opened');
    // Event 11: a delegated administrator's event (envelope 999988887777) for its member 111122223333.
    const delegated = JSON.parse(readFileSync(join(EVENTS, '11-rds-successful-brute-force-login-delegated-admin.json'), 'utf8'));
    const administrator = { ...policy, containment: { ...policy.containment, pipelineAccount: delegated.account, memberAccounts: [] } };
    expect((await record(delegated, administrator)).result.outcome).toBe('opened');
  });

  it("takes every account under a policy that does not name the pipeline's (local replay of events/)", async () => {
    expect((await record(findingEvent({ accountId: OUTSIDE }), DEFAULT_POLICY)).result.outcome).toBe('opened');
  });
});
