/**
 * fgsec14 S1: K5 (44e7372) closed running as a datalek function's role by passing it to a function of
 * one's own, and the containment watch excuses only sessions named `DatalekResponse-*` of
 * `datalek-contain-function`. But a session's name is the caller's choice (`sts:AssumeRole
 * --role-session-name`), so the role's trust is what holds: `iam:UpdateAssumeRolePolicy` on it (or
 * `PutRolePolicy`, `AttachRolePolicy`, `DeleteRolePermissionsBoundary`, …) was neither denied by the
 * service control policy (its IAM statement named `cdk-datalek-*` only) nor paged (the watch read
 * `cdk-datalek-*` and `datalek-iam-forward-role` only). An administrator added their own principal to
 * the contain role's trust, assumed it as `DatalekResponse-Contain-x`, and put an isolated instance
 * back, here or in every member account (their containment roles trust this role): unpaged.
 * Now each such call on a `datalek-*-function` role is denied to all but the deployment and the
 * break-glass role, and pages (`datalek-watch-roles` since infra15, by anyone but the deployment); so do the
 * member stacks' roles' (the containment role the contain function assumes, its read role, the
 * forwarding role), which no service control policy of the pipeline account reaches. Routing on
 * EventBridge is checked on moto in rule-patterns.test.ts (its WATCHED table); this file reads the
 * synthesized patterns and evaluates the shipped policy with the IAM model of dynamodb-iam.ts.
 */
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { containmentReadRoleName } from '../../infra/config.js';
import { datalekContainmentRoles, roleSessionWildcards } from '../../infra/constructs/containment-watch.js';
import { BACKUP_ROLE_NAME } from '../../infra/constructs/register-backup.js';
import { functionRoleName } from '../../infra/constructs/response-function.js';
import { MEMBER_STACK_ROLE_NAMES } from '../../infra/containment-policy.js';
import { BOOTSTRAP_ROLE_CHANGES } from '../../infra/deploy-role.js';
import { deploymentScp } from '../../infra/pipeline-scp.js';
import { DEPLOY_CONTEXT, roleStatements, type Statement, synthesizedApp } from '../support/infra.js';
import { type Authorization, allowed } from './dynamodb-iam.js';
import { underShippedScp } from './shipped-scp.js';

const ACCOUNT = DEPLOY_CONTEXT.account;
const app = synthesizedApp();
const stacks = [app.stateful, app.response, ...app.forwarders, ...app.members, ...(app.iamForward ? [app.iamForward] : [])];
const underScp = underShippedScp();
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const call = (action: string, roleName: string, principal: string): Authorization => ({
  action,
  resource: role(roleName),
  context: { 'aws:PrincipalArn': principal },
  what: `${principal}: ${action} on ${roleName}`,
});
const CONTAIN_ROLE = functionRoleName('contain');
/** A break-glass role not named `datalek-…` (the README sets no default name). */
const BREAK_GLASS = 'BreakGlass';
/** The response stack's function roles, as synthesized (every `datalek-<handler>-function`). */
const functionRoles = Object.values(Template.fromStack(app.response).findResources('AWS::IAM::Role'))
  .map((r) => String(r.Properties.RoleName ?? ''))
  .filter((name) => /^datalek-.+-function$/.test(name));
const [centralDeployment, forwarderDeployment] = [DEPLOY_CONTEXT.region, DEPLOY_CONTEXT.forwardFrom].map((region) =>
  role(`cdk-datalek-cfn-exec-role-${ACCOUNT}-${region}`),
);

/** Each call `changes` makes refused under the policy (`under`) for every principal of `refused`, and let through for every one of `allowed`. */
function expectOnlyBy(changes: (principal: string) => Authorization[], under: (a: Authorization) => boolean, refused: string[], allowed: string[]): void {
  for (const principal of refused)
    expect(
      changes(principal)
        .filter(under)
        .map((a) => a.what),
    ).toEqual([]);
  for (const principal of allowed)
    expect(
      changes(principal)
        .filter((a) => !under(a))
        .map((a) => a.what),
    ).toEqual([]);
}

/** Whether one EventBridge value filter list matches a string (the forms the stacks use). */
function valueMatches(filters: unknown[], value: string): boolean {
  return filters.some((f) => {
    if (typeof f === 'string') return f === value;
    if (f && typeof f === 'object') {
      const o = f as Record<string, unknown>;
      if (typeof o.prefix === 'string') return value.startsWith(o.prefix);
      const prefix = (o.prefix as Record<string, unknown> | undefined)?.['equals-ignore-case'];
      if (typeof prefix === 'string') return value.toLowerCase().startsWith(prefix.toLowerCase());
      if (typeof o['equals-ignore-case'] === 'string') return value.toLowerCase() === o['equals-ignore-case'].toLowerCase();
      if (typeof o.wildcard === 'string') return new RegExp(`^${o.wildcard.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`).test(value);
    }
    return false;
  });
}

/** Every rule with an IAM branch (`eventName` listing the call) whose role filter, if any, lets the role through; the us-east-1 forward (no page) left out. */
function pagedFor(eventName: string, roleName: string, of: Stack[] = stacks): string[] {
  const hits = new Set<string>();
  const walk = (node: unknown, rule: string) => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n, rule);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (Array.isArray(o.eventName) && valueMatches(o.eventName, eventName)) {
      const names = (o.requestParameters as Record<string, unknown> | undefined)?.roleName as unknown[] | undefined;
      if (!names || valueMatches(names, roleName)) hits.add(rule);
    }
    for (const v of Object.values(o)) walk(v, rule);
  };
  for (const s of of) {
    for (const r of Object.values(Template.fromStack(s).findResources('AWS::Events::Rule'))) {
      const name = String(r.Properties.Name ?? '');
      if (name === 'datalek-iam-forward' || !r.Properties.EventPattern) continue;
      walk(r.Properties.EventPattern, name);
    }
  }
  return [...hits];
}

describe("a datalek function's role given a new trust or policy (fgsec14 S1)", () => {
  it("matters: a session of the contain function's role named DatalekResponse-* is excused by the containment watch, whoever assumed it", () => {
    const excused = roleSessionWildcards(datalekContainmentRoles({ onCallRole: 'on-call' }, 'DatalekResponse'), ACCOUNT, 'aws').map(
      (w) => new RegExp(`^${w.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`),
    );
    expect(excused.some((re) => re.test(`arn:aws:sts::${ACCOUNT}:assumed-role/${CONTAIN_ROLE}/DatalekResponse-Contain-x`))).toBe(true);
    // The checks can see a guarded role: the bootstrap's execution role is both denied and paged.
    const bootstrapRole = `cdk-datalek-cfn-exec-role-${ACCOUNT}-${DEPLOY_CONTEXT.region}`;
    expect(pagedFor('UpdateAssumeRolePolicy', bootstrapRole)).toContain('datalek-watch-roles');
    expect(underScp(call('iam:UpdateAssumeRolePolicy', bootstrapRole, role('Admin')))).toBe(false);
  });

  it('is denied by the service control policy to all but the deployment and break-glass, on every function role', () => {
    expect(functionRoles).toContain(CONTAIN_ROLE);
    expect(functionRoles.length).toBeGreaterThan(5);
    const changes = (principal: string) => functionRoles.flatMap((name) => BOOTSTRAP_ROLE_CHANGES.map((a) => call(`iam:${a}`, name, principal)));
    const refused = [
      role('Admin'),
      role('OrganizationAccountAccessRole'),
      `arn:aws:iam::${ACCOUNT}:user/someone`,
      role(`cdk-datalek-cfn-exec-role-${ACCOUNT}-us-west-2`),
      // infra16: a forwarder region's deployment makes no function role.
      forwarderDeployment,
    ];
    // CloudFormation makes, changes and deletes the roles with the stack (the central region's); break-glass may mend them.
    expectOnlyBy(changes, underScp, refused, [centralDeployment, role(DEPLOY_CONTEXT.breakGlassRole)]);
    // Another team's role is not datalek's to hold.
    expect(underScp(call('iam:UpdateAssumeRolePolicy', 'billing-report-function', role('Admin')))).toBe(true);
  });

  it('pages (datalek-watch-roles) on every function role and on the member stacks’ roles (by anyone but the deployment that makes them: rule-patterns.test.ts)', () => {
    const { containmentRoleName } = app.config;
    const memberRoles = [containmentRoleName, containmentReadRoleName(containmentRoleName), ...MEMBER_STACK_ROLE_NAMES];
    for (const name of [...functionRoles, ...memberRoles])
      for (const change of BOOTSTRAP_ROLE_CHANGES) expect(pagedFor(change, name), `${change} on ${name}`).toContain('datalek-watch-roles');
    // In any case (IAM's names have none), and not another team's.
    expect(pagedFor('UpdateAssumeRolePolicy', 'Datalek-Contain-Function')).toContain('datalek-watch-roles');
    expect(pagedFor('UpdateAssumeRolePolicy', 'billing-report')).toEqual([]);
  });
});

/**
 * infra15: the containment watch excuses every session of the on-call role (as which `datalek release`
 * and `contain` run), so whoever may change that role's trust undoes containment unpaged. Named
 * `datalek-…` it paged (S1's pattern read any such name) but was not denied; named otherwise
 * (`-c onCallRole=…`), neither.
 */
describe("the on-call role's trust and policies, whatever its name (infra15)", () => {
  const ON_CALL = 'oncall-engineers';
  const named = synthesizedApp({ ...DEPLOY_CONTEXT, onCallRole: ON_CALL, breakGlassRole: BREAK_GLASS });
  const namedStacks = [named.stateful, named.response, ...named.forwarders, ...named.members, ...(named.iamForward ? [named.iamForward] : [])];
  const scp = deploymentScp(named) as { Statement: Statement[] };
  const base = { partition: 'aws', region: DEPLOY_CONTEXT.region, account: ACCOUNT };
  const underDeploymentScp = (a: Authorization) => allowed(a, [[{ Effect: 'Allow', Action: '*', Resource: '*' }, ...scp.Statement]], base);

  it('matters: the containment watch excuses its sessions', () => {
    const excused = roleSessionWildcards(datalekContainmentRoles(named.config, named.response.stackName), ACCOUNT, 'aws');
    expect(excused).toContain(`arn:aws:sts::${ACCOUNT}:assumed-role/${ON_CALL}/*`);
  });

  it('pages (datalek-watch-roles) on each change of its trust, policies or boundary, in any case, in every region', () => {
    for (const change of BOOTSTRAP_ROLE_CHANGES) {
      const paged = pagedFor(change, ON_CALL, namedStacks);
      expect(paged, change).toContain('datalek-watch-roles');
    }
    expect(pagedFor('UpdateAssumeRolePolicy', 'OnCall-Engineers', namedStacks)).toContain('datalek-watch-roles');
  });

  it('is denied by the service control policy to all but the deployment and break-glass', () => {
    const changes = (principal: string) => BOOTSTRAP_ROLE_CHANGES.map((a) => call(`iam:${a}`, ON_CALL, principal));
    const refused = [role('Admin'), role(ON_CALL), `arn:aws:iam::${ACCOUNT}:user/someone`, forwarderDeployment];
    expectOnlyBy(changes, underDeploymentScp, refused, [centralDeployment, role(BREAK_GLASS)]);
    // And the shipped policy names it by a placeholder, as the account and the break-glass role.
    expect(underScp(call('iam:UpdateAssumeRolePolicy', 'datalek-on-call', role('Admin')))).toBe(false);
  });

  /**
   * fgsec16 S1: every guard excuses the break-glass role by name (each statement of the SCP, the key
   * policies, the digest bucket, the dead letters), yet its own trust and policies were denied to
   * nobody, and named otherwise than `datalek-…` (no default name: `-c breakGlassRole=…`) paged nowhere.
   * An administrator made it trust them, assumed it, and every "only break-glass" was theirs.
   */
  describe("the break-glass role's own trust and policies, whatever its name (fgsec16 S1)", () => {
    it('is denied by the service control policy to all but itself: the deployment and on-call included', () => {
      const changes = (principal: string) => BOOTSTRAP_ROLE_CHANGES.map((a) => call(`iam:${a}`, BREAK_GLASS, principal));
      expectOnlyBy(
        changes,
        underDeploymentScp,
        [role('Admin'), role(ON_CALL), centralDeployment, forwarderDeployment, `arn:aws:iam::${ACCOUNT}:user/someone`],
        [role(BREAK_GLASS)],
      );
      // The shipped policy by its placeholder.
      expect(underScp(call('iam:UpdateAssumeRolePolicy', DEPLOY_CONTEXT.breakGlassRole, role('Admin')))).toBe(false);
    });

    it("pages on each change of it in any case, in every region's datalek-watch-roles and through the member accounts' IAM forward (the same name there, made by hand)", () => {
      for (const change of BOOTSTRAP_ROLE_CHANGES) expect(pagedFor(change, BREAK_GLASS, namedStacks), change).toContain('datalek-watch-roles');
      expect(pagedFor('AttachRolePolicy', 'breakglass', namedStacks)).toContain('datalek-watch-roles');
      for (const change of BOOTSTRAP_ROLE_CHANGES) expect(pagedFor(change, BREAK_GLASS, named.memberIam), change).toContain('datalek-member-iam-forward');
    });
  });
});

/**
 * sec26: the FG's own role writes the register's items and publishes on the FG's and on-call's
 * topics, as the on-call role does: whoever may change its trust or policies writes the register as
 * the FG. Paged (datalek-watch-roles), and denied by the service control policy, as on-call's.
 */
describe("the FG's role's trust and policies, whatever its name (sec26)", () => {
  const FG = 'privacy-office-fg';
  const named = synthesizedApp({ ...DEPLOY_CONTEXT, fgRole: FG });
  const namedStacks = [named.stateful, named.response, ...named.forwarders, ...(named.iamForward ? [named.iamForward] : [])];
  const scp = deploymentScp(named) as { Statement: Statement[] };
  const base = { partition: 'aws', region: DEPLOY_CONTEXT.region, account: ACCOUNT };
  const underDeploymentScp = (a: Authorization) => allowed(a, [[{ Effect: 'Allow', Action: '*', Resource: '*' }, ...scp.Statement]], base);

  it('pages (datalek-watch-roles) on each change of its trust, policies or boundary, in any case', () => {
    for (const change of BOOTSTRAP_ROLE_CHANGES) expect(pagedFor(change, FG, namedStacks), change).toContain('datalek-watch-roles');
    expect(pagedFor('UpdateAssumeRolePolicy', 'Privacy-Office-FG', namedStacks)).toContain('datalek-watch-roles');
  });

  it('is denied by the service control policy to all but the deployment and break-glass', () => {
    const changes = (principal: string) => BOOTSTRAP_ROLE_CHANGES.map((a) => call(`iam:${a}`, FG, principal));
    const refused = [role('Admin'), role(FG), role('datalek-on-call'), `arn:aws:iam::${ACCOUNT}:user/someone`, forwarderDeployment];
    expectOnlyBy(changes, underDeploymentScp, refused, [centralDeployment, role(DEPLOY_CONTEXT.breakGlassRole)]);
    // And the shipped policy names it by a placeholder, as the on-call role.
    expect(underScp(call('iam:UpdateAssumeRolePolicy', 'datalek-fg', role('Admin')))).toBe(false);
  });

  it('is never written on by containment in the pipeline account; in a member account a role of its name is anyone’s, contained like any other', () => {
    const denied = (stack: Stack, roleName: string) =>
      JSON.stringify(roleStatements(Template.fromStack(stack), roleName).find((st) => st.Sid === 'NeverThePipelinesOwnRoles')?.Resource ?? null);
    expect(denied(named.response, 'datalek-contain-function')).toContain(`:iam::${ACCOUNT}:role/${FG}"`);
    expect(named.members.length).toBeGreaterThan(0);
    for (const m of named.members) {
      expect(denied(m, 'datalek-containment')).toContain(':role/');
      expect(denied(m, 'datalek-containment')).not.toContain(FG);
    }
  });
});

/**
 * sec26: the register's backup role (`datalek-backup`, with backupVaultLock) trusts AWS Backup and
 * holds AWS Backup's service policy and the register key's Decrypt and CreateGrant: whoever may pass
 * it has AWS Backup copy any table, the register's included, into a vault of theirs; whoever may
 * change its trust assumes it. It was paged (a `datalek-…` role) but denied to nobody.
 */
describe("the register's backup role (sec26)", () => {
  it('is passed, and its trust or policies changed, by nobody but the deployment and break-glass (the service control policy)', () => {
    const changes = (principal: string) => [...BOOTSTRAP_ROLE_CHANGES, 'PassRole'].map((a) => call(`iam:${a}`, BACKUP_ROLE_NAME, principal));
    const refused = [role('Admin'), role('datalek-on-call'), `arn:aws:iam::${ACCOUNT}:user/someone`, forwarderDeployment];
    expectOnlyBy(changes, underScp, refused, [centralDeployment, role(DEPLOY_CONTEXT.breakGlassRole)]);
  });
  // sec27: AWS Backup is the deputy; its role's trust named no source. AWS Backup's docs do not say that it puts
  // aws:SourceAccount/aws:SourceArn in its AssumeRole on the role passed to it: a plain StringEquals on a key it leaves
  // out would stop every backup, so each is required to name this account and its AWS Backup where it is present.
  it("is assumed by AWS Backup for this account's own backups only (confused deputy, sec27)", () => {
    const state = Template.fromStack(synthesizedApp({ ...DEPLOY_CONTEXT, backupVaultLock: 'true' }).stateful);
    const [backupRole] = Object.values(state.findResources('AWS::IAM::Role', { Properties: { RoleName: BACKUP_ROLE_NAME } }));
    const trust = backupRole.Properties.AssumeRolePolicyDocument.Statement as Statement[];
    expect(trust).toHaveLength(1);
    expect(trust[0].Principal).toEqual({ Service: 'backup.amazonaws.com' });
    expect(trust[0].Condition).toEqual({
      StringEqualsIfExists: { 'aws:SourceAccount': ACCOUNT },
      ArnLikeIfExists: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:backup:${DEPLOY_CONTEXT.region}:${ACCOUNT}:*`]] } },
    });
  });
});
