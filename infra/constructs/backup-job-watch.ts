/**
 * Pages on-call when a backup job into the register's locked vault ends without a recovery point
 * (opt-in vault lock, register-backup.ts): the register watch pages on the calls that stop the
 * backups (register-guard.ts), but a job that FAILED (the backup role or key grant broken, the
 * table's opt-in missing), was ABORTED (stopped by someone) or EXPIRED (not started within its
 * window) is no call, and the vault then quietly holds nothing newer than its last good point.
 *
 * AWS Backup's own event, "Backup Job State Change" (source `aws.backup`, best effort, emitted
 * about every 5 minutes), matched on `detail.state` and `detail.backupVaultName`, the fields every
 * one of AWS Backup's documented examples of a job event carries (FAILED, ABORTED and EXPIRED alike;
 * `createdBy.backupPlanId` only some: not matched). By the vault's name: only datalek's plan backs
 * up into `datalek-register`, and a job of anyone's into it that fails is a gap in it as surely.
 * Not confirmed on AWS: the field names and values come from AWS Backup's developer guide, and moto
 * emits no such event. A COMPLETED job "with issues" (a status message) pages too (deploy19).
 *
 * A missed daily run pages too (deploy19: alarm `datalek-register-backup-missing`): a plan that
 * starts no job (its selection or schedule changed, AWS Backup not running it) makes no job event at
 * all. AWS Backup's own metric `NumberOfBackupJobsCompleted` of the vault (`BackupVaultName`), none
 * in the last 36 hours, missing data counting as none. Not per UTC day (readC19): CloudWatch reads a
 * sliding window, and a day's window read just before a job that completed later than the day
 * before's (AWS Backup starts it anywhere in the plan's 8-hour start window after 05:00 UTC) held
 * none and paged on an ordinary day. 36 hours: a day, the start window and an hour for the job; and
 * less than the 40 hours at least between the completions either side of a missed run. The metric's
 * dimension is not confirmed on AWS: if AWS Backup names the vault otherwise, the alarm reads no
 * data and stays raised (loud, not silent).
 * A rule of its own, `datalek-watch-*`, in the central region where the vault is: the pipeline and
 * alarm path watches see calls on it.
 * The message names the state, the job, the resource (a datalek table's ARN), when and where; not
 * the status message (AWS Backup's console shows it with the job).
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { heartbeatAlarm, onCallAlarm, ruleMetric } from './alarms.js';
import { BACKUP_VAULT_NAME } from './register-backup.js';

/** The rule's fixed name: `datalek-watch-*`, so the pipeline and alarm path watches see calls on it. */
export const BACKUP_JOB_WATCH_RULE_NAME = 'datalek-watch-backup-jobs';

/** The states in which a backup job ended without a recovery point. */
export const FAILED_BACKUP_JOB_STATES = ['FAILED', 'ABORTED', 'EXPIRED'];

/**
 * A backup job into the register's vault that ended without a recovery point, or COMPLETED with a
 * status message (deploy19): AWS Backup's console calls that "Completed with issues", and AWS
 * Backup's guide says to watch for it so ("monitor COMPLETED jobs that have a status message"); a
 * recovery point was made, but it may not hold everything. An empty message counts as none.
 */
export function backupJobPattern(): Record<string, unknown> {
  return {
    source: ['aws.backup'],
    'detail-type': ['Backup Job State Change'],
    detail: {
      backupVaultName: [BACKUP_VAULT_NAME],
      $or: [{ state: FAILED_BACKUP_JOB_STATES }, { state: ['COMPLETED'], statusMessage: [{ 'anything-but': '' }] }],
    },
  };
}

/** The alarm on a missed daily run: no completed backup job into the vault in `BACKUP_MISSING_HOURS`. */
export const BACKUP_MISSING_ALARM = 'register-backup-missing';

/** A day, the plan's start window (AWS Backup's default, 8 hours) and an hour for the job (readC19). */
export const BACKUP_MISSING_HOURS = 36;

export interface BackupJobWatchProps {
  alarmTopic: sns.ITopic;
}

export class BackupJobWatch extends Construct {
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: BackupJobWatchProps) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Rule', {
      ruleName: BACKUP_JOB_WATCH_RULE_NAME,
      description: `datalek: a backup job into the register's locked vault (${BACKUP_VAULT_NAME}) failed, was aborted or expired (README, Deploy: Backups under a vault lock)`,
      eventPattern: { source: ['aws.backup'] },
    });
    (this.rule.node.defaultChild as events.CfnRule).eventPattern = backupJobPattern();
    const field = (path: string) => events.EventField.fromPath(path);
    const message = events.RuleTargetInput.fromText(
      `datalek BACKUP ${field('$.detail.state')}: AWS Backup job ${field('$.detail.backupJobId')} of ${field('$.detail.resourceArn')} into the ${BACKUP_VAULT_NAME} vault ended ${field('$.detail.state')} at ${field('$.time')} in ${field('$.region')} (account ${field('$.account')}), seen by ${BACKUP_JOB_WATCH_RULE_NAME}: the breach register has no new locked backup from it (COMPLETED: AWS Backup's "Completed with issues", a recovery point with a status message: it may not hold everything). Read the job's status message in AWS Backup (Jobs, by its id), put the cause right (the datalek-backup role, the pipeline key's grant, the account's DynamoDB opt-in: aws backup describe-region-settings), then back up both tables now (AWS Backup, Create on-demand backup: into ${BACKUP_VAULT_NAME}, role datalek-backup, as break-glass: the service control policy lets no other role pass it) and check that job completes; an ABORTED job someone stopped: find out who in CloudTrail (README, Deploy: Backups under a vault lock).`,
    );
    const topicArn = props.alarmTopic.topicArn;
    this.rule.addTarget({ bind: () => ({ arn: topicArn, input: message }) });
    onCallAlarm(this, 'UndeliveredAlarm', {
      name: 'watch-backup-jobs-undelivered',
      description: `datalek: the ${BACKUP_JOB_WATCH_RULE_NAME} rule matched a backup job of the register that ended without a recovery point, and could NOT publish it to the alarm topic: look for FAILED, ABORTED or EXPIRED jobs into ${BACKUP_VAULT_NAME} in AWS Backup (Jobs), then mend the topic`,
      metric: ruleMetric(this.rule, 'FailedInvocations'),
      topic: props.alarmTopic,
    });
    // deploy19: a missed daily run pages, which no job event can say (a plan that starts none makes no event).
    // readC19: 36 hourly periods (see above), not one day's: CloudWatch's window slides.
    heartbeatAlarm(this, 'MissingAlarm', {
      name: BACKUP_MISSING_ALARM,
      description: `datalek: no backup job into the register's locked vault (${BACKUP_VAULT_NAME}) completed in the last 36 hours, though its plan (datalek-register-daily) runs daily at 05:00 UTC (starting within 8 hours): the breach register has no new locked backup. In AWS Backup, look for the last days' jobs (Jobs, vault ${BACKUP_VAULT_NAME}) and the plan and its selection; put the cause right (the plan, the selection, the datalek-backup role, the pipeline key's grant, the account's DynamoDB opt-in: aws backup describe-region-settings), then back up both tables now (Create on-demand backup: into ${BACKUP_VAULT_NAME}, role datalek-backup, as break-glass: the service control policy lets no other role pass it). Raised when the vault lock is first deployed, until the plan's first completed run (README, Deploy: Backups under a vault lock)`,
      metric: new cloudwatch.Metric({
        namespace: 'AWS/Backup',
        metricName: 'NumberOfBackupJobsCompleted',
        dimensionsMap: { BackupVaultName: BACKUP_VAULT_NAME },
        statistic: 'Sum',
        period: Duration.hours(1),
      }),
      topic: props.alarmTopic,
      periods: BACKUP_MISSING_HOURS,
    });
  }
}
