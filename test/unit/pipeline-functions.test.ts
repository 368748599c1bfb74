/**
 * Containment never stops the pipeline's own functions (review2 S2): reserved concurrency 0 on
 * record-finding or notify would silence every later finding and page. The planner refuses them,
 * whatever the policy or a replay's --enforce asks; infra denies it as well (test/infra/hardening).
 * They are the pipeline's by name and account (review3 attack §12): a function an attacker names
 * `datalek-…` in a member account is contained like any other.
 */
import { describe, expect, it } from 'vitest';
import { loadAwsConfig } from '../../handlers/adapters/aws/config.js';
import { planContainment } from '../../handlers/core/containment.js';
import { parseEvent } from '../../handlers/core/finding.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { findingEvent, RESOURCES } from '../support/events.js';

const NOW = '2026-11-28T03:00:00.000Z';
const PIPELINE_ACCOUNT = '111122223333';
const MEMBER_ACCOUNT = '444455556666';
const rules = [{ action: 'contain-workload', findingTypes: ['*'], mode: 'enforce' }];
const STOP_FUNCTIONS = parsePolicy({ containment: { rules, pipelineAccount: PIPELINE_ACCOUNT } });

function plan(event: unknown, policy = STOP_FUNCTIONS) {
  const parsed = parseEvent(event, { now: NOW });
  if (parsed.kind !== 'finding') throw new Error('not a finding');
  return planContainment(parsed.finding, policy, [], { canEnforce: true, forceEnforce: true, now: NOW });
}

function lambdaFinding(functionName: string, accountId = PIPELINE_ACCOUNT) {
  const resource = RESOURCES.Lambda();
  const details = resource.lambdaDetails as Record<string, unknown>;
  details.functionName = functionName;
  details.functionArn = `arn:aws:lambda:eu-west-1:${accountId}:function:${functionName}`;
  return findingEvent({ type: 'Backdoor:Lambda/C&CActivity.B', resource, accountId });
}

describe("the pipeline's own functions", () => {
  it('are never stopped: the step is skipped with the reason and the runbook, even when enforced', () => {
    for (const name of ['datalek-record-finding-function', 'datalek-notify-function', 'DatalekResponse-CustomResource-1A2B3C']) {
      const [stop] = plan(lambdaFinding(name));
      expect(stop).toMatchObject({ type: 'contain-lambda-function', target: name, status: 'skipped', mode: 'plan' });
      expect(stop.reason).toMatch(/^the pipeline's own function: containment never stops it .*runbooks\/lambda-function\.md$/);
    }
  });

  it('are the pipeline account’s only: a `datalek-…` function in a member account is contained like any other', () => {
    for (const name of ['datalek-render', 'DatalekMiner']) {
      const [stop] = plan(lambdaFinding(name, MEMBER_ACCOUNT));
      expect(stop).toMatchObject({ type: 'contain-lambda-function', target: name, status: 'planned', mode: 'enforce' });
    }
    // The finding raised in the pipeline account about a function whose ARN names a member account.
    const event = lambdaFinding('datalek-render', MEMBER_ACCOUNT);
    event.account = event.detail.accountId = PIPELINE_ACCOUNT;
    expect(plan(event)[0]).toMatchObject({ status: 'planned', mode: 'enforce' });
  });

  it('are none when the pipeline’s account is not known (a local replay without it in the policy)', () => {
    const [stop] = plan(lambdaFinding('datalek-notify-function'), parsePolicy({ containment: { rules } }));
    expect(stop).toMatchObject({ status: 'planned', mode: 'enforce' });
  });

  it('leave any other function to the policy', () => {
    const [stop] = plan(lambdaFinding('export-klanten'));
    expect(stop).toMatchObject({ type: 'contain-lambda-function', target: 'export-klanten', status: 'planned', mode: 'enforce' });
  });
});

describe('the pipeline account on AWS', () => {
  const env = {
    AWS_REGION: 'eu-west-1',
    DATALEK_TABLE: 'datalek-incidents',
    DATALEK_IDEMPOTENCY_TABLE: 'datalek-idempotency',
    DATALEK_FG_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:datalek-fg',
    DATALEK_ON_CALL_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:datalek-on-call',
    DATALEK_BUS_NAME: 'datalek',
  };

  it('is the account the deployment names (DATALEK_PIPELINE_ACCOUNT), which the planner spares', () => {
    const { policy } = loadAwsConfig({ ...env, DATALEK_POLICY: JSON.stringify({ containment: { rules } }), DATALEK_PIPELINE_ACCOUNT: PIPELINE_ACCOUNT });
    expect(policy.containment.pipelineAccount).toBe(PIPELINE_ACCOUNT);
    expect(plan(lambdaFinding('datalek-notify-function'), policy)[0]).toMatchObject({ status: 'skipped' });
    expect(plan(lambdaFinding('datalek-render', MEMBER_ACCOUNT), policy)[0]).toMatchObject({ status: 'planned', mode: 'enforce' });
  });

  it('refuses a policy naming another account as the pipeline’s', () => {
    const named = JSON.stringify({ containment: { pipelineAccount: MEMBER_ACCOUNT } });
    expect(() => loadAwsConfig({ ...env, DATALEK_POLICY: named, DATALEK_PIPELINE_ACCOUNT: PIPELINE_ACCOUNT })).toThrow(
      /containment\.pipelineAccount 444455556666 is not the account the pipeline runs in \(111122223333\)/,
    );
  });
});
