/**
 * The service control policy that closes review8 F3 (a datalek function invoked directly by a
 * principal of the pipeline account), shipped as infra/scp/deny-direct-invoke.json: it is the
 * policy infra/direct-invoke-scp.ts builds, it reaches every function of the response stack, it
 * leaves every caller the stacks set up working, and its condition matches a direct invocation
 * (which carries no `lambda:InvokedViaFunctionUrl`). Evaluated with the IAM model of
 * dynamodb-iam.ts: not AWS (README, What remains: unconfirmed on real AWS).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.js';
import { DIRECT_INVOKERS, directInvokeScp, SCP_PLACEHOLDERS } from '../../infra/direct-invoke-scp.js';
import { DEPLOY_CONTEXT, NO_BUNDLING, type Statement } from '../support/infra.js';
import { type Authorization, allowed } from './dynamodb-iam.js';

const SCP_FILE = join(import.meta.dirname, '../../infra/scp/deny-direct-invoke.json');
const ACCOUNT = DEPLOY_CONTEXT.account;
const BASE = { partition: 'aws', region: DEPLOY_CONTEXT.region, account: ACCOUNT };

const { response, stateful, forwarders, members } = buildApp({ ...DEPLOY_CONTEXT, ...NO_BUNDLING });
const template = Template.fromStack(response);
const functions = template.findResources('AWS::Lambda::Function');
const scp = directInvokeScp({ account: ACCOUNT, breakGlassRole: DEPLOY_CONTEXT.breakGlassRole, stackName: response.stackName });
/** The organisation's default FullAWSAccess beside it: an SCP allows nothing of its own. */
const underScp = (a: Authorization) => allowed(a, [[{ Effect: 'Allow', Action: '*', Resource: '*' }, ...(scp.Statement as Statement[])]], BASE);
/** A function's ARN as CloudFormation names it (no FunctionName: the stack's name, the logical id, a suffix). */
const arnOf = (logicalId: string) => `arn:aws:lambda:${BASE.region}:${ACCOUNT}:function:${response.stackName}-${logicalId.slice(0, 30)}-AbCdEf123456`;
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const invoke = (functionArn: string, principal: string, viaUrl?: boolean): Authorization => ({
  action: 'lambda:InvokeFunction',
  resource: functionArn,
  context: { 'aws:PrincipalArn': principal, 'lambda:InvokedViaFunctionUrl': viaUrl === undefined ? undefined : String(viaUrl) },
  what: `${principal} invoking ${functionArn}`,
});

describe('the service control policy against direct invocation (review8 F3)', () => {
  it('is shipped as infra/scp/deny-direct-invoke.json, with placeholders for the account and the break-glass role', () => {
    expect(JSON.parse(readFileSync(SCP_FILE, 'utf8'))).toEqual(directInvokeScp({ ...SCP_PLACEHOLDERS, stackName: response.stackName }));
  });

  it("reaches every function of the response stack: none has a name of its own, so CloudFormation's begins with the stack's", () => {
    expect(Object.keys(functions).length).toBeGreaterThan(5);
    for (const [id, f] of Object.entries(functions)) {
      expect(f.Properties.FunctionName, id).toBeUndefined();
      expect(underScp(invoke(arnOf(id), role('Admin'))), id).toBe(false);
      expect(underScp(invoke(`${arnOf(id)}:live`, role('Admin'))), `${id} by alias`).toBe(false);
    }
  });

  it('denies a direct invocation by anyone else, and a plain Bool would not (a direct call carries no lambda:InvokedViaFunctionUrl)', () => {
    const record = Object.keys(functions).find((id) => id.startsWith('Record')) as string;
    expect(underScp(invoke(arnOf(record), role('developer')))).toBe(false);
    expect(underScp(invoke(arnOf(record), role('developer'), false))).toBe(false);
    const plainBool = JSON.parse(JSON.stringify(scp.Statement).replace('BoolIfExists', 'Bool')) as Statement[];
    expect(allowed(invoke(arnOf(record), role('developer')), [[{ Effect: 'Allow', Action: '*', Resource: '*' }, ...plainBool]], BASE)).toBe(true);
  });

  it('leaves each caller the stacks set up working: services, the function URLs, the link function, the break-glass role', () => {
    // Resource policies: EventBridge (a service: SCPs do not reach it) and the function URLs.
    for (const [id, p] of Object.entries(template.findResources('AWS::Lambda::Permission'))) {
      const principal = String(p.Properties.Principal);
      const throughUrl = p.Properties.Action === 'lambda:InvokeFunctionUrl' || p.Properties.InvokedViaFunctionUrl === true;
      expect(principal.endsWith('.amazonaws.com') || throughUrl, `${id}: ${principal} ${p.Properties.Action}`).toBe(true);
    }
    // Identity policies granting invocation of a datalek function: only through its URL, or by a role the SCP exempts.
    const ownFunctionIds = new Set(Object.keys(functions));
    const roles = template.findResources('AWS::IAM::Role');
    // A permissions boundary grants nothing of its own.
    const boundaries = new Set(Object.values(roles).map((r) => r.Properties.PermissionsBoundary?.Ref));
    const policies = [...Object.entries(template.findResources('AWS::IAM::Policy')), ...Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))];
    const grants = policies
      .filter(([id]) => !boundaries.has(id))
      .flatMap(([, p]) =>
        (p.Properties.PolicyDocument.Statement as Statement[])
          .filter((st) => st.Effect === 'Allow' && [st.Action].flat().some((a) => /^lambda:Invoke(Function|Async|\*)$|^lambda:\*$|^\*$/.test(a)))
          .filter((st) =>
            JSON.stringify(st.Resource)
              .match(/"([A-Za-z0-9]+)"/g)
              ?.some((m) => ownFunctionIds.has(m.slice(1, -1))),
          )
          .map((st) => ({ st, roles: [p.Properties.Roles ?? []].flat().map((r: { Ref: string }) => roles[r.Ref]?.Properties.RoleName) })),
      );
    expect(grants.length).toBeGreaterThan(1);
    for (const { st, roles: names } of grants) {
      if (st.Condition?.Bool?.['lambda:InvokedViaFunctionUrl'] === 'true') continue;
      for (const name of names) expect(DIRECT_INVOKERS, `${st.Sid} of ${name}`).toContain(name);
      expect(names.length, String(st.Sid)).toBeGreaterThan(0);
    }
    const linkApply = Object.keys(functions).find((id) => id.startsWith('LinkApply')) as string;
    const acknowledge = Object.keys(functions).find((id) => id.startsWith('Acknowledge')) as string;
    expect(underScp(invoke(arnOf(linkApply), role(DIRECT_INVOKERS[0])))).toBe(true);
    expect(underScp(invoke(arnOf(acknowledge), role('on-call'), true))).toBe(true);
    expect(underScp(invoke(arnOf(linkApply), role(DEPLOY_CONTEXT.breakGlassRole)))).toBe(true);
  });

  it('is needed for the response stack alone: the other stacks have no functions of their own', () => {
    for (const stack of [stateful, ...forwarders, ...members]) {
      expect(Object.keys(Template.fromStack(stack).findResources('AWS::Lambda::Function')), stack.stackName).toEqual([]);
    }
  });
});
