/**
 * The managed policies CDK splits a role's grants into (fgsec15 S1). What does not fit in a role's
 * inline policy (10,240 characters) CDK moves, at synth, into managed policies `OverflowPolicy1`,
 * `OverflowPolicy2`, … attached to the role, with no name: CloudFormation names them
 * `<stack>-<logical id>-<random>`. The SCP's Deny and the watch's page on a new, chosen or deleted
 * version of a managed policy rest on its name (`datalek-*`, deploy-role.ts `DATALEK_POLICY_PREFIX`):
 * an unnamed one (the contain function's: `sts:AssumeRole` into every member account, the ECS, RDS
 * and S3 steps, the Deny on unprotective instance attributes) was changed by a new default version,
 * neither refused nor paged. Named `<name>-overflow-<n>` here, they are datalek's like the rest.
 */
import { AspectPriority, Aspects } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DATALEK_POLICY_PREFIX } from './deploy-role.js';

/** The construct id CDK gives a role's n-th overflow policy (aws-iam role.ts `splitLargePolicy`). */
const OVERFLOW_ID = /^OverflowPolicy(\d+)$/;

/**
 * Names the overflow policies CDK makes for `role` `<name>-overflow-<n>` (`name` begins with
 * `datalek-`). After CDK's own aspect that makes them (priority MUTATING or DEFAULT, by feature flag).
 */
export function nameOverflowPolicies(role: iam.Role, name: string): void {
  if (!name.startsWith(DATALEK_POLICY_PREFIX)) throw new Error(`an overflow policy's name must begin with ${DATALEK_POLICY_PREFIX}: ${name}`);
  Aspects.of(role).add(
    {
      visit: (node) => {
        const n = OVERFLOW_ID.exec(node.node.id)?.[1];
        if (n && node instanceof iam.ManagedPolicy && node.node.scope === role) {
          (node.node.defaultChild as iam.CfnManagedPolicy).managedPolicyName = `${name}-overflow-${n}`;
        }
      },
    },
    { priority: AspectPriority.DEFAULT + 1 },
  );
}
