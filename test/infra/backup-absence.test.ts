/**
 * deploy19: a day on which the register's daily backup plan completed no job at all paged nowhere: a
 * job that failed, was aborted or expired pages (datalek-watch-backup-jobs), but a plan that never
 * starts one (its selection or schedule changed, the vault's region setting off, AWS Backup not
 * running it) makes no event. With the opt-in vault lock, an alarm on AWS Backup's count of completed
 * jobs into the vault pages when a whole day has none, missing data counting as none.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { BACKUP_VAULT_NAME } from '../../infra/constructs/register-backup.js';
import { DEPLOY_CONTEXT, synthesizedApp } from '../support/infra.js';

const ALARM = 'datalek-register-backup-missing';

describe('a day without a completed backup of the register (deploy19)', () => {
  it('pages through the alarm topic when a day passes with no completed backup job into the locked vault', () => {
    const state = Template.fromStack(synthesizedApp({ ...DEPLOY_CONTEXT, backupVaultLock: 'true' }).stateful);
    const [alarm] = Object.values(state.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: ALARM } }));
    expect(alarm?.Properties).toMatchObject({
      Namespace: 'AWS/Backup',
      MetricName: 'NumberOfBackupJobsCompleted',
      Dimensions: [{ Name: 'BackupVaultName', Value: BACKUP_VAULT_NAME }],
      Statistic: 'Sum',
      Period: 86_400,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    const [[topicId]] = Object.entries(state.findResources('AWS::SNS::Topic', { Properties: { TopicName: 'datalek-on-call-alarms' } }));
    expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    // The plan it counts on runs daily: a day without a job is a missed run, not a quiet day.
    const [plan] = Object.values(state.findResources('AWS::Backup::BackupPlan'));
    expect(JSON.stringify(plan.Properties.BackupPlan.BackupPlanRule)).toContain('cron(0 5 * * ? *)');
  });

  it('has no such alarm without the vault lock (no plan: nothing to count)', () => {
    const state = Template.fromStack(synthesizedApp().stateful);
    expect(Object.keys(state.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: ALARM } }))).toEqual([]);
  });
});
