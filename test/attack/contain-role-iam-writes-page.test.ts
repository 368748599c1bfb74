/**
 * fgsec17 Sc (review15): the contain function's role, and each member's containment role, may write
 * an inline policy of any content on any role or user not datalek's, AWS's or tagged protected, and
 * set any access key Active. No rule datalek deployed paged on it: the containment watch exempts the
 * contain function's sessions, members did not forward their containment role's calls, and it reads
 * a policy's name only. These calls, as those roles' sessions make them, are put on moto's EventBridge
 * against every rule of the central response stack (where DatalekIamForward and each member's
 * DatalekMemberIam put IAM's calls), and a member's against its DatalekMemberIam rules first: each
 * must page, a policy *named* `datalek-revoke-…` with an allowing statement smuggled in where the
 * date goes included; the revocation containment writes (the contain function's own document) must not.
 * Failed on c2a14e3c: none of the calls matched a rule.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revocationDocument } from '../../handlers/adapters/aws/containment/iam.js';
import { DENY_ALL_DOCUMENT, denyAllPolicyName } from '../../handlers/adapters/aws/containment/iam-users.js';
import { buildApp, type DatalekApp } from '../../infra/build-app.js';
import { CONTAIN_ROLE_WATCH_RULE_NAME } from '../../infra/constructs/contain-role-watch.js';
import { resolveValue } from '../infra/cfn-resolve.js';
import { type BusEntry, routedByPattern } from '../infra/moto-rules.js';
import { DEPLOY_CONTEXT, NO_BUNDLING } from '../support/infra.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';

const ACCOUNT = DEPLOY_CONTEXT.account;
/** The containment role's name where the deployment names none (config.ts). */
const CONTAINMENT_ROLE = 'datalek-containment';

/** A call by a session of `role` in `account`, as CloudTrail records it. */
function byRole(id: string, account: string, role: string, eventName: string, requestParameters: Record<string, unknown>): BusEntry {
  return {
    id,
    source: 'aws.iam',
    detailType: 'AWS API Call via CloudTrail',
    detail: {
      eventVersion: '1.09',
      eventID: `0000-${id}`,
      userIdentity: {
        type: 'AssumedRole',
        principalId: `AROAEXAMPLEID:${SESSION}`,
        // Lambda names the session after the function (the containment watch excuses these, review11 K5).
        arn: `arn:aws:sts::${account}:assumed-role/${role}/${SESSION}`,
        accountId: account,
        sessionContext: {
          sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLEID', arn: `arn:aws:iam::${account}:role/${role}`, accountId: account, userName: role },
        },
      },
      eventTime: '2026-11-30T03:00:00Z',
      eventSource: 'iam.amazonaws.com',
      eventName,
      awsRegion: 'us-east-1',
      recipientAccountId: account,
      requestParameters,
    },
  };
}

const SESSION = 'DatalekResponse-ContainFunction1A2B3C4D';
const ADMIN = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';
/** A revocation whose "date" closes the string and adds an allowing statement: matches `…"aws:TokenIssueTime":"*"}}}]}`. */
const SMUGGLED = revocationDocument(
  '2020-01-01T00:00:00Z"}}},{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"2099-01-01T00:00:00Z',
);
const REVOCATION = revocationDocument('2026-11-30T03:00:00.000Z');
/** A console sign-in's deny-all (cont26) with an allowing statement beside the Deny. */
const DENY_ALL_WITH_ALLOW = JSON.stringify({
  ...JSON.parse(DENY_ALL_DOCUMENT),
  Statement: [...JSON.parse(DENY_ALL_DOCUMENT).Statement, { Effect: 'Allow', Action: '*', Resource: '*' }],
});

/** The calls that must page, by `role` of `account`. */
function pagingCalls(prefix: string, account: string, role: string): BusEntry[] {
  return [
    byRole(`${prefix}-admin-on-a-role`, account, role, 'PutRolePolicy', { roleName: 'app-deploy', policyName: 'maintenance', policyDocument: ADMIN }),
    byRole(`${prefix}-admin-on-a-user`, account, role, 'PutUserPolicy', { userName: 'ci', policyName: 'maintenance', policyDocument: ADMIN }),
    byRole(`${prefix}-admin-named-revoke`, account, role, 'PutRolePolicy', { roleName: 'app-deploy', policyName: 'datalek-revoke-x', policyDocument: ADMIN }),
    byRole(`${prefix}-smuggled-allow`, account, role, 'PutUserPolicy', { userName: 'ci', policyName: 'datalek-revoke-x', policyDocument: SMUGGLED }),
    byRole(`${prefix}-revocation-under-another-name`, account, role, 'PutRolePolicy', {
      roleName: 'app-deploy',
      policyName: 'deny-s3',
      policyDocument: REVOCATION,
    }),
    byRole(`${prefix}-deny-all-with-an-allow`, account, role, 'PutUserPolicy', {
      userName: 'ci',
      policyName: denyAllPolicyName('inc1'),
      policyDocument: DENY_ALL_WITH_ALLOW,
    }),
    byRole(`${prefix}-key-active-again`, account, role, 'UpdateAccessKey', { userName: 'ci', accessKeyId: 'AKIAEXAMPLE000000001', status: 'Active' }),
  ];
}

/** What containment writes: no page. */
function routineCalls(prefix: string, account: string, role: string): BusEntry[] {
  return [
    byRole(`${prefix}-revocation`, account, role, 'PutRolePolicy', { roleName: 'app-deploy', policyName: 'datalek-revoke-inc1', policyDocument: REVOCATION }),
    // cont26: a console sign-in's deny-all on the user, exactly as the adapter sends it.
    byRole(`${prefix}-deny-all`, account, role, 'PutUserPolicy', { userName: 'ci', policyName: denyAllPolicyName('inc1'), policyDocument: DENY_ALL_DOCUMENT }),
    byRole(`${prefix}-key-inactive`, account, role, 'UpdateAccessKey', { userName: 'ci', accessKeyId: 'AKIAEXAMPLE000000001', status: 'Inactive' }),
  ];
}

function patternsOf(built: DatalekApp, stacks: { stack: import('aws-cdk-lib').Stack; account: string; region: string }[]): Record<string, unknown> {
  const patterns: Record<string, unknown> = {};
  for (const { stack, account, region } of stacks) {
    const t = Template.fromStack(stack);
    for (const [id, rule] of Object.entries(t.findResources('AWS::Events::Rule'))) {
      const pattern = rule.Properties.EventPattern;
      if (pattern)
        patterns[`${stack.stackName}/${rule.Properties.Name ?? id}`] = resolveValue(pattern, t, {
          account,
          region,
          exporters: [Template.fromStack(built.stateful)],
        });
    }
  }
  return patterns;
}

describe('a containment role writing an inline policy other than the revocation, or setting a key Active, pages (fgsec17 Sc)', () => {
  let built: DatalekApp;
  let moto: Moto;
  beforeAll(async () => {
    if (MOTO_AVAILABLE) moto = await startMoto();
    built = buildApp({ ...DEPLOY_CONTEXT, ...NO_BUNDLING });
  }, 600_000);
  afterAll(async () => moto?.stop());

  it.skipIf(!MOTO_AVAILABLE)(
    "the contain function's calls page through datalek-watch-contain-role; its revocation pages nowhere",
    async () => {
      const central = patternsOf(built, [{ stack: built.response, account: ACCOUNT, region: DEPLOY_CONTEXT.region }]);
      const paging = pagingCalls('pipeline', ACCOUNT, 'datalek-contain-function');
      const routine = routineCalls('pipeline', ACCOUNT, 'datalek-contain-function');
      const matched = await routedByPattern(moto, 'fgsec17-pipeline', central, [...paging, ...routine]);
      const byWatch = new Set(matched[`${built.response.stackName}/${CONTAIN_ROLE_WATCH_RULE_NAME}`]);
      expect(paging.map((c) => c.id).filter((id) => !byWatch.has(id))).toEqual([]);
      const paged = new Set(Object.values(matched).flat());
      expect(routine.map((c) => c.id).filter((id) => paged.has(id))).toEqual([]);
    },
    600_000,
  );

  it.skipIf(!MOTO_AVAILABLE)(
    "a member's containment role's calls are forwarded from its us-east-1 and page centrally; its revocation is not forwarded",
    async () => {
      const [memberIam] = built.memberIam;
      const member = memberIam.account;
      const forwards = patternsOf(built, [{ stack: memberIam, account: member, region: 'us-east-1' }]);
      const paging = pagingCalls('member', member, CONTAINMENT_ROLE);
      const routine = routineCalls('member', member, CONTAINMENT_ROLE);
      const forwarded = new Set(Object.values(await routedByPattern(moto, 'fgsec17-member', forwards, [...paging, ...routine])).flat());
      expect(paging.map((c) => c.id).filter((id) => !forwarded.has(id))).toEqual([]);
      expect(routine.map((c) => c.id).filter((id) => forwarded.has(id))).toEqual([]);
      const central = patternsOf(built, [{ stack: built.response, account: ACCOUNT, region: DEPLOY_CONTEXT.region }]);
      const matched = await routedByPattern(moto, 'fgsec17-central', central, paging);
      const byWatch = new Set(matched[`${built.response.stackName}/${CONTAIN_ROLE_WATCH_RULE_NAME}`]);
      expect(paging.map((c) => c.id).filter((id) => !byWatch.has(id))).toEqual([]);
    },
    600_000,
  );

  it('lets the watch rule publish to the alarm topic, as the ECS placement watch (its pages were refused before)', () => {
    const policies = Object.values(Template.fromStack(built.stateful).findResources('AWS::SNS::TopicPolicy')).map((p) =>
      JSON.stringify(p.Properties.PolicyDocument),
    );
    const watchRules = policies.find((p) => p.includes('WatchRulesOfThisRegion'));
    expect(watchRules).toContain(`:rule/${CONTAIN_ROLE_WATCH_RULE_NAME}`);
    expect(watchRules).toContain(':rule/datalek-watch-ecs-placement');
  });
});
