/**
 * One response function: a NodejsFunction bundled with the local esbuild (no Docker), arm64,
 * Node.js 22, Powertools environment, its own log group with retention, and an alarm on its errors
 * to on-call. Grants are made by the caller through the resources (`table.grantReadWriteData(fn)`).
 */
import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export const PROJECT_ROOT = join(import.meta.dirname, '../..');

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
  /** A fixed role name, for roles another account trusts by ARN. @default generated */
  roleName?: string;
}

export class ResponseFunction extends Construct {
  public readonly fn: NodejsFunction;
  public readonly logGroup: logs.LogGroup;
  public readonly errorsAlarm: cloudwatch.Alarm;
  /** Events the function failed on after Lambda's retries (a rejected finding, a bug): kept, not lost. */
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ResponseFunctionProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.RETAIN });
    this.logGroup = logGroup;
    // Its own role with write access to its own log group only (instead of the broad managed
    // AWSLambdaBasicExecutionRole); every other permission is granted through a resource.
    const role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: `datalek ${props.handler}`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn, `${logGroup.logGroupArn}:*`] }),
    );
    this.deadLetterQueue = new sqs.Queue(this, 'FailedEvents', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.fn = new NodejsFunction(this, 'Function', {
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: 2,
      entry: join(PROJECT_ROOT, 'handlers', `${props.handler}.ts`),
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: props.timeout ?? Duration.seconds(30),
      logGroup,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      environment: {
        POWERTOOLS_SERVICE_NAME: 'datalek',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        // Powertools would log the whole event on request: never here (findings hold personal data).
        POWERTOOLS_LOGGER_LOG_EVENT: 'false',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      role,
      bundling: {
        // The SDK is bundled too: the version tested is the version deployed.
        externalModules: [],
        format: OutputFormat.CJS,
        minify: true,
        sourceMap: true,
        target: 'node22',
        forceDockerBundling: false,
      },
    });
    this.errorsAlarm = new cloudwatch.Alarm(this, 'Errors', {
      alarmDescription: `datalek ${props.handler}: the function failed; see its log group (identifiers only) and runbooks/`,
      metric: this.fn.metricErrors({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.errorsAlarm.addAlarmAction(new actions.SnsAction(props.alarmTopic));
    const failed = new cloudwatch.Alarm(this, 'FailedEventsAlarm', {
      alarmDescription: `datalek ${props.handler}: events the function failed on after its retries wait in its dead-letter queue`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    failed.addAlarmAction(new actions.SnsAction(props.alarmTopic));
  }
}
