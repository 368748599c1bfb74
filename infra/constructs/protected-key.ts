/**
 * The pipeline's customer-managed KMS keys: rotated, retained, and protected by Denies in the key
 * policy so that only the named break-glass role can schedule a key's deletion or disable it, and
 * only that role or the stack's own CloudFormation deployments can change the key policy (without
 * the second Deny, any key administrator could first remove the first). The state key encrypts
 * the breach register and its backups (Art. 33(5)): an administrator deleting it would take the
 * record with it.
 */
import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { deployRoleArns } from '../deploy-role.js';

export interface ProtectedKeyProps {
  description: string;
  /** The name of the role in this account that alone may delete or disable the key. */
  breakGlassRole: string;
}

/** A new key with rotation, retained on stack deletion, protected by `protectKey`. */
export function protectedKey(scope: Construct, id: string, props: ProtectedKeyProps): kms.Key {
  const key = new kms.Key(scope, id, { description: props.description, enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
  protectKey(key, props.breakGlassRole);
  return key;
}

/** The ARN of the break-glass role in the stack's account. */
export function breakGlassRoleArn(scope: Construct, breakGlassRole: string): string {
  const stack = Stack.of(scope);
  return `arn:${stack.partition}:iam::${stack.account}:role/${breakGlassRole}`;
}

/**
 * The roles that may change what protects the pipeline's evidence (a key policy, the digest
 * bucket's policy and lock settings) and its secrets (their values and policies): the break-glass role, and the role CloudFormation deploys
 * the stack with (the execution role of datalek's own CDK bootstrap, deploy-role.ts; never the
 * account's shared bootstrap, which any team's stack deploys with), so that a `cdk deploy` can still update
 * them. Anyone else, administrators included, is refused.
 */
export function policyChangers(scope: Construct, breakGlassRole: string): string[] {
  return [breakGlassRoleArn(scope, breakGlassRole), ...deployRoleArns(scope)];
}

/**
 * The Denies: nobody but the break-glass role schedules the key's deletion or disables it, and
 * nobody but that role or the stack's deployments replaces the key policy that says so.
 */
export function protectKey(key: kms.Key, breakGlassRole: string): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'OnlyBreakGlassDeletesOrDisables',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:ScheduleKeyDeletion', 'kms:DisableKey'],
      resources: ['*'],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': breakGlassRoleArn(key, breakGlassRole) } },
    }),
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'OnlyBreakGlassOrDeploymentChangesKeyPolicy',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:PutKeyPolicy'],
      resources: ['*'],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': policyChangers(key, breakGlassRole) } },
    }),
  );
}

/**
 * Lets this account's EventBridge use the key, for the dead-letter queues of rule targets that it
 * encrypts (and the topics it publishes on). (Lambda writes to a function's dead-letter queue with the
 * function's own role.) Only for rules of `ruleNames` (wildcards allowed), on the default bus or `buses`:
 * EventBridge's aws:SourceArn for a rule's target is the rule's ARN (sec27: with aws:SourceAccount alone,
 * any rule of the account could have EventBridge write under the key).
 */
export function allowEventBridge(key: kms.Key, rules: { ruleNames: string[]; buses: string[] }): void {
  const stack = Stack.of(key);
  const ruleArns = rules.ruleNames.flatMap((name) =>
    ['', ...rules.buses.map((bus) => `${bus}/`)].map((bus) =>
      stack.formatArn({ service: 'events', resource: 'rule', resourceName: `${bus}${name}`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
    ),
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'EventBridgeOfThisAccountToEncryptedQueues',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': ruleArns } },
    }),
  );
}
