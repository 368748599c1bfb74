/**
 * sec26 item 1: who may put events on the `datalek` bus. Its rules start the notify and contain
 * functions for the incident an event names. A forged event cannot open an incident (no rule on this
 * bus takes GuardDuty's events, and PutEvents refuses an `aws.` source anywhere), nor send a message
 * the outbox does not hold, nor contain what the record does not ask for: both functions read the
 * store. But whoever of the account held events:PutEvents (an administrator, a CI role, any role
 * with `events:*`) could drive them at will: every forged event a run of containment or a send of
 * what is pending, taking the functions' reserved concurrency from real events (throttled, then
 * retried for up to a day), and each one kept in the archive that is kept with the register.
 *
 * The bus's policy now refuses PutEvents to every principal of the account but the five functions
 * that announce events and break-glass; a service acting on its own (an archive's replay) is left
 * to EventBridge. moto enforces no bus policy, so the synthesized statement is evaluated
 * (test/infra/dynamodb-iam.ts) beside an identity policy of `*` on `*`.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DatalekApp } from '../../infra/build-app.js';
import { DEPLOY_CONTEXT, roleStatementsOf, type Statement, synthesizedApp } from '../support/infra.js';
import { resolveValue } from './cfn-resolve.js';
import { type Authorization, allowed } from './dynamodb-iam.js';

const BASE = { partition: 'aws', region: DEPLOY_CONTEXT.region, account: DEPLOY_CONTEXT.account };
const BUS = `arn:aws:events:${BASE.region}:${BASE.account}:event-bus/datalek`;
const ADMIN: Statement = { Effect: 'Allow', Action: '*', Resource: '*' };
const role = (name: string) => `arn:aws:iam::${BASE.account}:role/${name}`;

/** The functions that announce the pipeline's events (response-stack.ts OwnEventsOnly). */
const PUBLISHERS = ['record-finding', 'contain', 'sweep', 'acknowledge', 'link-apply'].map((h) => `datalek-${h}-function`);

const put = (principal: string, context: Authorization['context'] = {}): Authorization => ({
  action: 'events:PutEvents',
  resource: BUS,
  context: { 'aws:PrincipalArn': role(principal), 'aws:PrincipalIsAWSService': 'false', ...context },
  what: `PutEvents by ${principal}`,
});

describe('the datalek bus takes events from its own functions and break-glass alone', () => {
  let built: DatalekApp;
  let stateful: Template;
  let response: Template;
  let policy: Statement[];

  beforeAll(() => {
    built = synthesizedApp();
    stateful = Template.fromStack(built.stateful);
    response = Template.fromStack(built.response);
    policy = Object.values(stateful.findResources('AWS::Events::EventBusPolicy'))
      .filter((p) => JSON.stringify(p.Properties.EventBusName).includes('Bus'))
      .map((p) => resolveValue(p.Properties.Statement, stateful, { account: BASE.account, region: BASE.region }) as Statement);
  }, 120_000);

  it('refuses every other principal of the account, whatever its IAM policy allows', () => {
    expect(policy.length).toBeGreaterThan(0);
    for (const principal of [
      'Admin',
      'datalek-on-call',
      'datalek-notify-function',
      'datalek-anchor-function',
      'datalek-link-function',
      `cdk-datalek-cfn-exec-role-${BASE.account}-${BASE.region}`,
      // A rule of one's own forwarding to this bus with a role of one's own.
      'my-forwarding-role',
    ]) {
      const a = put(principal);
      expect(allowed(a, [[ADMIN, ...policy]], BASE), a.what).toBe(false);
    }
  });

  it("leaves the publishing functions' and break-glass's puts to their IAM policies, and a service's own", () => {
    for (const principal of [...PUBLISHERS, DEPLOY_CONTEXT.breakGlassRole]) {
      const a = put(principal);
      expect(allowed(a, [[ADMIN, ...policy]], BASE), a.what).toBe(true);
    }
    const replay: Authorization = { action: 'events:PutEvents', resource: BUS, context: { 'aws:PrincipalIsAWSService': 'true' }, what: 'a replay' };
    expect(allowed(replay, [[ADMIN, ...policy]], BASE)).toBe(true);
  });

  /**
   * And its rules (the notify and contain routes): disabled, deleted, retargeted or re-patterned, a
   * forged event is no longer needed: nothing is sent or contained at all. The service control policy
   * denies those calls where the organisation attached it; the bus's own policy does wherever datalek
   * is deployed, to all but the deployment and break-glass (each such call pages besides).
   */
  it("refuses changes to the bus's rules to all but the deployment and break-glass", () => {
    const rule = `arn:aws:events:${BASE.region}:${BASE.account}:rule/datalek/DatalekResponse-NotifyRouteRuleA1B2C3-XyZ`;
    const change = (principal: string, action: string): Authorization => ({
      action: `events:${action}`,
      resource: rule,
      context: { 'aws:PrincipalArn': role(principal), 'aws:PrincipalIsAWSService': 'false' },
      what: `${action} by ${principal}`,
    });
    const actions = ['DisableRule', 'DeleteRule', 'RemoveTargets', 'PutRule', 'PutTargets'];
    for (const principal of ['Admin', 'datalek-on-call', 'datalek-fg', 'datalek-contain-function'])
      for (const action of actions) expect(allowed(change(principal, action), [[ADMIN, ...policy]], BASE), change(principal, action).what).toBe(false);
    for (const principal of [`cdk-datalek-cfn-exec-role-${BASE.account}-${BASE.region}`, DEPLOY_CONTEXT.breakGlassRole])
      for (const action of actions) expect(allowed(change(principal, action), [[ADMIN, ...policy]], BASE), change(principal, action).what).toBe(true);
    // The archive's own rule is EventBridge's.
    const managed: Authorization = { action: 'events:PutRule', resource: rule, context: { 'aws:PrincipalIsAWSService': 'true' }, what: 'the archive' };
    expect(allowed(managed, [[ADMIN, ...policy]], BASE)).toBe(true);
  });

  it('names every function whose own IAM policy puts events on the bus, and no other', () => {
    const putting = Object.entries(response.findResources('AWS::IAM::Role'))
      .filter(([id]) => {
        const statements = resolveValue(roleStatementsOf(response, id), response, {
          account: BASE.account,
          region: BASE.region,
          exporters: [stateful],
        }) as Statement[];
        return allowed(
          { action: 'events:PutEvents', resource: BUS, context: { 'events:source': 'datalek', 'events:detail-type': 'Incident Updated' }, what: id },
          [statements.filter((s) => s.Effect === 'Allow').map((s) => ({ ...s, Condition: undefined }))],
          BASE,
        );
      })
      .map(([, r]) => r.Properties.RoleName as string);
    expect(putting.sort()).toEqual([...PUBLISHERS].sort());
  });
});
