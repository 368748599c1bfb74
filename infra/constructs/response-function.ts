/**
 * One response function: bundled with the local esbuild (no Docker) as ../bundling.ts says, arm64,
 * Node.js 22, Powertools environment, its own log group with retention, its own role named
 * `datalek-<handler>-function` (the containment Deny protects `datalek-*` roles), a dead-letter
 * queue encrypted with the pipeline's key (unless it is only ever invoked synchronously), and
 * alarms on its errors, throttles and failed events to on-call.
 * Grants are made by the caller, per function, for what that function does.
 */
import { AssetHashType, Duration, type ILocalBundling, RemovalPolicy } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { bundleHandler, PROJECT_ROOT } from '../bundling.js';
import { nameOverflowPolicies } from '../overflow-policies.js';
import { ALARM_PERIOD, deadLettersMetric, onCallAlarm } from './alarms.js';
import { deadLetterQueue } from './queue.js';

export interface ResponseFunctionProps {
  /** The entry file under handlers/, without `.ts`: `record-finding`. */
  handler: string;
  description: string;
  environment: Record<string, string>;
  /** Where the errors alarm goes. */
  alarmTopic: sns.ITopic;
  logRetention: logs.RetentionDays;
  /** @default 30 seconds */
  timeout?: Duration;
  /** Encrypts the dead-letter queue (it holds whole events: personal data). */
  key: kms.IKey;
  /**
   * Invoked only synchronously (a public function URL's function): no dead-letter queue, which
   * Lambda uses for asynchronous invocations only, and so no grant on the key to write one.
   * @default false
   */
  synchronousOnly?: boolean;
  /** How many may run at once. @default unreserved (the account's shared pool) */
  reservedConcurrency?: number;
}

/**
 * How long an event may wait in Lambda's own queue for the function (throttled, or retried after a
 * system error) before it goes to the dead-letter queue: Lambda's default is 6 hours, in silence.
 * An hour: the throttles alarm pages within 5 minutes of the first throttled run, Lambda keeps
 * retrying for the rest of the hour (throttling is often brief), and a finding still not handled
 * then is put in the dead-letter queue, whose alarm pages again, to be redriven by hand: a page
 * waits at most an hour of the AP's 72 unseen by no one, and the event itself is kept 14 days.
 */
export const MAX_EVENT_AGE = Duration.hours(1);

/** Retries after the function itself failed (an error, a timeout), a minute and then two apart. */
export const RETRY_ATTEMPTS = 2;

/** The role name of a handler's function: fixed, so member accounts can trust it and the Deny can name it. */
export function functionRoleName(handler: string): string {
  return `datalek-${handler}-function`;
}

export class ResponseFunction extends Construct {
  public readonly fn: lambda.Function;
  public readonly logGroup: logs.LogGroup;
  public readonly role: iam.Role;
  public readonly errorsAlarm: cloudwatch.Alarm;
  /** Events the function failed on after Lambda's retries (a rejected finding, a bug): kept, not lost. None when it is `synchronousOnly`. */
  public readonly deadLetterQueue?: sqs.Queue;

  constructor(scope: Construct, id: string, props: ResponseFunctionProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.RETAIN });
    this.logGroup = logGroup;
    // Its own role with write access to its own log group only (instead of the broad managed
    // AWSLambdaBasicExecutionRole); every other permission is granted through a resource.
    const role = new iam.Role(this, 'Role', {
      roleName: functionRoleName(props.handler),
      description: `datalek ${props.handler}`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn, `${logGroup.logGroupArn}:*`] }),
    );
    // What CDK moves out of the inline policy (the contain function's) is named too: the SCP and the watch guard it by name.
    nameOverflowPolicies(role, functionRoleName(props.handler));
    this.role = role;
    if (!props.synchronousOnly) {
      // Lambda writes a failed event to the dead-letter queue with this role: the queue's key too.
      props.key.grant(role, 'kms:GenerateDataKey*', 'kms:Decrypt');
      this.deadLetterQueue = deadLetterQueue(this, 'FailedEvents', props.key);
    }
    this.fn = new lambda.Function(this, 'Function', {
      ...(this.deadLetterQueue ? { deadLetterQueue: this.deadLetterQueue, retryAttempts: RETRY_ATTEMPTS, maxEventAge: MAX_EVENT_AGE } : {}),
      code: handlerCode(props.handler),
      handler: 'index.handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: props.timeout ?? Duration.seconds(30),
      reservedConcurrentExecutions: props.reservedConcurrency,
      logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: 'datalek',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        // Powertools would log the whole event on request: never here (findings hold personal data).
        POWERTOOLS_LOGGER_LOG_EVENT: 'false',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      role,
    });
    this.errorsAlarm = onCallAlarm(this, 'Errors', {
      name: `${props.handler}-errors`,
      description: `datalek ${props.handler}: the function failed; see its log group (identifiers only) and runbooks/`,
      metric: this.fn.metricErrors({ period: ALARM_PERIOD }),
      topic: props.alarmTopic,
    });
    if (this.deadLetterQueue) {
      onCallAlarm(this, 'FailedEventsAlarm', {
        name: `${props.handler}-failed-events`,
        description: `datalek ${props.handler}: events the function failed on after its retries wait in, or arrived in, its dead-letter queue (find out why, fix, then redrive it as break-glass; an empty queue after this alarm means someone received or deleted them: look for the ids in the function's log and in GuardDuty)`,
        metric: deadLettersMetric(this.deadLetterQueue),
        topic: props.alarmTopic,
      });
    }
    // Every function, reserved or not: without reserved concurrency a function shares the
    // account's pool with every other workload (an attacker's miner included), and a throttled
    // event waits in Lambda's queue (MAX_EVENT_AGE) while EventBridge counts it delivered.
    const limit =
      props.reservedConcurrency === undefined
        ? "the account's unreserved concurrency is used up"
        : `more events than its ${props.reservedConcurrency} concurrent runs`;
    onCallAlarm(this, 'ThrottlesAlarm', {
      name: `${props.handler}-throttles`,
      description: `datalek ${props.handler}: throttled (${limit}); its events wait and are retried for up to ${MAX_EVENT_AGE.toHumanString()}, then wait in its dead-letter queue (the failed-events alarm); a function URL's callers get 429`,
      metric: this.fn.metricThrottles({ period: ALARM_PERIOD, statistic: 'Sum' }),
      topic: props.alarmTopic,
    });
  }
}

/**
 * The handler's code, bundled by ../bundling.ts on this machine. (Not NodejsFunction: it runs
 * esbuild's command line with one output file, and a bundle split into chunks, which lets the
 * contain function load each service's client only when an action needs it, needs an output folder.)
 */
function handlerCode(handler: string): lambda.Code {
  return lambda.Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by CDK, never used: the local bundling below always runs (or fails the synth with esbuild's error).
      image: lambda.Runtime.NODEJS_22_X.bundlingImage,
      local: new LocalHandlerBundling(handler),
    },
  });
}

/**
 * Bundles one handler here, without Docker. Its `handler` is part of the bundling options CDK
 * compares when it stages assets: two functions with the same options would share one asset.
 */
class LocalHandlerBundling implements ILocalBundling {
  constructor(readonly handler: string) {}

  tryBundle(outputDir: string): boolean {
    bundleHandler(this.handler, outputDir);
    return true;
  }
}
