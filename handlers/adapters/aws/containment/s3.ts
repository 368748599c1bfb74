/**
 * A bucket the finding shows as public: all four Block Public Access settings on, the old ones
 * kept. Every call names the affected account as the bucket's expected owner: bucket names are
 * global, and a bucket of the same name in another account (deleted and re-created elsewhere)
 * must never be the one changed.
 */
import { DeletePublicAccessBlockCommand, GetPublicAccessBlockCommand, PutPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import type { ActionRecord } from '../../../core/incident.js';
import type { ExecutionContext, ReleaseOptions } from '../../../ports/containment.js';
import type { ContainmentClients } from './clients.js';
import { errorCode, releaseStep, step } from './steps.js';

export async function blockPublicAccess(c: ContainmentClients, action: ActionRecord, ctx: ExecutionContext, now: () => string): Promise<void> {
  const owner = ctx.incident.accountId;
  await step(ctx, 'block-public-access', now, async () => {
    let previous: Record<string, boolean> | null = null;
    try {
      const out = await c.s3.send(new GetPublicAccessBlockCommand({ Bucket: action.target, ExpectedBucketOwner: owner }));
      previous = { ...(out.PublicAccessBlockConfiguration ?? {}) } as Record<string, boolean>;
    } catch (err) {
      if (errorCode(err) !== 'NoSuchPublicAccessBlockConfiguration') throw err;
    }
    await c.s3.send(
      new PutPublicAccessBlockCommand({
        Bucket: action.target,
        ExpectedBucketOwner: owner,
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
      }),
    );
    return { status: 'done', detail: `all four Block Public Access settings on for ${action.target}`, evidence: { previousPublicAccessBlock: previous } };
  });
}

export async function releaseBucket(c: ContainmentClients, action: ActionRecord, owner: string, options: ReleaseOptions, now: () => string): Promise<void> {
  const previous = action.evidence?.previousPublicAccessBlock as Record<string, boolean> | null | undefined;
  await releaseStep(options, now)('restore-public-access-block', async () => {
    if (previous) {
      await c.s3.send(new PutPublicAccessBlockCommand({ Bucket: action.target, ExpectedBucketOwner: owner, PublicAccessBlockConfiguration: previous }));
    } else {
      await c.s3.send(new DeletePublicAccessBlockCommand({ Bucket: action.target, ExpectedBucketOwner: owner }));
    }
    return previous ? 'previous settings restored' : 'block removed (there was none before)';
  });
}
