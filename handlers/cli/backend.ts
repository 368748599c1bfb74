/**
 * Where the CLI's incidents live: the embedded SQLite store (`--target local`, the default) or
 * AWS (`--target aws`: DynamoDB and SNS, or any AWS-compatible endpoint in `AWS_ENDPOINT_URL`).
 * The commands run the same use cases on either.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { createAwsClients } from '../adapters/aws/clients.js';
import { ContainmentClientFactory } from '../adapters/aws/containment/clients.js';
import { AwsContainment } from '../adapters/aws/containment/index.js';
import { DynamoDbIncidentStore } from '../adapters/aws/dynamodb-store.js';
import { sdkConfig } from '../adapters/aws/sdk-config.js';
import { SnsNotifier } from '../adapters/aws/sns-notifier.js';
import { DEFAULT_RESOURCE_NAMES } from '../adapters/aws/table-schema.js';
import { ConsoleNotifier } from '../adapters/local/console-notifier.js';
import { PlanOnlyContainment } from '../adapters/local/plan-only-containment.js';
import { type DrillMark, SqliteIncidentStore, STORE_FILE } from '../adapters/local/sqlite-store.js';
import { drillNotifier } from '../core/drill.js';
import type { AuditSource } from '../ports/audit-source.js';
import type { Containment } from '../ports/containment.js';
import type { IncidentStore } from '../ports/incident-store.js';
import type { Notifier } from '../ports/notifier.js';
import { UsageError } from './errors.js';

export type Target = 'local' | 'aws';
export type { DrillMark };

/** How a command uses the store: reads it (opened read-only), writes it, or creates it when missing (`replay`). */
export type StoreAccess = 'read' | 'write' | 'create';

export interface Backend {
  target: Target;
  store: IncidentStore;
  /** The same store, read as stored, for verify and anchor. */
  audit: AuditSource;
  /** Set when the embedded store is a drill copy: any `--now` goes and every message is marked. */
  drill: DrillMark | null;
  /** Delivers a message, and tells the person at the terminal unless `quiet`. */
  notifier: (print: (line: string) => void) => Notifier;
  /** Plan-only locally; on AWS it acts in the affected account (assuming the member role there). */
  containment: Containment;
  close: () => Promise<void>;
}

export interface BackendOptions {
  target: Target;
  storeDir: string;
  env: NodeJS.ProcessEnv;
  access: StoreAccess;
}

/**
 * Opens the backend. The embedded store must exist unless `access` is `create`: a missing store is
 * a `UsageError` naming the path, never an empty answer.
 */
export async function openBackend(opts: BackendOptions): Promise<Backend> {
  if (opts.target === 'local') {
    if (opts.access !== 'create' && !existsSync(join(opts.storeDir, STORE_FILE))) {
      throw new UsageError(`no store at ${opts.storeDir} (no ${STORE_FILE} there): give --store DIR or set DATALEK_STORE; replay creates a store`);
    }
    const store = new SqliteIncidentStore(opts.storeDir, { readOnly: opts.access === 'read' });
    const drill = store.drill;
    return {
      target: 'local',
      store,
      audit: store,
      drill,
      notifier: (print) => (drill ? drillNotifier(new ConsoleNotifier(print)) : new ConsoleNotifier(print)),
      containment: new PlanOnlyContainment(),
      close: () => store.close(),
    };
  }
  const aws = awsSettings(opts.env);
  const clients = createAwsClients(aws.region);
  const topics = await topicArns(aws, opts.env);
  const sns = new SnsNotifier(clients.sns, topics);
  const store = new DynamoDbIncidentStore(clients.dynamodb, aws.table);
  return {
    target: 'aws',
    drill: null,
    store,
    audit: store,
    containment: new AwsContainment(new ContainmentClientFactory(aws.region, opts.env.DATALEK_CONTAINMENT_ROLE_NAME ?? 'datalek-containment')),
    notifier: (print) => ({
      deliver: async (message) => {
        await sns.deliver(message);
        await new ConsoleNotifier(print).deliver(message);
      },
    }),
    close: async () => {
      for (const c of Object.values(clients)) c.destroy();
    },
  };
}

/** The drill mark of the embedded store in `dir`, or null when it is a real store or there is none. */
export function readDrillMark(dir: string): DrillMark | null {
  return SqliteIncidentStore.drillMark(dir);
}

export interface AwsSettings {
  region: string;
  table: string;
}

/** The region is required; table and topic names default to those `setup` and the CDK app create. */
export function awsSettings(env: NodeJS.ProcessEnv): AwsSettings {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new UsageError('--target aws needs AWS_REGION (e.g. eu-west-1); set AWS_ENDPOINT_URL too for an emulator');
  return { region, table: env.DATALEK_TABLE ?? DEFAULT_RESOURCE_NAMES.table };
}

async function topicArns(aws: AwsSettings, env: NodeJS.ProcessEnv) {
  if (env.DATALEK_FG_TOPIC_ARN && env.DATALEK_ON_CALL_TOPIC_ARN) return { fg: env.DATALEK_FG_TOPIC_ARN, 'on-call': env.DATALEK_ON_CALL_TOPIC_ARN };
  // The topics carry the names `setup` and the CDK app give them, in the caller's account.
  const sts = new STSClient(sdkConfig(aws.region));
  try {
    const { Account } = await sts.send(new GetCallerIdentityCommand({}));
    const arn = (name: string) => `arn:aws:sns:${aws.region}:${Account}:${name}`;
    return {
      fg: env.DATALEK_FG_TOPIC_ARN ?? arn(DEFAULT_RESOURCE_NAMES.fgTopic),
      'on-call': env.DATALEK_ON_CALL_TOPIC_ARN ?? arn(DEFAULT_RESOURCE_NAMES.onCallTopic),
    };
  } finally {
    sts.destroy();
  }
}

/** The ARN of the AWS identity whose credentials this process uses: who acts on `--target aws`. */
export async function callerArn(env: NodeJS.ProcessEnv): Promise<string> {
  const sts = new STSClient({ region: awsSettings(env).region });
  try {
    const { Arn } = await sts.send(new GetCallerIdentityCommand({}));
    if (!Arn) throw new UsageError('AWS did not say who these credentials belong to (sts:GetCallerIdentity returned no ARN)');
    return Arn;
  } finally {
    sts.destroy();
  }
}
