import { ContainmentStepError } from '../../../core/errors.js';
import type { ActionRecord, Incident } from '../../../core/incident.js';
import type { Containment, ExecutionContext, ReleaseOptions } from '../../../ports/containment.js';
import type { ContainmentClientFactory } from './clients.js';
import { isolateInstance, releaseInstance } from './ec2.js';
import { isolateEcsTask, releaseEcsTask } from './ecs.js';
import { deactivateAccessKey, releaseCredentials, revokeRoleSessions } from './iam.js';
import { releaseUserSessions, revokeUserSessions } from './iam-users.js';
import { containLambdaFunction, releaseLambdaFunction } from './lambda.js';
import { releaseBackup, releaseS3Object, tagBackup, tagS3Object } from './malware.js';
import { DEFAULT_SWAP_TIMING, type SwapTiming } from './network-isolation.js';
import { releaseRdsInstance, restrictRdsInstance } from './rds.js';
import { blockPublicAccess, releaseBucket } from './s3.js';

/**
 * Containment on AWS, in the affected account: EC2 instances and ECS tasks isolated, Lambda
 * functions stopped, RDS instances made private, credentials disabled, public buckets blocked,
 * infected objects and backups tagged. A person's step is never given to this adapter.
 */
export class AwsContainment implements Containment {
  readonly canEnforce = true;

  constructor(
    private readonly clients: ContainmentClientFactory,
    private readonly now: () => string = () => new Date().toISOString(),
    /** How a network-interface swap spends the function's time (tests shorten it). */
    private readonly swapTiming: SwapTiming = DEFAULT_SWAP_TIMING,
  ) {}

  async execute(action: ActionRecord, ctx: ExecutionContext): Promise<void> {
    const c = await this.clients.clientsFor(ctx.incident.accountId, ctx.incident.region, ctx.incident.id);
    switch (action.type) {
      case 'isolate-instance':
        return isolateInstance(c, action, ctx.incident, ctx, this.now, this.swapTiming);
      case 'deactivate-access-key':
        return deactivateAccessKey(c, action, ctx, this.now);
      case 'revoke-role-sessions':
        return revokeRoleSessions(c, action, ctx, this.now);
      case 'block-public-access':
        return blockPublicAccess(c, action, ctx, this.now);
      case 'revoke-user-sessions':
        return revokeUserSessions(c, action, ctx, this.now);
      case 'isolate-ecs-task':
        return isolateEcsTask(c, action, ctx.incident, ctx, this.now, this.swapTiming);
      case 'contain-lambda-function':
        return containLambdaFunction(c, action, ctx, this.now);
      case 'restrict-rds-instance':
        return restrictRdsInstance(c, action, ctx.incident, ctx, this.now);
      case 'tag-s3-object':
        return tagS3Object(c, action, ctx.incident, ctx, this.now);
      case 'tag-snapshot':
      case 'tag-image':
      case 'tag-recovery-point':
        return tagBackup(c, action, ctx.incident, ctx, this.now);
      default:
        throw new ContainmentStepError(action.type, 'UnknownAction', `no containment is implemented for ${action.type}`);
    }
  }

  async release(action: ActionRecord, incident: Incident, options: ReleaseOptions): Promise<void> {
    const c = await this.clients.clientsFor(incident.accountId, incident.region, incident.id);
    switch (action.type) {
      case 'isolate-instance':
        return releaseInstance(c, action, options, this.now);
      case 'deactivate-access-key':
      case 'revoke-role-sessions':
        return releaseCredentials(c, action, options, this.now);
      case 'block-public-access':
        return releaseBucket(c, action, incident.accountId, options, this.now);
      case 'revoke-user-sessions':
        return releaseUserSessions(c, action, options, this.now);
      case 'isolate-ecs-task':
        return releaseEcsTask(c, action, options, this.now);
      case 'contain-lambda-function':
        return releaseLambdaFunction(c, action, options, this.now);
      case 'restrict-rds-instance':
        return releaseRdsInstance(c, action, options, this.now);
      case 'tag-s3-object':
        return releaseS3Object(c, action, incident.accountId, options, this.now);
      case 'tag-snapshot':
      case 'tag-image':
      case 'tag-recovery-point':
        return releaseBackup(c, action, options, this.now);
      default:
        await options.record({ name: 'release', status: 'skipped', at: this.now(), detail: `nothing to undo for ${action.type}` });
    }
  }
}
