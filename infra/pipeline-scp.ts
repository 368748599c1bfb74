/**
 * The service control policy the organisation attaches to the pipeline account: what the stacks
 * cannot close themselves. One document where it fits, so a deployer attaches one policy and uses one
 * of the five SCPs an account takes (5,120 characters at most: each region other than the central
 * adds its execution role's name, its topics and alarms, its boundary and forward role; where a
 * deployment's does not fit, synth writes its statements in two or more documents, `deploymentScpTexts`).
 *
 * **Whose deployment is excused for what** (infra16): the central region's execution role for the
 * central stacks' resources (the functions, their roles, the on-call role, the central topics and
 * alarms, the central fixed-name policies: `DatalekCentralPathOnlyByItsDeploymentOrBreakGlass`), the
 * other regions' (each forwarder region's, us-east-1's for DatalekIamForward) for theirs
 * (`DatalekOtherRegionsPathOnlyByTheirDeploymentOrBreakGlass`: not told apart from each other, for
 * room; the watch pages on a forward boundary's versions and a forward role's changes, whoever makes
 * them). Every region's was excused for every region's: a forwarder region's deployment, taken over,
 * rewrote the central boundaries or cut the central topics' subscriptions unrefused.
 *
 * - **Direct invocation** (review8 F3): in the pipeline account any principal whose own policy
 *   allows `lambda:InvokeFunction` on a datalek function can hand it an event it wrote (a forged
 *   finding, an acknowledgement in someone's name). A function's own policy cannot deny a caller of
 *   its own account, and a direct call is a CloudTrail data event no watch rule sees. Denied on the
 *   response stack's functions (their names begin with the stack's: CDK sets no function name,
 *   CloudFormation makes `DatalekResponse-<id>-<suffix>`) except through a function URL (on-call's
 *   signed acknowledgement; the public link URL is anonymous and no SCP reaches it), and except by
 *   the link function's role (it forwards to link-apply) and the break-glass role. EventBridge
 *   invokes the functions as a service, which an SCP does not reach. `BoolIfExists` on
 *   `lambda:InvokedViaFunctionUrl`: a direct invocation carries no such key, and a plain
 *   `Bool … false` never matches a missing key, so the Deny would never apply (review8 last read B).
 * - **Subscriptions cut** (review10 S1): every page and alarm reaches a person through the two
 *   alarm topics, and a cut of one is paged through the other only once CloudTrail hands the call
 *   to EventBridge (seconds to minutes later): two calls a second apart, one per topic
 *   (`Unsubscribe`, or `SetSubscriptionAttributes` with a filter that matches nothing), silence
 *   both pages and every later one. A topic policy cannot deny either action (SNS takes only topic
 *   actions in it). Denied on every datalek topic (`datalek-*`) and its subscriptions (the topic's
 *   ARN and an id) except to the deployment (a subscription the stack drops or changes) and the
 *   break-glass role.
 * - **A permission added to a function** (review10 K4): a principal of the pipeline account adds a
 *   statement letting an account outside the organisation invoke a datalek function; no SCP reaches
 *   that account. Denied except to the deployment (the stack's EventBridge and URL permissions) and
 *   the break-glass role; the watch pages on every one but the deployment's (pipeline-watch.ts).
 *
 * - **A datalek function's code or configuration replaced** (sec24): whoever may call
 *   `lambda:UpdateFunctionCode` on the contain or record function owns the pipeline; one
 *   `PutFunctionConcurrency` of 0 silences it, a layer added (`UpdateFunctionConfiguration`) runs code
 *   of anyone's in it. The watch pages on these calls, after them. Denied on the response stack's
 *   functions (`FUNCTION_CHANGES`: code, configuration, concurrency, retries and destinations, URL,
 *   deletion, versions and aliases, a permission removed) except to the central deployment and the
 *   break-glass role, in the central statement, with a permission added (review10 K4, above).
 *
 * - **A datalek function's role given to another function** (review11 K5): each function's role has
 *   a fixed name (`datalek-<handler>-function`) and trusts Lambda, whichever function: anyone who may
 *   pass it makes a function of their own (or gives another function's configuration the role) that
 *   runs as datalek's: as the contain function's in every member account (their containment roles
 *   trust it), as notify past the topics' Publish Deny, as anchor signing digests. `iam:PassRole` of
 *   those roles is denied except to the deployment (CloudFormation passes them to the stack's
 *   functions) and the break-glass role; making such a function pages besides (pipeline-watch.ts
 *   `functionRoleGiven`), where a watch rule is: in the pipeline's regions.
 * - **A datalek function's role given a new trust or policy** (fgsec14 S1): a session's name is the
 *   caller's choice, so whoever may change the contain role's trust assumes it as
 *   `DatalekResponse-…`, which the containment watch excuses (and every member account's containment
 *   role trusts). Making, deleting or changing the trust, policies or boundary of a
 *   `datalek-*-function` role is denied but to the deployment (CloudFormation makes and changes them
 *   with the stack) and the break-glass role, in the same statement; each such call pages
 *   (pipeline-watch.ts `deployTrustCalls`), the deployment's too.
 * - **The on-call role given a new trust or policy** (infra15): the containment watch excuses every
 *   session of the on-call role (as which `datalek release` and `contain` run), so its trust is what
 *   that rests on, whatever the role's name (a role not named `datalek-…` was neither denied nor
 *   paged). In the same statement, by its configured name: making, deleting or changing its trust,
 *   policies or boundary is denied but to the deployment (which never does) and break-glass, which
 *   so attaches the on-call policies; each pages (pipeline-watch.ts `roleCalls`).
 * - **A version of a fixed-name `datalek-*` managed policy** (infra14): a role's permissions boundary
 *   (`datalek-contain-boundary`, …) loosened by a new default version lets whatever policy the role
 *   gets since do more. Making, choosing or deleting a version is denied except to the deployment
 *   (CloudFormation updates a managed policy so) and the break-glass role; each pages besides
 *   (pipeline-watch.ts `policyVersionChanges`). In the pipeline account: member accounts' boundaries
 *   are outside this policy (their changes page, forwarded). Every managed policy on a datalek role
 *   has such a name (fgsec15 S1: the forwarders' and DatalekIamForward's boundaries, CDK's overflow
 *   policies, overflow-policies.ts); each region's deployment is excused for its own region's (infra16).
 * - **A forward role broken, and the alarm that would page it silenced** (last-b B1, B2): an inline
 *   Deny, `AWSDenyAll` or a new trust on `datalek-iam-forward-role` (us-east-1) or a forwarder
 *   region's `datalek-forward-role-<region>` stops every forward, and the one page for it is
 *   forwarded through that very role (a dead letter); `DisableAlarmActions` on the dead-letter alarm
 *   then silences the rest. Both, and every other call that keeps a `datalek-*` alarm from paging,
 *   are denied but to the deployment (each region's, us-east-1's too) and break-glass, in the
 *   topics' statement; `*RolePolicy` there denies reading the forward roles' inline policies too.
 * - **The bootstrap's roles made or changed** (read11b B3): the exemptions above, and every watch
 *   rule's excuse (deploy-role.ts), rest on the execution role being CloudFormation's alone. Creating,
 *   deleting or changing the trust or policies of a `cdk-<qualifier>-*` role is denied to all but the
 *   break-glass role: `cdk bootstrap` runs as it (CloudFormation creates the toolkit stack's roles
 *   with the caller's own credentials: no SCP condition names the stack, so the caller is what counts).
 *   A new version of the bootstrap's managed policies (`cdk-datalek-*`, the execution policy given to
 *   `cdk bootstrap --cloudformation-execution-policies` named so, the bootstrap's boundary) made or
 *   made default too (deploy12): it grants their roles anything with nothing attached. And (fgsec14
 *   S2) the settings of its staging buckets (`cdk-datalek-assets-*`: their EventBridge notifications,
 *   which every upload's page rests on, their policy, versioning, lifecycle; the bucket deleted, its
 *   name then free to another account): `cdk bootstrap` makes them as the break-glass role, and no
 *   deploy touches them (CDK's publishing reads and writes objects only). Not confirmed on AWS: that
 *   CloudFormation's calls for `DatalekToolkit`'s bucket are the caller's to the policy (as for its roles).
 * - **The execution role given to a stack not named `Datalek…`** (deploy12): CloudFormation keeps a
 *   stack's role for every later operation on it, by anyone who may operate on the stack, without
 *   `iam:PassRole` and without the role in the call, so no watch rule can tell such an update from
 *   another team's (its creation pages: pipeline-watch.ts `deployTrustCalls`). Denied: creating,
 *   updating, deleting or rolling back a stack of another name, or making a change set for one, with
 *   any `cdk-datalek-*` role (`cloudformation:RoleArn`), to everyone. `NotResource` (the stacks named
 *   `Datalek…`): SCPs take it since AWS Organizations took IAM's full policy language; not tried on AWS.
 *   attack16 K1: and to a `Datalek…` stack outside the pipeline's regions (the role is global), where no
 *   watch rule sees the stack and the calls it makes pass as the deployment's; Cloud Control's calls
 *   with such a role too (whether they carry `cloudformation:RoleArn` is unconfirmed).
 * - **The break-glass role itself changed** (fgsec16 S1): every statement here excuses it, so whoever
 *   changes its trust or policies has every exemption. In the bootstrap roles' statement: only itself.
 * - **The watch rules turned off together** (fgsec16 S2): no rule sees the call that disables it, and
 *   CloudTrail's delay lets a burst of calls on the rules that watch each other page nobody. Disabling,
 *   deleting, rewriting or retargeting a `datalek…`/`Datalek…` rule is denied but to the deployment
 *   of the rule's region (us-east-1's too; deploy19: every region's was excused for every region's
 *   rules, now the central one for the central rules, the others for theirs, not told apart among
 *   themselves, as for their topics and alarms) and break-glass. The stacks make no CloudTrail trail: none is named.
 * - **A federation token made** (deploy19): `sts:GetFederationToken`, by anyone. Its sessions'
 *   calls (`FederatedUser`) are the one kind whose watch page names an IAM user by name (the role
 *   field reads the session's issuer, for them the IAM user), and such a session outlives its key.
 * - **Negative values published into an alarm's metric** (attack16 K4): `cloudwatch:PutMetricData` in
 *   the `datalek` namespace, but by break-glass (the alarms count by `Maximum` besides).
 *
 * The deployment is the CDK bootstrap's CloudFormation execution role the stacks are synthesized
 * for, named exactly in each of the pipeline's regions (`cdk-<qualifier>-cfn-exec-role-<account>-<region>`).
 *
 * `infra/scp/datalek-pipeline-account.json` is this policy with SCP_PLACEHOLDERS for the account
 * and the break-glass role; test/infra/pipeline-scp.test.ts keeps the two equal and checks each
 * statement against the synthesized stacks. Not confirmed on real AWS: try it on a test account
 * first (README, What remains).
 */
import { DefaultStackSynthesizer, type Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { EnvironmentPlaceholders } from 'aws-cdk-lib/cx-api';
import { ALARM_NAME_PREFIX } from './constructs/alarms.js';
import { STACK_NAME_PREFIX } from './constructs/pipeline-watch.js';
import { BACKUP_ROLE_NAME } from './constructs/register-backup.js';
import { functionRoleName } from './constructs/response-function.js';
import {
  BOOTSTRAP_POLICY_CHANGES,
  BOOTSTRAP_ROLE_CHANGES,
  BOOTSTRAP_ROLE_PREFIX,
  DATALEK_POLICY_PREFIX,
  EXECUTION_ROLE_PREFIX,
  POLICY_VERSION_CHANGES,
  STAGING_BUCKET_CHANGES,
  STAGING_BUCKET_PREFIX,
} from './deploy-role.js';

/** The placeholders of the shipped JSON file: replace them before attaching it. */
export const SCP_PLACEHOLDERS = {
  account: '<PIPELINE_ACCOUNT_ID>',
  breakGlassRole: '<BREAK_GLASS_ROLE_NAME>',
  onCallRole: '<ON_CALL_ROLE_NAME>',
  fgRole: '<FG_ROLE_NAME>',
} as const;

/** Where the policy is shipped, from the repository's root. */
export const PIPELINE_SCP_FILE = 'infra/scp/datalek-pipeline-account.json';

/**
 * The shipped policy's documents, each attached as an SCP of its own (infra16: with each region's deployment
 * excused for its own region, the example's regions no longer fit one SCP): their statements together are the policy.
 * Written by `shippedScpTexts` (test/infra/pipeline-scp.test.ts keeps them equal; `DATALEK_WRITE_SCP=1` writes them).
 */
export const PIPELINE_SCP_FILES = [0, 1].map(shippedScpFileName);

/** AWS Organizations takes an SCP of at most this many characters (whitespace counts when it is not saved in the console). */
export const SCP_SIZE_LIMIT = 5120;

/** An account takes five SCPs (AWS's default `FullAWSAccess` among them): the documents of one policy are never more. */
export const SCP_MAX_DOCUMENTS = 4;

/** The roles that may still invoke the functions directly: the link function's (it invokes link-apply). The break-glass role is added by name. */
export const DIRECT_INVOKERS = [functionRoleName('link')];

/**
 * The Lambda calls that make a datalek function run other code, or not run (sec24): its code or
 * configuration replaced (environment, layers, role, handler: `UpdateFunction…`, which also covers its
 * URL's auth and its retries and destinations), its concurrency set (0 stops it) or removed, its retries
 * and destinations put (`PutFunction…`), it or its concurrency, URL or invoke configuration deleted
 * (`DeleteFunction…`), a URL made for it, a version published or an alias made or moved, a permission
 * removed (EventBridge's: no finding reaches it). The watch pages on most (pipeline-watch.ts); the
 * page comes after the call, and whoever replaced the contain or record function's code owns the pipeline.
 */
export const FUNCTION_CHANGES = [
  'UpdateFunction*',
  'PutFunction*',
  'DeleteFunction*',
  'CreateFunctionUrlConfig',
  'PublishVersion',
  'CreateAlias',
  'UpdateAlias',
  'DeleteAlias',
  'RemovePermission',
];

/** The CloudWatch calls that keep an alarm from paging: its actions off, it deleted, remade (actions off, or none), or set back to OK. */
export const ALARM_SILENCING = ['DisableAlarmActions', 'DeleteAlarms', 'PutMetricAlarm', 'SetAlarmState'];

/**
 * BOOTSTRAP_ROLE_CHANGES in fewer characters, for the forward roles in the statement that names each region's
 * execution role (nine regions still fit one SCP): `*RolePolicy` is the trust, inline and attached policies'
 * calls, and GetRolePolicy, which the forward roles' readers other than the deployment and break-glass lose.
 * A wildcard before the end of an action: SCPs take it since AWS Organizations took IAM's full policy
 * language (as `NotResource`, below); not tried on AWS (an SCP that did not take it is refused when attached).
 */
const FORWARD_ROLE_CHANGES = ['*RolePolicy', '*RolePermissionsBoundary', 'CreateRole', 'DeleteRole'];

/** The calls that keep a rule from seeing or passing on what it matches: it disabled, deleted, rewritten (a pattern that matches nothing, state DISABLED), its targets removed or replaced (fgsec16 S2). */
export const RULE_SILENCING = ['DisableRule', 'DeleteRule', 'RemoveTargets', 'PutRule', 'PutTargets'];

/** The CloudFormation calls that take an execution role (`cloudformation:RoleArn`) for a stack. */
export const STACK_ROLE_ACTIONS = ['CreateStack', 'UpdateStack', 'CreateChangeSet', 'DeleteStack', 'RollbackStack', 'ContinueUpdateRollback'];

/** Cloud Control's calls (authorized as `cloudformation:…`), which take a role too (attack16 K1). */
export const CLOUD_CONTROL_ACTIONS = ['CreateResource', 'UpdateResource', 'DeleteResource'];

/** The custom namespace of datalek's log metrics (response-stack.ts): its alarms count them. */
export const METRIC_NAMESPACE = 'datalek';

/** The topics' names begin so (the alarm topics, the pages' and the FG's). */
const TOPIC_NAME_PREFIX = 'datalek-';

export interface PipelineScpProps {
  /** The pipeline account's id. */
  account: string;
  /** The break-glass role's name (config `breakGlassRole`). */
  breakGlassRole: string;
  /** The on-call role's name (config `onCallRole`): its trust and policies are guarded as a function role's (infra15). */
  onCallRole: string;
  /** The FG's role's name (config `fgRole`): it writes the register as the on-call role does, and is guarded alike (sec26). */
  fgRole: string;
  /** The app's stacks: the response stack (its functions' names begin with its name and a dash), and all (their deployment role). */
  stacks: {
    response: Stack;
    all: Stack[];
    /**
     * Stacks that deploy a datalek-* topic and its subscriptions, and datalek-* managed policies, and
     * nothing else the policy guards: their execution role is excused for the topics' subscriptions
     * and the policies' versions only (DatalekIamForward in us-east-1: its alarm topic, read14c C4;
     * its role's boundary `datalek-iam-forward-boundary`, fgsec15 S1).
     */
    topicsAndPolicies?: Stack[];
  };
}

/**
 * The name of the role CloudFormation deploys `stack` with in `account`: its synthesizer's
 * execution role, named exactly for the stack's region (`cdk-<qualifier>-cfn-exec-role-<account>-<region>`).
 * Never a pattern: `ArnNotLike` with a trailing `*` lets through any role whose name merely begins so,
 * which anyone who may create a role makes (read11b B3). Undefined for a stack that names no execution
 * role (another synthesizer) or has no region of its own: no deployment is excused then.
 */
export function deploymentRoleName(stack: Stack, account: string): string | undefined {
  const synthesizer = stack.synthesizer;
  if (!(synthesizer instanceof DefaultStackSynthesizer)) return undefined;
  const [stackAccount, region] = [stack.account, stack.region].map((v) => (Token.isUnresolved(v) ? undefined : v));
  if (!region) return undefined;
  const name = synthesizer.cloudFormationExecutionRoleArn.split(':role/')[1];
  let out = name.replaceAll(EnvironmentPlaceholders.CURRENT_ACCOUNT, account).replaceAll(EnvironmentPlaceholders.CURRENT_REGION, region);
  if (stackAccount) out = out.replaceAll(stackAccount, account);
  return out;
}

/** The fixed names beginning `datalek-` that `stack` gives its managed policies and roles (CloudFormation's own names are no one's to guard). */
function fixedNames(stack: Stack): { policies: string[]; roles: string[] } {
  const named = (values: unknown[]) =>
    values.filter((n): n is string => typeof n === 'string' && !Token.isUnresolved(n) && n.startsWith(DATALEK_POLICY_PREFIX));
  const all = stack.node.findAll();
  return {
    // CDK's overflow policies are named at synth (overflow-policies.ts): by a wildcard, or the policy would depend on whether the app was synthesized.
    policies: named(all.flatMap((c) => (c instanceof iam.CfnManagedPolicy ? [c.managedPolicyName] : []))).filter((n) => !OVERFLOW_NAME.test(n)),
    roles: named(all.flatMap((c) => (c instanceof iam.CfnRole ? [c.roleName] : []))),
  };
}

/** The name `nameOverflowPolicies` gives a role's n-th overflow policy. */
const OVERFLOW_NAME = /-overflow-\d+$/;

/** How many regions besides the central one a statement names (with the upgrade's two names for each deployment, it still fits an SCP). */
const OTHER_REGIONS_PER_STATEMENT = 8;

const chunks = <T>(items: T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** The service control policy document (IAM JSON). */
export function pipelineScp(props: PipelineScpProps): Record<string, unknown> {
  const role = (name: string) => `arn:*:iam::${props.account}:role/${name}`;
  // The upgrade's one deploy through the shared bootstrap (README, Deploy: Upgrading) names its
  // execution role: its policy, written by that synth, admits datalek's own beside it for the next.
  const deploymentsOf = (stacks: Stack[]) => [
    ...new Set(
      stacks.flatMap((s) => {
        const name = deploymentRoleName(s, props.account);
        return name ? [name, name.replace(/^cdk-[^-]+-cfn-exec-role-/, EXECUTION_ROLE_PREFIX)] : [];
      }),
    ),
  ];
  const excusing = (stacks: Stack[]) => ({ ArnNotLike: { 'aws:PrincipalArn': [...deploymentsOf(stacks), props.breakGlassRole].map(role) } });
  const centralRegion = props.stacks.response.region;
  // infra16: the central region's deployment is excused for the central paging path alone, the other
  // regions' for theirs: a forwarder region's deployment, taken over, rewrote the central boundaries
  // (or cut the central topics' subscriptions) unrefused, and the central one the forward roles.
  const stacks = [...props.stacks.all, ...(props.stacks.topicsAndPolicies ?? [])];
  const central = stacks.filter((s) => s.region === centralRegion);
  const others = stacks.filter((s) => s.region !== centralRegion);
  const functions = `arn:*:lambda:*:${props.account}:function:${props.stacks.response.stackName}-*`;
  // A qualified name (a version or an alias) too.
  const anyFunction = [functions, `${functions}:*`];
  // A subscription's ARN is its topic's and an id. By this account's `*` (every resource of an SCP is its own): room for regions.
  // fgsec16 S2: no rule sees the call that disables it, and CloudTrail hands a call to EventBridge seconds to minutes
  // later: the rules that watch each other, turned off a few milliseconds apart, page nobody. The region's `datalek-…`
  // rules (on the default bus, and every rule of the `datalek` bus: `rule/datalek/…`), and those CloudFormation names
  // after a `Datalek…` stack (the finding and route rules, the schedules), in the statement of that region's deployment
  // (deploy19: one statement excused every region's deployment for every region's rules).
  const rules = (region: string) => ['datalek', STACK_NAME_PREFIX].map((name) => `arn:*:events:${region}:*:rule/${name}*`);
  const regional = (region: string) => [
    `arn:*:sns:${region}:*:${TOPIC_NAME_PREFIX}*`,
    `arn:*:sns:${region}:*:${TOPIC_NAME_PREFIX}*:*`,
    `arn:*:cloudwatch:${region}:*:alarm:${ALARM_NAME_PREFIX}*`,
  ];
  // The central stacks' fixed-name policies (the pipeline account's: member stacks are of other accounts), and CDK's overflow
  // policies of the function roles, named at synth (`<role>-overflow-<n>`, overflow-policies.ts: fgsec15 S1).
  const centralPolicies = [
    ...new Set(central.filter((s) => s.account === props.stacks.response.account).flatMap((s) => fixedNames(s).policies)),
    `${DATALEK_POLICY_PREFIX}*-overflow-*`,
  ];
  // The regions of the stacks (the pipeline's, and us-east-1's DatalekIamForward); any, for a stack of no region of its own.
  const regionsOf = stacks.map((s) => (Token.isUnresolved(s.region) ? '*' : s.region));
  const pipelineRegions = regionsOf.includes('*') ? ['*'] : [...new Set(regionsOf)];
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DatalekFunctionsOnlyThroughTheirUrlsOrTheirOwnCallers',
        Effect: 'Deny',
        Action: ['lambda:InvokeFunction', 'lambda:InvokeAsync'],
        Resource: anyFunction,
        Condition: {
          BoolIfExists: { 'lambda:InvokedViaFunctionUrl': 'false' },
          ArnNotLike: { 'aws:PrincipalArn': [...DIRECT_INVOKERS, props.breakGlassRole].map(role) },
        },
      },
      {
        Sid: 'DatalekCentralPathOnlyByItsDeploymentOrBreakGlass',
        Effect: 'Deny',
        // One statement for what the central region's deployment alone may change (each action reaches its own
        // resources alone; infra16: one for all, so that the central and the other regions' fit an SCP):
        // - review11 K5: a datalek function's role passed to a function of anyone's; fgsec14 S1: its trust or
        //   policies changed (a session of it named as the contain function's is excused by the containment watch);
        //   infra15: the on-call role's too, whatever its name (the containment watch excuses its sessions; the
        //   deployment never changes it); review10 K4: a permission added to a datalek function; sec24: its code,
        //   configuration or concurrency changed, it deleted, a version or alias made (FUNCTION_CHANGES);
        // - review10 S1: a central datalek topic's subscriptions cut (CloudFormation replaces or removes its stack's
        //   with Unsubscribe); last-b B1: a central datalek alarm silenced; infra14: a version of a central fixed-name
        //   policy (a boundary loosened; CloudFormation updates a policy with a new version).
        Action: [
          'lambda:AddPermission',
          ...FUNCTION_CHANGES.map((a) => `lambda:${a}`),
          'iam:PassRole',
          ...BOOTSTRAP_ROLE_CHANGES.map((a) => `iam:${a}`),
          'sns:Unsubscribe',
          'sns:SetSubscriptionAttributes',
          ...POLICY_VERSION_CHANGES.map((a) => `iam:${a}`),
          ...ALARM_SILENCING.map((a) => `cloudwatch:${a}`),
          ...RULE_SILENCING.map((a) => `events:${a}`),
        ],
        Resource: [
          ...anyFunction,
          role(functionRoleName('*')),
          role(props.onCallRole),
          role(props.fgRole),
          // sec26: the register's backup role (with backupVaultLock): AWS Backup's service policy and the register key.
          role(BACKUP_ROLE_NAME),
          ...regional(centralRegion),
          ...rules(centralRegion),
          ...centralPolicies.map((p) => `arn:*:iam::*:policy/${p}`),
        ],
        Condition: excusing(central),
      },
      // The topics', alarms' and policies' calls above, and the forward roles' trust and policies (last-b B2: a Deny on one is paged only through that very
      // role, a dead letter), of the other regions (the forwarders', DatalekIamForward's in us-east-1), by their
      // deployments: one statement for up to OTHER_REGIONS_PER_STATEMENT of them (a statement each would take an SCP
      // for every four regions). Those regions' deployments are not told apart here: the watch pages a forward
      // boundary's versions and a forward role's changes, whoever makes them (pipeline-watch.ts `roleCalls`).
      ...chunks([...new Set(others.map((s) => s.region))], OTHER_REGIONS_PER_STATEMENT).map((regions, i) => ({
        Sid: `DatalekOtherRegionsPathOnlyByTheirDeploymentOrBreakGlass${i ? i + 1 : ''}`,
        Effect: 'Deny',
        Action: [
          'sns:Unsubscribe',
          'sns:SetSubscriptionAttributes',
          ...[...POLICY_VERSION_CHANGES, ...FORWARD_ROLE_CHANGES].map((a) => `iam:${a}`),
          ...ALARM_SILENCING.map((a) => `cloudwatch:${a}`),
          ...RULE_SILENCING.map((a) => `events:${a}`),
        ],
        Resource: [
          ...regions.flatMap(regional),
          ...regions.flatMap(rules),
          // Their boundaries and forward roles, by name (each region's names its region; us-east-1's `datalek-iam-forward-…`).
          ...others
            .filter((s) => regions.includes(s.region))
            .flatMap((s) => {
              const { policies, roles } = fixedNames(s);
              return [...policies.map((p) => `arn:*:iam::*:policy/${p}`), ...roles.map((r) => `arn:*:iam::*:role/${r}`)];
            }),
        ],
        Condition: excusing(others.filter((s) => regions.includes(s.region))),
      })),
      {
        Sid: 'DatalekBootstrapRolesAndBucketOnlyByBreakGlass',
        Effect: 'Deny',
        // A role's actions on roles, a policy's on the bootstrap's managed policies (with or without a path), a
        // bucket's settings on the staging buckets (fgsec14 S2): each action reaches its own resources alone.
        Action: [...[...BOOTSTRAP_ROLE_CHANGES, ...BOOTSTRAP_POLICY_CHANGES].map((a) => `iam:${a}`), ...STAGING_BUCKET_CHANGES],
        Resource: [
          role(`${BOOTSTRAP_ROLE_PREFIX}*`),
          // fgsec16 S1: the break-glass role itself, which every guard excuses: its trust or policies changed by
          // anyone else made them break-glass. The one role here the deployment never makes.
          role(props.breakGlassRole),
          ...['', '*/'].map((path) => `arn:*:iam::${props.account}:policy/${path}${BOOTSTRAP_ROLE_PREFIX}*`),
          `arn:*:s3:::${STAGING_BUCKET_PREFIX}*`,
        ],
        Condition: { ArnNotLike: { 'aws:PrincipalArn': role(props.breakGlassRole) } },
      },
      {
        Sid: 'DatalekExecutionRoleOnlyForDatalekStacksInItsRegions',
        Effect: 'Deny',
        // attack16 K1: Cloud Control's calls too (CloudFormation's resource handlers without a stack); whether they
        // carry `cloudformation:RoleArn` is unconfirmed: where they do not, this denies them nothing.
        Action: [...STACK_ROLE_ACTIONS, ...CLOUD_CONTROL_ACTIONS].map((a) => `cloudformation:${a}`),
        // attack16 K1: in the pipeline's regions only: in another, no watch rule sees the stack, and its calls are excused as the deployment's.
        NotResource: pipelineRegions.map((region) => `arn:*:cloudformation:${region}:${props.account}:stack/${STACK_NAME_PREFIX}*/*`),
        // Any bootstrap role's name: denying a role merely named so to such a stack loses nothing.
        Condition: { ArnLike: { 'cloudformation:RoleArn': role(`${BOOTSTRAP_ROLE_PREFIX}*`) } },
      },
      {
        Sid: 'DatalekNoFederationTokens',
        Effect: 'Deny',
        // deploy19: a FederatedUser session's role, as a watch page names it (sessionIssuer.arn), is the IAM user that
        // made it, by its user name; an input transformer cannot leave it out for that type alone. Nothing of datalek
        // uses federation tokens, and one outlives the key that made it (deactivating the key does not end it).
        Action: 'sts:GetFederationToken',
        Resource: '*',
      },
      {
        Sid: 'DatalekMetricsOnlyByBreakGlass',
        Effect: 'Deny',
        // attack16 K4: a negative value published into an alarm's metric held its Sum below the threshold. Nothing
        // of datalek publishes there (CloudWatch Logs' metric filters do, as a service: no SCP reaches them).
        Action: 'cloudwatch:PutMetricData',
        Resource: '*',
        Condition: { StringLike: { 'cloudwatch:namespace': `${METRIC_NAMESPACE}*` }, ArnNotLike: { 'aws:PrincipalArn': role(props.breakGlassRole) } },
      },
    ],
  };
}

/** A deployment's policy with a statement that no SCP can hold alone: each region names datalek's execution role in each statement that excuses the deployment. */
export class ScpTooLargeError extends Error {
  override name = 'ScpTooLargeError';
}

/** Where `cdk synth` writes the policy for this deployment, in its output directory (infra/app.ts); a second document, where one does not fit, beside it (`deploymentScpFileName`). */
export const DEPLOYMENT_SCP_FILE = 'datalek-pipeline-account.scp.json';

/** The file of the policy's document `index` (from 0): the first is `DEPLOYMENT_SCP_FILE`, then `datalek-pipeline-account-2.scp.json`, … */
export function deploymentScpFileName(index: number): string {
  return index === 0 ? DEPLOYMENT_SCP_FILE : DEPLOYMENT_SCP_FILE.replace('.scp.json', `-${index + 1}.scp.json`);
}

/** The SCPs AWS Organizations attaches directly to one account (or OU), `FullAWSAccess` or the organisation's own allow list among them. */
export const SCPS_PER_TARGET = 5;

/**
 * What synth says beside the documents it wrote (fgsec17 Se): how many, their names, and that each is
 * an SCP attachment of its own against the five an account takes directly: a document that cannot
 * be attached leaves its statements unenforced.
 */
export function scpAttachmentNotice(count: number, directory: string): string {
  const files = Array.from({ length: count }, (_, i) => deploymentScpFileName(i)).join(', ');
  const documents = count === 1 ? '1 SCP document' : `${count} SCP documents`;
  return `the pipeline account's service control policy is ${documents} here (${files} in ${directory}), each an SCP attachment of its own: an account takes ${SCPS_PER_TARGET} attached directly, FullAWSAccess (or your allow list) among them. Count those attached to the pipeline account first (aws organizations list-policies-for-target --target-id <account> --filter SERVICE_CONTROL_POLICY); where they and these ${count} come to more than ${SCPS_PER_TARGET}, attach these to an OU holding only the pipeline account. Attach every one (README, Deploy)`;
}

/**
 * The policy for this deployment: its account (a placeholder where the context names none), its
 * break-glass role and, exactly, its execution role in each of its regions. The shipped file names
 * those of the example context only (eu-west-1, eu-central-1): attach this one (README).
 */
export function deploymentScp(built: {
  config: { account?: string; breakGlassRole: string; onCallRole: string; fgRole: string };
  stateful: Stack;
  response: Stack;
  forwarders: Stack[];
  members: Stack[];
  iamForward?: Stack;
}): Record<string, unknown> {
  const { config, stateful, response, forwarders, members, iamForward } = built;
  return pipelineScp({
    account: config.account ?? SCP_PLACEHOLDERS.account,
    breakGlassRole: config.breakGlassRole,
    onCallRole: config.onCallRole,
    fgRole: config.fgRole,
    stacks: { response, all: [stateful, response, ...forwarders, ...members], ...(iamForward ? { topicsAndPolicies: [iamForward] } : {}) },
  });
}

/**
 * The policy for this deployment as `cdk synth` writes it (app.ts), checked against the 5,120
 * characters an SCP holds as the deployer attaches it (whitespace counts through the CLI and API;
 * an account's 12 digits in place of the placeholder): one document, indented where that fits, else
 * on one line; where neither fits (each region names the execution role in two statements, and the
 * upgrade's deploy names two per region: read12b B2), its statements in as few documents as hold
 * them, each attached as an SCP of its own (every statement is a Deny: a call any of them denies is
 * denied, so two documents deny what one would). The policy is an artifact: its size never stops
 * synth, save a statement no SCP can hold alone (`ScpTooLargeError`, naming the size and the regions).
 */
export function deploymentScpTexts(built: Parameters<typeof deploymentScp>[0] & { config: { region: string; forwardFrom: string[] } }): string[] {
  const regions = [built.config.region, ...built.config.forwardFrom];
  const documents = scpDocumentTexts(
    deploymentScp(built),
    (text) => text.replaceAll(SCP_PLACEHOLDERS.account, '0'.repeat(12)),
    (sid, size) => {
      throw new ScpTooLargeError(
        `a statement of the pipeline account's service control policy for this deployment (${sid}) is ${size.toLocaleString('en-US')} characters on one line, more than the ${SCP_SIZE_LIMIT.toLocaleString('en-US')} an SCP holds: it names datalek's execution role in each of its ${regions.length} regions (${regions.join(', ')}). Forward fewer regions to this account (README, Deploy)`,
      );
    },
  );
  if (documents.length > SCP_MAX_DOCUMENTS)
    throw new ScpTooLargeError(
      `the pipeline account's service control policy for this deployment takes ${documents.length} SCPs, more than the ${SCP_MAX_DOCUMENTS} an account has room for beside FullAWSAccess. Forward fewer regions to this account (README, Deploy)`,
    );
  return documents;
}

/**
 * `scp`'s statements, in order, in as few documents as hold them, each text fitting an SCP as attached
 * (`attached`: the text with its placeholders replaced): indented where that fits, else on one line. A
 * statement that fits no document alone goes to `tooLarge` (its Sid and its size on one line).
 */
function scpDocumentTexts(scp: Record<string, unknown>, attached: (text: string) => string, tooLarge: (sid: string, size: number) => never): string[] {
  const fitting = (document: Record<string, unknown>) =>
    [JSON.stringify(document, null, 2), JSON.stringify(document)].find((t) => attached(t).length <= SCP_SIZE_LIMIT);
  const documents: Record<string, unknown>[][] = [];
  for (const statement of scp.Statement as Record<string, unknown>[]) {
    const last = documents.at(-1);
    if (last && fitting({ ...scp, Statement: [...last, statement] })) last.push(statement);
    else if (fitting({ ...scp, Statement: [statement] })) documents.push([statement]);
    else tooLarge(String(statement.Sid), attached(JSON.stringify(statement)).length);
  }
  return documents.map((part) => `${fitting({ ...scp, Statement: part })}\n`);
}

/** The shipped document `index` (from 0): PIPELINE_SCP_FILE, then `…-2.json`, …, as synth names its own (`deploymentScpFileName`). */
export function shippedScpFileName(index: number): string {
  return index === 0 ? PIPELINE_SCP_FILE : PIPELINE_SCP_FILE.replace('.json', `-${index + 1}.json`);
}

/**
 * The shipped policy's documents (PIPELINE_SCP_FILES), split as synth splits a deployment's
 * (`deploymentScpTexts`), each fitting an SCP once a deployer puts in an account's id and break-glass and
 * on-call role names of IAM's longest (64 characters). `stacks`: the example context's, DatalekIamForward
 * (us-east-1) among `topicsAndPolicies` (readD16 D1: left out, the shipped policy refused that stack's deployment).
 */
export function shippedScpTexts(stacks: PipelineScpProps['stacks']): string[] {
  const longest = (text: string) =>
    text
      .replaceAll(SCP_PLACEHOLDERS.account, '0'.repeat(12))
      .replaceAll(SCP_PLACEHOLDERS.breakGlassRole, 'b'.repeat(64))
      .replaceAll(SCP_PLACEHOLDERS.onCallRole, 'o'.repeat(64))
      .replaceAll(SCP_PLACEHOLDERS.fgRole, 'f'.repeat(64));
  return scpDocumentTexts(pipelineScp({ ...SCP_PLACEHOLDERS, stacks }), longest, (sid, size) => {
    throw new ScpTooLargeError(
      `the shipped policy's statement ${sid} is ${size.toLocaleString('en-US')} characters on one line, more than the ${SCP_SIZE_LIMIT.toLocaleString('en-US')} an SCP holds`,
    );
  });
}
