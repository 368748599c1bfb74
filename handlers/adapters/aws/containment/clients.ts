/**
 * The clients containment acts through, per affected account and region. The affected account is
 * the finding's `detail.accountId`: when it is not the pipeline's own (a GuardDuty delegated
 * administrator setup), the step assumes the member account's containment role, whose name comes
 * from configuration (the member-account stack deploys it).
 *
 * Each service's client is loaded when an action first needs it: an EC2 client alone is about
 * 600 KB of code, and a function that revokes an access key should not load it at cold start.
 * `clientsFor` loads the services it is given; the clients are made on first use, all with the
 * same configuration and credentials (in a member account, the assumed role's).
 */
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { BackupClient } from '@aws-sdk/client-backup';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ContainmentStepError } from '../../../core/errors.js';
import { CONTAINMENT_SDK, PIPELINE_SDK, sdkConfig } from '../sdk-config.js';

export interface ContainmentClients {
  readonly ec2: EC2Client;
  readonly autoscaling: AutoScalingClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly iam: IAMClient;
  readonly s3: S3Client;
  readonly lambda: LambdaClient;
  readonly rds: RDSClient;
  readonly ecs: ECSClient;
  readonly backup: BackupClient;
}

export type ContainmentService = keyof ContainmentClients;

type ClientConfig = ReturnType<typeof sdkConfig> & { credentials?: Credentials; forcePathStyle?: boolean };
type ClientClass<S extends ContainmentService> = new (config: ClientConfig) => ContainmentClients[S];

/** Each service's client class, in a module of its own (in the bundle, a chunk of its own). */
const CLIENT_MODULES: { [S in ContainmentService]: () => Promise<{ Client: ClientClass<S> }> } = {
  ec2: () => import('./sdk/ec2.js'),
  autoscaling: () => import('./sdk/autoscaling.js'),
  elbv2: () => import('./sdk/elbv2.js'),
  iam: () => import('./sdk/iam.js'),
  s3: () => import('./sdk/s3.js'),
  lambda: () => import('./sdk/lambda.js'),
  rds: () => import('./sdk/rds.js'),
  ecs: () => import('./sdk/ecs.js'),
  backup: () => import('./sdk/backup.js'),
};

export const ALL_SERVICES = Object.keys(CLIENT_MODULES) as ContainmentService[];

/** The client classes loaded so far (once per process). */
const loaded = new Map<ContainmentService, ClientClass<ContainmentService>>();

async function load(services: readonly ContainmentService[]): Promise<void> {
  await Promise.all(
    services
      .filter((s) => !loaded.has(s))
      .map(async (s) => {
        loaded.set(s, (await CLIENT_MODULES[s]()).Client as ClientClass<ContainmentService>);
      }),
  );
}

/**
 * One account and region's clients, each made when first used: a property per service (enumerable,
 * so `Object.values` lists them as it would a plain object's).
 */
function lazyClients(config: ClientConfig): ContainmentClients {
  const made = new Map<ContainmentService, unknown>();
  const client = (service: ContainmentService) => {
    let instance = made.get(service);
    if (!instance) {
      const Client = loaded.get(service);
      // A programming error, not an AWS one: the action's services (containment/index.ts) leave it out.
      if (!Client) throw new Error(`the ${service} client was used before it was loaded: name ${service} among the action's services`);
      // An emulator (AWS_ENDPOINT_URL) serves buckets by path, not as a host name.
      instance = new Client(service === 's3' ? { ...config, forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL) } : config);
      made.set(service, instance);
    }
    return instance;
  };
  const clients = {};
  for (const service of ALL_SERVICES) Object.defineProperty(clients, service, { enumerable: true, get: () => client(service) });
  return clients as ContainmentClients;
}

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date };

export class ContainmentClientFactory {
  private ownAccount: Promise<string> | null = null;
  private readonly cache = new Map<string, { clients: ContainmentClients; expires: number }>();
  private readonly sts: STSClient;

  constructor(
    homeRegion: string,
    /** The role assumed in member accounts, e.g. `datalek-containment`. */
    private readonly memberRoleName: string,
  ) {
    this.sts = new STSClient(sdkConfig(homeRegion, PIPELINE_SDK));
  }

  /**
   * Clients for the account and region of the affected resource, cached while their credentials
   * last, with the client code of `services` loaded. @default every service
   */
  async clientsFor(accountId: string, region: string, incidentId: string, services: readonly ContainmentService[] = ALL_SERVICES): Promise<ContainmentClients> {
    // The client code loads while the account is looked up (and the role assumed).
    const [, clients] = await Promise.all([load(services), this.session(accountId, region, incidentId)]);
    return clients;
  }

  private async session(accountId: string, region: string, incidentId: string): Promise<ContainmentClients> {
    const key = `${accountId}/${region}`;
    const hit = this.cache.get(key);
    if (hit && hit.expires > Date.now() + 60_000) return hit.clients;
    const own = await this.accountId();
    let credentials: Credentials | undefined;
    let expires = Number.POSITIVE_INFINITY;
    if (accountId !== own) {
      const roleArn = `arn:aws:iam::${accountId}:role/${this.memberRoleName}`;
      try {
        const out = await this.sts.send(
          new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: `datalek-${incidentId}`.slice(0, 64), DurationSeconds: 900 }),
        );
        const c = out.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('AssumeRole returned no credentials');
        credentials = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
        expires = c.Expiration ? c.Expiration.getTime() : Date.now() + 900_000;
      } catch (err) {
        throw new ContainmentStepError(
          'assume-member-role',
          (err as Error).name || 'AssumeRoleFailed',
          `cannot act in account ${accountId} through ${roleArn}: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      }
    }
    const clients = lazyClients({ ...sdkConfig(region, CONTAINMENT_SDK), ...(credentials ? { credentials } : {}) });
    this.cache.set(key, { clients, expires });
    return clients;
  }

  private accountId(): Promise<string> {
    this.ownAccount ??= this.sts.send(new GetCallerIdentityCommand({})).then((r) => r.Account as string);
    return this.ownAccount;
  }
}
