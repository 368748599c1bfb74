/**
 * Containment never stops the pipeline's own functions (review2 S2): reserved concurrency 0 on
 * record-finding or notify would silence every later finding and page. The planner refuses them,
 * whatever the policy or a replay's --enforce asks; infra denies it as well (test/infra/hardening).
 */
import { describe, expect, it } from 'vitest';
import { planContainment } from '../../handlers/core/containment.js';
import { parseEvent } from '../../handlers/core/finding.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { findingEvent, RESOURCES } from '../support/events.js';

const NOW = '2026-11-28T03:00:00.000Z';
const STOP_FUNCTIONS = parsePolicy({ containment: { rules: [{ action: 'contain-workload', findingTypes: ['*'], mode: 'enforce' }] } });

function plan(event: unknown) {
  const parsed = parseEvent(event, { now: NOW });
  if (parsed.kind !== 'finding') throw new Error('not a finding');
  return planContainment(parsed.finding, STOP_FUNCTIONS, [], { canEnforce: true, forceEnforce: true, now: NOW });
}

function lambdaFinding(functionName: string) {
  const resource = RESOURCES.Lambda();
  const details = resource.lambdaDetails as Record<string, unknown>;
  details.functionName = functionName;
  details.functionArn = `arn:aws:lambda:eu-west-1:111122223333:function:${functionName}`;
  return findingEvent({ type: 'Backdoor:Lambda/C&CActivity.B', resource });
}

describe("the pipeline's own functions", () => {
  it('are never stopped: the step is skipped with the reason and the runbook, even when enforced', () => {
    for (const name of ['datalek-record-finding-function', 'datalek-notify-function', 'DatalekResponse-CustomResource-1A2B3C']) {
      const [stop] = plan(lambdaFinding(name));
      expect(stop).toMatchObject({ type: 'contain-lambda-function', target: name, status: 'skipped', mode: 'plan' });
      expect(stop.reason).toMatch(/^the pipeline's own function: containment never stops it .*runbooks\/lambda-function\.md$/);
    }
  });

  it('leave any other function to the policy', () => {
    const [stop] = plan(lambdaFinding('export-klanten'));
    expect(stop).toMatchObject({ type: 'contain-lambda-function', target: 'export-klanten', status: 'planned', mode: 'enforce' });
  });
});
