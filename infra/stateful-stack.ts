/**
 * What must outlive any deployment: the incidents table (the breach register, Art. 33(5)), the
 * idempotency table, the FG and on-call topics, the pipeline's bus and its archive, and the
 * customer-managed key that encrypts them. Deletion protection and RETAIN on everything that holds
 * the register: removing the app never removes the record.
 */
import { Duration, RemovalPolicy, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { DEFAULT_RESOURCE_NAMES, DOMAIN_EVENT_SOURCE, FG_ROLE_TAG, IDEMPOTENCY_TABLE, INCIDENT_TABLE } from '../handlers/adapters/aws/table-schema.js';
import { AlarmPathWatch } from './constructs/alarm-path-watch.js';
import { ALARMS_UNDELIVERED_ALARM, alarmTopic, deliveryFailedAlarm, warnIfUnsubscribed } from './constructs/alarms.js';
import { BackupJobWatch } from './constructs/backup-job-watch.js';
import { DigestBucket } from './constructs/digest-bucket.js';
import { MEMBER_PAGES_HANDLER } from './constructs/member-pages.js';
import { allowWatchRulesToPublish, OWN_EVENTS_STATEMENT_ID, OWN_RULES_STATEMENT_ID } from './constructs/pipeline-watch.js';
import { allowEventBridge, breakGlassRoleArn, policyChangers, protectedKey } from './constructs/protected-key.js';
import { RegisterBackup } from './constructs/register-backup.js';
import { EVENT_ARCHIVE_NAME, registerTablePolicy } from './constructs/register-guard.js';
import { functionRoleName } from './constructs/response-function.js';
import { guardTopic, MESSAGE_PUBLISHERS } from './constructs/topic-guard.js';
import { RULE_SILENCING } from './pipeline-scp.js';

/**
 * The handlers whose functions write the register's items (response-stack.ts grants each its own
 * items: record-finding the findings, locks and registry; the others an incident's partitions;
 * the anchor its bookkeeping). With the on-call role and break-glass, nobody else writes them (sec25).
 */
export const REGISTER_WRITERS = ['record-finding', 'notify', 'contain', 'sweep', 'acknowledge', 'link-apply', 'anchor'] as const;

/**
 * The handlers whose functions put the pipeline's own events on the `datalek` bus, each with the
 * detail-types it announces: response-stack.ts grants each exactly these, and the bus's policy
 * refuses every other principal of the account (sec26).
 */
export const DOMAIN_EVENT_PUBLISHERS = {
  'record-finding': ['Incident Opened', 'Incident Updated'],
  contain: ['Containment Done', 'Containment Failed', 'Containment Left'],
  sweep: ['Reminder Due'],
  acknowledge: ['Incident Acknowledged'],
  'link-apply': ['Incident Acknowledged'],
} as const;

/** The handler whose function alone writes the idempotency records (Powertools idempotency around the record use case). */
export const IDEMPOTENCY_WRITER = 'record-finding';

export interface StatefulStackProps extends StackProps {
  /** The response stack's name: its unnamed rules are named after it, and may use the register's key. */
  responseStackName: string;
  /** @default no subscription (subscribe by hand) */
  fgEmail?: string;
  /** @default no subscription (subscribe by hand) */
  onCallEmail?: string;
  /** The pager's CloudWatch integration, subscribed to the alarm topic. */
  alarmPagerUrl?: string;
  /** Whether the policy pages through a pager (the alarms should reach it too). */
  pager: boolean;
  /** Years the pipeline's events are archived. */
  retentionYears: number;
  /** Days the locked vault keeps the tables' daily backups; undefined: no vault (opt-in, constructs/register-backup.ts). */
  backupRetentionDays?: number;
  /** The role that alone may delete or disable the key. */
  breakGlassRole: string;
  /** The on-call role: `datalek … --target aws` publishes on the FG's and on-call's topics with it. */
  onCallRole: string;
  /** The FG's own role: `datalek … --target aws` records and publishes with it as with the on-call role, under its own name (sec26). */
  fgRole: string;
}

export class StatefulStack extends Stack {
  public readonly key: kms.Key;
  public readonly incidents: dynamodb.Table;
  public readonly idempotency: dynamodb.Table;
  public readonly fgTopic: sns.Topic;
  public readonly onCallTopic: sns.Topic;
  /** The alarms' own topic and key: a broken page path does not silence the alarms about it. */
  public readonly alarmTopic: sns.Topic;
  public readonly alarmKey: kms.Key;
  public readonly bus: events.EventBus;
  /** The anchor's digests (S3 Object Lock, compliance mode) and their KMS signing key. */
  public readonly digests: DigestBucket;
  /** Pages through the pages' topic on calls that break the alarms' own path. */
  public readonly alarmPathWatch: AlarmPathWatch;
  /** The tables' daily backups in a locked vault, where opted in. */
  public readonly backup?: RegisterBackup;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);

    this.key = protectedKey(this, 'Key', {
      description: 'datalek: incidents, breach register, FG and on-call messages, event archive, dead-letter queues',
      breakGlassRole: props.breakGlassRole,
    });
    // For the pipeline's own rules only (sec27): the response stack's routes (named after the stack by
    // CloudFormation) on the default and the `datalek` bus, and the rules named `datalek-…` (the member
    // pages' twins, the alarm path's watch); the pipeline's watch pages on a rule of either name made by
    // anyone else (pipeline-watch.ts rulePrefixes). Any other rule of the account wrote under it.
    allowEventBridge(this.key, { ruleNames: [`${props.responseStackName}-*`, 'datalek-*'], buses: [DEFAULT_RESOURCE_NAMES.bus] });

    // And a resource policy (constructs/register-guard.ts): only the break-glass role and the
    // deployment may take these protections off or delete the table (review9 S1).
    const tableDefaults = {
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    };
    this.incidents = new dynamodb.Table(this, 'Incidents', {
      ...tableDefaults,
      tableName: DEFAULT_RESOURCE_NAMES.table,
      // Its items are the record (incidents, timeline, ledger, outbox): anyone else of the account
      // whose IAM policy allows DynamoDB writes could rewrite an incident or mark its messages sent
      // (verify and the anchor tell only afterwards). Written by its functions and by people as
      // the on-call role (`datalek … --target aws`; the FG's and on-call's topics take its messages
      // from no other person's role either) and break-glass (sec25). The FG records as its own role
      // (sec26): the timeline's actor then says the FG decided, not someone of on-call.
      resourcePolicy: registerTablePolicy(this, DEFAULT_RESOURCE_NAMES.table, props.breakGlassRole, {
        itemWriters: [...REGISTER_WRITERS.map(functionRoleName), props.onCallRole, props.fgRole],
      }),
      partitionKey: { name: INCIDENT_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: INCIDENT_TABLE.sortKey, type: dynamodb.AttributeType.STRING },
    });
    // Whose sessions record the FG's decisions, read by `datalek … --target aws` from here rather
    // than from the shell (handlers/cli/fg-role.ts); its tags change only by a deployment or
    // break-glass (TABLE_UNPROTECTING_ACTIONS).
    Tags.of(this.incidents).add(FG_ROLE_TAG, props.fgRole);
    for (const index of Object.values(INCIDENT_TABLE.indexes)) {
      this.incidents.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
      });
    }
    this.idempotency = new dynamodb.Table(this, 'Idempotency', {
      ...tableDefaults,
      tableName: DEFAULT_RESOURCE_NAMES.idempotencyTable,
      // A record planted by anyone else marks a finding's version as recorded already: Powertools
      // returns the stored result and the finding is skipped, no incident, no page (sec24). The
      // record function alone uses it (handlers/record-finding.ts), with break-glass.
      resourcePolicy: registerTablePolicy(this, DEFAULT_RESOURCE_NAMES.idempotencyTable, props.breakGlassRole, {
        itemWriters: [functionRoleName(IDEMPOTENCY_WRITER)],
      }),
      partitionKey: { name: IDEMPOTENCY_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: IDEMPOTENCY_TABLE.ttlAttribute,
    });

    if (props.backupRetentionDays !== undefined) {
      this.backup = new RegisterBackup(this, 'RegisterBackup', {
        tables: [this.incidents, this.idempotency],
        key: this.key,
        retentionDays: props.backupRetentionDays,
      });
    }

    const topic = (id: string, name: string, display: string, email?: string) => {
      const t = new sns.Topic(this, id, { topicName: name, displayName: display, masterKey: this.key, enforceSSL: true });
      if (email) t.addSubscription(new subscriptions.EmailSubscription(email));
      return t;
    };
    this.fgTopic = topic('FgTopic', DEFAULT_RESOURCE_NAMES.fgTopic, 'datalek FG', props.fgEmail);
    this.onCallTopic = topic('OnCallTopic', DEFAULT_RESOURCE_NAMES.onCallTopic, 'datalek on-call', props.onCallEmail);
    warnIfUnsubscribed(this.onCallTopic, Boolean(props.onCallEmail), 'pages');
    // The alarms go elsewhere than the pages, under another key: CloudWatch is not let into the
    // pages' topic or the register's key at all.
    this.alarmKey = protectedKey(this, 'AlarmKey', {
      description: 'datalek: the on-call alarm topic (its own key: a broken pipeline key or page topic does not silence the alarms)',
      breakGlassRole: props.breakGlassRole,
    });
    // EventBridge writes the watched calls (constructs/pipeline-watch.ts) to a queue under it, and the
    // watch rules publish on the alarm topic: all of them named `datalek-…` on the default bus (sec27).
    allowEventBridge(this.alarmKey, { ruleNames: ['datalek-*'], buses: [] });
    this.alarmTopic = alarmTopic(this, 'OnCallAlarms', {
      key: this.alarmKey,
      onCallEmail: props.onCallEmail,
      alarmPagerUrl: props.alarmPagerUrl,
      pager: props.pager,
    });

    // The watch rules (in DatalekResponse) send each call they match to the alarm topic too.
    allowWatchRulesToPublish(this.alarmTopic, { backupJobs: this.backup !== undefined });
    // A backup job of the locked vault's that ended without a recovery point pages too (infra17: it paged nowhere).
    if (this.backup) new BackupJobWatch(this, 'BackupJobWatch', { alarmTopic: this.alarmTopic });
    // Nobody of the account adds a listener or forges a message: the notify and sweep functions
    // and the on-call's and FG's CLI publish pages and the FG's messages, services (alarms, rules) the alarms.
    const messagePublishers = [...MESSAGE_PUBLISHERS.map(functionRoleName), props.onCallRole, props.fgRole];
    guardTopic(this.fgTopic, { breakGlassRole: props.breakGlassRole, publishers: messagePublishers });
    guardTopic(this.onCallTopic, { breakGlassRole: props.breakGlassRole, publishers: messagePublishers });
    // And the member-pages function, which pages a member account's watched calls within a bound (deploy20; with member accounts only).
    guardTopic(this.alarmTopic, { breakGlassRole: props.breakGlassRole, publishers: [functionRoleName(MEMBER_PAGES_HANDLER)] });

    // What SNS fails to deliver is dropped: the pages' and the FG's failures page through the
    // alarm topic; the alarm topic's own through it (its other subscribers) and, by the alarm
    // path watch, through the pages' topic.
    deliveryFailedAlarm(this, 'PagesUndeliveredAlarm', {
      name: 'pages-undelivered',
      watched: this.onCallTopic,
      what: 'pages to on-call (the datalek-on-call topic: incidents, escalations, the pager fallback, the alarm path)',
      topic: this.alarmTopic,
    });
    deliveryFailedAlarm(this, 'FgUndeliveredAlarm', {
      name: 'fg-messages-undelivered',
      watched: this.fgTopic,
      what: "the FG's messages (the datalek-fg topic: new incidents, the AP deadline, reminders)",
      topic: this.alarmTopic,
    });
    deliveryFailedAlarm(this, 'AlarmsUndeliveredAlarm', {
      name: ALARMS_UNDELIVERED_ALARM,
      watched: this.alarmTopic,
      what: 'alarms to on-call (the datalek-on-call-alarms topic)',
      topic: this.alarmTopic,
    });

    this.alarmPathWatch = new AlarmPathWatch(this, 'AlarmPathWatch', {
      alarmTopic: this.alarmTopic,
      alarmKey: this.alarmKey,
      pagesTopic: this.onCallTopic,
    });

    this.digests = new DigestBucket(this, 'Digests', { retentionYears: props.retentionYears, breakGlassRole: props.breakGlassRole });

    this.bus = new events.EventBus(this, 'Bus', { eventBusName: DEFAULT_RESOURCE_NAMES.bus });
    // Its rules start the notify and contain functions for the incident an event names. Both read
    // the store, so a forged event opens nothing and contains nothing the record does not ask for;
    // but anyone of the account with events:PutEvents could drive them at will (each event a run,
    // taking the functions' reserved concurrency from real ones) and fill the archive kept with the
    // register. Only the functions that announce events, and break-glass, put them; a service acting
    // on its own (an archive's replay) is EventBridge's. Removing this statement pages
    // (datalek-watch-pipeline), as does a policy put by hand (datalek-watch-by-hand).
    const ownEvents = new events.CfnEventBusPolicy(this, 'OwnEventsOnly', {
      eventBusName: this.bus.eventBusName,
      statementId: OWN_EVENTS_STATEMENT_ID,
      statement: {
        Sid: OWN_EVENTS_STATEMENT_ID,
        Effect: 'Deny',
        Principal: '*',
        Action: 'events:PutEvents',
        Resource: this.formatArn({ service: 'events', resource: 'event-bus', resourceName: DEFAULT_RESOURCE_NAMES.bus }),
        Condition: {
          ArnNotEquals: {
            'aws:PrincipalArn': [
              ...Object.keys(DOMAIN_EVENT_PUBLISHERS).map((h) => `arn:${this.partition}:iam::${this.account}:role/${functionRoleName(h)}`),
              breakGlassRoleArn(this, props.breakGlassRole),
            ],
          },
          BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
        },
      },
    });
    // And its rules (the notify and contain routes): one disabled, deleted, retargeted or given
    // another pattern sends or contains nothing at all. The service control policy denies those
    // calls where the organisation attached it; this, wherever datalek is deployed. The deployment
    // makes them, break-glass may mend them; the archive's own rule is EventBridge's. Each such call
    // pages besides (datalek-watch-pipeline), as this statement removed does.
    const ownRules = new events.CfnEventBusPolicy(this, 'OwnRulesOnly', {
      eventBusName: this.bus.eventBusName,
      statementId: OWN_RULES_STATEMENT_ID,
      statement: {
        Sid: OWN_RULES_STATEMENT_ID,
        Effect: 'Deny',
        Principal: '*',
        Action: RULE_SILENCING.map((a) => `events:${a}`),
        Resource: this.formatArn({ service: 'events', resource: 'rule', resourceName: `${DEFAULT_RESOURCE_NAMES.bus}/*` }),
        Condition: {
          ArnNotEquals: { 'aws:PrincipalArn': policyChangers(this, props.breakGlassRole) },
          BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
        },
      },
    });
    // One at a time: each PutPermission rewrites the bus's one policy, and two at once may conflict (ConcurrentModificationException).
    ownRules.addDependency(ownEvents);
    // The pipeline's own events (identifiers only) are part of the record: kept as long as the
    // register, under the pipeline's own key. (EventBus.archive() drops the key: the construct is
    // made directly, at the same path.)
    new events.Archive(this.bus, 'Archive', {
      sourceEventBus: this.bus,
      kmsKey: this.key,
      archiveName: EVENT_ARCHIVE_NAME,
      description: 'datalek domain events, kept with the breach register',
      eventPattern: { source: [DOMAIN_EVENT_SOURCE] },
      retention: Duration.days(365 * props.retentionYears),
    });
  }
}
