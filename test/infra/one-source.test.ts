/**
 * Settings kept in one place: the accounts containment may act in are the deployment's member
 * accounts (the ones given the containment role), never a second list kept in step by hand; and
 * record-finding and notify have concurrency of their own that no other workload can take.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../handlers/core/policy.js';
import { DeployConfigError, loadDeployConfig } from '../../infra/config.js';
import { DEPLOY_CONTEXT, synthesizedApp } from '../support/infra.js';

function policyFile(policy: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'datalek-policy-')), 'policy.json');
  writeFileSync(file, JSON.stringify(policy));
  return file;
}

/** The policy each function is given (DATALEK_POLICY), as the function parses it. */
function functionPolicies(context: Record<string, unknown>) {
  const { response } = synthesizedApp(context);
  return Object.values(Template.fromStack(response).findResources('AWS::Lambda::Function'))
    .map((f) => f.Properties.Environment?.Variables?.DATALEK_POLICY)
    .filter((p): p is string => p !== undefined)
    .map((p) => parsePolicy(p.trim() ? JSON.parse(p) : {}));
}

// Each builds the app (a few seconds alone, more on a busy machine).
describe("containment's member accounts come from the deployment's memberAccounts", () => {
  it('gives every function the deployment’s member accounts when the policy does not list them', () => {
    const policies = functionPolicies({ ...DEPLOY_CONTEXT, memberAccounts: '444455556666, 777788889999' });
    expect(policies.length).toBeGreaterThan(0);
    for (const p of policies) expect(p.containment.memberAccounts).toEqual(['444455556666', '777788889999']);
    const config = loadDeployConfig({ ...DEPLOY_CONTEXT, memberAccounts: '444455556666,777788889999' });
    expect(config.policy.containment.memberAccounts).toEqual(['444455556666', '777788889999']);
  }, 120_000);

  it('keeps the rest of a policy file as written, and the same list in another order is the same list', () => {
    const file = policyFile({ language: 'en', containment: { memberAccounts: ['777788889999', '444455556666'] } });
    const policies = functionPolicies({ ...DEPLOY_CONTEXT, memberAccounts: '444455556666,777788889999', policyFile: file });
    for (const p of policies) {
      expect(p.language).toBe('en');
      expect([...p.containment.memberAccounts].sort()).toEqual(['444455556666', '777788889999']);
    }
  }, 120_000);

  it('fails synth, naming both lists, when the policy lists other accounts than the deployment', () => {
    const file = policyFile({ containment: { memberAccounts: ['444455556666', '999900001111'] } });
    const load = () => loadDeployConfig({ ...DEPLOY_CONTEXT, memberAccounts: '444455556666', policyFile: file });
    expect(load).toThrow(DeployConfigError);
    expect(load).toThrow(/containment\.memberAccounts.*999900001111.*memberAccounts.*444455556666/s);
    // Also when the deployment has none: the policy would act in accounts without the role.
    expect(() => loadDeployConfig({ ...DEPLOY_CONTEXT, memberAccounts: '', policyFile: file })).toThrow(/999900001111/);
  }, 120_000);

  it('leaves the policy empty (the defaults) with neither a policy file nor member accounts', () => {
    expect(loadDeployConfig({ ...DEPLOY_CONTEXT, memberAccounts: '' }).policyJson).toBe('');
  }, 120_000);
});

describe('reserved concurrency of record-finding and notify', () => {
  const reservedOf = (context: Record<string, unknown>) => {
    const { response } = synthesizedApp(context);
    const fns = Object.values(Template.fromStack(response).findResources('AWS::Lambda::Function'));
    const of = (what: string) => fns.find((f) => String(f.Properties.Description).includes(what))?.Properties.ReservedConcurrentExecutions;
    return { record: of('records a GuardDuty finding'), notify: of('sends the FG and on-call messages') };
  };

  it('reserves 20 for record-finding and 10 for notify by default', () => {
    expect(reservedOf(DEPLOY_CONTEXT)).toEqual({ record: 20, notify: 10 });
  }, 120_000);

  it('takes other amounts from context, and refuses nonsense by name', () => {
    expect(reservedOf({ ...DEPLOY_CONTEXT, recordConcurrency: '50', notifyConcurrency: '4' })).toEqual({ record: 50, notify: 4 });
    expect(() => loadDeployConfig({ ...DEPLOY_CONTEXT, recordConcurrency: '0' })).toThrow(/recordConcurrency/);
    expect(() => loadDeployConfig({ ...DEPLOY_CONTEXT, notifyConcurrency: 'many' })).toThrow(/notifyConcurrency/);
  }, 120_000);
});
