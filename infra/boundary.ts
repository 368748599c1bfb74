/**
 * Permissions boundaries: every role a datalek stack creates gets one, so that no policy put on
 * the role later (by a mistake in this app, or by someone with IAM rights in the account) can let
 * it do more than the boundary says. Each stack's boundary is the union of what its roles need.
 */
import type { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * Creates the stack's boundary policy from `statements` (copied: the roles keep their own) and sets
 * it on every role in the stack.
 * @param name a fixed managed-policy name (`datalek-*`, which the containment Deny protects); @default generated
 */
export function applyBoundary(stack: Stack, name: string | undefined, statements: iam.PolicyStatement[]): iam.ManagedPolicy {
  const policy = new iam.ManagedPolicy(stack, 'PermissionsBoundary', {
    managedPolicyName: name,
    description: 'datalek: the most any role of this stack may ever do (permissions boundary)',
    statements: statements.map((s) => s.copy()),
  });
  iam.PermissionsBoundary.of(stack).apply(policy);
  return policy;
}
