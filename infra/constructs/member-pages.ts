/**
 * A member account's watched calls page within a bound (deploy20; handlers/core/member-pages.ts).
 * Each central watch rule that pages each call it matches straight to the alarm topic is split by
 * the event's `account` (`boundMemberPages`):
 * - the rule itself takes the pipeline account's own calls only, and pages each, whatever their
 *   number, as before: a storm there is an attack on the pipeline and must page;
 * - its twin (`<rule>-members`, `datalek-*`: the watch rules see calls on it) takes every other
 *   account's (`anything-but` the pipeline account: an account let onto the bus later is bounded too,
 *   and the two rules together match exactly what the rule matched before) and sends them to the
 *   member-pages function, with the rule's own page as EventBridge renders it, the caller left out
 *   (CALLER_MARK), and the whole event. The function records each call (DynamoDB, once per CloudTrail
 *   event id, 14 days), pages the first few of each account and rule in a window as the rule's page
 *   reads, then one summary, and names no IAM user.
 * A call the twin cannot hand to the function waits in a dead-letter queue of its own, whose alarm
 * pages (and, lost even there, the lost alarm); the function's errors, throttles and failed events
 * page through their alarms (response-function.ts). On-call then sees an alarm naming the queue, not
 * the page: late, never lost unseen. The function's reserved concurrency keeps a member's storm
 * from taking the account's unreserved concurrency (the sweep's, the anchor's).
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MEMBER_PAGES_TABLE } from '../../handlers/adapters/aws/member-page-ledger.js';
import { CALLER_MARK } from '../../handlers/core/member-pages.js';
import { DEFAULT_PAGE_LIMIT, DEFAULT_WINDOW_MINUTES } from '../../handlers/lambda/member-pages.js';
import { deadLettersMetric, lostEventsAlarm, onCallAlarm, ruleMetric } from './alarms.js';
import { pageCaller } from './page-caller.js';
import { deadLetterQueue } from './queue.js';
import { registerTablePolicy } from './register-guard.js';
import { functionRoleName, ResponseFunction } from './response-function.js';

/** The function's handler (handlers/member-pages.ts). */
export const MEMBER_PAGES_HANDLER = 'member-pages';

/** The record's table: `datalek-*`, so the register watch pages on its deletion. */
export const MEMBER_PAGES_TABLE_NAME = 'datalek-member-pages';

/** A member twin's name: its rule's and this. */
export const MEMBER_TWIN_SUFFIX = '-members';

/** How many member pages' handlings may run at once: a storm waits in Lambda's queue (the throttles alarm says so), the rest of the account's concurrency is not taken. */
export const MEMBER_PAGES_CONCURRENCY = 2;

export interface MemberPagesProps {
  /** Where the pages go (the function publishes on it) and where its alarms page. */
  alarmTopic: sns.ITopic;
  /** The alarm topic's key: the function publishes under it. */
  alarmKey: kms.IKey;
  /** Encrypts the record, the function's and the twins' dead-letter queues (the pipeline's key, as the other functions'). */
  key: kms.IKey;
  logRetention: logs.RetentionDays;
  /** The role that alone, with the function, writes the record's items, and with the deployment takes the table's protections off. */
  breakGlassRole: string;
}

/** A watch rule's page: its text for a caller phrase (the rule's own: `pageCaller()`; a twin's: CALLER_MARK). */
export type PageText = (caller: string) => string;

export class MemberPages extends Construct {
  public readonly function: ResponseFunction;
  public readonly table: dynamodb.Table;
  /** The twins' calls that could not be handed to the function. */
  public readonly undelivered: sqs.Queue;
  public readonly twins: events.Rule[] = [];

  constructor(scope: Construct, id: string, props: MemberPagesProps) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Record', {
      tableName: MEMBER_PAGES_TABLE_NAME,
      partitionKey: { name: MEMBER_PAGES_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: MEMBER_PAGES_TABLE.sortKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: MEMBER_PAGES_TABLE.ttlAttribute,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Its items are what the function dedupes on: an item planted by another principal of the
      // account marks a member's call as paged already, and its page is never sent (sec24). So only
      // the function and break-glass write items, and the table is kept as the register's tables are
      // (deletion protection, retained with the stack, its protections the deployment's alone).
      resourcePolicy: registerTablePolicy(this, MEMBER_PAGES_TABLE_NAME, props.breakGlassRole, { itemWriters: [functionRoleName(MEMBER_PAGES_HANDLER)] }),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.function = new ResponseFunction(this, 'Function', {
      handler: MEMBER_PAGES_HANDLER,
      description: "datalek: pages a member account's watched calls within a bound (a few per account and rule an hour, then one summary), recording each",
      environment: {
        DATALEK_MEMBER_PAGES_TABLE: MEMBER_PAGES_TABLE_NAME,
        DATALEK_ALARM_TOPIC_ARN: props.alarmTopic.topicArn,
        DATALEK_MEMBER_PAGE_LIMIT: String(DEFAULT_PAGE_LIMIT),
        DATALEK_MEMBER_PAGE_WINDOW_MINUTES: String(DEFAULT_WINDOW_MINUTES),
      },
      alarmTopic: props.alarmTopic,
      logRetention: props.logRetention,
      key: props.key,
      reservedConcurrency: MEMBER_PAGES_CONCURRENCY,
    });
    const role = this.function.role;
    // Its own items only: put, read, mark and count; never a scan, a delete or another table.
    this.table.grant(role, 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query');
    props.alarmTopic.grantPublish(role);
    props.alarmKey.grant(role, 'kms:GenerateDataKey*', 'kms:Decrypt');
    this.undelivered = deadLetterQueue(this, 'Undelivered', props.key);
    onCallAlarm(this, 'UndeliveredAlarm', {
      name: 'member-pages-undelivered',
      description:
        "datalek: a member account's watched calls matched a watch rule's member twin (datalek-watch-…-members) and could NOT be handed to the member-pages function (its permission or the function gone?): they wait in, or arrived in, its dead-letter queue, unpaged. As break-glass, read them (each a CloudTrail event of that account: treat it as that watch rule's page), mend the function, then redrive or delete them (runbooks/on-call.md)",
      metric: deadLettersMetric(this.undelivered),
      topic: props.alarmTopic,
    });
    this.alarmTopic = props.alarmTopic;
  }

  private readonly alarmTopic: sns.ITopic;

  /**
   * Splits `rule` (named `name`, paging `page` on the alarm topic) by account: the rule keeps the
   * pipeline account's calls, a twin takes every other account's to the function. Its pattern must
   * be set already (the rules set theirs on the CfnRule).
   */
  bound(rule: events.Rule, name: string, page: PageText, options: { members?: Record<string, unknown> } = {}): events.Rule {
    const account = Stack.of(rule).account;
    const cfn = rule.node.defaultChild as events.CfnRule;
    const pattern = cfn.eventPattern as Record<string, unknown>;
    if ('account' in pattern) throw new Error(`${name}: its pattern names an account already; the member twin splits it by account`);
    const split = splitByAccount(pattern, account, options.members);
    cfn.eventPattern = split.own;
    const twin = new events.Rule(this, name, {
      ruleName: `${name}${MEMBER_TWIN_SUFFIX}`,
      description: `datalek: member accounts' calls that ${name} matches, paged within a bound by the member-pages function (README, Member accounts' pages)`,
      // Set below: CDK's pattern type has no top-level $or.
      eventPattern: { source: ['aws.events'] },
    });
    (twin.node.defaultChild as events.CfnRule).eventPattern = split.members;
    twin.addTarget(
      new targets.LambdaFunction(this.function.fn, {
        event: new TwinInput(name, events.RuleTargetInput.fromText(page(CALLER_MARK))),
        deadLetterQueue: this.undelivered,
        maxEventAge: Duration.hours(24),
        retryAttempts: 185,
      }),
    );
    lostEventsAlarm(this, `${twin.node.id}LostAlarm`, {
      name: `${name.replace(/^datalek-/, '')}${MEMBER_TWIN_SUFFIX}`,
      rule: twin,
      what: `member accounts' calls that ${name} matched`,
      topic: this.alarmTopic,
    });
    this.twins.push(twin);
    return twin;
  }
}

/**
 * A watch rule's pattern split by account: `own` the pipeline account's calls, `members` every other
 * account's (the twin's). Both without the rule's `detail-type` of CloudTrail's API calls, where it
 * has that one: a pattern holds 2,048 characters, and the containment watch's is near them (the
 * split must not shorten the role names a deployer may give). Left out, it widens the rule, never
 * narrows it: the calls the pattern names (`eventName`, …) come as API calls alone, and the bus
 * takes from other accounts nothing else (response-stack.ts, the member statement's
 * `events:detail-type`).
 */
export function splitByAccount(
  pattern: Record<string, unknown>,
  account: string,
  /** The twin's pattern where the rule's own holds what only the pipeline account's calls need (its sessions exempt): the containment watch's. */
  members: Record<string, unknown> = pattern,
): { own: Record<string, unknown>; members: Record<string, unknown> } {
  const base = (p: Record<string, unknown>) => {
    const { 'detail-type': detailType, ...rest } = p;
    return JSON.stringify(detailType) === JSON.stringify(['AWS API Call via CloudTrail']) ? rest : p;
  };
  return { own: { ...base(pattern), account: [account] }, members: { ...base(members), account: [{ 'anything-but': account }] } };
}

/**
 * A twin's input: `{"rule": <the watch rule's name>, "page": <its page, rendered>, "event": <the whole event>}`.
 * `<aws.events.event.json>` is EventBridge's own variable for the whole event, unescaped: a JSON value.
 */
class TwinInput extends events.RuleTargetInput {
  constructor(
    private readonly rule: string,
    private readonly page: events.RuleTargetInput,
  ) {
    super();
  }

  public bind(rule: events.IRule): events.RuleTargetInputProperties {
    const page = this.page.bind(rule);
    if (page.inputTemplate === undefined) throw new Error(`${this.rule}: its page reads no field of the event`);
    return {
      inputPathsMap: page.inputPathsMap,
      inputTemplate: `{"rule":${JSON.stringify(this.rule)},"page":${page.inputTemplate},"event":<aws.events.event.json>}`,
    };
  }
}

/**
 * The alarm topic target of a watch rule: its page as a message of its own, and, where `memberPages`
 * is (the central region, with member accounts), the rule split so a member's calls go to the
 * function instead.
 */
export function pageOnAlarmTopic(
  rule: events.Rule,
  name: string,
  page: PageText,
  alarmTopic: sns.ITopic,
  memberPages?: MemberPages,
  options: { members?: Record<string, unknown> } = {},
): void {
  const topicArn = alarmTopic.topicArn;
  const message = events.RuleTargetInput.fromText(page(pageCaller()));
  rule.addTarget({ bind: () => ({ arn: topicArn, input: message }) });
  memberPages?.bound(rule, name, page, options);
}

export interface PagingWatchRuleProps {
  /** The rule's fixed name (`datalek-watch-*`). */
  ruleName: string;
  description: string;
  /** The CloudTrail pattern (set raw: CDK's pattern type has no top-level `$or`). */
  pattern: Record<string, unknown>;
  page: PageText;
  /** The alarm on calls it matched and could not deliver, and what that alarm says. */
  undelivered: { name: string; description: string };
  alarmTopic: sns.ITopic;
  memberPages?: MemberPages;
}

/**
 * A watch rule in `scope` (as `Rule`) that pages each call it matches on the alarm topic
 * (`pageOnAlarmTopic`), with its alarm (as `UndeliveredAlarm`) on calls it could not deliver.
 */
export function pagingWatchRule(scope: Construct, props: PagingWatchRuleProps): events.Rule {
  const rule = new events.Rule(scope, 'Rule', { ruleName: props.ruleName, description: props.description, eventPattern: { source: ['aws.events'] } });
  (rule.node.defaultChild as events.CfnRule).eventPattern = props.pattern;
  pageOnAlarmTopic(rule, props.ruleName, props.page, props.alarmTopic, props.memberPages);
  onCallAlarm(scope, 'UndeliveredAlarm', {
    name: props.undelivered.name,
    description: props.undelivered.description,
    metric: ruleMetric(rule, 'FailedInvocations'),
    topic: props.alarmTopic,
  });
  return rule;
}
