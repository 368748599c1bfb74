/**
 * review11 K3 (attack12): the queue Deny (deploy11 `d4359de`) keeps anyone but break-glass and the deployment from
 * purging or deleting a datalek queue or cutting its retention: "the SQS calls that lose a queue's
 * messages". Receiving and deleting its messages one by one loses them as surely, and hides them
 * from the alarms: every dead-letter alarm counts `ApproximateNumberOfMessagesVisible`, and a
 * message received is not visible (in flight, for up to 12 hours a receive, again and again),
 * deleted not at all. `sqs:ReceiveMessage`, `sqs:DeleteMessage` and `sqs:ChangeMessageVisibility` are
 * data events, outside the management events the watch rules see. An account principal polling the
 * record function's dead-letter queue (and the finding route's) takes every finding that failed
 * recording (a storm, a timeout, a stuck conflict planted in the table) before the alarm sees it,
 * and the redrive the runbook asks for finds nothing. Now each dead-letter queue's policy denies the
 * three to all but break-glass (who redrives: read12b B3), and its alarm counts what arrives as well.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { deploymentScp } from '../../infra/pipeline-scp.js';
import { actionsOf, DEPLOY_CONTEXT, type Statement, synthesizedApp } from '../support/infra.js';
import { allowed } from './dynamodb-iam.js';

const built = synthesizedApp();
const { response, forwarders } = built;
/** Every stack with dead-letter queues: the response stack, the forwarders, us-east-1's IAM forward (infra14) and each member's (infra15, and its central region's: fgsec16 S3). */
const queueStacks = [response, ...forwarders, ...built.memberIam, ...built.members, ...(built.iamForward ? [built.iamForward] : [])];
const text = (v: unknown) => JSON.stringify(v);

describe("a datalek dead-letter queue's messages taken one by one (the queue Deny's other half)", () => {
  it("denies receiving, hiding and deleting a dead-letter queue's messages to all but those named (as purging it is)", () => {
    const open: string[] = [];
    let queues = 0;
    for (const stack of queueStacks) {
      const t = Template.fromStack(stack);
      const policies = Object.values(t.findResources('AWS::SQS::QueuePolicy'));
      for (const id of Object.keys(t.findResources('AWS::SQS::Queue')).filter((q) => /DeadLetters|FailedEvents/.test(q))) {
        queues++;
        const policy = policies.find((p) => text(p.Properties.Queues) === text([{ Ref: id }]));
        const denies = ((policy?.Properties.PolicyDocument.Statement ?? []) as Statement[]).filter(
          (st) => st.Effect === 'Deny' && !text(st.Condition).includes('aws:SecureTransport'),
        );
        // (enforceSSL's Deny of sqs:* over plain HTTP is no Deny of taking messages.)
        // The premise: purging it is denied already.
        expect(
          denies.some((st) => actionsOf(st).includes('sqs:PurgeQueue')),
          `${stack.stackName}/${id}`,
        ).toBe(true);
        for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'])
          if (!denies.some((st) => actionsOf(st).includes(action) || actionsOf(st).includes('sqs:*'))) open.push(`${stack.stackName}/${id}: ${action}`);
      }
    }
    expect(queues).toBeGreaterThan(3);
    expect(open).toEqual([]);
  });

  it('lets only break-glass take them, which redrives them (read12b B3)', () => {
    const named = new Set<string>();
    for (const stack of queueStacks) {
      const t = Template.fromStack(stack);
      for (const p of Object.values(t.findResources('AWS::SQS::QueuePolicy')))
        for (const st of p.Properties.PolicyDocument.Statement as Statement[])
          if (st.Effect === 'Deny' && actionsOf(st).includes('sqs:ReceiveMessage')) named.add(text(text(st.Condition).match(/role\/[^"]+/g)));
    }
    // The break-glass role of the queue's own account (a member's for its IAM forward: infra15).
    expect([...named]).toEqual([text([`role/${DEPLOY_CONTEXT.breakGlassRole}`])]);
  });

  it("spares from the Deny only principals that can redrive the record function's failed findings: invoke it, under the deployment's SCP (read12b B3)", () => {
    const t = Template.fromStack(response);
    const base = { partition: 'aws', region: DEPLOY_CONTEXT.region, account: DEPLOY_CONTEXT.account };
    // The record function's dead letters: its FailedEvents queue and that queue's Deny of taking messages.
    const queueId = Object.keys(t.findResources('AWS::SQS::Queue')).find((id) => /Record.*FailedEvents/.test(id));
    expect(queueId, 'the record function has a dead-letter queue').toBeDefined();
    const policy = Object.values(t.findResources('AWS::SQS::QueuePolicy')).find((p) => text(p.Properties.Queues) === text([{ Ref: queueId }]));
    const deny = ((policy?.Properties.PolicyDocument.Statement ?? []) as Statement[]).find(
      (st) => st.Effect === 'Deny' && actionsOf(st).includes('sqs:ReceiveMessage'),
    );
    const spared = text(deny?.Condition).match(/role\/[A-Za-z0-9+=,.@_-]+/g) ?? [];
    expect(spared.length).toBeGreaterThan(0);
    // The record function as CloudFormation names it (the SCP's DatalekResponse-*), each spared role given an administrator's Allow.
    const [fnId] = Object.keys(t.findResources('AWS::Lambda::Function')).filter((id) => /^Record/.test(id));
    const fnArn = `arn:aws:lambda:${base.region}:${base.account}:function:${response.stackName}-${fnId.slice(0, 30)}-AbCdEf123456`;
    const scp = deploymentScp(built) as { Statement: Statement[] };
    const invoke = (r: string) => ({
      action: 'lambda:InvokeFunction',
      resource: fnArn,
      context: { 'aws:PrincipalArn': `arn:aws:iam::${base.account}:${r}` },
      what: `${r} redriving`,
    });
    expect(spared.filter((r) => !allowed(invoke(r), [[{ Effect: 'Allow', Action: '*', Resource: '*' }, ...scp.Statement]], base))).toEqual([]);
  });

  it('raises its alarm on a message that arrives, which a receive cannot hide, not only on one that waits visible', () => {
    const unseen: string[] = [];
    for (const stack of queueStacks) {
      const t = Template.fromStack(stack);
      const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm'));
      for (const id of Object.keys(t.findResources('AWS::SQS::Queue')).filter((q) => /DeadLetters|FailedEvents/.test(q))) {
        const on = alarms.filter((a) => text(a.Properties).includes(text({ 'Fn::GetAtt': [id, 'QueueName'] })));
        if (!on.some((a) => text(a.Properties).includes('"MetricName":"NumberOfMessagesSent"'))) unseen.push(`${stack.stackName}/${id}`);
      }
    }
    expect(unseen).toEqual([]);
  });
});
