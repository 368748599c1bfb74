/**
 * deploy19: a day on which the register's daily backup plan completed no job at all paged nowhere: a
 * job that failed, was aborted or expired pages (datalek-watch-backup-jobs), but a plan that never
 * starts one (its selection or schedule changed, the vault's region setting off, AWS Backup not
 * running it) makes no event. With the opt-in vault lock, an alarm on AWS Backup's count of completed
 * jobs into the vault pages when a whole day has none, missing data counting as none (readC19: over 36
 * hours of a sliding window, not one UTC day).
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
      Period: 3_600,
      EvaluationPeriods: 36,
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

  it('reads a window longer than a day plus the plan’s start window and the job, and shorter than the gap a missed run leaves (readC19)', () => {
    // CloudWatch evaluates an alarm over a sliding window by default (EvaluationWindow unset), not per UTC day: one
    // day's window, read a minute before a day's job completes later than the day before's did (AWS Backup starts
    // it anywhere in the plan's start window), holds no completed job, and paged on an ordinary day.
    const state = Template.fromStack(synthesizedApp({ ...DEPLOY_CONTEXT, backupVaultLock: 'true' }).stateful);
    const [alarm] = Object.values(state.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: ALARM } }));
    const { Period, EvaluationPeriods, DatapointsToAlarm, EvaluationWindow } = alarm.Properties;
    expect(EvaluationWindow?.WallClockWindow).toBeUndefined();
    expect(DatapointsToAlarm).toBe(EvaluationPeriods);
    const window = Period * EvaluationPeriods;
    const [plan] = Object.values(state.findResources('AWS::Backup::BackupPlan'));
    const [rule] = plan.Properties.BackupPlan.BackupPlanRule;
    // AWS Backup's default start window is 8 hours; an hour for the job to run.
    const startWindow = (rule.StartWindowMinutes ?? 480) * 60;
    expect(window).toBeGreaterThanOrEqual(86_400 + startWindow + 3_600);
    // A run missed: the completions either side of it are at least two days less a start window apart.
    expect(window).toBeLessThan(2 * 86_400 - startWindow);
  });

  it('tells on-call that the on-demand backup it asks for is started as break-glass, the one role besides the deployment that may pass datalek-backup (c54ff0d1)', () => {
    // Since c54ff0d1 the service control policy refuses iam:PassRole on datalek-backup to on-call: the pages'
    // "Create on-demand backup … role datalek-backup", followed as on-call, ended in AccessDenied.
    const state = Template.fromStack(synthesizedApp({ ...DEPLOY_CONTEXT, backupVaultLock: 'true' }).stateful);
    const texts = [
      ...Object.values(state.findResources('AWS::CloudWatch::Alarm')).map((a) => String(a.Properties.AlarmDescription ?? '')),
      ...Object.values(state.findResources('AWS::Events::Rule')).flatMap((r) =>
        (r.Properties.Targets ?? []).map((t: { Input?: string; InputTransformer?: { InputTemplate?: string } }) =>
          JSON.stringify(t.Input ?? t.InputTransformer?.InputTemplate ?? ''),
        ),
      ),
    ].filter((t) => t.includes('role datalek-backup'));
    expect(texts).toHaveLength(2);
    for (const text of texts) expect(text).toContain('role datalek-backup, as break-glass');
  });

  it('has no such alarm without the vault lock (no plan: nothing to count)', () => {
    const state = Template.fromStack(synthesizedApp().stateful);
    expect(Object.keys(state.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: ALARM } }))).toEqual([]);
  });
});
