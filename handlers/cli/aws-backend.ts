/**
 * Every part of the CLI that needs the AWS SDK: the backend of `--target aws` (DynamoDB and SNS,
 * or any AWS-compatible endpoint in `AWS_ENDPOINT_URL`), digests in S3 signed by KMS, and SigV4
 * signed requests. The rest of the CLI reaches this module only through dynamic imports, so a
 * command on the embedded store never loads the SDK. (The packages are imported here, statically,
 * and not with import() where they are needed: the build keeps their named exports that way.)
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { createAwsClients } from '../adapters/aws/clients.js';
import { ContainmentClientFactory } from '../adapters/aws/containment/clients.js';
import { AwsContainment } from '../adapters/aws/containment/index.js';
import { DynamoDbIncidentStore } from '../adapters/aws/dynamodb-store.js';
import { kmsSigner, kmsVerifier } from '../adapters/aws/kms-signer.js';
import { S3DigestStore } from '../adapters/aws/s3-digests.js';
import { PIPELINE_SDK, sdkConfig } from '../adapters/aws/sdk-config.js';
import { secretKey, secretReader, secretsManagerPagerSecrets, secretsManagerWebhookSecret } from '../adapters/aws/secrets.js';
import { SnsNotifier } from '../adapters/aws/sns-notifier.js';
import { DEFAULT_RESOURCE_NAMES } from '../adapters/aws/table-schema.js';
import { ConsoleNotifier } from '../adapters/local/console-notifier.js';
import { createPager, type PagerSecretSource } from '../adapters/pager/index.js';
import { type LinkSigning, withAckLinks } from '../core/link-delivery.js';
import type { Policy } from '../core/policy.js';
import type { DigestSigner, DigestStore, DigestVerifier } from '../ports/digests.js';
import { type AwsSettings, awsSettings, type Backend, type BackendOptions, keyProblem, routing } from './backend.js';
import { UsageError } from './errors.js';

export async function openAwsBackend(opts: BackendOptions): Promise<Backend> {
  const aws = awsSettings(opts.env);
  const clients = createAwsClients(aws.region);
  const topics = await topicArns(aws, opts.env);
  const sns = new SnsNotifier(clients.sns, topics, opts.policy);
  const dynamodb = new DynamoDbIncidentStore(clients.dynamodb, aws.table);
  const store = opts.recorded ? opts.recorded.watch(dynamodb) : dynamodb;
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
    drill: null,
    store,
    audit: dynamodb,
    containment: new AwsContainment(new ContainmentClientFactory(aws.region, opts.env.DATALEK_CONTAINMENT_ROLE_NAME ?? 'datalek-containment')),
    notifier: (print) => {
      const console = new ConsoleNotifier(print);
      const routed = routing(
        {
          deliver: async (message) => {
            await sns.deliver(message);
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

/**
 * The policy with the pipeline's account, so that containment run from the command line spares the
 * pipeline's own functions as the contain function does (core/containment.ts): the account of the
 * credentials in use (the CLI works on the pipeline account's table); a policy's
 * `containment.pipelineAccount` or `DATALEK_PIPELINE_ACCOUNT` naming another is refused.
 */
export async function withPipelineAccount(policy: Policy, env: NodeJS.ProcessEnv): Promise<Policy> {
  const account = (await callerArn(env)).split(':')[4];
  // Named elsewhere, it must be this account: a policy file or variable naming another would make
  // the pipeline's own functions here look like anyone's (the contain function's config refuses it too).
  for (const [where, named] of [
    ["the policy's containment.pipelineAccount", policy.containment.pipelineAccount],
    ['DATALEK_PIPELINE_ACCOUNT', env.DATALEK_PIPELINE_ACCOUNT],
  ] as const) {
    if (named !== undefined && named !== account)
      throw new UsageError(
        `${where} is ${named}, but these credentials are of account ${account}, the pipeline's table's: containment from the command line runs in the pipeline's account`,
      );
  }
  return { ...policy, containment: { ...policy.containment, pipelineAccount: account } };
}

/** The digest store at `s3://BUCKET/PREFIX`; null when the location is not of that form. */
export function s3DigestStore(location: string, env: NodeJS.ProcessEnv): DigestStore | null {
  const parsed = S3DigestStore.parse(location);
  if (!parsed) return null;
  // An emulator (AWS_ENDPOINT_URL) serves buckets by path, not as a host name.
  const s3 = new S3Client({ ...sdkConfig(awsSettings(env).region, PIPELINE_SDK), forcePathStyle: Boolean(env.AWS_ENDPOINT_URL) });
  return new S3DigestStore(s3, parsed.bucket, parsed.prefix);
}

function kms(env: NodeJS.ProcessEnv): KMSClient {
  return new KMSClient(sdkConfig(awsSettings(env).region, PIPELINE_SDK));
}

export function kmsDigestSigner(env: NodeJS.ProcessEnv, keyId: string): Promise<DigestSigner> {
  return kmsSigner(kms(env), keyId);
}

export function kmsDigestVerifier(env: NodeJS.ProcessEnv, keyId: string): Promise<DigestVerifier> {
  return kmsVerifier(kms(env), keyId);
}

type HttpRequest = Parameters<SignatureV4['sign']>[0];

/** A request signed (SigV4) with the credentials this process finds, as the AWS CLI would. */
export function signWithCallerCredentials(region: string, service: string, request: HttpRequest) {
  const signer = new SignatureV4({ credentials: defaultProvider(), region, service, sha256: Sha256 });
  return signer.sign(request);
}
