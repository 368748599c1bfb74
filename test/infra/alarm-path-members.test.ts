/**
 * deploy20: the alarm path's watch (`datalek-watch-alarm-path`, in the stateful stack) pages through
 * the pages' topic on a call that stops a `datalek-watch-*` rule, and its pages are not bounded. A
 * member account's calls reach the same bus (its forwarding rules): a member's admin who widens its
 * own forwarding rule (that change pages once) and then disables a rule of its own named
 * `datalek-watch-…` in a loop paged on-call on every call, unbounded, past the member-pages bound. The
 * rule takes the pipeline account's calls only (`recipientAccountId`, as its alarm and topic branches
 * already did: readE16 E1).
 */
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALARM_PATH_RULE_NAME } from '../../infra/constructs/alarm-path-watch.js';
import { DEPLOY_CONTEXT, synthesizedApp } from '../support/infra.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';
import { resolveValue } from './cfn-resolve.js';
import { routed } from './moto-rules.js';

const PIPELINE = DEPLOY_CONTEXT.account;
const MEMBER = DEPLOY_CONTEXT.memberAccounts;

describe.skipIf(!MOTO_AVAILABLE)("the alarm path's watch and a member account's calls, on moto", () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  }, 120_000);
  afterAll(async () => {
    await moto?.stop();
  });

  it("pages on the pipeline account's call that stops a datalek-watch-* rule, not on a member's call on a rule of its own of that name", async () => {
    const state = Template.fromStack(synthesizedApp().stateful);
    const [rule] = Object.values(state.findResources('AWS::Events::Rule', { Properties: { Name: ALARM_PATH_RULE_NAME } }));
    const pattern = resolveValue(rule.Properties.EventPattern, state, { account: PIPELINE, region: DEPLOY_CONTEXT.region });
    const disable = (id: string, account: string) => ({
      id,
      source: 'aws.events',
      detailType: 'AWS API Call via CloudTrail',
      detail: {
        eventSource: 'events.amazonaws.com',
        eventName: 'DisableRule',
        eventID: id,
        recipientAccountId: account,
        userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${account}:assumed-role/Admin/someone`, accountId: account },
        requestParameters: { name: 'datalek-watch-pipeline' },
      },
    });
    const paged = await routed(moto, 'alarm-path-members', pattern, [disable('pipeline', PIPELINE), disable('member', MEMBER)]);
    expect(paged).toEqual(['pipeline']);
  });
});
