/**
 * The clients containment acts through, per affected account and region. The affected account is
 * the finding's `detail.accountId`: when it is not the pipeline's own (a GuardDuty delegated
 * administrator setup), the step assumes the member account's containment role, whose name comes
 * from configuration (the member-account stack deploys it).
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ContainmentStepError } from '../../../core/errors.js';
import { CONTAINMENT_SDK, PIPELINE_SDK, sdkConfig } from '../sdk-config.js';

export interface ContainmentClients {
  ec2: EC2Client;
  autoscaling: AutoScalingClient;
  elbv2: ElasticLoadBalancingV2Client;
  iam: IAMClient;
  s3: S3Client;
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

  /** Clients for the account and region of the affected resource; cached while their credentials last. */
  async clientsFor(accountId: string, region: string, incidentId: string): Promise<ContainmentClients> {
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
    const config = { ...sdkConfig(region, CONTAINMENT_SDK), ...(credentials ? { credentials } : {}) };
    const clients: ContainmentClients = {
      ec2: new EC2Client(config),
      autoscaling: new AutoScalingClient(config),
      elbv2: new ElasticLoadBalancingV2Client(config),
      iam: new IAMClient(config),
      s3: new S3Client({ ...config, forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL) }),
    };
    this.cache.set(key, { clients, expires });
    return clients;
  }

  private accountId(): Promise<string> {
    this.ownAccount ??= this.sts.send(new GetCallerIdentityCommand({})).then((r) => r.Account as string);
    return this.ownAccount;
  }
}
