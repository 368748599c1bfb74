/**
 * The response: one function per job, each behind its own route with a dead-letter queue, alarms
 * to on-call, the deadline sweep every 5 minutes, and the acknowledgement function URL with IAM
 * authorisation plus the on-call policy that allows exactly that call.
 *
 * Least privilege: each function gets the table actions its code performs, nothing more (no Scan,
 * no BatchWriteItem, no DeleteItem: the register is only ever added to), and puts on the bus only
 * the events it announces; every role has a permissions boundary, and only the contain function's
 * allows containment; containment acts only in this account and the pipeline's regions, and
 * assumes only the member accounts' containment roles. The public link function holds nothing but
 * the right to invoke the private link-apply function, which checks and applies what it forwards.
 */
import { CfnOutput, Duration, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { DEFAULT_RESOURCE_NAMES, DOMAIN_EVENT_SOURCE, INCIDENT_TABLE, LOG_METRICS } from '../handlers/adapters/aws/table-schema.js';
import { domainRulePattern, findingRulePattern, NOTIFY_EVENT_TYPES } from '../handlers/core/rules.js';
import { applyBoundary, boundaryStatements, mergedStatements } from './boundary.js';
import { containmentReadRoleName, type DeployConfig, pipelineOnlyRoleNames, protectedRoleNames } from './config.js';
import { ALARM_PERIOD, ALARM_TOPIC_NAME, heartbeatAlarm, onCallAlarm } from './constructs/alarms.js';
import { ContainRoleWatch, containmentRoleNames, containmentRolesByAccount } from './constructs/contain-role-watch.js';
import { ContainmentWatch, datalekContainmentRoles } from './constructs/containment-watch.js';
import { anchorStatements, DIGEST_PREFIX, digestBucketName } from './constructs/digest-bucket.js';
import { EcsPlacementWatch } from './constructs/ecs-placement-watch.js';
import { EventRoute } from './constructs/event-route.js';
import { GroupTagWatch } from './constructs/group-tag-watch.js';
import { MemberPages } from './constructs/member-pages.js';
import { MEMBER_BUS_STATEMENT_ID, MEMBER_FORWARDED_SOURCES, memberRuleArns, PipelineWatch, SECRET_WRITES } from './constructs/pipeline-watch.js';
import { policyChangers } from './constructs/protected-key.js';
import { ProtectedTagWatch } from './constructs/protected-tag-watch.js';
import { EVENT_ARCHIVE_NAME, protectDeadLetters, protectQueues } from './constructs/register-guard.js';
import { functionRoleName, ResponseFunction } from './constructs/response-function.js';
import { MESSAGE_PUBLISHERS } from './constructs/topic-guard.js';
import { BOUNDARY_MERGES, containmentStatements, MEMBER_IAM_RULE_NAMES, protectPipelineRoles } from './containment-policy.js';
import { containmentReadStatements } from './containment-read.js';
import { IAM_EVENTS_REGION } from './iam-forward-stack.js';
import { LINK_WRITE_KEYS, linkTableStatements } from './link-grant.js';
import { METRIC_NAMESPACE } from './pipeline-scp.js';
import { DOMAIN_EVENT_PUBLISHERS, type StatefulStack } from './stateful-stack.js';

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
    alarmTopic: sns.Topic.fromTopicArn(scope, 'AlarmTopic', arn('sns', ALARM_TOPIC_NAME)),
    bus: events.EventBus.fromEventBusName(scope, 'Bus', DEFAULT_RESOURCE_NAMES.bus),
  };
}

/** The contain function's role has a fixed name: member accounts trust it by ARN. */
export const CONTAIN_ROLE_NAME = functionRoleName('contain');

/** What each function does with the incidents table (overloaded keys: incidents, timeline, outbox). */
const TABLE_ACTIONS = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:DescribeTable'],
  /** A commit is one TransactWriteItems of conditional Puts. */
  commit: ['dynamodb:PutItem', 'dynamodb:ConditionCheckItem'],
  /** Claiming and marking outbox messages. */
  claim: ['dynamodb:UpdateItem'],
};
/** The sweep runs every 5 minutes, and the anchor with it: at most 5 minutes of the record unanchored. */
const SWEEP_SCHEDULE = events.Schedule.rate(Duration.minutes(5));

const KEY_ACTIONS = { read: ['kms:Decrypt', 'kms:DescribeKey'], write: ['kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'] };

export class ResponseStack extends Stack {
  public readonly functions: Record<
    'record' | 'notify' | 'contain' | 'sweep' | 'acknowledge' | 'anchor' | 'link' | 'linkApply' | 'detectorCheck',
    ResponseFunction
  >;
  public readonly routes: EventRoute[] = [];
  public readonly ackUrl: lambda.FunctionUrl;
  /** The public URL of the acknowledgement links and the pager's webhooks (no IAM: each request authorises itself). */
  public readonly linkUrl: lambda.FunctionUrl;
  /** The key that signs acknowledgement links: generated, kept outside the store. */
  public readonly linkKeySecret: secretsmanager.Secret;
  /** The pager's routing or API key, to fill in after deploy; only with a pager in the policy. */
  public readonly pagerSecret?: secretsmanager.Secret;
  /** The pager's webhook secret alone: the public link function reads this, never `pagerSecret`. */
  public readonly pagerWebhookSecret?: secretsmanager.Secret;
  public readonly onCallPolicy: iam.ManagedPolicy;
  /** For the on-call role: read containment back (`show`/`verify --target aws`), here and through the members' read roles. */
  public readonly onCallReadPolicy: iam.ManagedPolicy;
  public readonly containmentRoleName: string;
  /** The boundary of every function but contain and anchor: no containment action. */
  public readonly boundary: iam.ManagedPolicy;
  /** The contain function's boundary: containment, and what every function needs. */
  public readonly containBoundary: iam.ManagedPolicy;
  public readonly anchorBoundary: iam.ManagedPolicy;
  /** The public link function's boundary: its log, and invoking the link-apply function; nothing else. */
  public readonly linkBoundary: iam.ManagedPolicy;
  /** Pages on calls that stop findings from reaching the pipeline in this region. */
  public readonly watch: PipelineWatch;
  /** Member accounts' watched calls, paged within a bound (with member accounts only). */
  public readonly memberPages?: MemberPages;
  /** The member-pages function's boundary: its log, record and dead-letter queue, publishing on the alarm topic. */
  public readonly memberPagesBoundary?: iam.ManagedPolicy;
  /** The daily detector check's boundary: its log, its dead-letter queue, reading GuardDuty's detectors. */
  public readonly detectorCheckBoundary: iam.ManagedPolicy;
  /** What the detector check may read: the pipeline regions' detectors. */
  public readonly detectorReads: iam.PolicyStatement[];

  constructor(scope: Construct, id: string, props: ResponseStackProps) {
    super(scope, id, props);
    this.addDependency(props.state);
    const { config } = props;
    this.containmentRoleName = config.containmentRoleName;
    const state = importState(this, props.state);
    // The alarms' own topic, never the pages' (infra/constructs/alarms.ts).
    const alarmTopic = state.alarmTopic;
    const regions = [config.region, ...config.forwardFrom];
    const environment = {
      DATALEK_TABLE: DEFAULT_RESOURCE_NAMES.table,
      DATALEK_IDEMPOTENCY_TABLE: DEFAULT_RESOURCE_NAMES.idempotencyTable,
      DATALEK_FG_TOPIC_ARN: state.fgTopic.topicArn,
      DATALEK_ON_CALL_TOPIC_ARN: state.onCallTopic.topicArn,
      DATALEK_BUS_NAME: DEFAULT_RESOURCE_NAMES.bus,
      DATALEK_POLICY: config.policyJson,
      DATALEK_CONTAINMENT_ROLE_NAME: config.containmentRoleName,
      // Its own functions are the ones in this account: a `datalek-…` name elsewhere exempts nothing.
      DATALEK_PIPELINE_ACCOUNT: this.account,
    };
    const fn = (
      id: string,
      handler: string,
      description: string,
      extra: { timeout?: Duration; environment?: Record<string, string>; reservedConcurrency?: number; forwarderOnly?: boolean } = {},
    ) =>
      new ResponseFunction(this, id, {
        handler,
        description,
        // A forwarder gets only its own variables: it is told no table, topic, bus or policy.
        environment: extra.forwarderOnly ? { ...extra.environment } : { ...environment, ...extra.environment },
        alarmTopic,
        logRetention: props.logRetention,
        timeout: extra.timeout,
        key: state.key,
        reservedConcurrency: extra.reservedConcurrency,
        synchronousOnly: extra.forwarderOnly,
      });

    // The digest bucket by its fixed name; the signing key through its ARN (which never changes).
    const digestBucket = digestBucketName(this.account, this.region);
    const anchoring = anchorStatements(`arn:${this.partition}:s3:::${digestBucket}/${DIGEST_PREFIX}*`, props.state.digests.signingKey.keyArn);
    // Only the on-call role's sessions, unless the deployment names others: never the whole account.
    const ackPrincipals = config.ackPrincipals ?? [`arn:${this.partition}:sts::${this.account}:assumed-role/${config.onCallRole}/*`];
    // Private: only the link function's role may invoke it (below). It checks every forwarded request
    // itself (the link's signature and expiry, the webhook's signature and freshness) with the key
    // and secret only it holds, and applies it; it ends before the link function's invocation times
    // out (handlers/link.ts), so a press still running is never sent twice. Its reserved concurrency
    // is the link function's: a compromised link function that invokes it asynchronously is held to it.
    const linkApply = fn('LinkApply', 'link-apply', 'datalek: checks and applies what the public link function forwards (invoked by it only)', {
      timeout: Duration.seconds(20),
      reservedConcurrency: config.linkConcurrency,
    });
    this.functions = {
      // Reserved: no other workload of the account can take their concurrency (the throttles
      // alarm still pages when a storm outruns it, and the event waits in Lambda's queue).
      record: fn('RecordFinding', 'record-finding', 'datalek: records a GuardDuty finding as an incident', {
        reservedConcurrency: config.recordConcurrency,
      }),
      notify: fn('Notify', 'notify', 'datalek: sends the FG and on-call messages of an incident', { reservedConcurrency: config.notifyConcurrency }),
      contain: fn('Contain', 'contain', 'datalek: carries out enforced containment', {
        timeout: Duration.minutes(5),
        reservedConcurrency: config.containConcurrency,
      }),
      sweep: fn('Sweep', 'sweep', 'datalek: AP deadline reminders and on-call re-pages', { timeout: Duration.minutes(2) }),
      acknowledge: fn('Acknowledge', 'acknowledge', 'datalek: on-call acknowledgement (IAM-signed function URL)', {
        environment: { DATALEK_ACK_PRINCIPALS: ackPrincipals.join(',') },
      }),
      anchor: fn('Anchor', 'anchor', 'datalek: signed digest of the register to the Object Lock bucket', {
        timeout: Duration.minutes(2),
        // Two runs at once (one slower than 5 minutes) race for one digest number: the second finds
        // it written (never overwritten) and fails, and the next run carries on.
        environment: {
          DATALEK_DIGEST_BUCKET: digestBucket,
          DATALEK_DIGEST_PREFIX: DIGEST_PREFIX,
          DATALEK_ANCHOR_KMS_KEY: props.state.digests.signingKey.keyArn,
        },
      }),
      // Public (its URL has no IAM authorisation: a link's signature or a webhook's is the
      // authorisation), so its reserved concurrency bounds what a flood of requests can take. It
      // forwards each request to the link-apply function and holds nothing itself: no secret, no
      // key (no dead-letter queue to encrypt: a function URL invokes synchronously), no table, no bus.
      link: fn('Link', 'link', 'datalek: signed acknowledgement links and pager webhooks (public function URL)', {
        reservedConcurrency: config.linkConcurrency,
        forwarderOnly: true,
        environment: { DATALEK_LINK_APPLY_FUNCTION: linkApply.fn.functionArn },
      }),
      linkApply,
      // Told nothing of the pipeline (no table, topic, bus or policy): it reads GuardDuty's detectors.
      detectorCheck: new ResponseFunction(this, 'DetectorCheck', {
        handler: 'detector-canary',
        description: 'datalek: daily check that GuardDuty is enabled in every pipeline region as the deployment expects',
        environment: {
          DATALEK_CANARY_REGIONS: regions.join(','),
          DATALEK_CANARY_PUBLISHING_FREQUENCY: config.detector.findingPublishingFrequency,
          DATALEK_CANARY_FEATURES: config.detector.features.join(','),
          // Each must be an Enabled member of every region's detector (fgsec16 S3).
          DATALEK_CANARY_MEMBERS: config.memberAccounts.join(','),
        },
        alarmTopic,
        logRetention: props.logRetention,
        timeout: Duration.minutes(1),
        key: state.key,
      }),
    };
    const { record, notify, contain, sweep, acknowledge, anchor, link, detectorCheck } = this.functions;

    // The acknowledgement link key: 64 random characters, under the pipeline's key; never in the
    // store, so reading the register gives no valid link. Links live an hour at most: replacing
    // the secret only ends the links already sent.
    this.linkKeySecret = new secretsmanager.Secret(this, 'AckLinkKey', {
      secretName: 'datalek/ack-link-key',
      description: 'datalek: signs the acknowledgement links in pages (HMAC-SHA256); generated, never shown',
      encryptionKey: state.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const provider = config.policy.onCall.provider;
    if (provider !== 'sns') {
      const keyName = provider === 'pagerduty' ? 'routingKey' : 'apiKey';
      // Filled in after deploy (README, Deploy): the routing or API key from the provider. Its
      // generated template is the one of before the webhook secret had a secret of its own (a
      // webhookSecret nobody reads any more): changed, CloudFormation would generate the secret
      // anew over the key an existing deployment filled in.
      this.pagerSecret = new secretsmanager.Secret(this, 'PagerSecret', {
        secretName: 'datalek/pager',
        description: `datalek: the ${provider === 'pagerduty' ? 'PagerDuty routing key' : 'Opsgenie API key'} (${keyName}), as JSON; read by the notify and sweep functions only`,
        encryptionKey: state.key,
        generateSecretString: {
          secretStringTemplate: JSON.stringify({ [keyName]: '' }),
          generateStringKey: 'webhookSecret',
          passwordLength: 48,
          excludePunctuation: true,
        },
        removalPolicy: RemovalPolicy.RETAIN,
      });
      // The webhook secret alone, as text, in a secret of its own: the link function answers the
      // public, and a compromise of it must not hand over the key that pages on-call. Generated
      // here (Opsgenie's webhook token); PagerDuty's subscription brings its own (README, Deploy).
      this.pagerWebhookSecret = new secretsmanager.Secret(this, 'PagerWebhookSecret', {
        secretName: 'datalek/pager-webhook',
        description: `datalek: the ${provider === 'pagerduty' ? "PagerDuty webhook subscription's signing secret" : 'Opsgenie webhook token'}, alone, as text; read by the link function only`,
        encryptionKey: state.key,
        generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }
    // Each secret, who reads it and under which variable: the link key signs (notify, and the
    // sweep's redelivery) and checks (link-apply); the pager's key pages (notify, sweep); the
    // webhook secret checks the pager's webhooks (link-apply). Nobody else reads them: the public
    // link function least of all.
    const secretReaders: { secret: secretsmanager.Secret; env: string; readers: ResponseFunction[] }[] = [
      { secret: this.linkKeySecret, env: 'DATALEK_LINK_KEY_SECRET', readers: [notify, sweep, linkApply] },
      ...(this.pagerSecret ? [{ secret: this.pagerSecret, env: 'DATALEK_PAGER_SECRET', readers: [notify, sweep] }] : []),
      ...(this.pagerWebhookSecret ? [{ secret: this.pagerWebhookSecret, env: 'DATALEK_PAGER_WEBHOOK_SECRET_ID', readers: [linkApply] }] : []),
    ];
    const secrets = secretReaders.map((s) => s.secret);
    for (const { secret, env, readers } of secretReaders) {
      for (const f of readers) {
        secret.grantRead(f.fn);
        f.fn.addEnvironment(env, secret.secretArn);
      }
      // And nobody else, whatever their IAM policies allow (an administrator's secretsmanager:*
      // included): a link key read is a valid link for every incident, the pager's key pages
      // on-call, the webhook secret acknowledges. The break-glass role may, in an emergency.
      secret.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'OnlyItsFunctionsRead',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['secretsmanager:GetSecretValue'],
          resources: ['*'],
          conditions: {
            ArnNotEquals: {
              'aws:PrincipalArn': [...readers.map((f) => f.role.roleArn), `arn:${this.partition}:iam::${this.account}:role/${config.breakGlassRole}`],
            },
          },
        }),
      );
      // Nor does anyone else change it: lifting the Deny above (DeleteResourcePolicy, or a policy
      // of one's own), reading, and putting it back; or a value of one's own (a link key of one's
      // own signs links that acknowledge any incident, a webhook secret of one's own signs
      // webhooks that do). The break-glass role puts the pager's keys (README, Deploy) and may
      // replace the link key; CloudFormation's execution role deploys (writes this policy, deletes
      // the link key with the stack). Each such call pages too (datalek-watch-paging).
      secret.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'OnlyBreakGlassOrDeploymentWrites',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: SECRET_WRITES,
          resources: ['*'],
          conditions: { ArnNotEquals: { 'aws:PrincipalArn': policyChangers(this, config.breakGlassRole) } },
        }),
      );
    }

    const incidentsIndexes = `${state.incidents.tableArn}/index/*`;
    // Writes of every function but record-finding: the incidents' partitions (`INC#…`: record,
    // timeline, outbox, ledger) and the heads marked for the next digest, never a finding (`FND#…`),
    // a resource lock or the registry. The contain function re-plans from the stored finding
    // (core/contain.ts), so only record-finding may write one. IAM authorises each item of a
    // TransactWriteItems as its own PutItem/UpdateItem/ConditionCheckItem (infra/link-grant.ts names
    // the pages), so the condition holds for every item of a commit.
    const incidentWrites = { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': LINK_WRITE_KEYS }, Null: { 'dynamodb:LeadingKeys': 'false' } };
    const grantIncidents = (f: ResponseFunction, actions: string[], indexes = false, findings = false) => {
      const resources = [state.incidents.tableArn, ...(indexes ? [incidentsIndexes] : [])];
      const reads = actions.filter((a) => TABLE_ACTIONS.read.includes(a));
      const writes = actions.filter((a) => !TABLE_ACTIONS.read.includes(a));
      if (findings) f.fn.addToRolePolicy(new iam.PolicyStatement({ actions, resources }));
      else {
        f.fn.addToRolePolicy(new iam.PolicyStatement({ actions: reads, resources }));
        if (writes.length)
          f.fn.addToRolePolicy(new iam.PolicyStatement({ actions: writes, resources: [state.incidents.tableArn], conditions: incidentWrites }));
      }
      state.key.grant(f.fn, ...KEY_ACTIONS.read, ...(writes.length ? KEY_ACTIONS.write : []));
    };
    // record: reads the finding, the resource lock and the incident; commits (findings, locks, the
    // registry too); queues messages.
    grantIncidents(record, [...TABLE_ACTIONS.read, ...TABLE_ACTIONS.commit], false, true);
    // notify: reads the incident's outbox, claims and marks messages (marking one sent appends to the ledger).
    grantIncidents(notify, [...TABLE_ACTIONS.read, ...TABLE_ACTIONS.commit, ...TABLE_ACTIONS.claim]);
    // contain: reads and commits the incident's steps (the containment lease included), and reads
    // the lock of a resource it takes up, and that lock's holder, by key: never an index
    // (core/contain.ts takeResource).
    grantIncidents(contain, [...TABLE_ACTIONS.read, ...TABLE_ACTIONS.commit]);
    // sweep: queries what is due and pending (the indexes), commits reminders, claims messages.
    grantIncidents(sweep, [...TABLE_ACTIONS.read, ...TABLE_ACTIONS.commit, ...TABLE_ACTIONS.claim], true);
    // sweep: also keeps the policy it last set every due time under (one item, DUE-POLICY/MARK:
    // core/due-policy.ts), so a changed policy's due times are set again by the next sweep.
    sweep.fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'OwnDuePolicyMarkOnly',
        actions: ['dynamodb:PutItem'],
        resources: [state.incidents.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['DUE-POLICY'] } },
      }),
    );
    // acknowledge: reads and commits the acknowledgement.
    grantIncidents(acknowledge, [...TABLE_ACTIONS.read, ...TABLE_ACTIONS.commit]);
    // link-apply: what an acknowledgement from a link or the pager reads and puts, by partition and
    // attribute name (infra/link-grant.ts says what, and what IAM cannot narrow).
    for (const statement of linkTableStatements(state.incidents.tableArn)) linkApply.fn.addToRolePolicy(statement);
    state.key.grant(linkApply.fn, ...KEY_ACTIONS.read, ...KEY_ACTIONS.write);
    // link: public, so nothing but invoking the link-apply function, that one ARN (no version or
    // alias wildcard). IAM has no condition on the invocation type: an asynchronous invocation by
    // a compromised link function is held to the link-apply function's concurrency, and checked alike.
    const invokeLinkApply = new iam.PolicyStatement({ sid: 'ForwardToLinkApply', actions: ['lambda:InvokeFunction'], resources: [linkApply.fn.functionArn] });
    link.fn.addToRolePolicy(invokeLinkApply);
    // anchor: reads the record (the index lists the incidents), keeps its own bookkeeping items
    // (ANCHOR…: where anchoring stands, heads not yet anchored), signs and writes digests.
    grantIncidents(anchor, TABLE_ACTIONS.read, true);
    anchor.fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'OwnAnchorItemsOnly',
        actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
        resources: [state.incidents.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ANCHOR', 'ANCHOR#*'] } },
      }),
    );
    state.key.grant(anchor.fn, ...KEY_ACTIONS.write);
    for (const statement of anchoring) anchor.fn.addToRolePolicy(statement);
    // Powertools idempotency: get, put, update and delete its own records (a failed run's record is deleted).
    record.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [state.idempotency.tableArn],
      }),
    );
    // Each function may put on the bus only the events it announces (the public link function
    // puts none): the link-apply function cannot start a containment ("Incident Opened") or fake a reminder.
    const publishers: Record<keyof typeof DOMAIN_EVENT_PUBLISHERS, ResponseFunction> = {
      'record-finding': record,
      contain,
      sweep,
      acknowledge,
      'link-apply': linkApply,
    };
    for (const [handler, types] of Object.entries(DOMAIN_EVENT_PUBLISHERS)) {
      publishers[handler as keyof typeof DOMAIN_EVENT_PUBLISHERS].fn.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'OwnEventsOnly',
          actions: ['events:PutEvents'],
          resources: [state.bus.eventBusArn],
          conditions: { StringEquals: { 'events:source': DOMAIN_EVENT_SOURCE, 'events:detail-type': [...types] } },
        }),
      );
    }
    for (const f of MESSAGE_PUBLISHERS.map((handler) => this.functions[handler])) {
      state.fgTopic.grantPublish(f.fn);
      state.onCallTopic.grantPublish(f.fn);
      // The topics are encrypted with the key: publishing needs it (an imported topic does not know its key).
      state.key.grant(f.fn, 'kms:GenerateDataKey*', 'kms:Decrypt');
    }
    const protectedRoles = protectedRoleNames(config);
    const pipelineRoles = pipelineOnlyRoleNames(config);
    const containment = containmentStatements({ partition: this.partition, account: this.account, regions, protectedRoles, pipelineRoles });
    for (const statement of containment) contain.fn.addToRolePolicy(statement);
    const assume = this.memberRoleStatement(config);
    if (assume) contain.fn.addToRolePolicy(assume);

    // Two boundaries: containment's actions only for the contain function, so that no other
    // role (the public link function's least of all) could ever be given them; and both well
    // under the 6,144 characters IAM accepts (test/infra/policy-size.test.ts).
    const ownDeadLetterQueues = new iam.PolicyStatement({
      sid: 'OwnDeadLetterQueues',
      actions: ['sqs:SendMessage'],
      resources: [`arn:${this.partition}:sqs:${this.region}:${this.account}:${this.stackName}-*`],
    });
    const ownLogs = new iam.PolicyStatement({
      sid: 'OwnLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [`arn:${this.partition}:logs:${this.region}:${this.account}:log-group:*`],
    });
    const everyFunction = [
      ownLogs,
      new iam.PolicyStatement({
        sid: 'OwnTables',
        actions: [...new Set([...TABLE_ACTIONS.read, ...TABLE_ACTIONS.commit, ...TABLE_ACTIONS.claim])],
        resources: [state.incidents.tableArn, incidentsIndexes],
      }),
      new iam.PolicyStatement({ sid: 'OwnKey', actions: [...KEY_ACTIONS.read, ...KEY_ACTIONS.write], resources: [state.key.keyArn] }),
      new iam.PolicyStatement({ sid: 'OwnBus', actions: ['events:PutEvents'], resources: [state.bus.eventBusArn] }),
      ownDeadLetterQueues,
      protectPipelineRoles({ partition: this.partition, protectedRoles, pipelineRoles }),
    ];
    this.boundary = applyBoundary(this, 'datalek-function-boundary', [
      ...everyFunction,
      // Powertools idempotency deletes the record of a failed run; the register is never deleted from.
      new iam.PolicyStatement({
        sid: 'IdempotencyRecords',
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [state.idempotency.tableArn],
      }),
      new iam.PolicyStatement({ sid: 'OwnTopics', actions: ['sns:Publish'], resources: [state.fgTopic.topicArn, state.onCallTopic.topicArn] }),
      new iam.PolicyStatement({
        sid: 'OwnSecrets',
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        resources: secrets.map((secret) => secret.secretArn),
      }),
    ]);
    // The containment Denies stay in the role's own policy, where no policy added later can lift
    // them; the boundary (near the 6,144 characters IAM takes) only caps what is allowed.
    this.containBoundary = new iam.ManagedPolicy(this, 'ContainBoundary', {
      managedPolicyName: 'datalek-contain-boundary',
      description: 'datalek: the most the contain function may ever do (permissions boundary)',
      statements: boundaryStatements(
        mergedStatements([...everyFunction, ...containment.filter((st) => st.effect === iam.Effect.ALLOW), ...(assume ? [assume] : [])], BOUNDARY_MERGES),
      ),
    });
    iam.PermissionsBoundary.of(contain).apply(this.containBoundary);

    // The anchor alone signs and writes digests: its own, smaller boundary (the stack's is near the
    // 6,144 characters IAM takes, and nothing else needs these).
    const anchorBoundary = new iam.ManagedPolicy(this, 'AnchorBoundary', {
      managedPolicyName: 'datalek-anchor-boundary',
      description: 'datalek: the most the anchor function may ever do (permissions boundary)',
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [`arn:${this.partition}:logs:${this.region}:${this.account}:log-group:*`],
        }),
        new iam.PolicyStatement({
          actions: [...TABLE_ACTIONS.read, 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
          resources: [state.incidents.tableArn, incidentsIndexes],
        }),
        new iam.PolicyStatement({ actions: [...KEY_ACTIONS.read, ...KEY_ACTIONS.write], resources: [state.key.keyArn] }),
        new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [`arn:${this.partition}:sqs:${this.region}:${this.account}:${this.stackName}-*`] }),
        ...anchoring,
        protectPipelineRoles({ partition: this.partition, protectedRoles, pipelineRoles }),
      ],
    });
    iam.PermissionsBoundary.of(anchor).apply(anchorBoundary);
    this.anchorBoundary = anchorBoundary;

    // The public link function's own boundary: whatever policy is put on its role later, it can
    // write its log and invoke the link-apply function, never reach a secret, the key or the table.
    this.linkBoundary = new iam.ManagedPolicy(this, 'LinkBoundary', {
      managedPolicyName: 'datalek-link-boundary',
      description: 'datalek: the most the public link function may ever do (permissions boundary)',
      statements: boundaryStatements([ownLogs, invokeLinkApply]),
    });
    iam.PermissionsBoundary.of(link).apply(this.linkBoundary);

    // The detector check reads the detectors of the pipeline's regions, nothing else. GuardDuty's
    // ListDetectors has no resource type (the Service Authorization Reference lists none): only
    // the region can limit it. GetDetector names the detector, whose id GuardDuty gave; so does
    // ListMembers (the detector's member accounts and their relationship), granted only with members.
    this.detectorReads = [
      new iam.PolicyStatement({
        sid: 'ListDetectorsOfPipelineRegions',
        actions: ['guardduty:ListDetectors'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:RequestedRegion': regions } },
      }),
      new iam.PolicyStatement({
        sid: 'ReadDetectorsOfPipelineRegions',
        actions: ['guardduty:GetDetector'],
        resources: regions.map((r) => `arn:${this.partition}:guardduty:${r}:${this.account}:detector/*`),
      }),
      // With member accounts, the members of the same detectors: whether each is still an Enabled member (fgsec16 S3).
      ...(config.memberAccounts.length
        ? [
            new iam.PolicyStatement({
              sid: 'ListMembersOfPipelineDetectors',
              actions: ['guardduty:ListMembers'],
              resources: regions.map((r) => `arn:${this.partition}:guardduty:${r}:${this.account}:detector/*`),
            }),
          ]
        : []),
    ];
    for (const statement of this.detectorReads) detectorCheck.fn.addToRolePolicy(statement);
    this.detectorCheckBoundary = new iam.ManagedPolicy(this, 'DetectorCheckBoundary', {
      managedPolicyName: 'datalek-detector-check-boundary',
      description: 'datalek: the most the detector check may ever do (permissions boundary)',
      statements: boundaryStatements([
        ownLogs,
        // Lambda writes a failed run's event to its dead-letter queue, under the pipeline key.
        new iam.PolicyStatement({ actions: ['kms:GenerateDataKey*', 'kms:Decrypt'], resources: [state.key.keyArn] }),
        ownDeadLetterQueues,
        ...this.detectorReads,
        protectPipelineRoles({ partition: this.partition, protectedRoles, pipelineRoles }),
      ]),
    });
    iam.PermissionsBoundary.of(detectorCheck).apply(this.detectorCheckBoundary);

    const route = (
      id: string,
      name: string,
      description: string,
      target: ResponseFunction,
      rule: { pattern?: ReturnType<typeof findingRulePattern>; bus?: events.IEventBus; schedule?: events.Schedule },
    ) => new EventRoute(this, id, { name, description, target: target.fn, alarmTopic, key: state.key, ...rule });
    this.routes.push(
      route('FindingRoute', 'finding-route', 'GuardDuty findings from the policy threshold up', record, { pattern: findingRulePattern(config.policy) }),
      route('NotifyRoute', 'notify-route', 'incident changes to notify about', notify, {
        bus: state.bus,
        pattern: domainRulePattern(DOMAIN_EVENT_SOURCE, NOTIFY_EVENT_TYPES),
      }),
      route('ContainRoute', 'contain-route', 'incidents that may need containment', contain, {
        bus: state.bus,
        pattern: domainRulePattern(DOMAIN_EVENT_SOURCE, ['Incident Opened', 'Incident Updated']),
      }),
      route('SweepSchedule', 'sweep-schedule', 'the deadline sweep', sweep, { schedule: SWEEP_SCHEDULE }),
      route('AnchorSchedule', 'anchor-schedule', "the register's digest, on the sweep's schedule", anchor, { schedule: SWEEP_SCHEDULE }),
      // Daily at 07:00 UTC: what it finds pages on-call in the morning, not at night (a change at
      // night pages then, through the pipeline watch).
      route('DetectorCheckSchedule', 'detector-check-schedule', 'the daily GuardDuty detector check', detectorCheck, {
        schedule: events.Schedule.cron({ minute: '0', hour: '7' }),
      }),
    );

    // What the contain function logs with a count pages on-call through an alarm of its own:
    // - an interface left in the all-traffic group, beside the Critical page in the outbox (the two
    //   paths share no function);
    // - an enforced action of the record that it refused (core/contain.ts): the record asked for
    //   something its policy and the incident's findings do not call for, which only a replay's
    //   --enforce or a record written by something else explains.
    for (const [field, metricName, name, description] of [
      [
        LOG_METRICS.interfacesExposed,
        'InterfacesExposed',
        'interface-exposed',
        'datalek contain: a network interface could be neither isolated nor restored and is OPEN to all traffic; see the Critical page and runbooks/isolate-ec2-instance.md',
      ],
      [
        LOG_METRICS.containmentRefused,
        'ContainmentRefused',
        'containment-refused',
        'datalek contain: an incident record asked for containment the policy and the incident’s findings do not call for; it was refused. Check who wrote the record (datalek verify, CloudTrail)',
      ],
    ] as const) {
      const filter = new logs.MetricFilter(this, `${metricName}Metric`, {
        logGroup: contain.logGroup,
        filterPattern: logs.FilterPattern.numberValue(`$.${field}`, '>', 0),
        metricNamespace: METRIC_NAMESPACE,
        metricName,
        metricValue: `$.${field}`,
      });
      onCallAlarm(this, `${metricName}Alarm`, {
        name,
        description,
        // attack16 K4: Maximum, not Sum: anyone may publish into a custom namespace, and negative values held a Sum below 1.
        metric: filter.metric({ statistic: 'Maximum', period: Duration.minutes(1) }),
        topic: alarmTopic,
      });
    }

    // A change the store refused for good in the acknowledgement paths (StuckConflictError: no race, a row
    // put in the table behind datalek): the person is answered (a 500 that says why) and the function does
    // not fail, so its errors alarm stays quiet and the URL's 5xx alarm names no cause. The log's count
    // pages, saying what it is (infra14).
    const [stuck] = [acknowledge, this.functions.linkApply].map(
      (f) =>
        new logs.MetricFilter(this, `${f.node.id}StuckConflictsMetric`, {
          logGroup: f.logGroup,
          filterPattern: logs.FilterPattern.numberValue(`$.${LOG_METRICS.stuckConflicts}`, '>', 0),
          metricNamespace: METRIC_NAMESPACE,
          metricName: 'StuckConflicts',
          metricValue: `$.${LOG_METRICS.stuckConflicts}`,
        }),
    );
    onCallAlarm(this, 'StuckConflictsAlarm', {
      name: 'stuck-conflict',
      description:
        "datalek acknowledge/link-apply: an acknowledgement (on-call's signed URL, an acknowledgement link's page or a pager's webhook) was NOT recorded: the store refused it at every try while the incident did not change, which is no race (a row put in the incidents table behind datalek?), and the escalation goes on. The function's log names the incident (incidentId, identifiers only); run datalek verify ID --target aws, which names the row, put it right, then acknowledge again (runbooks/on-call.md)",
      metric: stuck.metric({ statistic: 'Maximum', period: Duration.minutes(1) }),
      topic: alarmTopic,
    });

    // The alarms' key, not the register's: a broken pipeline key does not stop the watch's pages.
    const alarmKey = kms.Key.fromKeyArn(this, 'AlarmKey', props.state.alarmKey.keyArn);
    // A member account's watched calls page through a function, within a bound; the pipeline
    // account's own straight to the alarm topic, as before (constructs/member-pages.ts, deploy20).
    const memberPages = config.memberAccounts.length
      ? new MemberPages(this, 'MemberPages', { alarmTopic, alarmKey, key: state.key, logRetention: props.logRetention, breakGlassRole: config.breakGlassRole })
      : undefined;
    this.memberPages = memberPages;
    if (memberPages) {
      // Its own boundary: its log, its record, its dead-letter queue, and publishing on the alarm topic (the stack's boundary has neither).
      this.memberPagesBoundary = new iam.ManagedPolicy(this, 'MemberPagesBoundary', {
        managedPolicyName: 'datalek-member-pages-boundary',
        description: 'datalek: the most the member-pages function may ever do (permissions boundary)',
        statements: boundaryStatements([
          ownLogs,
          new iam.PolicyStatement({ actions: ['kms:GenerateDataKey*', 'kms:Decrypt'], resources: [state.key.keyArn, props.state.alarmKey.keyArn] }),
          ownDeadLetterQueues,
          new iam.PolicyStatement({
            actions: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
            resources: [memberPages.table.tableArn],
          }),
          new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [alarmTopic.topicArn] }),
          protectPipelineRoles({ partition: this.partition, protectedRoles, pipelineRoles }),
        ]),
      });
      iam.PermissionsBoundary.of(memberPages.function).apply(this.memberPagesBoundary);
    }

    // Calls that stop findings from arriving (a rule disabled, GuardDuty suspended, a function
    // stopped) fail nothing: they page through their own rule on CloudTrail's events.
    this.watch = new PipelineWatch(this, 'Watch', {
      rulePrefixes: [`${this.stackName}-`, 'datalek-'],
      functionWildcards: [`*${this.stackName}-*`],
      // A key's id is its ARN's last part.
      keyIds: [state.key.keyArn, props.state.alarmKey.keyArn, props.state.digests.signingKey.keyArn].map((arn) => Fn.select(1, Fn.split('/', arn))),
      // The link key and the pager's secrets: `datalek/…`.
      secretNamePrefix: 'datalek/',
      logGroupPrefix: `${this.stackName}-`,
      // The member stacks' roles (fgsec14 S1): their calls arrive here as the members forward IAM's (member-iam-stack.ts, infra14).
      // The on-call role, and (its calls forwarded from member accounts) the containment role and its read role by its name (infra15); the FG's role, which writes the register as on-call's does (sec26).
      // The break-glass role by its exact name, whatever it is (fgsec16 S1: every guard excuses it; a member's forwarded too).
      otherRoleNames: { prefixes: [config.containmentRoleName], exactly: [config.onCallRole, config.fgRole, config.breakGlassRole] },
      rolesDeployedIn: config.region,
      // The breach register's tables and the event archive (datalek-watch-register, review9 S1).
      tablePrefix: 'datalek-',
      archiveName: EVENT_ARCHIVE_NAME,
      // The locked backup vault's plan (opt-in): its calls page only where the vault is.
      backupVault: config.backupRetentionDays !== undefined,
      key: alarmKey,
      alarmTopic,
      memberPages,
    });

    // Calls that undo containment outside datalek (review5 A15) page too.
    new ContainmentWatch(this, 'ContainmentWatch', {
      exemptRoles: datalekContainmentRoles(config, this.stackName),
      functionWildcards: [`*${this.stackName}-*`],
      containmentRoles: containmentRolesByAccount(config),
      alarmTopic,
      memberPages,
    });
    new EcsPlacementWatch(this, 'EcsPlacementWatch', { exemptRoles: datalekContainmentRoles(config, this.stackName), alarmTopic, memberPages });
    // An inline policy other than the revocation, or a key set Active, by a containment role (fgsec17 Sc): members' arrive from their us-east-1.
    new ContainRoleWatch(this, 'ContainRoleWatch', { roleNames: containmentRoleNames(config), alarmTopic, memberPages });
    // A security group's datalek: tags changed, which makes datalek lose its isolation group (kfix11).
    new GroupTagWatch(this, 'GroupTagWatch', { alarmTopic, memberPages });
    // A user or role tagged datalek:protected, which containment never writes on (sec25): members' arrive from their us-east-1.
    new ProtectedTagWatch(this, 'ProtectedTagWatch', { alarmTopic, memberPages });

    // Member accounts forward the calls that silence their findings (member-stack.ts) to this
    // bus, where the watch pages: the listed accounts' two forwarding rules only, CloudTrail's
    // calls of GuardDuty and EventBridge only (a member can put no other event here, a finding
    // least of all).
    if (config.memberAccounts.length) {
      new events.CfnEventBusPolicy(this, 'MemberCallsPolicy', {
        eventBusName: 'default',
        statementId: MEMBER_BUS_STATEMENT_ID,
        statement: {
          Sid: MEMBER_BUS_STATEMENT_ID,
          Effect: 'Allow',
          Principal: { AWS: config.memberAccounts.map((a) => `arn:${this.partition}:iam::${a}:root`) },
          Action: 'events:PutEvents',
          Resource: `arn:${this.partition}:events:${this.region}:${this.account}:event-bus/default`,
          // As EventBridge's own examples put them: events:source is multivalued (a PutEvents call
          // carries several events), each must be one of these; and only the member stacks' two rules.
          Condition: {
            'ForAllValues:StringEquals': { 'events:source': MEMBER_FORWARDED_SOURCES },
            StringEquals: { 'events:detail-type': 'AWS API Call via CloudTrail' },
            ArnEquals: {
              'aws:SourceArn': config.memberAccounts.flatMap((a) => [
                // The member's two rules in each pipeline region (member-stack.ts; the central region's and, contain20, each other's).
                ...memberRuleArns(this.partition, a, [this.region, ...config.forwardFrom]),
                // The member's IAM calls, from its us-east-1 (member-iam-stack.ts, infra14).
                ...MEMBER_IAM_RULE_NAMES.map((name) => `arn:${this.partition}:events:${IAM_EVENTS_REGION}:${a}:rule/${name}`),
              ]),
            },
          },
        },
      });
    }

    // The sweep (AP deadline reminders, escalation pages) and the anchor run every 5 minutes: if
    // they stop running at all (rule disabled or deleted, function throttled to nothing), nothing
    // fails and no errors alarm fires. Fifteen minutes without a run pages on-call.
    for (const [f, name, what] of [
      [sweep, 'sweep-not-running', 'no AP deadline reminder or escalation page is being sent'],
      [anchor, 'anchor-not-running', 'the register is no longer being anchored'],
    ] as const) {
      heartbeatAlarm(this, `${f.node.id}NotRunningAlarm`, {
        name,
        description: `datalek ${f.node.id.toLowerCase()}: not invoked for 15 minutes although scheduled every 5: ${what}; check its EventBridge schedule rule and the function`,
        metric: f.fn.metricInvocations({ period: ALARM_PERIOD, statistic: 'Sum' }),
        topic: alarmTopic,
        periods: 3,
      });
    }
    heartbeatAlarm(this, 'DetectorCheckNotRunningAlarm', {
      name: 'detector-check-not-running',
      description:
        'datalek detector check: not invoked for 2 days although scheduled daily: whether GuardDuty is enabled in every pipeline region is no longer checked; check its EventBridge schedule rule and the function',
      metric: detectorCheck.fn.metricInvocations({ period: Duration.days(1), statistic: 'Sum' }),
      topic: alarmTopic,
      periods: 2,
    });

    this.ackUrl = acknowledge.fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    new CfnOutput(this, 'AcknowledgeUrl', {
      description: 'Set as DATALEK_ACK_URL for `datalek ack ID --target aws` (signed with SigV4)',
      value: this.ackUrl.url,
    });
    // The on-call engineers' role gets this policy: it allows exactly the signed acknowledgement.
    // Function URLs created since October 2025 also need lambda:InvokeFunction, which the condition
    // limits to calls through the URL.
    this.onCallPolicy = new iam.ManagedPolicy(this, 'OnCallAcknowledgePolicy', {
      managedPolicyName: 'datalek-on-call-acknowledge',
      description: 'Allows calling the datalek acknowledgement URL (signed with SigV4), nothing else',
      statements: [
        new iam.PolicyStatement({
          sid: 'AcknowledgementUrl',
          actions: ['lambda:InvokeFunctionUrl'],
          resources: [acknowledge.fn.functionArn],
          conditions: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } },
        }),
        new iam.PolicyStatement({
          sid: 'AcknowledgementThroughTheUrlOnly',
          actions: ['lambda:InvokeFunction'],
          resources: [acknowledge.fn.functionArn],
          conditions: { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } },
        }),
      ],
    });
    new CfnOutput(this, 'OnCallPolicyArn', { description: "Attach to the on-call engineers' role", value: this.onCallPolicy.managedPolicyArn });
    // And this one: `datalek show/verify --target aws` read what containment left in effect, with
    // the on-call role's own credentials in this account and through each member's read role
    // (member-stack.ts) there. Reads only; the on-call role is the organisation's, so a policy to
    // attach rather than grants on it, and its Allows only: a Deny here would limit what on-call
    // may do otherwise (the user data an investigation reads). The FG's role has it too (README):
    // the CLI and serve, as either role, read the incidents table's ARN and its tag
    // `datalek:fg-role` (handlers/cli/aws-backend.ts `tableFgRole`) before every FG decision and
    // for show/verify. The pipeline SCP denies changing those roles' policies to all but the
    // deployment and break-glass, so the grant is here, in the policy the deployment updates
    // (review27 finalB #3); the table's resource policy denies neither read.
    const readMembers = this.memberReadStatement(config);
    this.onCallReadPolicy = new iam.ManagedPolicy(this, 'OnCallReadContainmentPolicy', {
      managedPolicyName: 'datalek-on-call-read-containment',
      // Unchanged: a managed policy's description is immutable (CloudFormation replaces the policy),
      // which a named policy cannot be, and a new one would not be attached to anyone's role.
      description: 'Allows datalek show/verify --target aws to read back what containment left in effect (reads only)',
      statements: [
        ...containmentReadStatements({ partition: this.partition, account: this.account, regions }).filter((st) => st.effect === iam.Effect.ALLOW),
        ...(readMembers ? [readMembers] : []),
        new iam.PolicyStatement({
          sid: 'ReadRegisterFgRoleTag',
          actions: ['dynamodb:DescribeTable', 'dynamodb:ListTagsOfResource'],
          resources: [state.incidents.tableArn],
        }),
      ],
    });
    new CfnOutput(this, 'OnCallReadPolicyArn', {
      description: "Attach to the on-call engineers' role: show/verify --target aws read containment back",
      value: this.onCallReadPolicy.managedPolicyArn,
    });

    // No IAM on this URL: a page's link must open on a phone without AWS credentials. The signed
    // token is the authorisation (and a webhook's signature); CDK adds the public permissions for
    // both lambda:InvokeFunctionUrl and (for URLs made since October 2025) lambda:InvokeFunction,
    // the latter only through the URL.
    this.linkUrl = link.fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    for (const f of [notify, sweep]) f.fn.addEnvironment('DATALEK_LINK_URL', this.linkUrl.url);
    new CfnOutput(this, 'LinkUrl', {
      description: 'Acknowledgement links point here; the pager webhooks are <LinkUrl>hooks/pagerduty and <LinkUrl>hooks/opsgenie',
      value: this.linkUrl.url,
    });
    // An acknowledgement that fails answers 500 (the web app catches the error and says so): Lambda
    // counts that invocation as a success, so the errors alarm never fires. Its URL counts it
    // ("Url5xxCount: requests that returned a 5XX status", Lambda Developer Guide, "Monitoring
    // Lambda function URLs"): a person's acknowledgement not recorded, say the table refusing
    // the link function's narrowed grant, pages on-call instead of passing unseen.
    for (const [id, name, f, what] of [
      ['LinkUrlFailuresAlarm', 'link', link, 'an acknowledgement link or a pager webhook'],
      ['AcknowledgeUrlFailuresAlarm', 'acknowledge', acknowledge, 'a signed acknowledgement (datalek ack --target aws)'],
    ] as const) {
      onCallAlarm(this, id, {
        name: `${name}-url-failures`,
        description: `datalek ${name}: ${what} answered with a failure (HTTP 5xx) and was not recorded; see the function's log (identifiers only) and runbooks/on-call.md`,
        metric: f.fn.metric('Url5xxCount', { period: ALARM_PERIOD, statistic: 'Sum' }),
        topic: alarmTopic,
      });
    }
    if (this.pagerSecret)
      new CfnOutput(this, 'PagerSecretArn', { description: "Put the pager's routing or API key here (README, Deploy)", value: this.pagerSecret.secretArn });
    if (this.pagerWebhookSecret) {
      new CfnOutput(this, 'PagerWebhookSecretArn', {
        description: "Put the pager's webhook secret here, alone, as text (README, Deploy)",
        value: this.pagerWebhookSecret.secretArn,
      });
    }
    // The dead letters (the failed findings' only copy) and the watch's calls: emptied by nobody
    // but the break-glass role and the deployment (register-guard.ts).
    protectQueues(this, config.breakGlassRole);
    // Their messages, taken one by one: by nobody but break-glass, which redrives them (review11 K3, read12b B3).
    protectDeadLetters(this, { breakGlassRole: config.breakGlassRole });
  }

  /** Assuming the read role of member accounts, as the contain function assumes their containment role. */
  private memberReadStatement(config: DeployConfig): iam.PolicyStatement | null {
    return this.assumeInMembers(config, containmentReadRoleName(config.containmentRoleName), 'ReadInMemberAccounts');
  }

  /**
   * Assuming the containment role of member accounts: within the organisation when its id is given
   * (any account of it), else only the listed member accounts; none at all without either.
   */
  private memberRoleStatement(config: DeployConfig): iam.PolicyStatement | null {
    return this.assumeInMembers(config, config.containmentRoleName, 'ActInMemberAccounts');
  }

  private assumeInMembers(config: DeployConfig, roleName: string, sid: string): iam.PolicyStatement | null {
    const role = (account: string) => `arn:${this.partition}:iam::${account}:role/${roleName}`;
    if (config.organizationId) {
      return new iam.PolicyStatement({
        sid,
        actions: ['sts:AssumeRole'],
        resources: [role('*')],
        conditions: { StringEquals: { 'aws:ResourceOrgID': config.organizationId } },
      });
    }
    if (config.memberAccounts.length === 0) return null;
    return new iam.PolicyStatement({ sid, actions: ['sts:AssumeRole'], resources: config.memberAccounts.map(role) });
  }
}
