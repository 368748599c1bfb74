/**
 * A queue that holds whole events (findings, CloudTrail calls: personal data): encrypted with one
 * of the pipeline's keys, TLS only, and kept 14 days, SQS's longest, for on-call to act on.
 */
import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export function eventQueue(scope: Construct, id: string, key: kms.IKey): sqs.Queue {
  return new sqs.Queue(scope, id, { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key, enforceSSL: true, retentionPeriod: Duration.days(14) });
}

/** The dead-letter queues made here, for the Deny only they get (register-guard.ts `protectDeadLetters`). */
const deadLetterQueues = new WeakSet<sqs.Queue>();

/** An `eventQueue` for the events a function or a rule target failed on: their only copy in the pipeline, redriven by hand. */
export function deadLetterQueue(scope: Construct, id: string, key: kms.IKey): sqs.Queue {
  const queue = eventQueue(scope, id, key);
  deadLetterQueues.add(queue);
  return queue;
}

export function isDeadLetterQueue(queue: sqs.Queue): boolean {
  return deadLetterQueues.has(queue);
}
