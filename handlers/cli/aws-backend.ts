/**
 * The backend of `--target aws`: DynamoDB and SNS, or any AWS-compatible endpoint in
 * `AWS_ENDPOINT_URL`. The rest of the CLI reaches this module only through dynamic imports, so a
 * command on the embedded store never loads the SDK.
 *
 * Only DynamoDB's and SNS's clients load with it: every `--target aws` command reads the table.
 * What only some commands need is in modules of their own, reached by import() where it is needed:
 * STS (aws-caller.ts), containment's clients (adapters/aws/containment/clients.ts, when an action
 * runs), digests in S3 signed by KMS (aws-digests.ts), SigV4 signed requests (aws-signing.ts).
 * `datalek status --target aws`, which on-call runs at night, loads none of them
 * (test/unit/cli-build.test.ts). A package is never import()ed itself, always through a module of
 * ours that imports it statically: the build hands a code-split CommonJS package to import() as
 * its default export alone, its named exports lost.
 */
import { DescribeTableCommand, DynamoDBClient, ListTagsOfResourceCommand } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import type { ContainmentClientFactory } from '../adapters/aws/containment/clients.js';
import { AwsContainment } from '../adapters/aws/containment/index.js';
import { DynamoDbIncidentStore } from '../adapters/aws/dynamodb-store.js';
import { PIPELINE_SDK, sdkConfig } from '../adapters/aws/sdk-config.js';
import { secretKey, secretReader, secretsManagerPagerSecrets, secretsManagerWebhookSecret } from '../adapters/aws/secrets.js';
import { SnsNotifier } from '../adapters/aws/sns-notifier.js';
import { DEFAULT_RESOURCE_NAMES } from '../adapters/aws/table-schema.js';
import { ConsoleNotifier } from '../adapters/local/console-notifier.js';
import { createPager, type PagerSecretSource } from '../adapters/pager/index.js';
import { stampCaller } from '../core/change-incident.js';
import { type LinkSigning, withAckLinks } from '../core/link-delivery.js';
import type { IncidentChange, IncidentStore } from '../ports/incident-store.js';
import { type AwsSettings, awsSettings, type Backend, type BackendOptions, keyProblem, routing } from './backend.js';
import { deploymentFgRole, FG_DECISION_KINDS, type FgRole, onceRead, refuseUnlessFg } from './fg-role.js';

export async function openAwsBackend(opts: BackendOptions): Promise<Backend> {
  const aws = awsSettings(opts.env);
  // The pipeline's clients the CLI uses (adapters/aws/clients.ts makes EventBridge's too, which no command here sends to).
  const config = sdkConfig(aws.region, PIPELINE_SDK);
  const clients = { dynamodb: new DynamoDBClient(config), sns: new SNSClient(config) };
  // Who writes is asked of STS once, before anything is written: each entry the run records names
  // the caller's ARN, and credentials STS refuses stop the run before it records anything. A
  // command that only reads skips the request (on-call's `status` at night).
  const writer = opts.access === 'read' ? null : await (await import('./aws-caller.js')).writerIdentity(aws.region);
  let sns: Promise<SnsNotifier> | undefined;
  const snsNotifier = () => {
    sns ??= topicArns(aws, opts.env, writer?.account).then((topics) => new SnsNotifier(clients.sns, topics, opts.policy));
    return sns;
  };
  if (writer) await snsNotifier();
  const dynamodb = new DynamoDbIncidentStore(clients.dynamodb, aws.table);
  // Read when an FG decision or the page first asks: the other runs make no call for it. A failed
  // lookup is not kept: the next decision or page asks again (review27 finalA #4). Each FG decision
  // written reads it anew (fresh): a page started as the FG's role records none once the
  // deployment names another (break-glass's retag back, a changed fgRole; fgr28 item 4).
  const fgRole = onceRead(() => tableFgRole(clients.dynamodb, aws.table));
  const stamped = writer ? callerStamped(dynamodb, writer.arn, fgRole.fresh) : dynamodb;
  const store = opts.recorded ? opts.recorded.watch(stamped) : stamped;
  // The link key and the pager's keys live in the pipeline's secrets; this machine reads them only
  // when told where (and allowed to). Without the pager's, pager messages are left to the pipeline.
  const linkSecret = opts.env.DATALEK_LINK_KEY_SECRET;
  const linkKey = linkSecret ? secretKey(secretReader(linkSecret, { region: aws.region, env: opts.env })) : null;
  const links: LinkSigning | null =
    linkKey && opts.env.DATALEK_LINK_URL ? { baseUrl: opts.env.DATALEK_LINK_URL, key: linkKey, onKeyProblem: keyProblem(opts) } : null;
  const pagerSecret = opts.env.DATALEK_PAGER_SECRET;
  const secrets: PagerSecretSource | null = pagerSecret ? secretsManagerPagerSecrets(pagerSecret, aws.region, opts.env) : null;
  const pager = secrets ? createPager(opts.policy, secrets) : null;
  // The webhook secret has a secret of its own (`datalek/pager-webhook`, as the link function reads
  // it); a deployment from before that kept it in the pager's secret.
  const webhookSecretId = opts.env.DATALEK_PAGER_WEBHOOK_SECRET_ID;
  const webhookSecret = webhookSecretId
    ? secretsManagerWebhookSecret(webhookSecretId, aws.region, opts.env)
    : async () => (secrets ? (await secrets.load()).webhookSecret : undefined);
  return {
    target: 'aws',
    caller: writer?.arn ?? null,
    fgRole,
    drill: null,
    store,
    audit: dynamodb,
    containment: new AwsContainment(containmentClients(aws.region, opts.env.DATALEK_CONTAINMENT_ROLE_NAME ?? 'datalek-containment')),
    notifier: (print) => {
      const console = new ConsoleNotifier(print);
      const routed = routing(
        {
          deliver: async (message) => {
            await (await snsNotifier()).deliver(message);
            await console.deliver(message);
          },
        },
        pager,
        store,
        opts,
      );
      const linked = withAckLinks(routed, links, opts.policy, opts.now);
      return pager || opts.policy.onCall.provider === 'sns' ? linked : { ...linked, accepts: (m) => !m.alert };
    },
    linkKey,
    webhookSecret,
    close: async () => {
      for (const c of Object.values(clients)) c.destroy();
    },
  };
}

/** Containment's clients (and STS, to assume a member account's role), loaded when an action first runs. */
function containmentClients(region: string, memberRoleName: string): Pick<ContainmentClientFactory, 'clientsFor'> {
  let factory: Promise<ContainmentClientFactory> | undefined;
  return {
    clientsFor: async (...args) => {
      factory ??= import('../adapters/aws/containment/clients.js').then((m) => new m.ContainmentClientFactory(region, memberRoleName));
      return (await factory).clientsFor(...args);
    },
  };
}

/**
 * `store`, naming `caller` on every timeline entry a commit through it records (core/change-incident.ts
 * `stampCaller`), whichever use case made the change; everything else passes as it is.
 */
export function callerStamped(store: IncidentStore, caller: string, fgRole: () => Promise<FgRole>): IncidentStore {
  return new Proxy(store, {
    get: (target, prop) => {
      if (prop === 'commit')
        return async (change: IncidentChange) => {
          // The FG's decisions only as the FG's role, whatever records them: a command refuses them
          // before it reads (fg-common.ts), the page (`serve --target aws`) here.
          const decision = [change, ...(change.others ?? [])].flatMap((c) => c.timeline).find((e) => FG_DECISION_KINDS.has(e.kind));
          if (decision) await refuseUnlessFg(`'${decision.kind}'`, caller, fgRole, FG_DECISION_KINDS.get(decision.kind));
          stampCaller(change, caller);
          return target.commit(change);
        };
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * The FG's role the deployment names: the incidents table's tag, the table's ARN for the register's
 * account (fg-role.ts). Needs dynamodb:DescribeTable and dynamodb:ListTagsOfResource on the table.
 */
async function tableFgRole(dynamodb: DynamoDBClient, table: string): Promise<FgRole> {
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: table }));
  const arn = Table?.TableArn;
  if (!arn) return deploymentFgRole('(none given)', []);
  const tags: { Key?: string; Value?: string }[] = [];
  let NextToken: string | undefined;
  do {
    const page = await dynamodb.send(new ListTagsOfResourceCommand({ ResourceArn: arn, NextToken }));
    tags.push(...(page.Tags ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return deploymentFgRole(arn, tags);
}

async function topicArns(aws: AwsSettings, env: NodeJS.ProcessEnv, account?: string) {
  if (env.DATALEK_FG_TOPIC_ARN && env.DATALEK_ON_CALL_TOPIC_ARN) return { fg: env.DATALEK_FG_TOPIC_ARN, 'on-call': env.DATALEK_ON_CALL_TOPIC_ARN };
  // The topics carry the names `setup` and the CDK app give them, in the caller's account.
  const Account = account ?? (await (await import('./aws-caller.js')).callerIdentity(sdkConfig(aws.region))).Account;
  const arn = (name: string) => `arn:aws:sns:${aws.region}:${Account}:${name}`;
  return {
    fg: env.DATALEK_FG_TOPIC_ARN ?? arn(DEFAULT_RESOURCE_NAMES.fgTopic),
    'on-call': env.DATALEK_ON_CALL_TOPIC_ARN ?? arn(DEFAULT_RESOURCE_NAMES.onCallTopic),
  };
}
