/**
 * review15 fgsec17: every watch page (datalek WATCH, CONTAINMENT UNDONE?, ALARM PATH, ISOLATION GROUP
 * TAGS CHANGED) names the caller by `$.detail.userIdentity.arn`. For a person signed in through IAM
 * Identity Center that is `arn:aws:sts::…:assumed-role/AWSReservedSSO_…/alice.jansen@zorggroep.nl`:
 * the person's e-mail address goes in every page, to the e-mail subscribers and the pager's provider.
 * The project's rule is that user names stay out of messages; the role (`sessionIssuer.arn`) and the
 * CloudTrail event id the page already gives are enough to find the caller.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synthesizedApp } from '../support/infra.js';

describe('watch pages and the caller session name', () => {
  it('no rule target hands a page the caller session ARN', () => {
    const built = synthesizedApp();
    const naming: string[] = [];
    for (const stack of [built.stateful, built.response, ...built.forwarders, ...built.members, ...built.memberIam, built.iamForward]) {
      if (!stack) continue;
      const rules = Template.fromStack(stack).findResources('AWS::Events::Rule');
      for (const [id, rule] of Object.entries(rules)) {
        for (const target of rule.Properties.Targets ?? []) {
          const paths = Object.values(target.InputTransformer?.InputPathsMap ?? {}) as string[];
          if (paths.includes('$.detail.userIdentity.arn')) naming.push(`${stack.stackName}/${rule.Properties.Name ?? id}`);
        }
      }
    }
    expect(naming).toEqual([]);
  }, 600_000);
});
