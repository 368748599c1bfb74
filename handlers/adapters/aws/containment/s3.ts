/**
 * A bucket the finding shows as public: all four Block Public Access settings on, the old ones
 * kept. Every call names the affected account as the bucket's expected owner: bucket names are
 * global, and a bucket of the same name in another account (deleted and re-created elsewhere)
 * must never be the one changed.
 */
import { DeletePublicAccessBlockCommand, GetPublicAccessBlockCommand, PutPublicAccessBlockCommand } from '@aws-sdk/client-s3';
import { ALREADY_CONTAINED } from '../../../core/containment.js';
import { ContainmentStepError } from '../../../core/errors.js';
import type { ActionRecord } from '../../../core/incident.js';
import type { ExecutionContext, ReleaseOptions } from '../../../ports/containment.js';
import type { ContainmentClients } from './clients.js';
import { errorCode, releaseStep, step } from './steps.js';

const BLOCK_SETTINGS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;

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
    // All four on: datalek's block (another incident's, one whose key holder closed) or the owner's.
    // Never recorded as the settings to restore: a release of this incident would keep it blocked while
    // saying released (last read's L1).
    if (previous && BLOCK_SETTINGS.every((k) => previous?.[k] === true))
      throw new ContainmentStepError(
        'block-public-access',
        ALREADY_CONTAINED,
        `all four Block Public Access settings of ${action.target} are on already; not blocked again under this incident, and not recorded as the settings to restore (the record that blocked it, or its owner, holds them)`,
      );
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
