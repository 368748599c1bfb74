/**
 * deploy19 (closing notes, s17): a member's containment role setting an access key `Active` paged twice,
 * `datalek CONTAINMENT UNDONE?` (datalek-watch-containment: a key set Active, by anyone but the pipeline
 * account's own datalek sessions) and `datalek CONTAIN ROLE` (datalek-watch-contain-role: the containment
 * role did it). One call, one page, saying both. So did its inline policy named `datalek-revoke-…` that is
 * not the revocation. And a containment role created in another case (IAM names are unique regardless of
 * case; CloudTrail's ARN keeps the case given at creation) dodged the contain-role watch, matched by ARN.
 * The central response stack's watch rules, as deployed, on moto's EventBridge: which rules each call reaches.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revocationDocument } from '../../handlers/adapters/aws/containment/iam.js';
import { DENY_ALL_DOCUMENT, denyAllPolicyName } from '../../handlers/adapters/aws/containment/iam-users.js';
import { CONTAIN_ROLE_WATCH_RULE_NAME } from '../../infra/constructs/contain-role-watch.js';
import { CONTAINMENT_IAM_WATCH_RULE_NAME, CONTAINMENT_WATCH_RULE_NAME } from '../../infra/constructs/containment-watch.js';
import { ECS_PLACEMENT_WATCH_RULE_NAME } from '../../infra/constructs/ecs-placement-watch.js';
import { WATCH_RULE_PREFIX } from '../../infra/constructs/pipeline-watch.js';
import { DEPLOY_CONTEXT, synthesizedApp } from '../support/infra.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';
import { resolveValue } from './cfn-resolve.js';
import { type BusEntry, routedByPattern } from './moto-rules.js';

const PIPELINE = DEPLOY_CONTEXT.account;
const MEMBER = DEPLOY_CONTEXT.memberAccounts;
const ADMIN = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';

/** A call as CloudTrail records it: by a session of `role` (an assumed role), or by an IAM user's own key. */
function call(
  id: string,
  account: string,
  caller: { role: string } | { user: string },
  eventName: string,
  requestParameters: Record<string, unknown>,
  service = 'iam',
): BusEntry {
  const userIdentity =
    'role' in caller
      ? {
          type: 'AssumedRole',
          principalId: 'AROAEXAMPLEID:dl-0123456789',
          arn: `arn:aws:sts::${account}:assumed-role/${caller.role}/dl-0123456789`,
          accountId: account,
          sessionContext: {
            sessionIssuer: {
              type: 'Role',
              principalId: 'AROAEXAMPLEID',
              arn: `arn:aws:iam::${account}:role/${caller.role}`,
              accountId: account,
              userName: caller.role,
            },
          },
        }
      : { type: 'IAMUser', principalId: 'AIDAEXAMPLEID', arn: `arn:aws:iam::${account}:user/${caller.user}`, accountId: account, userName: caller.user };
  return {
    id,
    source: `aws.${service}`,
    detailType: 'AWS API Call via CloudTrail',
    detail: {
      eventVersion: '1.09',
      eventID: `0000-${id}`,
      userIdentity,
      eventTime: '2026-11-30T03:00:00Z',
      eventSource: `${service}.amazonaws.com`,
      eventName,
      awsRegion: 'us-east-1',
      recipientAccountId: account,
      requestParameters,
    },
  };
}

const keyActive = { userName: 'ci', accessKeyId: 'AKIAEXAMPLE000000001', status: 'Active' };
const adminNamedRevoke = { roleName: 'app-deploy', policyName: 'datalek-revoke-x', policyDocument: ADMIN };

describe.skipIf(!MOTO_AVAILABLE)('a containment role’s call pages once (deploy19)', () => {
  let moto: Moto;
  const watches: Record<string, unknown> = {};
  const messages: Record<string, string> = {};

  beforeAll(async () => {
    moto = await startMoto();
    const built = synthesizedApp();
    const t = Template.fromStack(built.response);
    const state = Template.fromStack(built.stateful);
    for (const rule of Object.values(t.findResources('AWS::Events::Rule'))) {
      const name = String(rule.Properties.Name ?? '');
      if (!name.startsWith(WATCH_RULE_PREFIX) || !rule.Properties.EventPattern) continue;
      watches[name] = resolveValue(rule.Properties.EventPattern, t, { account: PIPELINE, region: DEPLOY_CONTEXT.region, exporters: [state] });
      const target = (rule.Properties.Targets as { InputTransformer?: { InputTemplate: string } }[]).find((x) => x.InputTransformer);
      if (target?.InputTransformer) messages[name] = target.InputTransformer.InputTemplate;
    }
  }, 300_000);
  afterAll(async () => moto?.stop());

  it('pages a containment role’s key set Active, or its admin policy named datalek-revoke-…, through datalek-watch-contain-role alone, saying containment may be undone; in any case of its name', async () => {
    const calls = [
      call('member-key-active', MEMBER, { role: 'datalek-containment' }, 'UpdateAccessKey', keyActive),
      call('member-admin-named-revoke', MEMBER, { role: 'datalek-containment' }, 'PutRolePolicy', adminNamedRevoke),
      // A role of that name in another case is that role (IAM: unique regardless of case); CloudTrail spells it as created.
      call('member-key-active-other-case', MEMBER, { role: 'Datalek-Containment' }, 'UpdateAccessKey', keyActive),
      call('pipeline-key-active-other-case', PIPELINE, { role: 'DATALEK-CONTAIN-FUNCTION' }, 'UpdateAccessKey', keyActive),
      // Anyone else's: containment undone, as before.
      call('person-key-active', MEMBER, { role: 'Admin' }, 'UpdateAccessKey', keyActive),
      call('user-key-active', MEMBER, { user: 'ci' }, 'UpdateAccessKey', keyActive),
      call('person-revocation-deleted', MEMBER, { role: 'Admin' }, 'DeleteRolePolicy', { roleName: 'app-deploy', policyName: 'datalek-revoke-x' }),
      // Containment's own revocation: no page.
      call('member-revocation', MEMBER, { role: 'datalek-containment' }, 'PutRolePolicy', {
        ...adminNamedRevoke,
        policyDocument: revocationDocument('2026-11-30T03:00:00.000Z'),
      }),
    ];
    const byCall: Record<string, string[]> = Object.fromEntries(calls.map((c) => [c.id, []]));
    for (const [rule, ids] of Object.entries(await routedByPattern(moto, 'deploy19-once', watches, calls))) for (const id of ids) byCall[id].push(rule);
    for (const rules of Object.values(byCall)) rules.sort();
    expect(byCall).toEqual({
      'member-key-active': [CONTAIN_ROLE_WATCH_RULE_NAME],
      'member-admin-named-revoke': [CONTAIN_ROLE_WATCH_RULE_NAME],
      'member-key-active-other-case': [CONTAIN_ROLE_WATCH_RULE_NAME],
      'pipeline-key-active-other-case': [CONTAIN_ROLE_WATCH_RULE_NAME],
      'person-key-active': [CONTAINMENT_IAM_WATCH_RULE_NAME],
      'user-key-active': [CONTAINMENT_IAM_WATCH_RULE_NAME],
      'person-revocation-deleted': [CONTAINMENT_IAM_WATCH_RULE_NAME],
      'member-revocation': [],
    });
    // The one page says both things: the role is datalek's containment role, and a key set Active may undo containment.
    expect(messages[CONTAIN_ROLE_WATCH_RULE_NAME]).toContain('CONTAINMENT UNDONE?');
  }, 300_000);

  it('lets the deny-all a console sign-in’s containment puts on the user pass, exactly and under its name; pages it loosened, or deleted or overwritten by anyone else (cont26)', async () => {
    // Since 66284170 containment puts datalek-deny-all-<incident> (Deny * on *) on a console sign-in's user: contain-role
    // paged every one as the role abused (not the revocation), and the -iam watch did not know the name, so its deletion
    // by a person undid containment unpaged.
    const denyAll = { userName: 'ci', policyName: denyAllPolicyName('dl-0123456789'), policyDocument: DENY_ALL_DOCUMENT };
    const document = JSON.parse(DENY_ALL_DOCUMENT) as { Statement: unknown[] };
    const withAllow = JSON.stringify({ ...document, Statement: [...document.Statement, { Effect: 'Allow', Action: '*', Resource: '*' }] });
    const revocation = revocationDocument('2026-11-30T03:00:00.000Z');
    const calls = [
      call('member-deny-all', MEMBER, { role: 'datalek-containment' }, 'PutUserPolicy', denyAll),
      call('pipeline-deny-all', PIPELINE, { role: 'datalek-contain-function' }, 'PutUserPolicy', denyAll),
      call('member-deny-all-with-an-allow', MEMBER, { role: 'datalek-containment' }, 'PutUserPolicy', { ...denyAll, policyDocument: withAllow }),
      call('pipeline-deny-all-with-an-allow', PIPELINE, { role: 'datalek-contain-function' }, 'PutUserPolicy', { ...denyAll, policyDocument: withAllow }),
      // Each document under the other's name: released as the other (the deny-all as a revocation), not what containment writes.
      call('member-deny-all-named-revoke', MEMBER, { role: 'datalek-containment' }, 'PutUserPolicy', { ...denyAll, policyName: 'datalek-revoke-x' }),
      call('member-revocation-named-deny-all', MEMBER, { role: 'datalek-containment' }, 'PutUserPolicy', { ...denyAll, policyDocument: revocation }),
      call('member-deny-all-another-name', MEMBER, { role: 'datalek-containment' }, 'PutUserPolicy', { ...denyAll, policyName: 'maintenance' }),
      // Anyone else: containment undone, in any case of the name.
      call('person-deny-all-deleted', MEMBER, { role: 'Admin' }, 'DeleteUserPolicy', { userName: 'ci', policyName: denyAll.policyName }),
      call('pipeline-person-deny-all-deleted', PIPELINE, { user: 'admin' }, 'DeleteUserPolicy', { userName: 'ci', policyName: denyAll.policyName }),
      call('person-deny-all-overwritten-in-another-case', MEMBER, { role: 'Admin' }, 'PutUserPolicy', {
        ...denyAll,
        policyName: 'Datalek-Deny-All-dl-0123456789',
        policyDocument: ADMIN,
      }),
    ];
    const byCall: Record<string, string[]> = Object.fromEntries(calls.map((c) => [c.id, []]));
    for (const [rule, ids] of Object.entries(await routedByPattern(moto, 'cont26-deny-all', watches, calls))) for (const id of ids) byCall[id].push(rule);
    expect(byCall).toEqual({
      'member-deny-all': [],
      'pipeline-deny-all': [],
      'member-deny-all-with-an-allow': [CONTAIN_ROLE_WATCH_RULE_NAME],
      'pipeline-deny-all-with-an-allow': [CONTAIN_ROLE_WATCH_RULE_NAME],
      'member-deny-all-named-revoke': [CONTAIN_ROLE_WATCH_RULE_NAME],
      'member-revocation-named-deny-all': [CONTAIN_ROLE_WATCH_RULE_NAME],
      'member-deny-all-another-name': [CONTAIN_ROLE_WATCH_RULE_NAME],
      'person-deny-all-deleted': [CONTAINMENT_IAM_WATCH_RULE_NAME],
      'pipeline-person-deny-all-deleted': [CONTAINMENT_IAM_WATCH_RULE_NAME],
      'person-deny-all-overwritten-in-another-case': [CONTAINMENT_IAM_WATCH_RULE_NAME],
    });
  }, 300_000);

  it('pages a revocation rewritten with another date by a role that merely bears a containment role’s name, where that name is no datalek role’s (readC19)', async () => {
    // The contain function's role exists in the pipeline account alone, the containment role in the members alone; a role of
    // either name elsewhere is anyone's (a member's admin makes one). Its exactly-shaped revocation with an earlier date is no
    // CONTAIN ROLE page (not the role containment runs as there), so it must stay a CONTAINMENT UNDONE? page: before, the
    // -iam rule left these names' policy writes to contain-role in any account, and the call paged nowhere.
    const rewritten = { ...adminNamedRevoke, policyDocument: revocationDocument('2020-01-01T00:00:00.000Z') };
    const calls = [
      call('member-role-named-contain-function', MEMBER, { role: 'datalek-contain-function' }, 'PutRolePolicy', rewritten),
      call('pipeline-role-named-containment', PIPELINE, { role: 'Datalek-Containment' }, 'PutUserPolicy', rewritten),
      // The real roles, where they are: as before (the member's is filtered at the member; the function's sessions are excused).
      call('member-containment-rewrites', MEMBER, { role: 'datalek-containment' }, 'PutRolePolicy', rewritten),
      // A key set Active by either name, anywhere: CONTAIN ROLE pages it, once.
      call('member-role-named-contain-function-key', MEMBER, { role: 'datalek-contain-function' }, 'UpdateAccessKey', keyActive),
      call('pipeline-role-named-containment-key', PIPELINE, { role: 'datalek-containment' }, 'UpdateAccessKey', keyActive),
    ];
    const byCall: Record<string, string[]> = Object.fromEntries(calls.map((c) => [c.id, []]));
    for (const [rule, ids] of Object.entries(await routedByPattern(moto, 'readC19-names', watches, calls))) for (const id of ids) byCall[id].push(rule);
    expect(byCall).toEqual({
      'member-role-named-contain-function': [CONTAINMENT_IAM_WATCH_RULE_NAME],
      'pipeline-role-named-containment': [CONTAINMENT_IAM_WATCH_RULE_NAME],
      'member-containment-rewrites': [],
      'member-role-named-contain-function-key': [CONTAIN_ROLE_WATCH_RULE_NAME],
      'pipeline-role-named-containment-key': [CONTAIN_ROLE_WATCH_RULE_NAME],
    });
  }, 300_000);

  it('excuses the on-call role’s sessions in the pipeline account in whatever case the deployer created the role (it is made by hand), and no role of that name elsewhere', async () => {
    const onCall = { role: 'Datalek-On-Call' };
    const groups = { networkInterfaceId: 'eni-0123456789abcdef0', groupSet: { items: { groupId: 'sg-0123456789abcdef0' } } };
    const drained = { cluster: 'workers', containerInstances: ['arn:aws:ecs:eu-west-1:111122223333:container-instance/workers/abc'], status: 'ACTIVE' };
    const calls = [
      call('on-call-release-interface', PIPELINE, onCall, 'ModifyNetworkInterfaceAttribute', groups, 'ec2'),
      call('on-call-release-key', PIPELINE, onCall, 'UpdateAccessKey', keyActive),
      call('on-call-release-instance', PIPELINE, onCall, 'UpdateContainerInstancesState', drained, 'ecs'),
      call('member-role-named-on-call', MEMBER, onCall, 'ModifyNetworkInterfaceAttribute', groups, 'ec2'),
      call('admin-interface', PIPELINE, { role: 'Admin' }, 'ModifyNetworkInterfaceAttribute', groups, 'ec2'),
      call('admin-instance', PIPELINE, { role: 'Admin' }, 'UpdateContainerInstancesState', drained, 'ecs'),
    ];
    const byCall: Record<string, string[]> = Object.fromEntries(calls.map((c) => [c.id, []]));
    for (const [rule, ids] of Object.entries(await routedByPattern(moto, 'deploy19-on-call', watches, calls))) for (const id of ids) byCall[id].push(rule);
    expect(byCall).toEqual({
      'on-call-release-interface': [],
      'on-call-release-key': [],
      'on-call-release-instance': [],
      'member-role-named-on-call': [CONTAINMENT_WATCH_RULE_NAME],
      'admin-interface': [CONTAINMENT_WATCH_RULE_NAME],
      'admin-instance': [ECS_PLACEMENT_WATCH_RULE_NAME],
    });
  }, 300_000);
});
