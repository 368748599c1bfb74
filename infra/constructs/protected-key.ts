/**
 * The pipeline's customer-managed KMS keys: rotated, retained, and protected by a Deny in the key
 * policy so that only the named break-glass role can schedule a key's deletion or disable it. The
 * state key encrypts the breach register and its backups (Art. 33(5)): an administrator deleting
 * it would take the record with it.
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

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

/** The Deny: nobody but the break-glass role schedules the key's deletion or disables it. */
export function protectKey(key: kms.Key, breakGlassRole: string): void {
  const stack = Stack.of(key);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'OnlyBreakGlassDeletesOrDisables',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:ScheduleKeyDeletion', 'kms:DisableKey'],
      resources: ['*'],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': `arn:${stack.partition}:iam::${stack.account}:role/${breakGlassRole}` } },
    }),
  );
}

/**
 * Lets this account's EventBridge use the key, for the dead-letter queues of rule targets that it
 * encrypts. (Lambda writes to a function's dead-letter queue with the function's own role.)
 */
export function allowEventBridge(key: kms.Key): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'EventBridgeOfThisAccountToEncryptedQueues',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(key).account } },
    }),
  );
}
