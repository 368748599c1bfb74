/**
 * What keeps the record, guarded against whoever may administer the account (review9 S1): the
 * breach register's table (Art. 33(5): the register must let the AP verify compliance), the event
 * archive kept with it, and the queues that hold what the pipeline could not yet handle (a
 * finding route's dead letters: the failed findings' only copy; the watch's own calls, whose
 * depth keeps `datalek-pipeline-changed` raised). Nothing fails when their protections go: the
 * anchor and the functions page only once the table is gone, and an emptied queue reads as "all
 * handled". So:
 * - the tables' resource policy denies turning off point-in-time recovery or deletion protection,
 *   deleting the table and replacing that policy to all but the break-glass role and the
 *   deployment (as the keys' policies do, protected-key.ts); the account's root user may still
 *   replace or delete a table's policy (DynamoDB lets it, against lockout); a table whose items a
 *   function dedupes on (the member-pages record, the record function's idempotency records) also
 *   denies writing its items to all but that function and the break-glass role (`itemWriters`,
 *   sec24): an item planted there silences a page, or skips a finding as recorded already; the
 *   register's to all but its functions, the on-call role and break-glass (sec25);
 * - a watch rule, `datalek-watch-register` (one of the pipeline watch's, pipeline-watch.ts), pages
 *   on each such call, whoever makes it (the root user's and the break-glass role's too; but a
 *   deployment's own policy put), and on the archive deleted or changed (no resource policy exists
 *   for an archive) and a datalek queue purged or deleted, or changed other than by a deployment;
 * - every datalek queue's policy denies purging, deleting and setting its attributes to all but the
 *   break-glass role and the deployment (`protectQueues`).
 * - every dead-letter queue's policy denies receiving, hiding (a longer visibility timeout) and
 *   deleting its messages to all but the break-glass role, which redrives them
 *   (`protectDeadLetters`, review11 K3, read12b B3): data events, which no watch rule reads; their alarms count
 *   what arrives as well as what waits (alarms.ts `deadLettersMetric`), which receiving cannot hide.
 * Left out: the watch queue's messages received and deleted one by one (on-call reads and deletes
 * them; its new-calls alarm counts what arrives), and a table's TTL (DynamoDB deletes no item whose TTL lies
 * more than five years in the past, so a TTL on another attribute wipes nothing).
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** The register's locked vault's name begins so (register-backup.ts `BACKUP_VAULT_NAME`). */
const BACKUP_VAULT_PREFIX = 'datalek-';

import { FG_ROLE_TAG } from '../../handlers/adapters/aws/table-schema.js';
import { STACK_NAME_PREFIX } from './pipeline-watch.js';
import { breakGlassRoleArn, policyChangers } from './protected-key.js';
import { isDeadLetterQueue } from './queue.js';

/** The pipeline bus's archive: the domain events, kept with the breach register. */
export const EVENT_ARCHIVE_NAME = 'datalek-events';

/** The DynamoDB calls that take a table's protections off, or the table. */
export const TABLE_UNPROTECTING_ACTIONS = [
  'dynamodb:DeleteTable',
  // Deletion protection off (and any other change of the table: a deployment's alone).
  'dynamodb:UpdateTable',
  // Point-in-time recovery off, or its period cut.
  'dynamodb:UpdateContinuousBackups',
  'dynamodb:PutResourcePolicy',
  'dynamodb:DeleteResourcePolicy',
  // The register's tag `datalek:fg-role` names whose sessions record the FG's decisions
  // (handlers/cli/fg-role.ts): retagged, it would let another role decide as the FG (fgrole, session 27).
  // Every key, not only `datalek:` ones (fgr28): DynamoDB gives IAM a request's aws:TagKeys only
  // where the account's ABAC is on (else tag conditions read as no tags, and a Deny of `datalek:*`
  // keys would match nothing), and no AWS document shows the key in a table's resource policy for
  // these actions. Cost-allocation tags go through the deployment (README "Tags on datalek's tables").
  'dynamodb:TagResource',
  'dynamodb:UntagResource',
];

/**
 * The DynamoDB calls that add, replace or remove a table's items. A TransactWriteItems is authorised
 * item by item as its own PutItem, UpdateItem or DeleteItem, so these cover it. Nothing else writes
 * into an existing table: an import (ImportTable) and a restore (RestoreTableFromBackup,
 * RestoreTableToPointInTime) only ever make a new table, and the name is taken while the table is
 * there (deleting it is denied: `TABLE_UNPROTECTING_ACTIONS`); a replica in another region, which
 * would take writes there, is added by UpdateTable, denied with them.
 */
export const ITEM_WRITING_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLInsert',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
];

export interface TablePolicyOptions {
  /**
   * The roles (by name) that alone, with the break-glass role, write the table's items (sec24).
   * @default anyone whose IAM policy lets them
   */
  itemWriters?: string[];
}

/**
 * The resource policy of the datalek table named `tableName`: nobody but the break-glass role and
 * the stack's deployments takes its protections off or deletes it; where `itemWriters` are named,
 * nobody but them and the break-glass role writes or deletes an item (not the deployment either:
 * CloudFormation writes no item). The table's ARN is spelled out (a policy takes effect only where
 * its Resource is the table's own ARN; the table's attribute would refer to itself).
 */
export function registerTablePolicy(scope: Construct, tableName: string, breakGlassRole: string, options: TablePolicyOptions = {}): iam.PolicyDocument {
  const stack = Stack.of(scope);
  const table = stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: tableName });
  const deny = (sid: string, actions: string[], principals: string[]) =>
    new iam.PolicyStatement({
      sid,
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions,
      resources: [table],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': principals } },
    });
  const statements = [deny('OnlyBreakGlassOrDeploymentUnprotects', TABLE_UNPROTECTING_ACTIONS, policyChangers(scope, breakGlassRole))];
  if (options.itemWriters) {
    const writers = options.itemWriters.map((name) => `arn:${stack.partition}:iam::${stack.account}:role/${name}`);
    statements.push(deny('OnlyItsFunctionsWriteItems', ITEM_WRITING_ACTIONS, [...writers, breakGlassRoleArn(scope, breakGlassRole)]));
  }
  return new iam.PolicyDocument({ statements });
}

/** The SQS calls that lose a queue's messages: purged, deleted, or its retention cut (or policy, key, redrive changed). */
export const QUEUE_EMPTYING_ACTIONS = ['sqs:PurgeQueue', 'sqs:DeleteQueue', 'sqs:SetQueueAttributes'];

/**
 * Every queue in `scope` (a stack: the finding routes' and the functions' dead letters, the watch's
 * calls) gets a Deny in its policy: nobody but the break-glass role and the stack's deployments
 * purges it, deletes it or sets its attributes (as the tables, above). The watch pages on these
 * calls as well (`queueCalls`, `queueChanges`); the Deny stops them. Senders are not affected
 * (EventBridge and Lambda only send). Call it once the stack's queues exist.
 */
export function protectQueues(scope: Construct, breakGlassRole: string): void {
  for (const queue of scope.node.findAll().filter((c): c is sqs.Queue => c instanceof sqs.Queue)) {
    queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyBreakGlassOrDeploymentEmpties',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: QUEUE_EMPTYING_ACTIONS,
        resources: [queue.queueArn],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': policyChangers(queue, breakGlassRole) } },
      }),
    );
  }
}

/** The SQS calls that take a queue's messages one by one: received (hidden while in flight), hidden longer, deleted. */
export const MESSAGE_TAKING_ACTIONS = ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage'];

/**
 * Every dead-letter queue in `scope` (queue.ts `deadLetterQueue`: the events a function or a rule
 * target failed on, their only copy in the pipeline) gets a Deny in its policy: nobody but the
 * break-glass role receives, hides or deletes its messages (review11 K3). Nothing of datalek reads
 * them; Lambda and EventBridge only send. The redrive runs as break-glass: it invokes the function
 * with each message, which the pipeline account's SCP denies to all but break-glass (and the link
 * function's role), so sparing on-call let whoever may assume it take failed findings and put none
 * back (read12b B3). Call it once the stack's queues exist.
 */
export function protectDeadLetters(scope: Construct, props: { breakGlassRole: string }): void {
  for (const queue of scope.node.findAll().filter((c): c is sqs.Queue => c instanceof sqs.Queue && isDeadLetterQueue(c))) {
    queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyBreakGlassTakesDeadLetters',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: MESSAGE_TAKING_ACTIONS,
        resources: [queue.queueArn],
        conditions: {
          ArnNotEquals: { 'aws:PrincipalArn': [breakGlassRoleArn(queue, props.breakGlassRole)] },
        },
      }),
    );
  }
}

/** The tables whose names begin with `tablePrefix`, by ARN (a resource policy's calls name the table so). */
const tableArns = (tablePrefix: string) => [{ wildcard: `*:table/${tablePrefix}*` }];

/**
 * DynamoDB calls on the tables whose names begin with `tablePrefix` (`datalek-`; a call names a
 * table by its name or ARN) that lose the register or what recovers it: deleted, deletion
 * protection off, point-in-time recovery changed (off, or fewer days), its resource policy deleted
 * or replaced by hand (the root user may, whatever the policy says), its tag naming the FG's role changed.
 */
export function tableCalls(tablePrefix: string): Record<string, unknown> {
  const tableName = [{ prefix: tablePrefix }, { wildcard: `*:table/${tablePrefix}*` }];
  return {
    source: ['aws.dynamodb'],
    detail: {
      $or: [
        { eventName: ['DeleteTable', 'UpdateContinuousBackups'], requestParameters: { tableName } },
        { eventName: ['UpdateTable'], requestParameters: { tableName, deletionProtectionEnabled: [false] } },
        { eventName: ['DeleteResourcePolicy'], requestParameters: { resourceArn: tableArns(tablePrefix) } },
        // The tag naming whose sessions record the FG's decisions (handlers/cli/fg-role.ts), changed or
        // removed: by break-glass for an absent FG, or by a deployment changing fgRole (fgrole, session 27).
        { eventName: ['TagResource'], requestParameters: { resourceArn: tableArns(tablePrefix), tags: { key: [FG_ROLE_TAG] } } },
        { eventName: ['UntagResource'], requestParameters: { resourceArn: tableArns(tablePrefix), tagKeys: [FG_ROLE_TAG] } },
      ],
    },
  };
}

/** A table's resource policy replaced (the root user may, whatever the policy says): a deployment's own put makes this call (pipeline-watch.ts `datalek-watch-by-hand`). */
export function tablePolicyChanges(tablePrefix: string): Record<string, unknown> {
  return { eventName: ['PutResourcePolicy'], requestParameters: { resourceArn: tableArns(tablePrefix) } };
}

/** EventBridge calls that delete the archive named `archiveName` or change it (its retention, its pattern, its key), whoever makes them. */
export function archiveCalls(archiveName: string): Record<string, unknown> {
  return { source: ['aws.events'], detail: { eventName: ['DeleteArchive', 'UpdateArchive'], requestParameters: { archiveName: [archiveName] } } };
}

/**
 * AWS Backup calls that lose the register's locked backups (infra16, register-backup.ts: opt-in), on a
 * `datalek-*` vault, whoever makes them (its own deploy's lock put too: it pages once, announce it): the
 * vault deleted, its lock removed or changed (within the three days a compliance lock can be), its
 * access policy (which denies deleting recovery points) replaced or deleted, a recovery point deleted
 * or its lifecycle cut. In every region with the rule: the vault name is what a call names.
 */
export function backupVaultCalls(): Record<string, unknown> {
  return {
    source: ['aws.backup'],
    detail: {
      eventName: [
        'DeleteBackupVault',
        'PutBackupVaultLockConfiguration',
        'DeleteBackupVaultLockConfiguration',
        'PutBackupVaultAccessPolicy',
        'DeleteBackupVaultAccessPolicy',
        'DeleteRecoveryPoint',
        'UpdateRecoveryPointLifecycle',
      ],
      requestParameters: { backupVaultName: [{ prefix: BACKUP_VAULT_PREFIX }] },
    },
  };
}

/**
 * AWS Backup calls that stop the register's further backups without touching the vault (readE16 E2):
 * the daily plan or its table selection deleted, the plan rewritten (its rule to another vault, a
 * schedule that never fires), the account's DynamoDB opt-in changed. Their calls name only the plan's
 * id (the vault lock keeps what is already in it, which ages out): every one, whoever makes it, in
 * the central region, where the vault is deployed (the stack's own are rare: a deploy that changes the
 * plan pages once).
 */
export function backupPlanCalls(): Record<string, unknown> {
  return { source: ['aws.backup'], detail: { eventName: ['DeleteBackupPlan', 'UpdateBackupPlan', 'DeleteBackupSelection', 'UpdateRegionSettings'] } };
}

/**
 * The datalek queues, by the URL SQS's calls name them by (their names begin with their stack's:
 * `Datalek…`). A function: pipeline-watch.ts, which defines the prefix, imports this module.
 */
const datalekQueues = () => [{ wildcard: `*/${STACK_NAME_PREFIX}*` }];

/**
 * SQS calls that empty a datalek queue: purged or deleted, whoever does it (its retention cut, its
 * policy or key changed other than by datalek's deployment: `queueChanges`, in `datalek-watch-by-hand`).
 */
export function queueCalls(): Record<string, unknown> {
  return { source: ['aws.sqs'], detail: { eventName: ['PurgeQueue', 'DeleteQueue'], requestParameters: { queueUrl: datalekQueues() } } };
}

/** A datalek queue's attributes set (its retention cut, its policy or key): a deployment's own updates make this call (pipeline-watch.ts `datalek-watch-by-hand`). */
export function queueChanges(): Record<string, unknown> {
  return { eventName: ['SetQueueAttributes'], requestParameters: { queueUrl: datalekQueues() } };
}

export interface RegisterWatchProps {
  /** How the names of this region's datalek tables begin (`datalek-`); none in a forwarder region. */
  tablePrefix?: string;
  /** The event archive; none in a forwarder region. */
  archiveName?: string;
  /**
   * The register's locked backup vault is deployed (`backupVaultLock`): only then do the backup
   * plan's calls page, which name a plan by id alone (an account where other teams keep backup plans
   * would be paged for theirs, lock or not). The vault's own calls name a `datalek-*` vault: always.
   */
  backupVault?: boolean;
}

/** The calls that lose the register, the archive or a datalek queue's messages, as one EventBridge pattern. */
export function registerWatchPattern(props: RegisterWatchProps): Record<string, unknown> {
  const calls = [queueCalls()];
  if (props.tablePrefix) calls.push(tableCalls(props.tablePrefix), backupVaultCalls());
  if (props.tablePrefix && props.backupVault) calls.push(backupPlanCalls());
  if (props.archiveName) calls.push(archiveCalls(props.archiveName));
  // EventBridge refuses an `$or` of one branch (a forwarder region has queues only): no `$or` then.
  return { 'detail-type': ['AWS API Call via CloudTrail'], ...(calls.length > 1 ? { $or: calls } : calls[0]) };
}
