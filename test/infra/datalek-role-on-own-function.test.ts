/**
 * review11 K5 (attack12): the functions' roles are the trust root of the watch, and anyone who may pass them can
 * run code as them. Each datalek function's role (`datalek-<handler>-function`, fixed names) trusts
 * `lambda.amazonaws.com` with no condition, so an account principal with `iam:PassRole` and
 * `lambda:CreateFunction` (an administrator: in scope) could create a function of its own, named anything,
 * with the role `datalek-contain-function`, and invoke it: its calls excused by the containment watch
 * (every session of the role was), trusted by every member account's containment role. Now:
 * - the SCP denies passing a datalek function's role but to the deployment and break-glass;
 * - making a function with one (or giving one to another function) pages (`datalek-watch-by-hand`);
 * - the containment watch excuses the role's sessions of the response stack's functions only
 *   (Lambda names the session after the function).
 * Evaluated with the IAM model of dynamodb-iam.ts on the shipped SCP: not AWS.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { datalekContainmentRoles, roleSessionWildcards } from '../../infra/constructs/containment-watch.js';
import { functionRoleName } from '../../infra/constructs/response-function.js';
import { DEPLOY_CONTEXT, synthesizedApp } from '../support/infra.js';
import type { Authorization } from './dynamodb-iam.js';
import { underShippedScp } from './shipped-scp.js';

const ACCOUNT = DEPLOY_CONTEXT.account;
const { response, stateful, forwarders, members } = synthesizedApp();
const stacks = [stateful, response, ...forwarders, ...members];
const underScp = underShippedScp();
const CONTAIN_ROLE = functionRoleName('contain');

describe("a function of someone's own, given the contain function's role", () => {
  it("cannot be made unseen: the role may not be passed to it, making it pages, and its calls are not excused as the contain function's", () => {
    // The premise: the role trusts Lambda, whichever function, and the watch excuses every session of it.
    const roles = Object.values(Template.fromStack(response).findResources('AWS::IAM::Role'));
    const contain = roles.find((r) => r.Properties.RoleName === CONTAIN_ROLE);
    expect(contain?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
    ]);
    const excused = roleSessionWildcards(datalekContainmentRoles({ onCallRole: 'on-call' }, response.stackName), ACCOUNT, 'aws').map(
      (w) => new RegExp(`^${w.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`),
    );
    const isExcused = (session: string) => excused.some((re) => re.test(`arn:aws:sts::${ACCOUNT}:assumed-role/${CONTAIN_ROLE}/${session}`));
    expect(isExcused('someones-own-function')).toBe(false);
    expect(isExcused(`${response.stackName}-ContainFunction1A2B3C4D-AbCdEf123456`)).toBe(true);
    expect(excused.some((re) => re.test(`arn:aws:sts::${ACCOUNT}:assumed-role/on-call/someone`))).toBe(true);

    // Passing the role to a function of one's own: denied by the SCP, and the call seen by a watch rule.
    const passRole = (principal: string, roleName = CONTAIN_ROLE): Authorization => ({
      action: 'iam:PassRole',
      resource: `arn:aws:iam::${ACCOUNT}:role/${roleName}`,
      context: { 'aws:PrincipalArn': principal, 'iam:PassedToService': 'lambda.amazonaws.com' },
      what: `${principal} passing ${roleName} to Lambda`,
    });
    const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
    for (const handler of ['contain', 'notify', 'anchor', 'link'])
      for (const principal of [role('Admin'), `arn:aws:iam::${ACCOUNT}:user/someone`])
        expect(underScp(passRole(principal, functionRoleName(handler))), passRole(principal, functionRoleName(handler)).what).toBe(false);
    // The central region's deployment passes them to the stack's functions (infra16: no other region's, which makes no
    // function); break-glass may; another team's role is theirs.
    expect(underScp(passRole(role(`cdk-datalek-cfn-exec-role-${ACCOUNT}-${DEPLOY_CONTEXT.region}`)))).toBe(true);
    expect(underScp(passRole(role(`cdk-datalek-cfn-exec-role-${ACCOUNT}-${DEPLOY_CONTEXT.forwardFrom}`)))).toBe(false);
    expect(underScp(passRole(role(DEPLOY_CONTEXT.breakGlassRole)))).toBe(true);
    expect(underScp(passRole(role('Admin'), 'billing-report-function'))).toBe(true);
    const watched = stacks.some((s) =>
      Object.values(Template.fromStack(s).findResources('AWS::Events::Rule')).some((r) =>
        /CreateFunction/.test(JSON.stringify(r.Properties.EventPattern ?? {})),
      ),
    );
    expect(watched).toBe(true);
  });
});
