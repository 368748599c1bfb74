/**
 * Who deploys datalek, and so whose calls the watch rules excuse (closing note, "Still left": the
 * deploy excuse). The watch rules let a deployment's own changes through, or every deploy would
 * page for each rule, alarm, topic and secret it touches. They used to excuse any call CloudFormation
 * made (source address `cloudformation.amazonaws.com`): a stack of ANY name, deployed by anyone
 * who may run CloudFormation, could change a datalek rule, alarm, topic or secret without a page.
 *
 * Now the stacks deploy through a CDK bootstrap of datalek's own (qualifier `datalek`, toolkit
 * stack `DatalekToolkit`: README, Deploy), and the excuse is a call whose session was issued for
 * that bootstrap's CloudFormation execution role in the stack's own account and region
 * (`userIdentity.sessionContext.sessionIssuer.arn`: the role's ARN, which no session name or user
 * path can spell). What would make anyone else that deployment pages, in `datalek-watch-changes`
 * (pipeline-watch.ts `deployTrustCalls`): the bootstrap roles' trust or policies changed (IAM's
 * calls reach EventBridge in us-east-1 only: forwarded from there, iam-forward-stack.ts), and the
 * execution role handed to a stack not named `Datalek…` (whoever may pass it: a datalek stack's own
 * deployment pages anyway; datalek's service control policy denies it, pipeline-scp.ts).
 */
import { DefaultStackSynthesizer, Fn, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The CDK bootstrap qualifier of datalek's stacks: its roles, bucket and version parameter are datalek's alone. */
export const DEPLOY_QUALIFIER = 'datalek';

/** The bootstrap's own stack (`cdk bootstrap --toolkit-stack-name`): `Datalek…`, so `datalek-watch-changes` pages on it too. */
export const TOOLKIT_STACK_NAME = 'DatalekToolkit';

/** How the names of the bootstrap's roles begin (`cdk-datalek-cfn-exec-role-…`, `cdk-datalek-deploy-role-…`, …). */
export const BOOTSTRAP_ROLE_PREFIX = `cdk-${DEPLOY_QUALIFIER}-`;

/** What makes or changes a bootstrap role: who may assume it (its trust), what it may do, the role itself (watched: pipeline-watch.ts; denied but to break-glass: pipeline-scp.ts). */
export const BOOTSTRAP_ROLE_CHANGES = [
  'UpdateAssumeRolePolicy',
  'PutRolePolicy',
  'DeleteRolePolicy',
  'AttachRolePolicy',
  'DetachRolePolicy',
  'PutRolePermissionsBoundary',
  'DeleteRolePermissionsBoundary',
  'CreateRole',
  'DeleteRole',
];

/**
 * The role `DatalekIamForward` (iam-forward-stack.ts) puts IAM's calls on the central bus with, by
 * a fixed name: its boundary, policies or trust changed stop every forward (each then waits in the
 * stack's dead-letter queue, whose alarm pages in us-east-1), so `datalek-watch-changes` pages on
 * those calls as on the bootstrap roles' (read12b B1).
 */
export const IAM_FORWARD_ROLE_NAME = 'datalek-iam-forward-role';

/**
 * The role a forwarder region (forwarder-stack.ts) puts its GuardDuty findings on the central bus
 * with, by a fixed name (role names are account-wide: the region in it), so that its trust or
 * policies changed page (`deployTrustCalls`' `datalek-`) and are denied (pipeline-scp.ts) as
 * `IAM_FORWARD_ROLE_NAME`'s are (last-b B2: CloudFormation's `DatalekForwarder-<region>-ForwardRole…`
 * matched neither).
 */
export const forwardRoleName = (region: string) => `datalek-forward-role-${region}`;

/**
 * What gives a managed policy of the bootstrap (`cdk-datalek-…`: the execution policy you gave
 * `cdk bootstrap --cloudformation-execution-policies`, named so; the bootstrap's permissions
 * boundary) new rights without attaching anything: a new version made default grants anything to
 * the roles it is attached to (watched: pipeline-watch.ts; denied but to break-glass: pipeline-scp.ts).
 */
export const BOOTSTRAP_POLICY_CHANGES = ['CreatePolicyVersion', 'SetDefaultPolicyVersion'];

/**
 * What changes a managed policy's rights in place, without attaching anything: a new version (made
 * default), another version made default, a version deleted (the history of a loosening, undone
 * again, gone). A deployment updates a policy so (CloudFormation makes a version and deletes the oldest).
 */
export const POLICY_VERSION_CHANGES = [...BOOTSTRAP_POLICY_CHANGES, 'DeletePolicyVersion'];

/**
 * datalek's fixed-name managed policies (`datalek-contain-boundary`, `datalek-link-boundary`, the
 * member stacks' `datalek-containment-boundary`, on-call's `datalek-on-call-…`) begin so: a role's
 * boundary among them, loosened by a new version, lets any policy put on the role since do more.
 */
export const DATALEK_POLICY_PREFIX = 'datalek-';

/** The bootstrap's managed policies as an IAM call names them (`policyArn`), with or without a path: EventBridge wildcards. */
export const BOOTSTRAP_POLICY_ARNS = [`*:policy/${BOOTSTRAP_ROLE_PREFIX}*`, `*:policy/*/${BOOTSTRAP_ROLE_PREFIX}*`];

/**
 * How the names of datalek's own roles begin: the functions' (`datalek-<handler>-function`),
 * `IAM_FORWARD_ROLE_NAME`, the member stacks' by default: their trust or policies changed page
 * (pipeline-watch.ts `deployTrustCalls`, fgsec14 S1).
 */
export const DATALEK_ROLE_PREFIX = 'datalek-';

/** How the name of the bootstrap's CloudFormation execution role begins (its account and region follow). */
export const EXECUTION_ROLE_PREFIX = `${BOOTSTRAP_ROLE_PREFIX}cfn-exec-role-`;

/**
 * A synthesizer for one datalek stack (a synthesizer serves one stack): datalek's bootstrap, or,
 * for the one deploy that upgrades a deployment made before datalek had its own, the shared one
 * (whose execution role the deployed policies still name: README, Deploy).
 */
export function datalekSynthesizer(config: { sharedBootstrapUpgrade: boolean }): DefaultStackSynthesizer {
  return config.sharedBootstrapUpgrade ? new DefaultStackSynthesizer() : new DefaultStackSynthesizer({ qualifier: DEPLOY_QUALIFIER });
}

/**
 * The ARN of the role CloudFormation deploys the stack of `scope` with (its synthesizer's execution
 * role: with `datalekSynthesizer`, `cdk-datalek-cfn-exec-role-<account>-<region>`); undefined for a
 * stack that names none (another synthesizer): nothing is excused for it then.
 */
export function deployRoleArn(scope: IConstruct): string | undefined {
  const synthesizer = Stack.of(scope).synthesizer;
  // The synthesizer's ARN keeps `${AWS::Partition}` (and, for an environment-agnostic stack, the
  // account and region) as placeholders: only Fn::Sub resolves them in a template.
  return synthesizer instanceof DefaultStackSynthesizer ? Fn.sub(synthesizer.cloudFormationExecutionRoleArn) : undefined;
}

/**
 * The ARN of the role CloudFormation deploys the stacks of `region` with, in the account of `scope`'s
 * stack, through the same bootstrap (its synthesizer's qualifier): the central region's for a forwarder
 * region's rules, which see the IAM calls of the central stack's deployment where the forwarder is in
 * us-east-1 (infra15). Undefined where `deployRoleArn` is.
 */
export function deployRoleArnIn(scope: IConstruct, region: string): string | undefined {
  const stack = Stack.of(scope);
  const synthesizer = stack.synthesizer;
  if (!(synthesizer instanceof DefaultStackSynthesizer)) return undefined;
  const arn = synthesizer.cloudFormationExecutionRoleArn;
  // The region ends the role's name: a placeholder for an environment-agnostic stack, else the stack's own.
  const own = [`\${AWS::Region}`, stack.region].find((r) => arn.endsWith(`-${r}`));
  return own ? Fn.sub(`${arn.slice(0, -own.length)}${region}`) : undefined;
}

/**
 * How the name of the bootstrap's staging bucket begins (`cdk-datalek-assets-<account>-<region>`,
 * one per region): the code and templates a deployment reads (bootstrap-template.ts).
 */
export const STAGING_BUCKET_PREFIX = `cdk-${DEPLOY_QUALIFIER}-assets-`;

/**
 * The calls that change a staging bucket itself rather than write to it (fgsec14 S2): its
 * EventBridge notifications (`PutBucketNotificationConfiguration` with none turns off the page every
 * upload makes), its policy, versioning, lifecycle, public access block, …, or the bucket deleted
 * (its name is then free to anyone's account). CloudTrail names them `PutBucket…`/`DeleteBucket…`
 * (`PutBucketNotification`, `PutBucketLifecycle`, `DeleteBucketPolicy`, `DeleteBucket`, …): watched
 * (pipeline-watch.ts `stagingBucketCalls`). Their IAM actions begin so too, but those of the
 * `…Configuration` settings (`STAGING_BUCKET_CONFIGURATIONS`): denied but to break-glass, as which
 * `cdk bootstrap` runs (pipeline-scp.ts). No deploy makes these calls: CDK's publishing only reads
 * and writes objects.
 */
export const STAGING_BUCKET_CALL_PREFIXES = ['PutBucket', 'DeleteBucket'];

/**
 * The IAM actions of the staging bucket's calls that are no `s3:PutBucket*` (attack15 K6): S3 checks
 * `PutBucketEncryption` and `DeleteBucketEncryption` (a KMS key of the caller's, whose policy then
 * decides whether a deploy reads its own assets) as `s3:PutEncryptionConfiguration`, the replication's
 * (the assets copied out) as `s3:PutReplicationConfiguration`, and so on; the lifecycle's deletes it
 * as well. Listed, not `s3:Put*Configuration`: a wildcard inside an action's name is unconfirmed in an
 * SCP on real AWS (pipeline-scp.ts relies on one for `iam:*RolePolicy`), and listed they hold either way.
 */
const STAGING_BUCKET_CONFIGURATIONS = ['Lifecycle', 'Encryption', 'Replication', 'Accelerate', 'Inventory', 'Analytics', 'Metrics', 'IntelligentTiering'];

/** The IAM actions of `STAGING_BUCKET_CALL_PREFIXES`' calls. */
export const STAGING_BUCKET_CHANGES = [
  ...STAGING_BUCKET_CALL_PREFIXES.map((p) => `s3:${p}*`),
  ...STAGING_BUCKET_CONFIGURATIONS.map((setting) => `s3:Put${setting}Configuration`),
];

/**
 * The roles that deploy the stack of `scope`: its synthesizer's execution role, and datalek's own
 * wherever that is another (the upgrade's one deploy through the shared bootstrap, `datalekSynthesizer`):
 * the next deploy, through datalek's bootstrap, must be let change the policies this one puts.
 */
export function deployRoleArns(scope: IConstruct): string[] {
  const synthesizer = Stack.of(scope).synthesizer;
  const current = deployRoleArn(scope);
  if (!current || !(synthesizer instanceof DefaultStackSynthesizer)) return current ? [current] : [];
  if (synthesizer.cloudFormationExecutionRoleArn.includes(`/${EXECUTION_ROLE_PREFIX}`)) return [current];
  const { partition, account, region } = Stack.of(scope);
  return [current, `arn:${partition}:iam::${account}:role/${EXECUTION_ROLE_PREFIX}${account}-${region}`];
}

/**
 * An EventBridge pattern for `detail.userIdentity`: every caller but a session issued for the role
 * `deployRole`. One whose record has no session issuer (an IAM user, the root user, a service)
 * matches as well, by the first branch (`anything-but` matches only a field that is there).
 * Without a deploy role nothing is excused. The callers' rule: nobody but CloudFormation assumes
 * that role (its trust policy, which `datalek-watch-changes` watches).
 */
export function notByDeployment(deployRole: string | undefined): Record<string, unknown> {
  const issuer = (match: Record<string, unknown>) => ({ sessionContext: { sessionIssuer: { arn: [match] } } });
  if (!deployRole) return { type: [{ exists: true }] };
  return { $or: [issuer({ exists: false }), issuer({ 'anything-but': deployRole })] };
}
