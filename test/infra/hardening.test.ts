/**
 * The AWS side must not itself be the way in (issue #11): trust, escalation, alarms that can be
 * delivered, keys that cannot be deleted, scoped and per-function permissions, encrypted queues.
 * Each assertion reads the synthesized templates.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type DatalekApp } from '../../infra/build-app.js';
import { DeployConfigError } from '../../infra/config.js';
import { WATCH_RULE_PREFIX } from '../../infra/constructs/pipeline-watch.js';
import { IAM_WRITE_ACTIONS } from '../../infra/containment-policy.js';
import { actionsOf, DEPLOY_CONTEXT, NO_BUNDLING, policyStatements, roleStatements, type Statement, synthesizedApp, warningsOf } from '../support/infra.js';

const PIPELINE = DEPLOY_CONTEXT.account;
const MEMBER = DEPLOY_CONTEXT.memberAccounts;
const ORG = 'o-a1b2c3d4e5';

/** `{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::…"]]}` → `arn:aws:iam::…`. */
function text(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\{"Ref":"AWS::Partition"\}/g, '"aws"')
    .replace(/\{"Fn::Join":\["",\[((?:"[^"]*",?)*)\]\]\}/g, (_, parts: string) => JSON.stringify((JSON.parse(`[${parts}]`) as string[]).join('')));
}

/**
 * `d` is a Deny of exactly `actions` on `resource` to every principal but the break-glass role and
 * the region's datalek deployment (its CDK bootstrap's execution role: infra/deploy-role.ts).
 */
function expectOnlyBreakGlassOrDeployment(d: Statement, expected: { actions: string[]; resource: unknown; region: string }): void {
  expect(d.Effect).toBe('Deny');
  expect(d.Principal).toEqual({ AWS: '*' });
  expect(actionsOf(d).sort()).toEqual(expected.actions);
  expect(text(d.Resource)).toBe(text(expected.resource));
  expect(text(d.Condition).replace(/\{"Fn::Sub":("[^"]*")\}/g, (_, v) => v.replace(['$', '{AWS::Partition}'].join(''), 'aws'))).toBe(
    `{"ArnNotEquals":{"aws:PrincipalArn":["arn:aws:iam::${PIPELINE}:role/datalek-break-glass","arn:aws:iam::${PIPELINE}:role/cdk-datalek-cfn-exec-role-${PIPELINE}-${expected.region}"]}}`,
  );
}

describe('the hardened AWS side', () => {
  let built: DatalekApp;
  let withOrg: DatalekApp;
  let state: Template;
  let response: Template;
  let member: Template;
  let forwarder: Template;

  beforeAll(() => {
    built = synthesizedApp();
    withOrg = synthesizedApp({ ...DEPLOY_CONTEXT, organizationId: ORG, containConcurrency: '25', breakGlassRole: 'BreakGlass' });
    state = Template.fromStack(built.stateful);
    response = Template.fromStack(built.response);
    member = Template.fromStack(built.members[0]);
    forwarder = Template.fromStack(built.forwarders[0]);
  }, 120_000);

  describe('member-account trust', () => {
    it('requires the pipeline account when member accounts are given, and the break-glass role always', () => {
      const { account: _, ...noAccount } = DEPLOY_CONTEXT;
      expect(() => buildApp({ ...noAccount, ...NO_BUNDLING })).toThrow(DeployConfigError);
      expect(() => buildApp({ ...noAccount, ...NO_BUNDLING })).toThrow(/account: required with memberAccounts/);
      const { breakGlassRole: __, ...noBreakGlass } = DEPLOY_CONTEXT;
      expect(() => buildApp({ ...noBreakGlass, ...NO_BUNDLING })).toThrow(/breakGlassRole: required/);
      expect(() => buildApp({ ...DEPLOY_CONTEXT, memberAccounts: PIPELINE, ...NO_BUNDLING })).toThrow(/is the pipeline account itself/);
    });

    it("trusts the pipeline account, only from the contain function's role, never by a plain role ARN", () => {
      const [role] = Object.values(member.findResources('AWS::IAM::Role'));
      expect(role.Properties.RoleName).toBe('datalek-containment');
      const trust = role.Properties.AssumeRolePolicyDocument.Statement as Statement[];
      expect(trust).toHaveLength(1);
      expect(text(trust[0].Principal)).toBe(`{"AWS":"arn:aws:iam::${PIPELINE}:root"}`);
      expect(text(trust[0].Condition)).toBe(`{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::${PIPELINE}:role/datalek-contain-function"}}`);
      response.hasResourceProperties('AWS::IAM::Role', { RoleName: 'datalek-contain-function' });
    });

    it('trusts it only from inside the organisation when organizationId is given', () => {
      const [role] = Object.values(Template.fromStack(withOrg.members[0]).findResources('AWS::IAM::Role'));
      const [trust] = role.Properties.AssumeRolePolicyDocument.Statement as Statement[];
      expect(trust.Condition?.StringEquals).toEqual({ 'aws:PrincipalOrgID': ORG });
      expect(text(trust.Condition?.ArnEquals)).toContain(`:iam::${PIPELINE}:role/datalek-contain-function`);
    });

    it('lets the contain function assume only the member accounts’ containment roles (or, with an organisation, its accounts’)', () => {
      const assume = roleStatements(response, 'datalek-contain-function').filter((st) => actionsOf(st).includes('sts:AssumeRole'));
      expect(assume).toHaveLength(1);
      expect(text(assume[0].Resource)).toBe(`"arn:aws:iam::${MEMBER}:role/datalek-containment"`);
      const org = roleStatements(Template.fromStack(withOrg.response), 'datalek-contain-function').find((st) => actionsOf(st).includes('sts:AssumeRole'));
      expect(org?.Condition).toEqual({ StringEquals: { 'aws:ResourceOrgID': ORG } });
    });
  });

  describe('service trust (confused deputy)', () => {
    // EventBridge, "Cross-service confused deputy prevention": for event bus rule targets the value
    // of aws:SourceArn is the rule's ARN, and aws:SourceAccount the account the rule is in.
    it("lets EventBridge assume the forwarder's role only for the forwarder's own rule, in the pipeline account", () => {
      const rules = Object.values(forwarder.findResources('AWS::Events::Rule')).filter((r) => !String(r.Properties.Name).startsWith(WATCH_RULE_PREFIX));
      expect(rules).toHaveLength(1);
      const [rule] = rules;
      expect(rule.Properties.Name).toBe('datalek-forward-findings');
      const [target] = rule.Properties.Targets;
      expect(JSON.stringify(target.Arn)).toMatch(/events:eu-west-1:111122223333:event-bus\/default/);
      const roleId = target.RoleArn['Fn::GetAtt'][0] as string;
      const trust = forwarder.findResources('AWS::IAM::Role')[roleId].Properties.AssumeRolePolicyDocument.Statement as Statement[];
      expect(trust).toHaveLength(1);
      expect(trust[0].Principal).toEqual({ Service: 'events.amazonaws.com' });
      expect(text(trust[0].Condition)).toBe(
        `{"StringEquals":{"aws:SourceAccount":"${PIPELINE}"},"ArnEquals":{"aws:SourceArn":"arn:aws:events:eu-central-1:${PIPELINE}:rule/datalek-forward-findings"}}`,
      );
    });

    it('names the source of every role EventBridge may assume, in every stack', () => {
      for (const stack of [built.stateful, built.response, ...built.members, ...built.forwarders, ...withOrg.forwarders]) {
        for (const role of Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))) {
          for (const st of role.Properties.AssumeRolePolicyDocument.Statement as Statement[]) {
            if (!JSON.stringify(st.Principal).includes('events.amazonaws.com')) continue;
            expect(st.Condition?.ArnEquals?.['aws:SourceArn'], stack.stackName).toBeDefined();
            expect(st.Condition?.StringEquals?.['aws:SourceAccount'], stack.stackName).toBeDefined();
          }
        }
      }
    });
  });

  describe('no privilege escalation', () => {
    const deny = (statements: Statement[]) => statements.find((st) => st.Effect === 'Deny' && actionsOf(st).includes('iam:Put*'));

    it('narrows what IAM can narrow: a function URL only to AWS_IAM, no write on principals tagged datalek:protected', () => {
      for (const statements of [roleStatements(response, 'datalek-contain-function'), roleStatements(member, 'datalek-containment')]) {
        const url = statements.find((st) => st.Effect === 'Deny' && actionsOf(st).includes('lambda:UpdateFunctionUrlConfig'));
        expect(url?.Condition).toEqual({ StringNotEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } });
        expect(text(url?.Resource)).toBe('"arn:aws:lambda:*:*:function:*"');
        const tagged = statements.find((st) => st.Effect === 'Deny' && actionsOf(st).includes('iam:PutUserPolicy'));
        expect(tagged?.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/datalek:protected': 'true' } });
        expect(actionsOf(tagged as Statement)).toEqual(['iam:PutRolePolicy', 'iam:PutUserPolicy', 'iam:UpdateAccessKey']);
        expect(text(tagged?.Resource)).toBe('["arn:aws:iam::*:role/*","arn:aws:iam::*:user/*"]');
      }
    });

    it('denies setting any instance attribute but the three containment protects with (UserData, InstanceType, SourceDestCheck…), at home and in member accounts (review 5, S1)', () => {
      // Containment sets DisableApiTermination, InstanceInitiatedShutdownBehavior and the volumes'
      // DeleteOnTermination (adapters/aws/containment/ec2.ts); the same grant set UserData of any
      // stopped instance (run as root at its next start, with its profile's credentials). A Deny on
      // the others, by EC2's ec2:Attribute key: where EC2 does not fill the key it never applies
      // (README, What remains), and it can never refuse containment's own three.
      const protective = ['disableapitermination', 'instanceinitiatedshutdownbehavior', 'blockdevicemapping', 'blockdevicemappings'];
      const dangerous = [
        'userData',
        'instanceType',
        'sourceDestCheck',
        'kernel',
        'ramdisk',
        'groupSet',
        'Groups',
        'ebsOptimized',
        'enaSupport',
        'disableApiStop',
      ];
      for (const statements of [roleStatements(response, 'datalek-contain-function'), roleStatements(member, 'datalek-containment')]) {
        const denies = statements.filter((st) => st.Effect === 'Deny' && actionsOf(st).includes('ec2:ModifyInstanceAttribute'));
        expect(denies).toHaveLength(1);
        const [deny] = denies;
        expect(actionsOf(deny)).toEqual(['ec2:ModifyInstanceAttribute']);
        expect(Object.keys(deny.Condition ?? {})).toEqual(['StringEqualsIgnoreCase']);
        const attributes = [deny.Condition?.StringEqualsIgnoreCase['ec2:Attribute']].flat() as string[];
        for (const a of dangerous) expect(attributes, a).toContain(a);
        expect(attributes.filter((a) => protective.includes(a.toLowerCase()))).toEqual([]);
      }
    });

    it("denies every Lambda call on the pipeline's own functions, at home and in member accounts, and every function the stacks make is one", () => {
      for (const statements of [roleStatements(response, 'datalek-contain-function'), roleStatements(member, 'datalek-containment')]) {
        const d = statements.find((st) => st.Effect === 'Deny' && actionsOf(st).includes('lambda:*'));
        expect(d, 'an explicit Deny on the functions').toBeDefined();
        // The pipeline's account only: a `datalek-…` function a member account holds is anyone's name (review3 attack §12).
        expect(text(d?.Resource)).toBe(`["arn:aws:lambda:*:${PIPELINE}:function:datalek-*","arn:aws:lambda:*:${PIPELINE}:function:Datalek*"]`);
      }
      // Every function told the policy is told which account is the pipeline's: the planner spares that account's functions only.
      const told = Object.values(response.findResources('AWS::Lambda::Function')).map((f) => f.Properties.Environment?.Variables ?? {});
      const planners = told.filter((v) => 'DATALEK_POLICY' in v);
      expect(planners.length).toBeGreaterThan(0);
      for (const v of planners) expect(v.DATALEK_PIPELINE_ACCOUNT).toBe(PIPELINE);
      // A function the stacks name is datalek-…; one CloudFormation names is <stack name>-…, and every stack's name is Datalek….
      for (const stack of [built.stateful, built.response, ...built.members, ...built.forwarders]) {
        expect(stack.stackName).toMatch(/^Datalek/);
        for (const fn of Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))) {
          const name = fn.Properties.FunctionName;
          if (name !== undefined) expect(text(name)).toMatch(/^"datalek-/);
        }
      }
    });

    it("denies every IAM write on the pipeline's own roles, AWS service roles and SSO roles, at home and in member accounts", () => {
      const org = Template.fromStack(withOrg.response);
      for (const [statements, breakGlass] of [
        [roleStatements(response, 'datalek-contain-function'), 'datalek-break-glass'],
        [roleStatements(member, 'datalek-containment'), 'datalek-break-glass'],
        [roleStatements(org, 'datalek-contain-function'), 'BreakGlass'],
      ] as const) {
        const d = deny(statements);
        expect(d, 'an explicit Deny').toBeDefined();
        const resources = text(d?.Resource);
        for (const r of ['role/aws-service-role/*', 'role/aws-reserved/*', 'policy/datalek-*']) {
          expect(resources).toContain(`:iam::*:${r}"`);
        }
        // `datalek-*` in the pipeline's account only: elsewhere a name is anyone's to choose (review3 attack §12).
        expect(resources).toContain(`:iam::${PIPELINE}:role/datalek-*"`);
        expect(resources).not.toContain(':iam::*:role/datalek-*"');
        expect(resources).toContain(`:iam::*:role/${breakGlass}"`);
        // Every write verb, including the ones containment itself uses.
        expect(actionsOf(d as Statement)).toEqual(IAM_WRITE_ACTIONS);
        for (const used of ['iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:UpdateAssumeRolePolicy', 'iam:DeleteRolePermissionsBoundary', 'iam:PassRole']) {
          expect(
            IAM_WRITE_ACTIONS.some((p) => new RegExp(`^${p.replace('*', '.*')}$`).test(used)),
            used,
          ).toBe(true);
        }
      }
    });

    it('denies IAM writes on every role the member stack creates, and not on a `datalek-…` role someone else creates there', () => {
      const d = deny(roleStatements(member, 'datalek-containment')) as Statement;
      const patterns = JSON.parse(text(d.Resource)) as string[];
      const denied = (arn: string) =>
        patterns.some((p) =>
          new RegExp(
            `^${p
              .split('*')
              .map((x) => x.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
              .join('.*')}$`,
          ).test(arn),
        );
      const names = Object.values(member.findResources('AWS::IAM::Role')).map((r) => r.Properties.RoleName as string);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) expect(denied(`arn:aws:iam::${MEMBER}:role/${name}`), name).toBe(true);
      expect(denied(`arn:aws:iam::${MEMBER}:role/datalek-backup`)).toBe(false);
      expect(denied(`arn:aws:iam::${PIPELINE}:role/datalek-backup`)).toBe(true);
    });

    it('puts a permissions boundary with the same Deny on every role the stacks create', () => {
      for (const stack of [built.response, ...built.members, ...built.forwarders]) {
        const t = Template.fromStack(stack);
        const roles = Object.values(t.findResources('AWS::IAM::Role'));
        expect(roles.length).toBeGreaterThan(0);
        for (const role of roles) expect(role.Properties.PermissionsBoundary, `${stack.stackName} ${role.Properties.RoleName}`).toBeDefined();
      }
      for (const [t, name] of [
        [response, 'datalek-contain-boundary'],
        [member, 'datalek-containment-boundary'],
      ] as const) {
        const [boundary] = Object.values(t.findResources('AWS::IAM::ManagedPolicy')).filter((p) => p.Properties.ManagedPolicyName === name);
        expect(deny(boundary.Properties.PolicyDocument.Statement)).toBeDefined();
        // Nothing in the boundary allows an IAM write beyond containment's three: a key set
        // inactive, and the session-revocation deny on a role or (issue #12) on an IAM user.
        const iamWrites = (boundary.Properties.PolicyDocument.Statement as Statement[])
          .filter((st) => st.Effect === 'Allow')
          .flatMap(actionsOf)
          .filter((a) => a.startsWith('iam:') && !a.startsWith('iam:Get') && !a.startsWith('iam:List'));
        expect(iamWrites.sort()).toEqual(['iam:PutRolePolicy', 'iam:PutUserPolicy', 'iam:UpdateAccessKey']);
      }
    });

    it('allows containment in the boundary of the contain function only, never of the other functions (the public link function least of all)', () => {
      const roles = response.findResources('AWS::IAM::Role');
      const policies = response.findResources('AWS::IAM::ManagedPolicy');
      const boundaryOf = (name: string) => {
        const role = Object.values(roles).find((r) => r.Properties.RoleName === name);
        return policies[role?.Properties.PermissionsBoundary.Ref];
      };
      expect(boundaryOf('datalek-contain-function').Properties.ManagedPolicyName).toBe('datalek-contain-boundary');
      // The public link function's own boundary allows invoking the link-apply function and its log, nothing else.
      const link = (boundaryOf('datalek-link-function').Properties.PolicyDocument.Statement as Statement[])
        .filter((st) => st.Effect === 'Allow')
        .flatMap(actionsOf);
      expect(boundaryOf('datalek-link-function').Properties.ManagedPolicyName).toBe('datalek-link-boundary');
      expect(new Set(link)).toEqual(new Set(['logs:CreateLogStream', 'logs:PutLogEvents', 'lambda:InvokeFunction']));
      for (const name of ['record-finding', 'notify', 'sweep', 'acknowledge', 'link-apply']) {
        const boundary = boundaryOf(`datalek-${name}-function`);
        expect(boundary.Properties.ManagedPolicyName, name).toBe('datalek-function-boundary');
        const statements = boundary.Properties.PolicyDocument.Statement as Statement[];
        const allowed = statements.filter((st) => st.Effect === 'Allow').flatMap(actionsOf);
        expect(
          allowed.filter((a) => /^(ec2|iam|s3|sts|autoscaling|elasticloadbalancing|ecs|lambda|rds|backup):/.test(a)),
          name,
        ).toEqual([]);
        expect(deny(statements), name).toBeDefined();
        // The register is only ever added to: deleting is for Powertools' idempotency records.
        const deletes = statements.filter((st) => st.Effect === 'Allow' && actionsOf(st).includes('dynamodb:DeleteItem'));
        expect(text(deletes.map((st) => st.Resource)), name).not.toContain('datalek-incidents');
      }
    });
  });

  describe('events on the bus', () => {
    it('lets each function put on the bus only the events it announces, under the pipeline’s source', () => {
      const announces: Record<string, string[]> = {
        'record-finding': ['Incident Opened', 'Incident Updated'],
        contain: ['Containment Done', 'Containment Failed', 'Containment Left'],
        sweep: ['Reminder Due'],
        acknowledge: ['Incident Acknowledged'],
        'link-apply': ['Incident Acknowledged'],
        link: [],
        notify: [],
        anchor: [],
      };
      for (const [name, types] of Object.entries(announces)) {
        const puts = roleStatements(response, `datalek-${name}-function`).filter((st) => actionsOf(st).some((a) => a.startsWith('events:')));
        expect(puts.length, name).toBe(types.length ? 1 : 0);
        for (const st of puts) {
          expect(actionsOf(st), name).toEqual(['events:PutEvents']);
          expect(text(st.Resource), name).toBe('"arn:aws:events:eu-west-1:111122223333:event-bus/datalek"');
          expect(st.Condition, name).toEqual({ StringEquals: { 'events:source': 'datalek', 'events:detail-type': types } });
        }
      }
    });
  });

  describe('alarms that reach on-call', () => {
    it('lets CloudWatch alarms of this account named datalek-* publish to the alarm topic', () => {
      const policies = Object.values(state.findResources('AWS::SNS::TopicPolicy'));
      const onCall = policies.find((p) => JSON.stringify(p.Properties.Topics).includes('OnCallAlarms'));
      const allow = ((onCall?.Properties.PolicyDocument.Statement ?? []) as Statement[]).find((st) => st.Effect === 'Allow');
      expect(allow?.Principal).toEqual({ Service: 'cloudwatch.amazonaws.com' });
      expect(allow?.Action).toBe('sns:Publish');
      expect(text(allow?.Condition)).toBe(
        `{"StringEquals":{"aws:SourceAccount":"${PIPELINE}"},"ArnLike":{"aws:SourceArn":"arn:aws:cloudwatch:eu-west-1:${PIPELINE}:alarm:datalek-*"}}`,
      );
    });

    it('names every alarm datalek-* and sends it to a topic in its own region that allows it', () => {
      for (const [t, topic] of [
        [response, 'datalek-on-call-alarms'],
        [forwarder, 'OnCallAlarms'],
      ] as const) {
        const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm'));
        expect(alarms.length).toBeGreaterThan(0);
        for (const a of alarms) {
          expect(a.Properties.AlarmName).toMatch(/^datalek-/);
          expect(JSON.stringify(a.Properties.AlarmActions)).toContain(topic);
        }
      }
      const [policy] = Object.values(forwarder.findResources('AWS::SNS::TopicPolicy'));
      expect(text(policy.Properties.PolicyDocument)).toContain(`"aws:SourceArn":"arn:aws:cloudwatch:eu-central-1:${PIPELINE}:alarm:datalek-*"`);
    });

    it("alarms on the forwarder's dead-letter queue, its throttling and events it could not even put there", () => {
      const names = Object.values(forwarder.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmName);
      expect(names.sort()).toEqual([
        'datalek-alarms-undelivered',
        'datalek-forwarder-dead-letters',
        'datalek-forwarder-lost',
        'datalek-forwarder-throttled',
        'datalek-pipeline-changed',
        'datalek-watch-by-hand-undelivered',
        'datalek-watch-changes-undelivered',
        'datalek-watch-contain-role-undelivered',
        'datalek-watch-containment-iam-undelivered',
        'datalek-watch-containment-undelivered',
        'datalek-watch-ecs-placement-undelivered',
        'datalek-watch-group-tags-undelivered',
        'datalek-watch-guard-undelivered',
        'datalek-watch-new-calls',
        'datalek-watch-paging-undelivered',
        'datalek-watch-pipeline-undelivered',
        'datalek-watch-protected-tag-undelivered',
        'datalek-watch-register-undelivered',
        'datalek-watch-roles-undelivered',
        'datalek-watch-sources-undelivered',
        'datalek-watch-uploads-undelivered',
      ]);
      forwarder.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ThrottledRules', Namespace: 'AWS/Events' });
      forwarder.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'InvocationsFailedToBeSentToDlq', Namespace: 'AWS/Events' });
      forwarder.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.nl' });
    });

    it('pages when the sweep or the anchor stops running at all (no data is the breach)', () => {
      for (const [name, description] of [
        ['datalek-sweep-not-running', 'datalek: AP deadline reminders and on-call re-pages'],
        ['datalek-anchor-not-running', 'datalek: signed digest of the register to the Object Lock bucket'],
      ]) {
        const [alarm] = Object.values(response.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: name } }));
        expect(alarm?.Properties, name).toMatchObject({
          Namespace: 'AWS/Lambda',
          MetricName: 'Invocations',
          Statistic: 'Sum',
          ComparisonOperator: 'LessThanThreshold',
          Threshold: 1,
          Period: 300,
          EvaluationPeriods: 3,
          DatapointsToAlarm: 3,
          TreatMissingData: 'breaching',
        });
        const [fnId] = Object.entries(response.findResources('AWS::Lambda::Function')).find(([, f]) => f.Properties.Description === description) ?? [];
        expect(alarm.Properties.Dimensions).toEqual([{ Name: 'FunctionName', Value: { Ref: fnId } }]);
        expect(JSON.stringify(alarm.Properties.AlarmActions)).toContain('datalek-on-call-alarms');
      }
    });

    it('warns at synth when no one is subscribed to the alarms, in every region that has them', () => {
      const { onCallEmail: _, ...unsubscribed } = DEPLOY_CONTEXT;
      const bare = synthesizedApp(unsubscribed);
      for (const stack of [bare.stateful, ...bare.forwarders]) {
        expect(warningsOf(stack), stack.stackName).toContainEqual(expect.stringMatching(/no one receives the alarms/));
      }
      for (const stack of [built.stateful, ...built.forwarders]) {
        expect(warningsOf(stack).filter((w) => /no one receives the alarms/.test(w))).toEqual([]);
      }
    });

    it('turns an exposed interface into a metric with its own alarm', () => {
      response.hasResourceProperties('AWS::Logs::MetricFilter', {
        FilterPattern: '{ $.interfacesExposed > 0 }',
        MetricTransformations: [Match.objectLike({ MetricNamespace: 'datalek', MetricName: 'InterfacesExposed', MetricValue: '$.interfacesExposed' })],
      });
      response.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'datalek-interface-exposed', MetricName: 'InterfacesExposed', Threshold: 1 });
    });

    it('turns a refused containment (an enforced action the policy and findings do not call for) into a metric with its own alarm', () => {
      response.hasResourceProperties('AWS::Logs::MetricFilter', {
        FilterPattern: '{ $.containmentRefused > 0 }',
        MetricTransformations: [Match.objectLike({ MetricNamespace: 'datalek', MetricName: 'ContainmentRefused', MetricValue: '$.containmentRefused' })],
      });
      response.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'datalek-containment-refused', MetricName: 'ContainmentRefused', Threshold: 1 });
    });
  });

  describe('keys and encryption', () => {
    it('denies deleting or disabling the keys to everyone but the break-glass role', () => {
      for (const t of [state, forwarder]) {
        for (const key of Object.values(t.findResources('AWS::KMS::Key'))) {
          const d = (key.Properties.KeyPolicy.Statement as Statement[]).find((st) => st.Sid === 'OnlyBreakGlassDeletesOrDisables');
          expect(d?.Principal).toEqual({ AWS: '*' });
          expect(actionsOf(d as Statement).sort()).toEqual(['kms:DisableKey', 'kms:ScheduleKeyDeletion']);
          expect(text(d?.Condition)).toMatch(
            /^\{"ArnNotEquals":\{"aws:PrincipalArn":"arn:aws:iam::(111122223333|\{"Ref":"AWS::AccountId"\}):role\/datalek-break-glass"\}\}$/,
          );
        }
      }
    });

    it('denies replacing a key policy (and with it the Deny above) to everyone but the break-glass role and the stack’s deployments', () => {
      for (const [t, region] of [
        [state, 'eu-west-1'],
        [forwarder, 'eu-central-1'],
      ] as const) {
        const keys = Object.values(t.findResources('AWS::KMS::Key'));
        expect(keys.length).toBeGreaterThan(0);
        for (const key of keys) {
          const statements = key.Properties.KeyPolicy.Statement as Statement[];
          const replacing = statements.filter((st) => actionsOf(st).some((a) => a === 'kms:PutKeyPolicy' || a === 'kms:*'));
          const d = replacing.find((st) => st.Effect === 'Deny');
          expect(d?.Principal).toEqual({ AWS: '*' });
          expect(actionsOf(d as Statement)).toEqual(['kms:PutKeyPolicy']);
          expect(text(d?.Condition).replace(/\{"Fn::Sub":("[^"]*")\}/g, (_, v) => v.replace(['$', '{AWS::Partition}'].join(''), 'aws'))).toBe(
            `{"ArnNotEquals":{"aws:PrincipalArn":["arn:aws:iam::${PIPELINE}:role/datalek-break-glass","arn:aws:iam::${PIPELINE}:role/cdk-datalek-cfn-exec-role-${PIPELINE}-${region}"]}}`,
          );
        }
      }
    });

    it('denies taking the register tables’ protections off, deleting them or replacing their policy to everyone but the break-glass role and the deployments (review9 S1)', () => {
      const tables = Object.values(state.findResources('AWS::DynamoDB::Table'));
      expect(tables.map((t) => t.Properties.TableName).sort()).toEqual(['datalek-idempotency', 'datalek-incidents']);
      for (const table of tables) {
        expect(table.Properties).toMatchObject({ DeletionProtectionEnabled: true, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } });
        const [d, ...more] = table.Properties.ResourcePolicy.PolicyDocument.Statement as Statement[];
        // And who writes their items (sec24, sec25: test/infra/table-writers.test.ts).
        expect(more.map((st) => st.Sid)).toEqual(['OnlyItsFunctionsWriteItems']);
        // A table's policy takes effect only where its Resource is the table's own ARN.
        expectOnlyBreakGlassOrDeployment(d, {
          actions: [
            'dynamodb:DeleteResourcePolicy',
            'dynamodb:DeleteTable',
            'dynamodb:PutResourcePolicy',
            // The register's tag names the FG's role (fgrole, session 27).
            'dynamodb:TagResource',
            'dynamodb:UntagResource',
            'dynamodb:UpdateContinuousBackups',
            'dynamodb:UpdateTable',
          ],
          resource: `arn:aws:dynamodb:eu-west-1:${PIPELINE}:table/${table.Properties.TableName}`,
          region: 'eu-west-1',
        });
      }
    });

    it('denies purging, deleting or re-setting every datalek queue (the finding routes’ and functions’ dead letters, the watch’s calls) to everyone but the break-glass role and the deployment', () => {
      for (const [t, region] of [
        [response, 'eu-west-1'],
        [forwarder, 'eu-central-1'],
      ] as const) {
        const queues = Object.keys(t.findResources('AWS::SQS::Queue'));
        expect(queues.length).toBeGreaterThan(0);
        const policies = Object.values(t.findResources('AWS::SQS::QueuePolicy'));
        for (const id of queues) {
          const policy = policies.find((p) => text(p.Properties.Queues) === text([{ Ref: id }]));
          expect(policy, `${region}/${id}`).toBeDefined();
          const deny = ((policy?.Properties.PolicyDocument.Statement ?? []) as Statement[]).find((st) => actionsOf(st).includes('sqs:PurgeQueue'));
          expect(deny, `${region}/${id}`).toBeDefined();
          expectOnlyBreakGlassOrDeployment(deny as Statement, {
            actions: ['sqs:DeleteQueue', 'sqs:PurgeQueue', 'sqs:SetQueueAttributes'],
            resource: { 'Fn::GetAtt': [id, 'Arn'] },
            region,
          });
        }
      }
    });

    it('lets CloudWatch use a key only for this account’s datalek-* alarms in its region', () => {
      for (const [t, region] of [
        [state, 'eu-west-1'],
        [forwarder, 'eu-central-1'],
      ] as const) {
        const grants = Object.values(t.findResources('AWS::KMS::Key'))
          .flatMap((key) => key.Properties.KeyPolicy.Statement as Statement[])
          .filter((st) => JSON.stringify(st.Principal).includes('cloudwatch.amazonaws.com'));
        expect(grants).toHaveLength(1);
        expect(text(grants[0].Condition)).toBe(
          `{"StringEquals":{"aws:SourceAccount":"${PIPELINE}"},"ArnLike":{"aws:SourceArn":"arn:aws:cloudwatch:${region}:${PIPELINE}:alarm:datalek-*"}}`,
        );
      }
    });

    it('encrypts the event archive and every queue (they hold whole findings) with customer-managed keys', () => {
      state.hasResourceProperties('AWS::Events::Archive', { KmsKeyIdentifier: Match.anyValue() });
      expect(JSON.stringify(state.findResources('AWS::Events::Archive'))).not.toContain('"KmsKeyIdentifier":""');
      for (const t of [response, forwarder]) {
        const queues = Object.values(t.findResources('AWS::SQS::Queue'));
        expect(queues.length).toBeGreaterThan(0);
        for (const q of queues) {
          expect(q.Properties.KmsMasterKeyId, JSON.stringify(q.Properties)).toBeDefined();
          expect(q.Properties.SqsManagedSseEnabled).toBeUndefined();
        }
      }
    });
  });

  describe('scoped permissions', () => {
    it('lets containment change the rules of its own groups only: IPv6 for the all-traffic group, none left in the isolation group', () => {
      for (const statements of [roleStatements(response, 'datalek-contain-function'), roleStatements(member, 'datalek-containment')]) {
        const rules = statements.find((st) => st.Sid === 'RulesOfOwnGroupsOnly');
        // The all-traffic group gets IPv6 both ways; a tampered isolation group loses its rules.
        expect(actionsOf(rules as Statement).sort()).toEqual([
          'ec2:AuthorizeSecurityGroupEgress',
          'ec2:AuthorizeSecurityGroupIngress',
          'ec2:RevokeSecurityGroupEgress',
          'ec2:RevokeSecurityGroupIngress',
        ]);
        expect(rules?.Condition).toEqual({ StringLike: { 'ec2:ResourceTag/datalek:role': 'datalek-*' } });
      }
    });

    it('tags security groups and snapshots only while creating them, and instances only with datalek tags', () => {
      for (const statements of [roleStatements(response, 'datalek-contain-function'), roleStatements(member, 'datalek-containment')]) {
        const tagging = statements.filter((st) => st.Effect === 'Allow' && actionsOf(st).includes('ec2:CreateTags'));
        expect(tagging.length).toBeGreaterThan(0);
        for (const st of tagging) {
          const scoped = st.Condition?.StringEquals?.['ec2:CreateAction'] ?? st.Condition?.['ForAllValues:StringEquals']?.['aws:TagKeys'];
          expect(scoped, JSON.stringify(st)).toBeDefined();
          if (text(st.Resource).includes('security-group')) expect(st.Condition?.StringEquals?.['ec2:CreateAction']).toBeDefined();
        }
        const createGroup = statements.find((st) => actionsOf(st).includes('ec2:CreateSecurityGroup') && text(st.Resource).includes('security-group'));
        expect(createGroup?.Condition?.StringLike).toEqual({ 'aws:RequestTag/datalek:role': 'datalek-*' });
      }
    });

    it("acts only in the role's own account and the pipeline regions; buckets only of that account", () => {
      for (const [statements, account] of [
        [roleStatements(response, 'datalek-contain-function'), PIPELINE],
        [roleStatements(member, 'datalek-containment'), MEMBER],
      ] as const) {
        for (const st of statements.filter((s) => s.Effect === 'Allow' && s.Sid)) {
          const resources = [JSON.parse(text(st.Resource))].flat() as string[];
          for (const r of resources) {
            if (r === '*') {
              expect(st.Condition?.StringEquals?.['aws:RequestedRegion'], st.Sid).toEqual(['eu-west-1', 'eu-central-1']);
            } else if (r.startsWith('arn:aws:s3:::')) {
              expect(st.Condition?.StringEquals?.['s3:ResourceAccount'], st.Sid).toBe(account);
            } else if (r.startsWith('arn:aws:ec2:') && /:(snapshot|image)\//.test(r)) {
              // Snapshot and AMI ARNs carry no account.
              expect(r, st.Sid).toMatch(/^arn:aws:ec2:(eu-west-1|eu-central-1)::(snapshot|image)\/\*$/);
            } else if (st.Sid !== 'ActInMemberAccounts') {
              expect(r, st.Sid).toMatch(new RegExp(`^arn:aws:[a-z0-9-]+:(eu-west-1|eu-central-1)?:${account}:`));
            }
          }
        }
      }
    });

    it('gives each function only the table actions it performs: none may Scan, BatchWrite or Delete the register', () => {
      const table = (st: Statement) => actionsOf(st).some((a) => a.startsWith('dynamodb:')) && text(st.Resource).includes('datalek-incidents');
      for (const name of ['record-finding', 'notify', 'contain', 'sweep', 'acknowledge']) {
        const actions = roleStatements(response, `datalek-${name}-function`).filter(table).flatMap(actionsOf);
        expect(actions.length, name).toBeGreaterThan(0);
        for (const forbidden of ['dynamodb:Scan', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:*'])
          expect(actions, name).not.toContain(forbidden);
      }
      const idempotency = (name: string) =>
        roleStatements(response, `datalek-${name}-function`).filter((st) => text(st.Resource).includes('datalek-idempotency'));
      expect(idempotency('record-finding')).toHaveLength(1);
      for (const name of ['notify', 'contain', 'sweep', 'acknowledge']) expect(idempotency(name), name).toEqual([]);
      // Only the sweep reads the indexes; only notify and sweep claim messages.
      expect(
        text(
          roleStatements(response, 'datalek-notify-function')
            .filter(table)
            .map((s) => s.Resource),
        ),
      ).not.toContain('/index/*');
      expect(roleStatements(response, 'datalek-acknowledge-function').filter(table).flatMap(actionsOf)).not.toContain('dynamodb:UpdateItem');
    });

    it('has no Allow without a resource type or condition anywhere', () => {
      for (const stack of [built.response, ...built.members, ...built.forwarders]) {
        for (const st of policyStatements(Template.fromStack(stack)).filter((s) => s.Effect === 'Allow')) {
          if (text(st.Resource) === '"*"') expect(st.Condition ?? actionsOf(st).every((a) => /:(Describe|Get|List)/.test(a)), JSON.stringify(st)).toBeTruthy();
        }
      }
    });
  });

  describe('acknowledgement and concurrency', () => {
    it('allows the on-call policy lambda:InvokeFunction only through the function URL', () => {
      response.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        ManagedPolicyName: 'datalek-on-call-acknowledge',
        PolicyDocument: {
          Statement: [
            Match.objectLike({ Action: 'lambda:InvokeFunctionUrl', Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } } }),
            Match.objectLike({ Action: 'lambda:InvokeFunction', Condition: { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } } }),
          ],
        },
      });
    });

    it("lets only the on-call role's sessions acknowledge by default, never every principal of the account", () => {
      const [fn] = Object.values(response.findResources('AWS::Lambda::Function')).filter((f) =>
        JSON.stringify(f.Properties.Environment).includes('DATALEK_ACK_PRINCIPALS'),
      );
      expect(text(fn.Properties.Environment.Variables.DATALEK_ACK_PRINCIPALS)).toBe(`"arn:aws:sts::${PIPELINE}:assumed-role/datalek-on-call/*"`);
    });

    it('reserves concurrency for the contain, record-finding and notify functions: 10, 20 and 10 by default, from context otherwise', () => {
      const reserved = (t: Template) =>
        Object.values(t.findResources('AWS::Lambda::Function'))
          .map((f) => f.Properties.ReservedConcurrentExecutions)
          .filter((r) => r !== undefined);
      // The link-apply function's, record-finding's, notify's, the contain function's, then the
      // public link function's (test/infra/ack-links.test.ts, test/infra/one-source.test.ts), then,
      // with member accounts, the member-pages function's (deploy20: a member's storm of watched calls
      // waits for it, and takes no other function's concurrency).
      expect(reserved(response)).toEqual([5, 20, 10, 10, 5, 2]);
      expect(reserved(Template.fromStack(withOrg.response))).toEqual([5, 20, 10, 25, 5, 2]);
    });
  });
});
