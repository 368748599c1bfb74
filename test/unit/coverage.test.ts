import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coverageMarkdown, coverageSeverities, plannedFor, variantsOf } from '../../handlers/core/coverage.js';
import { FINDING_CATALOGUE, familyOf } from '../../handlers/core/finding-catalogue.js';
import { RUNBOOKS } from '../../handlers/core/messages.js';
import { DEFAULT_POLICY, parsePolicy } from '../../handlers/core/policy.js';
import { runCli } from '../support/cli.js';

const ROOT = join(import.meta.dirname, '../..');

describe('coverage: every GuardDuty finding family, and what datalek does', () => {
  it('runbooks/coverage.md is what the built-in policy generates (regenerate: npx datalek coverage > runbooks/coverage.md)', () => {
    expect(readFileSync(join(ROOT, 'runbooks/coverage.md'), 'utf8')).toBe(`${coverageMarkdown(DEFAULT_POLICY)}\n`);
  });

  it('plans a containment or a person’s step with a runbook for every High and Critical finding type, in every form it comes in', () => {
    const uncovered: string[] = [];
    for (const entry of FINDING_CATALOGUE) {
      for (const v of variantsOf(entry)) {
        const actions = plannedFor(v, coverageSeverities(entry.type).high, DEFAULT_POLICY).filter((a) => a.status !== 'skipped');
        if (actions.length === 0) uncovered.push(`${entry.type} (${v.resourceType}${v.label ? `, ${v.label}` : ''})`);
        for (const a of actions) {
          const runbook = a.params?.runbook ?? RUNBOOKS[a.type];
          expect(runbook, `${entry.type}: ${a.type} has no runbook`).toBeDefined();
          // A runbook may be named with its section (`file.md#heading`; runbooks.test.ts checks the heading).
          expect(existsSync(join(ROOT, runbook.split('#')[0])), runbook).toBe(true);
        }
      }
    }
    expect(uncovered).toEqual([]);
  });

  it('covers the families the issue found missing', () => {
    const families = new Set(FINDING_CATALOGUE.map((e) => familyOf(e.type)));
    for (const f of [
      'CryptoCurrency:Runtime',
      'Backdoor:Runtime',
      'PrivilegeEscalation:Runtime',
      'DefenseEvasion:Runtime',
      'Execution:ECS',
      'Execution:Container',
      'Execution:Kubernetes',
      'Backdoor:Lambda',
      'CredentialAccess:RDS',
      'Persistence:Kubernetes',
      'InitialAccess:IAMUser',
      'Persistence:IAMUser',
      'PrivilegeEscalation:IAMUser',
      'DefenseEvasion:IAMUser',
      'Stealth:IAMUser',
      'AttackSequence:IAM',
      'AttackSequence:S3',
    ]) {
      expect(families.has(f), f).toBe(true);
    }
  });

  it('follows the policy it is given: enforce and a lowered threshold show', () => {
    const policy = parsePolicy({
      thresholds: { notifyFg: 5, pageOnCall: 9 },
      containment: { rules: [{ action: 'contain-workload', findingTypes: ['Backdoor:EC2/*'], mode: 'enforce' }] },
    });
    const table = coverageMarkdown(policy, 'the policy p.json');
    expect(table).toContain('Generated from the policy p.json');
    expect(table).toContain('at Medium (5.0): incident, FG told |');
    expect(table).toMatch(/\| `Backdoor:EC2` \| [^|]+ \| notify only \| enforce `isolate-instance` \|/);
    expect(table).toMatch(/\| `Trojan:EC2` \| [^|]+ \| notify only \| notify only \|/);
  });

  it("matches the README's copy of the default rules", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = /"rules": (\[\n[\s\S]*?\n {4}\])/.exec(readme)?.[1] as string;
    expect(parsePolicy({ containment: { rules: JSON.parse(block) } }).containment.rules).toEqual(DEFAULT_POLICY.containment.rules);
  });

  it('is what `datalek coverage` prints', async () => {
    const { code, stdout } = await runCli(['coverage']);
    expect(code).toBe(0);
    expect(stdout).toBe(coverageMarkdown(DEFAULT_POLICY));
  });
});
