/**
 * The response: one function per job, each behind its own route with a dead-letter queue, alarms
 * to on-call, the deadline sweep every 5 minutes, and the acknowledgement function URL with IAM
 * authorisation plus the on-call policy that allows exactly that call.
 */
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { DEFAULT_RESOURCE_NAMES, DOMAIN_EVENT_SOURCE, INCIDENT_TABLE } from '../handlers/adapters/aws/table-schema.js';
import { domainRulePattern, findingRulePattern } from '../handlers/core/rules.js';
import type { DeployConfig } from './config.js';
import { EventRoute } from './constructs/event-route.js';
import { ResponseFunction } from './constructs/response-function.js';
import { containmentStatements } from './containment-policy.js';
import type { StatefulStack } from './stateful-stack.js';

export interface ResponseStackProps extends StackProps {
  state: StatefulStack;
  config: DeployConfig;
  logRetention: logs.RetentionDays;
}

/**
 * The stateful resources, found by their fixed names rather than through CloudFormation exports:
 * the response stack can then change freely without an export lock on the register's stack.
 * Only the key comes through an export (its ARN never changes).
 */
function importState(scope: Stack, state: StatefulStack) {
  const key = kms.Key.fromKeyArn(scope, 'StateKey', state.key.keyArn);
  const arn = (service: string, resource: string) => `arn:${scope.partition}:${service}:${scope.region}:${scope.account}:${resource}`;
  return {
    key,
    incidents: dynamodb.Table.fromTableAttributes(scope, 'Incidents', {
      tableName: DEFAULT_RESOURCE_NAMES.table,
      encryptionKey: key,
      globalIndexes: Object.values(INCIDENT_TABLE.indexes).map((i) => i.name),
    }),
    idempotency: dynamodb.Table.fromTableAttributes(scope, 'Idempotency', { tableName: DEFAULT_RESOURCE_NAMES.idempotencyTable, encryptionKey: key }),
    fgTopic: sns.Topic.fromTopicArn(scope, 'FgTopic', arn('sns', DEFAULT_RESOURCE_NAMES.fgTopic)),
    onCallTopic: sns.Topic.fromTopicArn(scope, 'OnCallTopic', arn('sns', DEFAULT_RESOURCE_NAMES.onCallTopic)),
    bus: events.EventBus.fromEventBusName(scope, 'Bus', DEFAULT_RESOURCE_NAMES.bus),
  };
}

/** The contain function's role has a fixed name: member accounts trust it by ARN. */
export const CONTAIN_ROLE_NAME = 'datalek-contain-function';

export class ResponseStack extends Stack {
  public readonly functions: Record<'record' | 'notify' | 'contain' | 'sweep' | 'acknowledge', ResponseFunction>;
  public readonly routes: EventRoute[] = [];
  public readonly ackUrl: lambda.FunctionUrl;
  public readonly onCallPolicy: iam.ManagedPolicy;
  public readonly containmentRoleName: string;

  constructor(scope: Construct, id: string, props: ResponseStackProps) {
    super(scope, id, props);
    this.addDependency(props.state);
    const { config } = props;
    this.containmentRoleName = config.containmentRoleName;
    const state = importState(this, props.state);
    const alarmTopic = state.onCallTopic;
    const environment = {
      DATALEK_TABLE: DEFAULT_RESOURCE_NAMES.table,
      DATALEK_IDEMPOTENCY_TABLE: DEFAULT_RESOURCE_NAMES.idempotencyTable,
      DATALEK_FG_TOPIC_ARN: state.fgTopic.topicArn,
      DATALEK_ON_CALL_TOPIC_ARN: state.onCallTopic.topicArn,
      DATALEK_BUS_NAME: DEFAULT_RESOURCE_NAMES.bus,
      DATALEK_POLICY: config.policyJson,
      DATALEK_CONTAINMENT_ROLE_NAME: config.containmentRoleName,
    };
    const fn = (
      id: string,
      handler: string,
      description: string,
      extra: { timeout?: Duration; roleName?: string; environment?: Record<string, string> } = {},
    ) =>
      new ResponseFunction(this, id, {
        handler,
        description,
        environment: { ...environment, ...extra.environment },
        alarmTopic,
        logRetention: props.logRetention,
        timeout: extra.timeout,
        roleName: extra.roleName,
      });

    const ackPrincipals = config.ackPrincipals ?? [
      `arn:${this.partition}:sts::${this.account}:assumed-role/*`,
      `arn:${this.partition}:iam::${this.account}:user/*`,
    ];
    this.functions = {
      record: fn('RecordFinding', 'record-finding', 'datalek: records a GuardDuty finding as an incident'),
      notify: fn('Notify', 'notify', 'datalek: sends the FG and on-call messages of an incident'),
      contain: fn('Contain', 'contain', 'datalek: carries out enforced containment', { timeout: Duration.minutes(5), roleName: CONTAIN_ROLE_NAME }),
      sweep: fn('Sweep', 'sweep', 'datalek: AP deadline reminders and on-call re-pages', { timeout: Duration.minutes(2) }),
      acknowledge: fn('Acknowledge', 'acknowledge', 'datalek: on-call acknowledgement (IAM-signed function URL)', {
        environment: { DATALEK_ACK_PRINCIPALS: ackPrincipals.join(',') },
      }),
    };
    const { record, notify, contain, sweep, acknowledge } = this.functions;

    for (const f of Object.values(this.functions)) state.incidents.grantReadWriteData(f.fn);
    state.idempotency.grantReadWriteData(record.fn);
    for (const f of [record, contain, sweep, acknowledge]) state.bus.grantPutEventsTo(f.fn);
    for (const f of [notify, sweep]) {
      state.fgTopic.grantPublish(f.fn);
      state.onCallTopic.grantPublish(f.fn);
      // The topics are encrypted with the key: publishing needs it (an imported topic does not know its key).
      state.key.grant(f.fn, 'kms:GenerateDataKey*', 'kms:Decrypt');
    }
    for (const statement of containmentStatements(this.partition)) contain.fn.addToRolePolicy(statement);
    contain.fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ActInMemberAccounts',
        actions: ['sts:AssumeRole'],
        resources: [`arn:${this.partition}:iam::*:role/${config.containmentRoleName}`],
      }),
    );

    this.routes.push(
      new EventRoute(this, 'FindingRoute', {
        description: 'GuardDuty findings from the policy threshold up',
        pattern: findingRulePattern(config.policy),
        target: record.fn,
        alarmTopic,
      }),
      new EventRoute(this, 'NotifyRoute', {
        description: 'incident changes to notify about',
        bus: state.bus,
        pattern: domainRulePattern(DOMAIN_EVENT_SOURCE, ['Incident Opened', 'Incident Updated', 'Reminder Due', 'Containment Done', 'Containment Failed']),
        target: notify.fn,
        alarmTopic,
      }),
      new EventRoute(this, 'ContainRoute', {
        description: 'incidents that may need containment',
        bus: state.bus,
        pattern: domainRulePattern(DOMAIN_EVENT_SOURCE, ['Incident Opened', 'Incident Updated']),
        target: contain.fn,
        alarmTopic,
      }),
      new EventRoute(this, 'SweepSchedule', {
        description: 'the deadline sweep',
        schedule: events.Schedule.rate(Duration.minutes(5)),
        target: sweep.fn,
        alarmTopic,
      }),
    );

    this.ackUrl = acknowledge.fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    new CfnOutput(this, 'AcknowledgeUrl', {
      description: 'Set as DATALEK_ACK_URL for `datalek ack ID --target aws` (signed with SigV4)',
      value: this.ackUrl.url,
    });
    // The on-call engineers' role gets this policy: it allows exactly the signed acknowledgement.
    this.onCallPolicy = new iam.ManagedPolicy(this, 'OnCallAcknowledgePolicy', {
      managedPolicyName: 'datalek-on-call-acknowledge',
      description: 'Allows calling the datalek acknowledgement URL (signed with SigV4), nothing else',
      statements: [
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunctionUrl'],
          resources: [acknowledge.fn.functionArn],
          conditions: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } },
        }),
      ],
    });
    new CfnOutput(this, 'OnCallPolicyArn', { description: "Attach to the on-call engineers' role", value: this.onCallPolicy.managedPolicyArn });
  }
}
