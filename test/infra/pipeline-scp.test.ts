/**
 * The service control policy datalek asks the organisation to attach to the pipeline account,
 * shipped as infra/scp/datalek-pipeline-account.json: it is the policy infra/pipeline-scp.ts builds
 * from the stacks, it fits an SCP, and each statement reaches what it must and leaves the stacks'
 * own callers working:
 * - review8 F3: a datalek function invoked directly by a principal of the pipeline account; its
 *   condition matches a direct invocation (which carries no `lambda:InvokedViaFunctionUrl`);
 * - review10 S1: both alarm topics' subscriptions cut (Unsubscribe, or a filter that matches
 *   nothing) a second apart, within CloudTrail's delay, silence every page, those about the two
 *   calls included; a topic policy cannot deny either action;
 * - review10 K4: a permission added to a datalek function lets an account outside the
 *   organisation invoke it, which no SCP reaches.
 * Evaluated with the IAM model of dynamodb-iam.ts: not AWS (README, What remains: unconfirmed on real AWS).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.js';
import { functionRoleName } from '../../infra/constructs/response-function.js';
import { BOOTSTRAP_ROLE_CHANGES } from '../../infra/deploy-role.js';
import {
  DIRECT_INVOKERS,
  deploymentRoleName,
  deploymentScp,
  deploymentScpTexts,
  PIPELINE_SCP_FILES,
  pipelineScp,
  RULE_SILENCING,
  SCP_MAX_DOCUMENTS,
  SCP_PLACEHOLDERS,
  SCP_SIZE_LIMIT,
  shippedScpFileName,
  shippedScpTexts as writtenScpTexts,
} from '../../infra/pipeline-scp.js';
import { DEPLOY_CONTEXT, NO_BUNDLING, type Statement, synthesizedApp } from '../support/infra.js';
import { type Authorization, allowed } from './dynamodb-iam.js';
import { shippedScp, shippedScpTexts } from './shipped-scp.js';

const ACCOUNT = DEPLOY_CONTEXT.account;
const BASE = { partition: 'aws', region: DEPLOY_CONTEXT.region, account: ACCOUNT };

const built = synthesizedApp();
const { response, stateful, forwarders, members, memberIam, iamForward } = built;
const stacks = [stateful, response, ...forwarders, ...members];
const template = Template.fromStack(response);
const functions = template.findResources('AWS::Lambda::Function');
/** The shipped files as a deployer attaches them: their placeholders replaced. */
const scp = shippedScp((text) =>
  text
    .replaceAll(SCP_PLACEHOLDERS.account, ACCOUNT)
    .replaceAll(SCP_PLACEHOLDERS.breakGlassRole, DEPLOY_CONTEXT.breakGlassRole)
    .replaceAll(SCP_PLACEHOLDERS.onCallRole, 'datalek-on-call')
    .replaceAll(SCP_PLACEHOLDERS.fgRole, 'datalek-fg'),
);
/** The organisation's default FullAWSAccess beside it: an SCP allows nothing of its own. */
const underScp = (a: Authorization) => allowed(a, [[{ Effect: 'Allow', Action: '*', Resource: '*' }, ...scp.Statement]], BASE);
/** A function's ARN as CloudFormation names it (no FunctionName: the stack's name, the logical id, a suffix). */
const arnOf = (logicalId: string) => `arn:aws:lambda:${BASE.region}:${ACCOUNT}:function:${response.stackName}-${logicalId.slice(0, 30)}-AbCdEf123456`;
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const invoke = (functionArn: string, principal: string, viaUrl?: boolean): Authorization => ({
  action: 'lambda:InvokeFunction',
  resource: functionArn,
  context: { 'aws:PrincipalArn': principal, 'lambda:InvokedViaFunctionUrl': viaUrl === undefined ? undefined : String(viaUrl) },
  what: `${principal} invoking ${functionArn}`,
});
const call = (action: string, resource: string, principal: string): Authorization => ({
  action,
  resource,
  context: { 'aws:PrincipalArn': principal },
  what: `${principal}: ${action} on ${resource}`,
});
/** Each call `changes` makes for a principal refused to every one of `refused`, and let through for the break-glass role. */
const onlyBreakGlass = (changes: (principal: string) => Authorization[], refused: string[]) => {
  for (const principal of refused)
    expect(
      changes(principal)
        .filter(underScp)
        .map((a) => a.what),
    ).toEqual([]);
  expect(
    changes(role(DEPLOY_CONTEXT.breakGlassRole))
      .filter((a) => !underScp(a))
      .map((a) => a.what),
  ).toEqual([]);
};
/** The role CloudFormation deploys the stacks with (the CDK bootstrap's execution role), in each of the pipeline's regions. */
const deployments = [DEPLOY_CONTEXT.region, DEPLOY_CONTEXT.forwardFrom].map((region) => role(`cdk-datalek-cfn-exec-role-${ACCOUNT}-${region}`));
/** The central region's: it alone makes the functions, their roles and the central topics, alarms and policies (infra16). */
const [centralDeployment] = deployments;
/** us-east-1's, which deploys DatalekIamForward (not a pipeline region here). */
const usEast1Deployment = role(`cdk-datalek-cfn-exec-role-${ACCOUNT}-us-east-1`);

/** Every stack of the app: the pipeline account's, the member accounts', DatalekIamForward. */
const all = [...stacks, ...memberIam, ...(iamForward ? [iamForward] : [])];
/** Whether an EventBridge value filter list matches `value` (exact, prefix, equals-ignore-case or wildcard). */
const matches = (filters: unknown[], value: string) =>
  filters.some((f) => {
    if (typeof f === 'string') return f === value;
    const o = f as { prefix?: unknown; wildcard?: string; 'equals-ignore-case'?: string };
    if (typeof o.prefix === 'string') return value.startsWith(o.prefix);
    if (o.prefix && typeof o.prefix === 'object')
      return value.toLowerCase().startsWith(String((o.prefix as Record<string, string>)['equals-ignore-case']).toLowerCase());
    if (typeof o['equals-ignore-case'] === 'string') return value.toLowerCase() === o['equals-ignore-case'].toLowerCase();
    return new RegExp(
      `^${String(o.wildcard)
        .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
        .replaceAll('*', '.*')}$`,
    ).test(value);
  });
/**
 * The central watch rules (not the forwards) with a branch on `eventName` whose `field` filter lets `value` through:
 * a policy's ARN where the branch names policies (or names none), a role's name where it names roles.
 */
const pagedFor = (eventName: string, value: string, field: 'policyArn' | 'roleName' = 'policyArn') => {
  const hits = new Set<string>();
  const walk = (node: unknown, rule: string): void => {
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    const names = (o.requestParameters as Record<string, unknown[]> | undefined)?.[field];
    if (Array.isArray(o.eventName) && matches(o.eventName, eventName) && (names ? matches(names, value) : field === 'policyArn')) hits.add(rule);
    for (const v of Object.values(o)) walk(v, rule);
  };
  for (const s of all)
    for (const r of Object.values(Template.fromStack(s).findResources('AWS::Events::Rule')))
      if (r.Properties.EventPattern) walk(r.Properties.EventPattern, String(r.Properties.Name));
  return [...hits].filter((r) => !/forward|guard$/.test(r));
};

describe('the service control policy of the pipeline account', () => {
  it('is shipped as infra/scp/datalek-pipeline-account.json, with placeholders for the account, the break-glass role and the on-call role', () => {
    // infra16: in two documents, each attached (one no longer holds the example's regions).
    expect(shippedScp()).toEqual(pipelineScp({ ...SCP_PLACEHOLDERS, stacks: { response, all: stacks, topicsAndPolicies: iamForward ? [iamForward] : [] } }));
  });

  it("is split as synth splits a deployment's, DatalekIamForward's us-east-1 included (readD16 D1), and written from the code: DATALEK_WRITE_SCP=1 rewrites the files", () => {
    expect(iamForward, 'premise: the example regions deploy DatalekIamForward').toBeDefined();
    const texts = writtenScpTexts({ response, all: stacks, topicsAndPolicies: iamForward ? [iamForward] : [] });
    if (process.env.DATALEK_WRITE_SCP === '1')
      texts.forEach((text, i) => {
        writeFileSync(join(import.meta.dirname, '../..', shippedScpFileName(i)), text);
      });
    expect(texts.map((_, i) => shippedScpFileName(i))).toEqual(PIPELINE_SCP_FILES);
    expect(shippedScpTexts()).toEqual(texts);
  });

  it("fits an SCP (5,120 characters, whitespace included: the CLI keeps it) with an account's id and break-glass and on-call role names of IAM's longest", () => {
    const texts = shippedScpTexts((text) =>
      text
        .replaceAll(SCP_PLACEHOLDERS.account, ACCOUNT)
        .replaceAll(SCP_PLACEHOLDERS.breakGlassRole, 'b'.repeat(64))
        .replaceAll(SCP_PLACEHOLDERS.onCallRole, 'o'.repeat(64)),
    );
    expect(texts).toHaveLength(2);
    for (const text of texts) expect(text.length).toBeLessThanOrEqual(SCP_SIZE_LIMIT);
  });

  it("excuses the deployment by its execution role, the CDK bootstrap's, named exactly in each of the pipeline's regions", () => {
    const names = new Set(stacks.map((s) => deploymentRoleName(s, ACCOUNT)));
    expect([...names].map((n) => role(n as string)).sort()).toEqual([...deployments].sort());
  });

  it('writes for a deployment (cdk synth) the policy of its own account, break-glass role and regions', () => {
    const built = buildApp({ ...DEPLOY_CONTEXT, ...NO_BUNDLING, region: 'eu-north-1', forwardFrom: 'us-east-1,eu-west-3', breakGlassRole: 'bg' });
    const text = JSON.stringify(deploymentScp(built));
    const named = [...text.matchAll(/role\/(cdk-[^"]+)/g)].map((m) => m[1]);
    expect(new Set(named)).toEqual(
      new Set([...['eu-north-1', 'us-east-1', 'eu-west-3'].map((r) => `cdk-datalek-cfn-exec-role-${ACCOUNT}-${r}`), 'cdk-datalek-*']),
    );
    expect(text).toContain(`arn:*:iam::${ACCOUNT}:role/bg"`);
    expect(text).not.toContain('<');
  });
});

describe("against a role named like the deployment's (read11b B3)", () => {
  const pages = `arn:aws:sns:${BASE.region}:${ACCOUNT}:datalek-on-call:0b6c7a2e-1111-2222-3333-444455556666`;
  const fn = `arn:aws:lambda:${BASE.region}:${ACCOUNT}:function:${response.stackName}-AckFunction-AbCdEf123456`;
  const execRole = (region: string) => role(`cdk-datalek-cfn-exec-role-${ACCOUNT}-${region}`);

  it('excuses the execution role of a pipeline region, not one of another name that begins so', () => {
    expect(underScp(call('sns:Unsubscribe', pages, centralDeployment))).toBe(true);
    for (const principal of [execRole('anything'), execRole(`${BASE.region}-x`), execRole('us-west-2')]) {
      expect(underScp(call('sns:Unsubscribe', pages, principal)), principal).toBe(false);
      expect(underScp(call('sns:SetSubscriptionAttributes', pages, principal)), principal).toBe(false);
      expect(underScp(call('lambda:AddPermission', fn, principal)), principal).toBe(false);
    }
  });

  it("lets only break-glass (which runs cdk bootstrap) make, delete or change the trust or policies of a bootstrap role: the real one's name made again included", () => {
    const bootstrapRoles = [...deployments, role(`cdk-datalek-deploy-role-${ACCOUNT}-${BASE.region}`), role(`cdk-datalek-cfn-exec-role-${ACCOUNT}-anything`)];
    const changes = (principal: string) => bootstrapRoles.flatMap((r) => BOOTSTRAP_ROLE_CHANGES.map((a) => call(`iam:${a}`, r, principal)));
    onlyBreakGlass(changes, [role('Admin'), role('OrganizationAccountAccessRole'), `arn:aws:iam::${ACCOUNT}:user/someone`, ...deployments]);
    // Another team's roles, and the shared bootstrap's, are not datalek's to hold.
    expect(underScp(call('iam:CreateRole', role('billing-report'), role('Admin')))).toBe(true);
    expect(underScp(call('iam:UpdateAssumeRolePolicy', role(`cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${BASE.region}`), role('Admin')))).toBe(true);
  });
});

describe('against direct invocation (review8 F3)', () => {
  it("reaches every function of the response stack: none has a name of its own, so CloudFormation's begins with the stack's", () => {
    expect(Object.keys(functions).length).toBeGreaterThan(5);
    for (const [id, f] of Object.entries(functions)) {
      expect(f.Properties.FunctionName, id).toBeUndefined();
      expect(underScp(invoke(arnOf(id), role('Admin'))), id).toBe(false);
      expect(underScp(invoke(`${arnOf(id)}:live`, role('Admin'))), `${id} by alias`).toBe(false);
    }
  });

  it('denies a direct invocation by anyone else, and a plain Bool would not (a direct call carries no lambda:InvokedViaFunctionUrl)', () => {
    const record = Object.keys(functions).find((id) => id.startsWith('Record')) as string;
    expect(underScp(invoke(arnOf(record), role('developer')))).toBe(false);
    expect(underScp(invoke(arnOf(record), role('developer'), false))).toBe(false);
    const plainBool = JSON.parse(JSON.stringify(scp.Statement).replace('BoolIfExists', 'Bool')) as Statement[];
    expect(allowed(invoke(arnOf(record), role('developer')), [[{ Effect: 'Allow', Action: '*', Resource: '*' }, ...plainBool]], BASE)).toBe(true);
  });

  it('leaves each caller the stacks set up working: services, the function URLs, the link function, the break-glass role', () => {
    // Resource policies: EventBridge (a service: SCPs do not reach it) and the function URLs.
    for (const [id, p] of Object.entries(template.findResources('AWS::Lambda::Permission'))) {
      const principal = String(p.Properties.Principal);
      const throughUrl = p.Properties.Action === 'lambda:InvokeFunctionUrl' || p.Properties.InvokedViaFunctionUrl === true;
      expect(principal.endsWith('.amazonaws.com') || throughUrl, `${id}: ${principal} ${p.Properties.Action}`).toBe(true);
    }
    // Identity policies granting invocation of a datalek function: only through its URL, or by a role the SCP exempts.
    const ownFunctionIds = new Set(Object.keys(functions));
    const roles = template.findResources('AWS::IAM::Role');
    // A permissions boundary grants nothing of its own.
    const boundaries = new Set(Object.values(roles).map((r) => r.Properties.PermissionsBoundary?.Ref));
    const policies = [...Object.entries(template.findResources('AWS::IAM::Policy')), ...Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))];
    const grants = policies
      .filter(([id]) => !boundaries.has(id))
      .flatMap(([, p]) =>
        (p.Properties.PolicyDocument.Statement as Statement[])
          .filter((st) => st.Effect === 'Allow' && [st.Action].flat().some((a) => /^lambda:Invoke(Function|Async|\*)$|^lambda:\*$|^\*$/.test(a)))
          .filter((st) =>
            JSON.stringify(st.Resource)
              .match(/"([A-Za-z0-9]+)"/g)
              ?.some((m) => ownFunctionIds.has(m.slice(1, -1))),
          )
          .map((st) => ({ st, roles: [p.Properties.Roles ?? []].flat().map((r: { Ref: string }) => roles[r.Ref]?.Properties.RoleName) })),
      );
    expect(grants.length).toBeGreaterThan(1);
    for (const { st, roles: names } of grants) {
      if (st.Condition?.Bool?.['lambda:InvokedViaFunctionUrl'] === 'true') continue;
      for (const name of names) expect(DIRECT_INVOKERS, `${st.Sid} of ${name}`).toContain(name);
      expect(names.length, String(st.Sid)).toBeGreaterThan(0);
    }
    const linkApply = Object.keys(functions).find((id) => id.startsWith('LinkApply')) as string;
    const acknowledge = Object.keys(functions).find((id) => id.startsWith('Acknowledge')) as string;
    expect(underScp(invoke(arnOf(linkApply), role(DIRECT_INVOKERS[0])))).toBe(true);
    expect(underScp(invoke(arnOf(acknowledge), role('on-call'), true))).toBe(true);
    expect(underScp(invoke(arnOf(linkApply), role(DEPLOY_CONTEXT.breakGlassRole)))).toBe(true);
  });

  it('is needed for the response stack alone: the other stacks have no functions of their own', () => {
    for (const stack of [stateful, ...forwarders, ...members]) {
      expect(Object.keys(Template.fromStack(stack).findResources('AWS::Lambda::Function')), stack.stackName).toEqual([]);
    }
  });
});

describe("against cutting the datalek topics' subscriptions (review10 S1)", () => {
  type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
  const TOPICS = ['datalek-on-call', 'datalek-on-call-alarms'];
  /** Where a target or an alarm action goes: one of the two topics, the WatchCalls queue, or something else. */
  function destination(arn: unknown, resources: Resources): string {
    const text = JSON.stringify(arn);
    const named = TOPICS.find((t) => new RegExp(`:${t}"`).test(text) || text.endsWith(`:${t}`));
    if (named) return named;
    const ref = (arn as { Ref?: string }).Ref ?? (arn as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt']?.[0];
    const r = ref ? resources[ref] : undefined;
    if (r?.Type === 'AWS::SNS::Topic' && TOPICS.includes(r.Properties.TopicName as string)) return r.Properties.TopicName as string;
    if (r?.Type === 'AWS::SQS::Queue') return `queue ${ref}`;
    // deploy20: a member account's watched calls, to the member-pages function, which pages on the alarm topic (test/infra/member-pages.test.ts).
    if (r?.Type === 'AWS::Lambda::Function' && JSON.stringify(r.Properties.Environment).includes('DATALEK_MEMBER_PAGES_TABLE')) return 'datalek-on-call-alarms';
    // A member's or forwarder's rule hands the call to the pipeline's bus, whose watch rules page as above.
    if (text.includes(':event-bus/')) return 'pipeline bus';
    return `elsewhere ${text}`;
  }

  it('is needed: every watch rule and every alarm reaches people only through the two topics (or a queue whose alarms go to them, or the pipeline bus)', () => {
    const elsewhere: string[] = [];
    let watched = 0;
    for (const stack of stacks) {
      const resources = Template.fromStack(stack).toJSON().Resources as Resources;
      for (const [id, r] of Object.entries(resources)) {
        if (r.Type === 'AWS::Events::Rule' && /watch/i.test(`${id} ${r.Properties.Name ?? ''}`)) {
          for (const t of r.Properties.Targets as { Arn: unknown }[]) {
            watched++;
            const to = destination(t.Arn, resources);
            if (to.startsWith('elsewhere')) elsewhere.push(`${stack.stackName}/${id}: ${to}`);
          }
        }
        if (r.Type === 'AWS::CloudWatch::Alarm') {
          for (const a of (r.Properties.AlarmActions ?? []) as unknown[]) {
            const to = destination(a, resources);
            if (!TOPICS.includes(to)) elsewhere.push(`${stack.stackName}/${id} (alarm): ${to}`);
          }
        }
      }
    }
    expect(watched).toBeGreaterThan(5);
    expect(elsewhere).toEqual([]);
  });

  /** Every topic of the stacks, by name, in its stack's region. */
  const topics = stacks.flatMap((s) =>
    Object.values(Template.fromStack(s).findResources('AWS::SNS::Topic')).map((t) => `arn:aws:sns:${s.region}:${ACCOUNT}:${t.Properties.TopicName}`),
  );
  const cuts = (principal: string) =>
    topics.flatMap((topic) =>
      ['sns:Unsubscribe', 'sns:SetSubscriptionAttributes'].flatMap((action) =>
        // A subscription's ARN is its topic's and an id; either may be what the call is authorized on.
        [topic, `${topic}:0b6c7a2e-1111-2222-3333-444455556666`].map((resource) => call(action, resource, principal)),
      ),
    );

  it("keeps anyone but the deployment and break-glass from unsubscribing or filtering any datalek topic's subscriptions, both alarm topics among them", () => {
    for (const name of TOPICS)
      expect(
        topics.some((t) => t.endsWith(`:${name}`)),
        name,
      ).toBe(true);
    expect(
      topics.every((t) => /:datalek-[^:]+$/.test(t)),
      topics.join(' '),
    ).toBe(true);
    for (const principal of [role('Admin'), role('OrganizationAccountAccessRole'), `arn:aws:iam::${ACCOUNT}:user/someone`]) {
      expect(
        cuts(principal)
          .filter(underScp)
          .map((a) => a.what),
      ).toEqual([]);
    }
  });

  it("lets the deployment of the topic's region (a subscription the stack drops or changes) and the break-glass role through, and another team's topic alone", () => {
    expect(
      cuts(role(DEPLOY_CONTEXT.breakGlassRole))
        .filter((a) => !underScp(a))
        .map((a) => a.what),
    ).toEqual([]);
    for (const principal of deployments) {
      const region = principal.split('-').slice(-3).join('-');
      const [own, others] = [true, false].map((mine) => cuts(principal).filter((a) => a.resource.includes(`:sns:${region}:`) === mine));
      expect(own.length, principal).toBeGreaterThan(0);
      expect(own.filter((a) => !underScp(a)).map((a) => a.what)).toEqual([]);
      // infra16: not another region's (a forwarder region's deployment taken over cut the central topics' subscriptions unrefused).
      expect(others.length, principal).toBeGreaterThan(0);
      expect(others.filter(underScp).map((a) => a.what)).toEqual([]);
    }
    expect(underScp(call('sns:Unsubscribe', `arn:aws:sns:${BASE.region}:${ACCOUNT}:billing-alerts:0b6c7a2e`, role('Admin')))).toBe(true);
    // Another bootstrap's execution role is no deployment of datalek's.
    expect(underScp(call('sns:Unsubscribe', topics[0], role(`cdk-other-cfn-exec-role-${ACCOUNT}-${BASE.region}`)))).toBe(false);
  });
});

describe("against a stack not named Datalek… given datalek's execution role (deploy12: its later updates name no role)", () => {
  // CloudFormation keeps a stack's role for every later operation, by anyone who may operate on the
  // stack, with no iam:PassRole and no role in the call: no watch rule can tell those updates from
  // another team's, so the role must never be set on such a stack.
  const stack = (name: string) => `arn:aws:cloudformation:${BASE.region}:${ACCOUNT}:stack/${name}/*`;
  const withRole = (action: string, stackName: string, principal: string, roleArn?: string): Authorization => ({
    action,
    resource: stack(stackName),
    context: { 'aws:PrincipalArn': principal, 'cloudformation:RoleArn': roleArn },
    what: `${principal}: ${action} on ${stackName} with ${roleArn ?? 'no role'}`,
  });
  const actions = ['CreateStack', 'UpdateStack', 'CreateChangeSet', 'DeleteStack', 'RollbackStack', 'ContinueUpdateRollback'].map((a) => `cloudformation:${a}`);
  const deployRole = role(`cdk-datalek-deploy-role-${ACCOUNT}-${BASE.region}`);
  const stackIn = (region: string, name: string) => `arn:aws:cloudformation:${region}:${ACCOUNT}:stack/${name}/0b6c7a2e-1111-2222-3333-444455556666`;

  it("denies it, each region's, to a Datalek… stack outside the pipeline's regions, where no watch rule sees the stack and its calls pass as the deployment's (attack16 K1)", () => {
    const unwatched = 'ap-southeast-2';
    expect(stacks.map((s) => s.region)).not.toContain(unwatched);
    for (const principal of [role('Admin'), deployRole, role(DEPLOY_CONTEXT.breakGlassRole)])
      for (const action of actions)
        for (const exec of deployments) {
          const shadow = { ...withRole(action, 'DatalekShadow', principal, exec), resource: stackIn(unwatched, 'DatalekShadow') };
          expect(underScp(shadow), `${shadow.what} in ${unwatched}`).toBe(false);
        }
    // Cloud Control's calls with it (no stack at all; unconfirmed that they carry cloudformation:RoleArn), and without it another team's.
    for (const action of ['CreateResource', 'UpdateResource', 'DeleteResource'].map((a) => `cloudformation:${a}`)) {
      expect(underScp({ action, resource: '*', context: { 'aws:PrincipalArn': role('Admin'), 'cloudformation:RoleArn': deployments[0] }, what: action })).toBe(
        false,
      );
      expect(underScp({ action, resource: '*', context: { 'aws:PrincipalArn': role('Admin') }, what: action })).toBe(true);
    }
  });

  it('denies setting it on a stack of another name to everyone, the deploy role and break-glass included, in any region', () => {
    for (const principal of [role('Admin'), deployRole, role(DEPLOY_CONTEXT.breakGlassRole)])
      for (const action of actions)
        for (const exec of [...deployments, role(`cdk-datalek-cfn-exec-role-${ACCOUNT}-us-west-2`)])
          for (const name of ['Shadow', 'billing-report', 'XDatalekState'])
            expect(underScp(withRole(action, name, principal, exec)), withRole(action, name, principal, exec).what).toBe(false);
  });

  it("lets the deployment through (a Datalek… stack with it, in each of the pipeline's regions), and another team's stacks with their own role or none", () => {
    for (const action of actions) {
      for (const name of ['DatalekResponse', 'DatalekState', `DatalekForwarder-${DEPLOY_CONTEXT.forwardFrom}`, 'DatalekToolkit'])
        expect(underScp(withRole(action, name, deployRole, deployments[0])), `${action} ${name}`).toBe(true);
      const forwarder = `DatalekForwarder-${DEPLOY_CONTEXT.forwardFrom}`;
      expect(underScp({ ...withRole(action, forwarder, deployRole, deployments[1]), resource: stackIn(DEPLOY_CONTEXT.forwardFrom, forwarder) })).toBe(true);
      // readD16 D1: the example's regions deploy DatalekIamForward in us-east-1 with us-east-1's execution role; the shipped
      // policy named only eu-west-1's and eu-central-1's stacks, so it refused that stack's every deploy and upgrade.
      const iamForwardDeploy = { ...withRole(action, 'DatalekIamForward', deployRole, usEast1Deployment), resource: stackIn('us-east-1', 'DatalekIamForward') };
      expect(underScp(iamForwardDeploy), iamForwardDeploy.what).toBe(true);
      expect(underScp(withRole(action, 'billing-report', role('Admin')))).toBe(true);
      expect(underScp(withRole(action, 'billing-report', role('Admin'), role(`cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${BASE.region}`)))).toBe(true);
    }
  });
});

describe("against a new version of the bootstrap's managed policies (deploy12: the execution policy)", () => {
  const policies = [`arn:aws:iam::${ACCOUNT}:policy/cdk-datalek-cfn-exec-policy`, `arn:aws:iam::${ACCOUNT}:policy/deploy/cdk-datalek-permissions-boundary`];
  const changes = ['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion'];

  it('lets only break-glass make or choose a version: a new default version grants anything to the execution role', () => {
    for (const p of policies)
      for (const action of changes) {
        for (const principal of [role('Admin'), ...deployments]) expect(underScp(call(action, p, principal)), `${principal} ${action} ${p}`).toBe(false);
        expect(underScp(call(action, p, role(DEPLOY_CONTEXT.breakGlassRole))), `${action} ${p}`).toBe(true);
      }
    expect(underScp(call('iam:CreatePolicyVersion', `arn:aws:iam::${ACCOUNT}:policy/billing-report`, role('Admin')))).toBe(true);
  });
});

describe("against a new version of a fixed-name datalek-* managed policy (infra14: a role's boundary loosened)", () => {
  const policies = ['datalek-contain-boundary', 'datalek-link-boundary', 'datalek-on-call-acknowledge'].map((n) => `arn:aws:iam::${ACCOUNT}:policy/${n}`);
  const changes = ['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicyVersion'];

  it('lets only the deployment (it updates a boundary so) and break-glass make, choose or delete a version', () => {
    for (const p of policies)
      for (const action of changes) {
        expect(underScp(call(action, p, role('Admin'))), `Admin ${action} ${p}`).toBe(false);
        for (const principal of [centralDeployment, role(DEPLOY_CONTEXT.breakGlassRole)])
          expect(underScp(call(action, p, principal)), `${principal} ${action} ${p}`).toBe(true);
      }
    expect(underScp(call('iam:DeletePolicyVersion', `arn:aws:iam::${ACCOUNT}:policy/billing-report`, role('Admin')))).toBe(true);
  });

  it("lets each region's deployment version its own stacks' policies alone, not another region's or the central ones (infra16)", () => {
    const policy = (name: string) => `arn:aws:iam::${ACCOUNT}:policy/${name}`;
    const central = ['datalek-contain-boundary', 'datalek-function-boundary', 'datalek-on-call-read-containment', 'datalek-contain-function-overflow-1'];
    const owners: [string, string[]][] = [
      [centralDeployment, central],
      [deployments[1], [`datalek-forward-boundary-${DEPLOY_CONTEXT.forwardFrom}`]],
      [usEast1Deployment, ['datalek-iam-forward-boundary']],
    ];
    // The other regions' deployments are not told apart by the policy (one statement for them all: room); the watch pages theirs.
    for (const [principal, own] of owners)
      for (const [, names] of owners)
        for (const name of names)
          for (const action of changes)
            expect(underScp(call(action, policy(name), principal)), `${principal} ${action} ${name}`).toBe((names === central) === (own === central));
  });
});

describe('against a new version of a managed policy on a datalek role that has no fixed name (fgsec15 S1)', () => {
  // CDK's overflow policies (the contain function's: sts:AssumeRole into every member, the Deny on instance
  // attributes), the member's for datalek-containment, the forwarders' and DatalekIamForward's boundaries were
  // named <stack>-<id>-<random>: the SCP and every watch rule name datalek-*, so a new default version of one
  // (a forward role's boundary allowing nothing: every forwarded call a dead letter) was neither refused nor paged.
  /** Each managed policy attached to, or the boundary of, a role of a datalek stack, by the name CloudFormation gives it. */
  const rolePolicies = all.flatMap((s) => {
    const t = Template.fromStack(s);
    const boundaries = new Set(Object.values(t.findResources('AWS::IAM::Role')).map((r) => JSON.stringify(r.Properties.PermissionsBoundary ?? null)));
    return Object.entries(t.findResources('AWS::IAM::ManagedPolicy'))
      .filter(([id, p]) => (p.Properties.Roles ?? []).length > 0 || boundaries.has(JSON.stringify({ Ref: id })))
      .map(([id, p]) => ({
        where: `${s.stackName}/${id}`,
        account: s.account,
        name: String(p.Properties.ManagedPolicyName ?? `${s.stackName}-${id}-ABCDEF123456`),
      }));
  });
  it("finds the policies: the contain function's overflow, the member containment role's, each forwarder's and DatalekIamForward's boundary", () => {
    expect(rolePolicies.length).toBeGreaterThan(10);
    for (const stack of [response, ...members, ...forwarders, ...(iamForward ? [iamForward] : [])])
      expect(rolePolicies.some((p) => p.where.startsWith(`${stack.stackName}/`))).toBe(true);
    expect(pagedFor('CreatePolicyVersion', `arn:aws:iam::${ACCOUNT}:policy/datalek-contain-boundary`), 'premise: a named one pages').toContain(
      'datalek-watch-roles',
    );
  });

  it('names each datalek-*, so that making, choosing or deleting a version is denied by the SCP (pipeline account) and paged', () => {
    expect(rolePolicies.filter((p) => !p.name.startsWith('datalek-')).map((p) => p.where)).toEqual([]);
    const unguarded = rolePolicies.filter(({ account, name }) => {
      const arn = `arn:aws:iam::${account}:policy/${name}`;
      return ['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicyVersion'].some(
        (action) => pagedFor(action.slice(4), arn).length === 0 || (account === ACCOUNT && underScp(call(action, arn, role('Admin')))),
      );
    });
    expect(unguarded.map((p) => p.where)).toEqual([]);
  });
});

describe('against a forward role broken, or the alarm that would page it silenced (last-b B1, B2)', () => {
  // A Deny put on a forward role (datalek-iam-forward-role in us-east-1; a forwarder region's), AWSDenyAll attached
  // or its trust changed stops every forward, and the one page for it travels through that very role: a dead letter.
  // Then DisableAlarmActions on the dead-letter alarm: nothing pages again. The forwarders' role had no fixed name.
  /** Each role of the app's stacks, by the name CloudFormation gives it. */
  const roles = all.flatMap((s) =>
    Object.entries(Template.fromStack(s).findResources('AWS::IAM::Role')).map(([id, r]) => ({
      where: `${s.stackName}/${id}`,
      name: String(r.Properties.RoleName ?? `${s.stackName}-${id}-ABCDEF123456`.slice(0, 64)),
    })),
  );
  const forwardRoles = roles.filter((r) => r.name.includes('forward-role')).map((r) => r.name);
  /** Each datalek alarm of the pipeline account's stacks (DatalekIamForward's in us-east-1 too), by ARN. */
  const alarms = [...stacks, ...(iamForward ? [iamForward] : [])].flatMap((s) =>
    Object.values(Template.fromStack(s).findResources('AWS::CloudWatch::Alarm')).map(
      (a) => `arn:aws:cloudwatch:${s.region}:${ACCOUNT}:alarm:${a.Properties.AlarmName}`,
    ),
  );
  const silencing = ['DisableAlarmActions', 'DeleteAlarms', 'PutMetricAlarm', 'SetAlarmState'].map((a) => `cloudwatch:${a}`);
  const breaks = (principal: string, names = forwardRoles) =>
    names.flatMap((name) => BOOTSTRAP_ROLE_CHANGES.map((a) => call(`iam:${a}`, role(name), principal)));
  const silences = (principal: string, arns = alarms) => arns.flatMap((arn) => silencing.map((action) => call(action, arn, principal)));

  it("names every role of the stacks datalek-…, the forwarders' included, so that a policy put on one, attached to it or its trust changed pages", () => {
    expect(pagedFor('PutRolePolicy', 'datalek-contain-function', 'roleName').length, 'premise: a function role pages').toBeGreaterThan(0);
    expect(forwardRoles.sort()).toEqual(['datalek-forward-role-eu-central-1', 'datalek-iam-forward-role']);
    const unpaged = roles.filter(({ name }) =>
      ['PutRolePolicy', 'AttachRolePolicy', 'UpdateAssumeRolePolicy'].some((c) => pagedFor(c, name, 'roleName').length === 0),
    );
    expect(unpaged.map((r) => `${r.where} (${r.name})`)).toEqual([]);
  });

  it("refuses a forward role's trust or policies changed, and a datalek alarm silenced, to all but the deployment and break-glass", () => {
    expect(alarms.length).toBeGreaterThan(20);
    expect(alarms).toContain(`arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:datalek-iam-forward-dead-letters`);
    onlyBreakGlass((principal) => [...breaks(principal), ...silences(principal)], [role('Admin'), `arn:aws:iam::${ACCOUNT}:user/someone`]);
    // The central deployment the central alarms alone (infra16), no forward role; a forwarder region's and us-east-1's
    // (DatalekIamForward) the other regions' roles and alarms, not the central ones (they are not told apart: room).
    const central = (a: string) => a.includes(`:${DEPLOY_CONTEXT.region}:`);
    for (const principal of [centralDeployment, deployments[1], usEast1Deployment]) {
      const ownRoles = principal === centralDeployment ? [] : forwardRoles;
      const ownAlarms = alarms.filter((a) => central(a) === (principal === centralDeployment));
      expect(ownAlarms.length, principal).toBeGreaterThan(0);
      const own = [...breaks(principal, ownRoles), ...silences(principal, ownAlarms)];
      const others = [
        ...breaks(
          principal,
          forwardRoles.filter((r) => !ownRoles.includes(r)),
        ),
        ...silences(
          principal,
          alarms.filter((a) => !ownAlarms.includes(a)),
        ),
      ];
      expect(own.filter((a) => !underScp(a)).map((a) => a.what)).toEqual([]);
      expect(others.filter(underScp).map((a) => a.what)).toEqual([]);
    }
    // Another team's roles and alarms are not datalek's to hold.
    expect(underScp(call('iam:PutRolePolicy', role('billing-forward-role'), role('Admin')))).toBe(true);
    expect(underScp(call('cloudwatch:DisableAlarmActions', `arn:aws:cloudwatch:${BASE.region}:${ACCOUNT}:alarm:billing-late`, role('Admin')))).toBe(true);
  });
});

describe("against the staging bucket's settings changed (fgsec14 S2: one call turned its page off)", () => {
  // Every object written to cdk-datalek-assets-* pages through the bucket's own EventBridge notifications; one
  // PutBucketNotificationConfiguration with none turned them off (CloudTrail PutBucketNotification), unpaged and
  // allowed, and the next planted zip paged nobody. Its policy, versioning and lifecycle, and the bucket deleted, likewise.
  const buckets = [DEPLOY_CONTEXT.region, DEPLOY_CONTEXT.forwardFrom, 'us-east-1'].map((region) => `arn:aws:s3:::cdk-datalek-assets-${ACCOUNT}-${region}`);
  const settings = [
    's3:PutBucketNotification',
    's3:PutBucketPolicy',
    's3:DeleteBucketPolicy',
    's3:PutBucketVersioning',
    's3:PutLifecycleConfiguration',
    's3:PutBucketPublicAccessBlock',
    's3:PutBucketAcl',
    's3:DeleteBucket',
    // attack15 K6: settings whose IAM action is no PutBucket* (CloudTrail's PutBucket…/DeleteBucket… names, which
    // the watch pages on): the default encryption (a KMS key of the caller's), replication (the assets copied out), …
    's3:PutEncryptionConfiguration',
    's3:PutReplicationConfiguration',
    's3:PutAccelerateConfiguration',
    's3:PutInventoryConfiguration',
    's3:PutAnalyticsConfiguration',
    's3:PutMetricsConfiguration',
    's3:PutIntelligentTieringConfiguration',
  ];
  const changes = (principal: string) => buckets.flatMap((bucket) => settings.map((action) => call(action, bucket, principal)));
  const deployRole = role(`cdk-datalek-deploy-role-${ACCOUNT}-${BASE.region}`);
  const publishing = role(`cdk-datalek-file-publishing-role-${ACCOUNT}-${BASE.region}`);

  it('lets only break-glass (as which cdk bootstrap runs) change them: no deploy does', () => {
    onlyBreakGlass(changes, [role('Admin'), `arn:aws:iam::${ACCOUNT}:user/someone`, deployRole, publishing, ...deployments]);
  });

  it("leaves a deploy's uploads and reads working, and another team's bucket alone", () => {
    for (const action of ['s3:PutObject', 's3:GetObject', 's3:GetBucketLocation', 's3:ListBucket'])
      for (const resource of [buckets[0], `${buckets[0]}/3f2a9c0d.zip`])
        expect(underScp(call(action, resource, publishing)), `${action} ${resource}`).toBe(true);
    expect(underScp(call('s3:PutBucketNotification', 'arn:aws:s3:::billing-reports', role('Admin')))).toBe(true);
  });
});

describe('against the watch rules turned off together, before CloudTrail hands the first call to EventBridge (fgsec16 S2)', () => {
  const pipelineStacks = [stateful, response, ...forwarders, ...(iamForward ? [iamForward] : [])];
  /** Every rule of the pipeline account's stacks by the ARN it has when deployed (an unnamed one as CloudFormation names it, a custom bus's with the bus). */
  const rules = pipelineStacks.flatMap((s) =>
    Object.entries(Template.fromStack(s).findResources('AWS::Events::Rule')).map(([id, r]) => {
      const bus = typeof r.Properties.EventBusName === 'string' && r.Properties.EventBusName !== 'default' ? `${r.Properties.EventBusName}/` : '';
      return `arn:aws:events:${s.region}:${ACCOUNT}:rule/${bus}${r.Properties.Name ?? `${s.stackName}-${id}-1A2B3C4D5E6F`}`;
    }),
  );
  const silencing = (principal: string) =>
    rules.flatMap((rule) => ['DisableRule', 'DeleteRule', 'RemoveTargets', 'PutRule', 'PutTargets'].map((a) => call(`events:${a}`, rule, principal)));
  /** Those calls on the rules of the deployment's own region (deploy19: a deployment is excused for its region's rules alone), every rule's for break-glass. */
  const silencingOwn = (principal: string) => {
    const region = principal.match(/cfn-exec-role-\d+-(.+)$/)?.[1];
    return silencing(principal).filter((a) => !region || a.resource.split(':')[3] === region);
  };

  it("refuses anyone but the deployment and break-glass disabling, deleting, emptying or rewriting any datalek rule: the watch's, the finding and route rules, the forwards", () => {
    for (const name of ['datalek-watch-pipeline', 'datalek-watch-guard', 'datalek-watch-alarm-path', 'datalek-forward-findings', 'datalek/DatalekResponse-'])
      expect(
        rules.some((r) => r.includes(`rule/${name}`)),
        name,
      ).toBe(true);
    expect(rules.some((r) => r.includes('rule/DatalekResponse-FindingRouteRule'))).toBe(true);
    const { Statement } = deploymentScp(built) as { Statement: Statement[] };
    const underWritten = (a: Authorization) => allowed(a, [[{ Effect: 'Allow', Action: '*', Resource: '*' }, ...Statement]], BASE);
    const everyDeployment = [...new Set(pipelineStacks.map((s) => role(deploymentRoleName(s, ACCOUNT) as string)))];
    expect(everyDeployment).toContain(role(`cdk-datalek-cfn-exec-role-${ACCOUNT}-us-east-1`));
    for (const principal of [role('Admin'), role('OrganizationAccountAccessRole'), `arn:aws:iam::${ACCOUNT}:user/someone`])
      expect(
        silencing(principal)
          .filter(underWritten)
          .map((a) => a.what),
      ).toEqual([]);
    for (const principal of [...everyDeployment, role(DEPLOY_CONTEXT.breakGlassRole)])
      expect(
        silencingOwn(principal)
          .filter((a) => !underWritten(a))
          .map((a) => a.what),
      ).toEqual([]);
    // The shipped files too, every deployment's (readD16 D1: us-east-1's, DatalekIamForward's rules, was refused), and another team's rule is left alone.
    expect(silencing(role('Admin')).filter(underScp)).toEqual([]);
    for (const principal of everyDeployment)
      expect(
        silencingOwn(principal)
          .filter((a) => !underScp(a))
          .map((a) => a.what),
      ).toEqual([]);
    expect(underScp(call('events:DisableRule', `arn:aws:events:${BASE.region}:${ACCOUNT}:rule/billing-nightly`, role('Admin')))).toBe(true);
  });

  it("lets each region's deployment silence its own region's datalek rules alone, not the central ones from another region, nor another region's from the central one (deploy19: every region's deployment was excused for every region's rules)", () => {
    const regionOf = (arn: string) => arn.split(':')[3];
    const central = rules.filter((r) => regionOf(r) === DEPLOY_CONTEXT.region);
    const other = rules.filter((r) => regionOf(r) !== DEPLOY_CONTEXT.region);
    expect(new Set(other.map(regionOf))).toEqual(new Set([DEPLOY_CONTEXT.forwardFrom, 'us-east-1']));
    const { Statement } = deploymentScp(built) as { Statement: Statement[] };
    for (const underPolicy of [underScp, (a: Authorization) => allowed(a, [[{ Effect: 'Allow', Action: '*', Resource: '*' }, ...Statement]], BASE)]) {
      const silences = (principal: string, of: string[]) =>
        of.flatMap((rule) => RULE_SILENCING.map((a) => call(`events:${a}`, rule, principal))).filter(underPolicy);
      // The central deployment: the central rules, none of another region's.
      expect(silences(centralDeployment, other).map((a) => a.what)).toEqual([]);
      expect(silences(centralDeployment, central)).toHaveLength(central.length * RULE_SILENCING.length);
      // Another region's deployment: its own region's rules (the other regions' are not told apart: room), never the central ones.
      for (const [principal, region] of [
        [deployments[1], DEPLOY_CONTEXT.forwardFrom],
        [usEast1Deployment, 'us-east-1'],
      ]) {
        expect(silences(principal, central).map((a) => a.what)).toEqual([]);
        const own = other.filter((r) => regionOf(r) === region);
        expect(silences(principal, own)).toHaveLength(own.length * RULE_SILENCING.length);
      }
    }
  });
});

describe("against a federation session's page naming an IAM user (deploy19)", () => {
  it('refuses sts:GetFederationToken to everyone in the pipeline account, break-glass included: its sessions (FederatedUser) are the one caller type whose page would name an IAM user', () => {
    const federate = (principal: string) => call('sts:GetFederationToken', `arn:aws:sts::${ACCOUNT}:federated-user/x`, principal);
    for (const principal of [`arn:aws:iam::${ACCOUNT}:user/jan.devries`, role('Admin'), role(DEPLOY_CONTEXT.breakGlassRole), ...deployments])
      expect(underScp(federate(principal)), principal).toBe(false);
    const { Statement } = deploymentScp(built) as { Statement: Statement[] };
    expect(allowed(federate(`arn:aws:iam::${ACCOUNT}:user/jan.devries`), [[{ Effect: 'Allow', Action: '*', Resource: '*' }, ...Statement]], BASE)).toBe(false);
    // Another STS call stays.
    expect(underScp(call('sts:GetSessionToken', '*', `arn:aws:iam::${ACCOUNT}:user/jan.devries`))).toBe(true);
  });
});

describe("against negative values published into the alarms' own metrics (attack16 K4)", () => {
  const publish = (namespace: string, principal: string): Authorization => ({
    action: 'cloudwatch:PutMetricData',
    resource: '*',
    context: { 'aws:PrincipalArn': principal, 'cloudwatch:namespace': namespace },
    what: `${principal}: PutMetricData in ${namespace}`,
  });

  it("refuses anyone but break-glass publishing into datalek's namespace (nothing of datalek does: CloudWatch Logs' metric filters do), and leaves others' namespaces alone", () => {
    const namespaces = new Set(
      Object.values(template.findResources('AWS::Logs::MetricFilter')).flatMap((f) =>
        (f.Properties.MetricTransformations as { MetricNamespace: string }[]).map((m) => m.MetricNamespace),
      ),
    );
    expect([...namespaces]).toEqual(['datalek']);
    for (const principal of [role('Admin'), ...deployments, role(functionRoleName('contain'))]) expect(underScp(publish('datalek', principal))).toBe(false);
    expect(underScp(publish('datalek', role(DEPLOY_CONTEXT.breakGlassRole)))).toBe(true);
    expect(underScp(publish('billing', role('Admin')))).toBe(true);
  });
});

describe('the size of the policy a deployment writes (deploy12)', () => {
  const regions = ['eu-central-1', 'eu-west-2', 'eu-west-3', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-central-2', 'us-east-1', 'us-east-2'];
  const withRegions = (forwardFrom: string[]) =>
    buildApp({ ...DEPLOY_CONTEXT, ...NO_BUNDLING, forwardFrom: forwardFrom.join(','), breakGlassRole: 'b'.repeat(64) });

  /** Each document fits an SCP (an account's 12 digits in place of the placeholder), and together they hold the policy's statements, each once. */
  const expectSplit = (built: ReturnType<typeof withRegions>) => {
    const texts = deploymentScpTexts(built);
    expect(texts.length).toBeGreaterThan(1);
    expect(texts.length).toBeLessThanOrEqual(SCP_MAX_DOCUMENTS);
    for (const text of texts) expect(text.replaceAll(SCP_PLACEHOLDERS.account, ACCOUNT).length).toBeLessThanOrEqual(SCP_SIZE_LIMIT);
    const scp = deploymentScp(built);
    const documents = texts.map((text) => JSON.parse(text));
    for (const document of documents) expect(document.Version).toBe(scp.Version);
    expect(documents.flatMap((document) => document.Statement)).toEqual(scp.Statement);
  };

  it('is written as the deployer attaches it, in documents that each fit an SCP, with many regions (since fgsec16 S2 and attack16 K1, nine take two)', () => {
    expectSplit(withRegions(regions));
  });

  it('splits its statements into documents that each fit an SCP, rather than failing synth, where one would not fit (read12b B2)', () => {
    const many = [...regions, 'us-west-1', 'us-west-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'ap-northeast-2', 'ca-central-1', 'sa-east-1'];
    expectSplit(withRegions(many));
  });

  it("synthesizes the upgrade's deploy of a nine-region deployment, which names each region's execution role twice (read12b B2)", () => {
    const nine = ['eu-central-1', 'eu-west-2', 'eu-west-3', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-central-2', 'us-east-1'].join(',');
    expectSplit(buildApp({ ...DEPLOY_CONTEXT, ...NO_BUNDLING, forwardFrom: nine, sharedBootstrapUpgrade: 'true' }));
  });
});

describe('against a permission added to a datalek function (review10 K4)', () => {
  const addPermission = (functionArn: string, principal: string) => call('lambda:AddPermission', functionArn, principal);

  it('keeps anyone but the deployment and break-glass from adding a permission to any datalek function (an outside account let in is past every SCP)', () => {
    for (const id of Object.keys(functions)) {
      expect(underScp(addPermission(arnOf(id), role('Admin'))), id).toBe(false);
      expect(underScp(addPermission(`${arnOf(id)}:live`, role('Admin'))), `${id} by alias`).toBe(false);
      for (const principal of [centralDeployment, role(DEPLOY_CONTEXT.breakGlassRole)])
        expect(underScp(addPermission(arnOf(id), principal)), `${id} by ${principal}`).toBe(true);
      // infra16: the central deployment alone makes the functions.
      expect(underScp(addPermission(arnOf(id), deployments[1])), `${id} by a forwarder region's deployment`).toBe(false);
    }
    expect(underScp(addPermission(`arn:aws:lambda:${BASE.region}:${ACCOUNT}:function:billing-report`, role('Admin')))).toBe(true);
  });
});

describe("against a datalek function's code, configuration or concurrency replaced (sec24)", () => {
  /**
   * What makes a function run other code or stop: its code or configuration (environment, layers,
   * role, handler) replaced, its concurrency set to 0 or dropped, it deleted, a version published
   * or an alias pointed elsewhere, its retries and destinations, its URL made or changed (an
   * acknowledgement URL opened to anyone), a permission removed (EventBridge's: no finding reaches it).
   */
  const CHANGES = [
    'lambda:UpdateFunctionCode',
    'lambda:UpdateFunctionConfiguration',
    'lambda:PutFunctionConcurrency',
    'lambda:DeleteFunctionConcurrency',
    'lambda:DeleteFunction',
    'lambda:PublishVersion',
    'lambda:CreateAlias',
    'lambda:UpdateAlias',
    'lambda:DeleteAlias',
    'lambda:PutFunctionEventInvokeConfig',
    'lambda:UpdateFunctionEventInvokeConfig',
    'lambda:DeleteFunctionEventInvokeConfig',
    'lambda:CreateFunctionUrlConfig',
    'lambda:UpdateFunctionUrlConfig',
    'lambda:DeleteFunctionUrlConfig',
    'lambda:RemovePermission',
  ];
  const changes = (functionArn: string) => (principal: string) => CHANGES.map((action) => call(action, functionArn, principal));

  it('refuses them on every datalek function, by name or qualified, to all but the central deployment and break-glass', () => {
    for (const id of Object.keys(functions)) {
      onlyBreakGlass(changes(arnOf(id)), [role('Admin'), role('datalek-on-call'), role(functionRoleName('contain')), deployments[1], usEast1Deployment]);
      onlyBreakGlass(changes(`${arnOf(id)}:live`), [role('Admin')]);
      expect(
        changes(arnOf(id))(centralDeployment)
          .filter((a) => !underScp(a))
          .map((a) => a.what),
        id,
      ).toEqual([]);
    }
  });

  it("leaves another team's functions alone: containment stops a member's or the pipeline account's own compromised function so", () => {
    const other = `arn:aws:lambda:${BASE.region}:${ACCOUNT}:function:billing-report`;
    expect(
      changes(other)(role(functionRoleName('contain')))
        .filter((a) => !underScp(a))
        .map((a) => a.what),
    ).toEqual([]);
  });
});

describe('the upgrade from the shared bootstrap under the policy (read11b B4; README, Deploy: Upgrading)', () => {
  const shared = role(`cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${BASE.region}`);
  const fn = arnOf('AckFunction');
  const sub = `arn:aws:sns:${BASE.region}:${ACCOUNT}:datalek-on-call:0b6c7a2e-1111-2222-3333-444455556666`;
  /** The policy `cdk synth` writes for a context, attached. */
  const attached = (context: Record<string, string>) => {
    const policy = deploymentScp(buildApp({ ...DEPLOY_CONTEXT, ...NO_BUNDLING, ...context })) as { Statement: Statement[] };
    return (a: Authorization) => allowed(a, [[{ Effect: 'Allow', Action: '*', Resource: '*' }, ...policy.Statement]], BASE);
  };
  const deploys = (allowedBy: (a: Authorization) => boolean, principal: string) =>
    allowedBy(call('lambda:AddPermission', fn, principal)) && allowedBy(call('sns:Unsubscribe', sub, principal));

  it("refuses step 2 (the shared bootstrap's role) under the usual policy, so it is attached after step 3", () => {
    expect(deploys(attached({}), shared)).toBe(false);
    expect(deploys(attached({}), deployments[0])).toBe(true);
  });

  it("lets steps 2 and 3 through under the policy the upgrade's synth writes, where one is attached already", () => {
    const upgrade = attached({ sharedBootstrapUpgrade: 'true' });
    expect(deploys(upgrade, shared)).toBe(true);
    expect(deploys(upgrade, deployments[0])).toBe(true);
    expect(deploys(upgrade, role(`cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-anything`))).toBe(false);
  });
});
