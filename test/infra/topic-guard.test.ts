/**
 * Who may subscribe to and publish on datalek's topics (review7 G14; closing note, Still left): a
 * listener added by an account principal gets every page with its acknowledgement link and every FG
 * message; a message published by one forges a page. Each topic's policy denies both to the
 * account's own principals but those datalek needs, and every publisher the stacks set up stays
 * allowed. Evaluated with the IAM model of dynamodb-iam.ts on the synthesized policies: not AWS.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DEPLOY_CONTEXT, type Statement, synthesizedApp } from '../support/infra.js';
import { type Authorization, allowed, resolve } from './dynamodb-iam.js';

const ACCOUNT = DEPLOY_CONTEXT.account;
const { stateful, response, forwarders } = synthesizedApp();
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const EXEC_ROLE = (region: string) => role(`cdk-datalek-cfn-exec-role-${ACCOUNT}-${region}`);

/** Each datalek topic's name, its region and its policy's statements, with the tokens of partition, account and region resolved. */
function topics() {
  return [stateful, ...forwarders].flatMap((stack) => {
    const t = Template.fromStack(stack);
    const region = stack.region;
    const names = Object.fromEntries(Object.entries(t.findResources('AWS::SNS::Topic')).map(([id, r]) => [id, r.Properties.TopicName as string]));
    return Object.values(t.findResources('AWS::SNS::TopicPolicy')).flatMap((p) =>
      (p.Properties.Topics as { Ref: string }[]).map((ref) => ({
        name: `${region}/${names[ref.Ref]}`,
        region,
        arn: `arn:aws:sns:${region}:${ACCOUNT}:${names[ref.Ref]}`,
        statements: JSON.parse(
          JSON.stringify(p.Properties.PolicyDocument.Statement, (_, v) => {
            if (v && typeof v === 'object' && v.Ref === ref.Ref) return `arn:aws:sns:${region}:${ACCOUNT}:${names[ref.Ref]}`;
            if (v && typeof v === 'object' && 'Fn::Join' in v) return resolve(v, { partition: 'aws', region, account: ACCOUNT });
            if (v && typeof v === 'object' && 'Fn::Sub' in v) {
              // CloudFormation's pseudo parameters as Fn::Sub writes them, resolved for the test account.
              const sub = (name: string) => `\${AWS::${name}}`;
              return String(v['Fn::Sub']).replaceAll(sub('Partition'), 'aws').replaceAll(sub('AccountId'), ACCOUNT).replaceAll(sub('Region'), region);
            }
            return v;
          }),
        ) as Statement[],
      })),
    );
  });
}

/** Whether the topic's policy refuses `action` to the principal (an Allow elsewhere: its own policy or a service's statement here). */
const refused = (topic: ReturnType<typeof topics>[number], action: string, principal: string | undefined, service = false) => {
  const a: Authorization = {
    action,
    resource: topic.arn,
    context: { 'aws:PrincipalArn': principal, 'aws:PrincipalIsAWSService': String(service), 'aws:SecureTransport': 'true' },
    what: `${principal ?? 'a service'} ${action} on ${topic.name}`,
  };
  const deny = topic.statements.filter((st) => st.Effect === 'Deny');
  return !allowed(a, [[{ Effect: 'Allow', Action: '*', Resource: '*' }, ...deny]], { partition: 'aws', region: topic.region, account: ACCOUNT });
};

describe("datalek's topics: nobody of the account subscribes or publishes but datalek", () => {
  const all = topics();

  it('has the FG, on-call and alarm topics of the central region and the forwarder’s alarm topic', () => {
    expect(all.map((t) => t.name).sort()).toEqual([
      'eu-central-1/datalek-on-call-alarms',
      'eu-west-1/datalek-fg',
      'eu-west-1/datalek-on-call',
      'eu-west-1/datalek-on-call-alarms',
    ]);
  });

  it("refuses a subscription by an administrator of the account, and takes the stack's own (CloudFormation's execution role) and the break-glass role's", () => {
    for (const topic of all) {
      expect(refused(topic, 'sns:Subscribe', role('Admin')), topic.name).toBe(true);
      expect(refused(topic, 'sns:Subscribe', role('datalek-on-call')), topic.name).toBe(true);
      expect(refused(topic, 'sns:Subscribe', EXEC_ROLE(topic.region)), topic.name).toBe(false);
      expect(refused(topic, 'sns:Subscribe', role(DEPLOY_CONTEXT.breakGlassRole)), topic.name).toBe(false);
    }
  });

  it('refuses a message published by an administrator, and takes every publisher the stacks set up: the functions granted it, on-call’s CLI, the alarms and the rules', () => {
    for (const topic of all) {
      expect(refused(topic, 'sns:Publish', role('Admin')), topic.name).toBe(true);
      // CloudWatch's alarms and EventBridge's rules publish as services (their Allows here name the alarms and rules).
      expect(refused(topic, 'sns:Publish', undefined, true), topic.name).toBe(false);
    }
    // Each role the response stack lets publish on a topic may still do so there.
    const r = Template.fromStack(response);
    const roles = r.findResources('AWS::IAM::Role');
    const grants = Object.values(r.findResources('AWS::IAM::Policy')).flatMap((p) =>
      (p.Properties.PolicyDocument.Statement as Statement[])
        .filter((st) => st.Effect === 'Allow' && [st.Action].flat().includes('sns:Publish'))
        .flatMap((st) =>
          (p.Properties.Roles as { Ref: string }[]).map((ref) => ({
            role: roles[ref.Ref].Properties.RoleName as string,
            resource: JSON.stringify(st.Resource),
          })),
        ),
    );
    // deploy20: member-pages, on the alarm topic (a member account's watched calls, within a bound).
    expect([...new Set(grants.map((g) => g.role))].sort()).toEqual(['datalek-member-pages-function', 'datalek-notify-function', 'datalek-sweep-function']);
    for (const g of grants) {
      // By the topic's region and whole name: `datalek-on-call` is the start of `datalek-on-call-alarms` too, which every region has.
      for (const topic of all.filter((t) => g.resource.includes(`:${t.arn.split(':')[3]}:`) && g.resource.includes(`:${t.arn.split(':').pop()}"`))) {
        expect(refused(topic, 'sns:Publish', role(g.role)), `${g.role} on ${topic.name}`).toBe(false);
      }
    }
    // `datalek … --target aws` tells the FG and on-call with on-call's credentials, or the FG's own role's (sec26).
    for (const topic of all.filter((t) => /datalek-(fg|on-call)$/.test(t.name))) {
      expect(refused(topic, 'sns:Publish', role('datalek-on-call')), topic.name).toBe(false);
      expect(refused(topic, 'sns:Publish', role('datalek-fg')), topic.name).toBe(false);
    }
    // Never the alarms' topic.
    for (const topic of all.filter((t) => t.name.endsWith('datalek-on-call-alarms')))
      expect(refused(topic, 'sns:Publish', role('datalek-fg')), topic.name).toBe(true);
  });

  // review11 K2: one such call on each alarm topic, a second apart, broke both before CloudTrail told either (each is
  // paged only through these topics); the SCP's Denies reached only subscriptions, and where it is attached.
  it("refuses deleting a topic, replacing its policy or key, a data protection policy, a statement removed or added, by an administrator or on-call; takes the stack's own and the break-glass role's", () => {
    const actions = ['sns:DeleteTopic', 'sns:SetTopicAttributes', 'sns:PutDataProtectionPolicy', 'sns:RemovePermission', 'sns:AddPermission'];
    const open: string[] = [];
    const shut: string[] = [];
    for (const topic of all)
      for (const action of actions) {
        for (const principal of [role('Admin'), role('datalek-on-call'), `arn:aws:iam::${ACCOUNT}:user/someone`])
          if (!refused(topic, action, principal)) open.push(`${principal} ${action} ${topic.name}`);
        for (const principal of [EXEC_ROLE(topic.region), role(DEPLOY_CONTEXT.breakGlassRole)])
          if (refused(topic, action, principal)) shut.push(`${principal} ${action} ${topic.name}`);
      }
    expect({ open, shut }).toEqual({ open: [], shut: [] });
  });
});
