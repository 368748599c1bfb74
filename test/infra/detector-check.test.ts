/**
 * The daily GuardDuty detector check as deployed: its own function with only GuardDuty's reads
 * of the pipeline's regions (and its boundary says no more), what it expects from context, a
 * daytime schedule, and alarms on its failing and on its not running. Its behaviour against
 * GuardDuty's API is test/integration/detector-canary.test.ts.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type DatalekApp } from '../../infra/build-app.js';
import { DEPLOY_CONTEXT, NO_BUNDLING, roleStatements, type Statement, synthesizedApp } from '../support/infra.js';
import { resolveValue } from './cfn-resolve.js';

/** All the detector check may do, in its role and in its boundary alike. */
const CHECK_ACTIONS = [
  'guardduty:GetDetector',
  'guardduty:ListDetectors',
  // The deployment lists member accounts: whether each is still an Enabled member (fgsec16 S3).
  'guardduty:ListMembers',
  'kms:Decrypt',
  'kms:GenerateDataKey*',
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'sqs:SendMessage',
];

describe('the daily GuardDuty detector check', () => {
  let built: DatalekApp;
  let response: Template;

  beforeAll(() => {
    built = synthesizedApp();
    response = Template.fromStack(built.response);
  }, 120_000);

  const fnOf = (t: Template) => {
    const [[id, fn]] = Object.entries(t.findResources('AWS::Lambda::Function')).filter(([, f]) =>
      String(f.Properties.Description).includes('GuardDuty is enabled in every pipeline region'),
    );
    return { id, fn };
  };
  const deployed = (v: unknown) => resolveValue(v, response, { account: DEPLOY_CONTEXT.account, region: 'eu-west-1' });

  it('checks every pipeline region, for what the deployment expects: every 15 minutes and no feature by default, else from context', () => {
    expect(fnOf(response).fn.Properties.Environment.Variables).toMatchObject({
      DATALEK_CANARY_REGIONS: 'eu-west-1,eu-central-1',
      DATALEK_CANARY_PUBLISHING_FREQUENCY: 'FIFTEEN_MINUTES',
      DATALEK_CANARY_FEATURES: '',
      DATALEK_CANARY_MEMBERS: DEPLOY_CONTEXT.memberAccounts,
    });
    // Told nothing of the pipeline: no table, topic, bus or policy.
    expect(Object.keys(fnOf(response).fn.Properties.Environment.Variables).filter((k) => k.startsWith('DATALEK_') && !k.startsWith('DATALEK_CANARY_'))).toEqual(
      [],
    );
    const other = synthesizedApp({
      ...DEPLOY_CONTEXT,
      detectorFrequency: 'SIX_HOURS',
      detectorFeatures: 'S3_DATA_EVENTS,RUNTIME_MONITORING',
      memberAccounts: '',
    });
    const otherResponse = Template.fromStack(other.response);
    expect(fnOf(otherResponse).fn.Properties.Environment.Variables).toMatchObject({
      DATALEK_CANARY_PUBLISHING_FREQUENCY: 'SIX_HOURS',
      DATALEK_CANARY_FEATURES: 'S3_DATA_EVENTS,RUNTIME_MONITORING',
      DATALEK_CANARY_MEMBERS: '',
    });
    // Without member accounts it lists no members, and may not.
    const reads = roleStatements(otherResponse, 'datalek-detector-canary-function').flatMap((st) => [st.Action].flat());
    expect(reads).toContain('guardduty:GetDetector');
    expect(reads).not.toContain('guardduty:ListMembers');
    expect(() => buildApp({ ...DEPLOY_CONTEXT, ...NO_BUNDLING, detectorFrequency: 'HOURLY' })).toThrow(/detectorFrequency/);
    expect(() => buildApp({ ...DEPLOY_CONTEXT, ...NO_BUNDLING, detectorFeatures: 's3 logs' })).toThrow(/detectorFeatures/);
  });

  it("may only list and read the pipeline regions' detectors (and their members), write its log and its dead-letter queue", () => {
    const statements = roleStatements(response, 'datalek-detector-canary-function');
    const actions = statements.flatMap((st) => [st.Action].flat()).sort();
    expect(actions).toEqual(CHECK_ACTIONS);
    const list = statements.find((st) => st.Action === 'guardduty:ListDetectors') as Statement;
    expect(list.Resource).toBe('*');
    expect(list.Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'eu-central-1'] } });
    const get = statements.find((st) => st.Action === 'guardduty:GetDetector') as Statement;
    expect(deployed(get.Resource)).toEqual(['arn:aws:guardduty:eu-west-1:111122223333:detector/*', 'arn:aws:guardduty:eu-central-1:111122223333:detector/*']);
    // The members of the same detectors only.
    const members = statements.find((st) => st.Action === 'guardduty:ListMembers') as Statement;
    expect(deployed(members.Resource)).toEqual(deployed(get.Resource));
    // Its boundary allows no table, topic, bus, secret or containment, and keeps the Deny on the pipeline's roles.
    const [role] = Object.values(response.findResources('AWS::IAM::Role', { Properties: { RoleName: 'datalek-detector-canary-function' } }));
    const boundaryId = role.Properties.PermissionsBoundary.Ref;
    const boundary = response.findResources('AWS::IAM::ManagedPolicy')[boundaryId];
    expect(boundary.Properties.ManagedPolicyName).toBe('datalek-detector-check-boundary');
    const allowed = (boundary.Properties.PolicyDocument.Statement as Statement[])
      .filter((st) => st.Effect === 'Allow')
      .flatMap((st) => [st.Action].flat())
      .sort();
    expect(allowed).toEqual(CHECK_ACTIONS);
    expect((boundary.Properties.PolicyDocument.Statement as Statement[]).some((st) => st.Effect === 'Deny')).toBe(true);
  });

  it('runs daily at 07:00 UTC, and pages when it finds a problem, fails, or has not run for two days', () => {
    const { id } = fnOf(response);
    const [rule] = Object.values(response.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: 'cron(0 7 * * ? *)' } }));
    expect(rule.Properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [id, 'Arn'] });
    expect(rule.Properties.Targets[0].DeadLetterConfig).toBeDefined();
    const alarms = Object.values(response.findResources('AWS::CloudWatch::Alarm')).filter((a) => JSON.stringify(a.Properties.Dimensions ?? []).includes(id));
    const byName = Object.fromEntries(alarms.map((a) => [a.Properties.AlarmName, a.Properties]));
    expect(byName['datalek-detector-canary-errors']).toMatchObject({ MetricName: 'Errors', Threshold: 1 });
    expect(byName['datalek-detector-check-not-running']).toMatchObject({
      MetricName: 'Invocations',
      Period: 86400,
      EvaluationPeriods: 2,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    for (const a of alarms) expect(JSON.stringify(a.Properties.AlarmActions)).toContain('datalek-on-call-alarms');
  });
});
