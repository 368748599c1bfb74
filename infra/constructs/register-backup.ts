/**
 * The breach register's backups under a compliance-mode vault lock (opt-in, context
 * `backupVaultLock=true`; README, Deploy: "Backups under a vault lock"). Point-in-time recovery
 * lasts 35 days and the account's root user may still delete a table (its resource policy first);
 * a recovery point in a locked vault no one deletes before its retention ends, the root user
 * included. Off by default: three days after the deploy the lock can no longer be changed or
 * removed, and the backups are copies `minimise` cannot reach (README, Personal data).
 *
 * - The vault `datalek-register`, encrypted with the pipeline's key, its recovery points' deletion
 *   denied in its access policy, locked at exactly `retentionDays` (minimum and maximum), changeable
 *   for `CHANGEABLE_FOR_DAYS` after the deploy (the least AWS Backup takes).
 * - A daily plan of both tables (`datalek-incidents`, `datalek-idempotency`), each recovery point
 *   kept `retentionDays`, run by the role `datalek-backup` (named `datalek-…`: a change of its trust or
 *   policies pages, pipeline-watch.ts `roleCalls`).
 * - Its deletion and lock calls page (register-guard.ts `backupVaultCalls`, datalek-watch-register).
 *
 * AWS Backup keeps DynamoDB's backups under the vault's key (and copies them to another account)
 * only with the account's opt-in to its advanced DynamoDB features, a region setting
 * CloudFormation cannot make (`aws backup update-region-settings --resource-type-management-preference DynamoDB=true`).
 * Not tried on AWS.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** The locked vault's name (`datalek-*`: the register watch pages on its deletion and lock calls). */
export const BACKUP_VAULT_NAME = 'datalek-register';

/** The backup role's name. */
export const BACKUP_ROLE_NAME = 'datalek-backup';

/** Days the lock may still be changed or removed after the deploy: the least AWS Backup takes. */
export const CHANGEABLE_FOR_DAYS = 3;

export interface RegisterBackupProps {
  tables: dynamodb.ITable[];
  /** The pipeline's key: the vault's recovery points, and the tables, are encrypted with it. */
  key: kms.IKey;
  /** Days each recovery point is kept, and the lock's minimum and maximum. */
  retentionDays: number;
}

export class RegisterBackup extends Construct {
  public readonly vault: backup.BackupVault;
  public readonly plan: backup.BackupPlan;
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: RegisterBackupProps) {
    super(scope, id);
    const retention = Duration.days(props.retentionDays);
    this.vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: BACKUP_VAULT_NAME,
      encryptionKey: props.key,
      removalPolicy: RemovalPolicy.RETAIN,
      blockRecoveryPointDeletion: true,
    });
    // Exactly `retentionDays`: no recovery point kept shorter, nor (personal data) longer. CDK's `lockConfiguration`
    // takes a maximum only above the minimum; AWS Backup's lock takes them equal (a job's lifecycle within both), unconfirmed on AWS.
    (this.vault.node.defaultChild as backup.CfnBackupVault).lockConfiguration = {
      minRetentionDays: props.retentionDays,
      maxRetentionDays: props.retentionDays,
      changeableForDays: CHANGEABLE_FOR_DAYS,
    };
    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupPlanName: 'datalek-register-daily',
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'daily',
          backupVault: this.vault,
          scheduleExpression: backup.BackupPlanRule.daily().props.scheduleExpression,
          deleteAfter: retention,
        }),
      ],
    });
    this.role = new iam.Role(this, 'Role', {
      roleName: BACKUP_ROLE_NAME,
      description: "datalek: AWS Backup's daily backups of the breach register's tables into the locked vault",
      // Only for this account's own AWS Backup (confused deputy, sec27). AWS Backup's docs do not say it puts these keys in
      // its AssumeRole on the role passed to it: a StringEquals on a key left out would stop every backup (paged, but the
      // register unbacked), so each must name this account where present. Passing the role is what holds (the SCP, c54ff0d1).
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com', {
        conditions: {
          StringEqualsIfExists: { 'aws:SourceAccount': Stack.of(this).account },
          ArnLikeIfExists: { 'aws:SourceArn': `arn:${Stack.of(this).partition}:backup:${Stack.of(this).region}:${Stack.of(this).account}:*` },
        },
      }),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForBackup')],
    });
    // The tables and the vault are under the pipeline's key.
    props.key.grant(this.role, 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:CreateGrant');
    this.plan.addSelection('Tables', {
      backupSelectionName: 'datalek-register-tables',
      resources: props.tables.map((t) => backup.BackupResource.fromDynamoDbTable(t)),
      role: this.role,
      disableDefaultBackupPolicy: true,
    });
  }
}
