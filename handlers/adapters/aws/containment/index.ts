import { actionPlace } from '../../../core/containment.js';
import { ContainmentStepError } from '../../../core/errors.js';
import type { ActionRecord, Incident } from '../../../core/incident.js';
import type { Containment, ExecutionContext, ReleaseOptions } from '../../../ports/containment.js';
import type { ContainmentClientFactory, ContainmentClients, ContainmentService } from './clients.js';
import type { SwapTiming } from './network-isolation.js';

type Now = () => string;

/**
 * What each action type does, in which module, with which services' clients. A module and its
 * clients load when an action of its type first runs (in the bundle, chunks of their own): the
 * contain function starts without any of them.
 */
interface ActionKind {
  services: readonly ContainmentService[];
  execute: (c: ContainmentClients, action: ActionRecord, ctx: ExecutionContext, now: Now, timing: SwapTiming | undefined) => Promise<void>;
  release?: (c: ContainmentClients, action: ActionRecord, incident: Incident, options: ReleaseOptions, now: Now) => Promise<void>;
}

const ec2Backup: ActionKind = {
  services: ['ec2', 'backup'],
  execute: async (c, action, ctx, now) => (await import('./malware.js')).tagBackup(c, action, ctx.incident, ctx, now),
  release: async (c, action, _incident, options, now) => (await import('./malware.js')).releaseBackup(c, action, options, now),
};

const ACTIONS: Record<string, ActionKind> = {
  'isolate-instance': {
    // IAM: only for revoking the instance profile's sessions, when the policy asks for it. ECS: an
    // ECS container instance drained after the cut.
    services: ['ec2', 'autoscaling', 'elbv2', 'iam', 'ecs'],
    execute: async (c, action, ctx, now, timing) => (await import('./ec2.js')).isolateInstance(c, action, ctx.incident, ctx, now, timing),
    release: async (c, action, incident, options, now) => (await import('./ec2.js')).releaseInstance(c, action, incident.id, options, now),
  },
  'deactivate-access-key': {
    services: ['iam'],
    execute: async (c, action, ctx, now) => (await import('./iam.js')).deactivateAccessKey(c, action, ctx, now),
    release: async (c, action, incident, options, now) => (await import('./iam.js')).releaseCredentials(c, action, incident.id, options, now),
  },
  'revoke-role-sessions': {
    services: ['iam'],
    execute: async (c, action, ctx, now) => (await import('./iam.js')).revokeRoleSessions(c, action, ctx, now),
    release: async (c, action, incident, options, now) => (await import('./iam.js')).releaseCredentials(c, action, incident.id, options, now),
  },
  'block-public-access': {
    services: ['s3'],
    execute: async (c, action, ctx, now) => (await import('./s3.js')).blockPublicAccess(c, action, ctx, now),
    release: async (c, action, incident, options, now) =>
      (await import('./s3.js')).releaseBucket(c, action, actionPlace(action, incident).accountId, options, now),
  },
  'revoke-user-sessions': {
    services: ['iam'],
    execute: async (c, action, ctx, now) => (await import('./iam-users.js')).revokeUserSessions(c, action, ctx, now),
    release: async (c, action, incident, options, now) => (await import('./iam-users.js')).releaseUserSessions(c, action, incident.id, options, now),
  },
  'isolate-ecs-task': {
    services: ['ec2', 'ecs'],
    execute: async (c, action, ctx, now, timing) => (await import('./ecs.js')).isolateEcsTask(c, action, ctx.incident, ctx, now, timing),
    release: async (c, action, _incident, options, now) => (await import('./ecs.js')).releaseEcsTask(c, action, options, now),
  },
  'contain-lambda-function': {
    services: ['lambda'],
    execute: async (c, action, ctx, now) => (await import('./lambda.js')).containLambdaFunction(c, action, ctx, now),
    release: async (c, action, _incident, options, now) => (await import('./lambda.js')).releaseLambdaFunction(c, action, options, now),
  },
  'restrict-rds-instance': {
    services: ['rds'],
    execute: async (c, action, ctx, now) => (await import('./rds.js')).restrictRdsInstance(c, action, ctx.incident, ctx, now),
    release: async (c, action, _incident, options, now) => (await import('./rds.js')).releaseRdsInstance(c, action, options, now),
  },
  'tag-s3-object': {
    services: ['s3'],
    execute: async (c, action, ctx, now) => (await import('./malware.js')).tagS3Object(c, action, ctx.incident, ctx, now),
    release: async (c, action, incident, options, now) =>
      (await import('./malware.js')).releaseS3Object(c, action, actionPlace(action, incident).accountId, options, now),
  },
  'tag-snapshot': ec2Backup,
  'tag-image': ec2Backup,
  'tag-recovery-point': ec2Backup,
};

/**
 * Containment on AWS, in the account and region the action's target lives in (the incident's,
 * unless the action records its own: credentials of another account are revoked there, never on a
 * role or user of the same name in the incident's account): EC2 instances and ECS tasks isolated, Lambda
 * functions stopped, RDS instances made private, credentials disabled, public buckets blocked,
 * infected objects and backups tagged. A person's step is never given to this adapter.
 */
export class AwsContainment implements Containment {
  readonly canEnforce = true;

  constructor(
    /** A ContainmentClientFactory, or what loads one when an action first runs (the CLI's). */
    private readonly clients: Pick<ContainmentClientFactory, 'clientsFor'>,
    private readonly now: Now = () => new Date().toISOString(),
    /** How a network-interface swap spends the function's time (tests shorten it). @default network-isolation.ts DEFAULT_SWAP_TIMING */
    private readonly swapTiming?: SwapTiming,
  ) {}

  async execute(action: ActionRecord, ctx: ExecutionContext): Promise<void> {
    const kind = ACTIONS[action.type];
    if (!kind) throw new ContainmentStepError(action.type, 'UnknownAction', `no containment is implemented for ${action.type}`);
    const place = actionPlace(action, ctx.incident);
    const c = await this.clients.clientsFor(place.accountId, place.region, ctx.incident.id, kind.services);
    // The steps read the account from the incident they are given (a bucket's expected owner): the action's.
    const here = place.accountId === ctx.incident.accountId && place.region === ctx.incident.region;
    return kind.execute(c, action, here ? ctx : { ...ctx, incident: { ...ctx.incident, ...place } }, this.now, this.swapTiming);
  }

  async release(action: ActionRecord, incident: Incident, options: ReleaseOptions): Promise<void> {
    const kind = ACTIONS[action.type];
    if (!kind?.release) {
      await options.record({ name: 'release', status: 'skipped', at: this.now(), detail: `nothing to undo for ${action.type}` });
      return;
    }
    const place = actionPlace(action, incident);
    const c = await this.clients.clientsFor(place.accountId, place.region, incident.id, kind.services);
    return kind.release(c, action, incident, options, this.now);
  }
}
