/**
 * The deployment's settings, from CDK context (`-c key=value` or cdk.json), checked once: a bad
 * value fails synth with its name. The policy is the same file the core reads, so the rules the
 * CDK app generates and the code's decisions cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { loadPolicy, type Policy, parsePolicy } from '../handlers/core/policy.js';

/**
 * Regions in the EU itself. London (eu-west-2) and Zurich (eu-central-2) are outside the EU: they
 * have adequacy decisions, but whether that is enough is the organisation's call, so they need
 * the explicit override like any other region.
 */
export const EU_REGIONS = ['eu-west-1', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'eu-south-1', 'eu-south-2'] as const;

/** An AWS region's name: `us-east-1`, `ap-southeast-2`, `us-gov-west-1`. */
const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** An IAM role name (no path): what the trust and key policies name in `aws:PrincipalArn`. */
/** The member accounts' read role is the containment role's name with this (the CLI's default too: handlers/cli/containment-check.ts). */
export const READ_ROLE_SUFFIX = '-read';

/** The role in each member account that reads containment back (`show`/`verify --target aws`). */
export const containmentReadRoleName = (containmentRoleName: string): string => `${containmentRoleName}${READ_ROLE_SUFFIX}`;

/**
 * The pipeline's own roles by configured name, which containment never writes to (containment-policy.ts).
 * The member stack adds its read role (containmentReadRoleName), which exists in member accounts only.
 */
export const protectedRoleNames = (config: Pick<DeployConfig, 'containmentRoleName' | 'breakGlassRole' | 'onCallRole'>): string[] => [
  config.containmentRoleName,
  config.breakGlassRole,
  config.onCallRole,
];

/**
 * The pipeline's own roles by configured name that exist in the pipeline account alone, which
 * containment never writes to there: the FG's (sec26: it writes the register as the on-call role
 * does). Elsewhere the name is anyone's to choose, so a role of that name in a member account is
 * contained like any other (review3 attack §12).
 */
export const pipelineOnlyRoleNames = (config: Pick<DeployConfig, 'fgRole'>): string[] => [config.fgRole];

const roleName = (what: string) => z.string().regex(/^[\w+=,.@-]{1,64}$/, { error: `expected the name of ${what} (an IAM role name, no path)` });

export const DEFAULT_CONTAIN_CONCURRENCY = 10;

/** Reserved concurrency of the public link function: what a flood of requests to its URL can take. */
export const DEFAULT_LINK_CONCURRENCY = 5;

/**
 * Reserved concurrency of record-finding and notify: theirs, whatever else runs in the account (a
 * miner started with a stolen key included), and also the most they take from it. Recording a
 * finding is one short transaction: 20 at once answer a storm of hundreds of findings a second.
 */
export const DEFAULT_RECORD_CONCURRENCY = 20;
export const DEFAULT_NOTIFY_CONCURRENCY = 10;

const contextSchema = z.object({
  region: z.string().min(1, { error: 'required: the central EU region, e.g. -c region=eu-west-1' }),
  account: z
    .string()
    .regex(/^\d{12}$/, { error: 'expected a 12-digit account id' })
    .optional(),
  /** The AWS Organization: member accounts then trust the pipeline only from inside it. */
  organizationId: z
    .string()
    .regex(/^o-[a-z0-9]{10,32}$/, { error: 'expected an AWS Organizations id such as o-a1b2c3d4e5' })
    .optional(),
  /**
   * The one role that may schedule the deletion of, or disable, the pipeline's KMS keys (the
   * register and its backups are encrypted with them). Required: no default name, because anyone
   * who can create a role of a default name would become the break-glass role.
   */
  breakGlassRole: roleName('the break-glass role').optional(),
  fgEmail: z.email({ error: 'expected the FG e-mail address' }).optional(),
  onCallEmail: z.email({ error: 'expected the on-call e-mail address' }).optional(),
  policyFile: z.string().optional(),
  allowNonEuRegion: z.enum(['true', 'false']).default('false'),
  /**
   * The one deploy of an upgrade from the account's shared CDK bootstrap (README, Deploy): the
   * stacks synthesize for that bootstrap once more, and their policies name datalek's execution
   * role beside its, so that the next deploy, through datalek's own bootstrap, may change them.
   */
  sharedBootstrapUpgrade: z.enum(['true', 'false']).default('false'),
  /** Years the breach register and the pipeline's event archive are kept. */
  retentionYears: z.coerce.number().int().min(1).max(30).default(7),
  /**
   * The register's tables backed up daily into an AWS Backup vault under a compliance-mode lock
   * (infra16, constructs/register-backup.ts). Off by default: three days after the deploy the lock
   * can no longer be undone (README, Deploy).
   */
  backupVaultLock: z.enum(['true', 'false']).default('false'),
  /** Days each backup is kept, and the lock's minimum and maximum retention (no longer than the FG accepts for point-in-time recovery). */
  backupRetentionDays: z.coerce.number().int().min(1).max(36500).default(35),
  /** Days the functions' logs are kept (they hold no personal data, only identifiers). */
  logRetentionDays: z.coerce.number().int().min(1).default(365),
  /**
   * Every other region with GuardDuty enabled, EU or not: its findings are forwarded into the
   * central (EU) region and answered there. A region not listed is never answered.
   */
  forwardFrom: z.string().default(''),
  /** Member accounts that get the containment role (GuardDuty delegated administrator setup). */
  memberAccounts: z
    .string()
    .regex(/^(\s*\d{12}\s*(,\s*\d{12}\s*)*)?$/, { error: 'expected 12-digit account ids, comma-separated' })
    .default(''),
  /** ARN patterns allowed to acknowledge (besides needing the on-call policy). @default the on-call role's sessions */
  ackPrincipals: z.string().optional(),
  /** The on-call engineers' role: its sessions may acknowledge unless `ackPrincipals` says otherwise. */
  onCallRole: roleName('the on-call role').default('datalek-on-call'),
  /** The FG's own role: `datalek … --target aws` records the FG's decisions with it, not as on-call (sec26). */
  // No comma (which a role's name may hold): the incidents table's tag carries it, and a tag's value takes none.
  fgRole: roleName("the FG's role")
    .regex(/^[^,]*$/, { error: "expected the FG's role's name without a comma (the incidents table's tag datalek:fg-role carries it)" })
    .default('datalek-fg'),
  // 59 at most: the member stack's read role is this name with `-read` (IAM takes 64).
  containmentRoleName: roleName('the containment role')
    .max(64 - READ_ROLE_SUFFIX.length, {
      error: `expected the containment role's name of at most ${64 - READ_ROLE_SUFFIX.length} characters (its read role adds ${READ_ROLE_SUFFIX})`,
    })
    .default('datalek-containment'),
  /** Reserved concurrency of the contain function: how many containments run at once. */
  containConcurrency: z.coerce.number().int().min(1).max(1000).default(DEFAULT_CONTAIN_CONCURRENCY),
  /**
   * The HTTPS address of the pager's own CloudWatch integration (PagerDuty's "Amazon CloudWatch",
   * Opsgenie's "Amazon CloudWatch"), subscribed to the alarm topic of every region: the alarms then
   * reach the pager without passing through datalek's functions or its pages' topic.
   */
  alarmPagerUrl: z.url({ protocol: /^https$/, error: "expected the https address of the pager's CloudWatch integration (README, Deploy)" }).optional(),
  /** Reserved concurrency of the link function (acknowledgement links, pager webhooks). */
  linkConcurrency: z.coerce.number().int().min(1).max(100).default(DEFAULT_LINK_CONCURRENCY),
  /** Reserved concurrency of the record-finding function. */
  recordConcurrency: z.coerce.number().int().min(1).max(1000).default(DEFAULT_RECORD_CONCURRENCY),
  /** Reserved concurrency of the notify function. */
  notifyConcurrency: z.coerce.number().int().min(1).max(1000).default(DEFAULT_NOTIFY_CONCURRENCY),
  /** How often the detectors must publish updated findings (the daily detector check pages otherwise). */
  detectorFrequency: z.enum(['FIFTEEN_MINUTES', 'ONE_HOUR', 'SIX_HOURS']).default('FIFTEEN_MINUTES'),
  /** GuardDuty features (protection plans) each detector must have ENABLED, comma-separated. */
  detectorFeatures: z
    .string()
    .regex(/^([A-Z0-9_]+(,[A-Z0-9_]+)*)?$/, { error: 'expected GuardDuty feature names, comma-separated (e.g. S3_DATA_EVENTS,RUNTIME_MONITORING)' })
    .default(''),
});

export interface DeployConfig {
  region: string;
  /** This deploy is the upgrade from the shared CDK bootstrap (deploy-role.ts). */
  sharedBootstrapUpgrade: boolean;
  /** The pipeline's account; required with member accounts (their roles trust it by number). */
  account?: string;
  organizationId?: string;
  breakGlassRole: string;
  fgEmail?: string;
  onCallEmail?: string;
  alarmPagerUrl?: string;
  policy: Policy;
  policyJson: string;
  retentionYears: number;
  /** Days the locked vault keeps the register's daily backups; undefined: no vault (`backupVaultLock` off). */
  backupRetentionDays?: number;
  logRetentionDays: number;
  forwardFrom: string[];
  memberAccounts: string[];
  ackPrincipals?: string[];
  onCallRole: string;
  /** The FG's own role: writes the register's items and publishes the FG's and on-call's messages, as the on-call role does. */
  fgRole: string;
  containmentRoleName: string;
  containConcurrency: number;
  linkConcurrency: number;
  recordConcurrency: number;
  notifyConcurrency: number;
  /** What the daily detector check expects of every region's GuardDuty detector. */
  detector: { findingPublishingFrequency: 'FIFTEEN_MINUTES' | 'ONE_HOUR' | 'SIX_HOURS'; features: string[] };
}

export class DeployConfigError extends Error {}

export function loadDeployConfig(context: Record<string, unknown>): DeployConfig {
  const result = contextSchema.safeParse(context);
  if (!result.success) {
    throw new DeployConfigError(`invalid CDK context: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const c = result.data;
  const list = (s: string) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  // Only the central region holds the register and handles the findings: it must be in the EU.
  // A forwarder region (any where GuardDuty runs) sends its findings into it: findings of a key
  // stolen and used in us-east-1 are raised there, and would otherwise never be answered.
  if (!(EU_REGIONS as readonly string[]).includes(c.region) && c.allowNonEuRegion !== 'true') {
    throw new DeployConfigError(
      `region ${c.region} is outside the EU (${EU_REGIONS.join(', ')}): findings hold personal data. Deploy to an EU region, or pass -c allowNonEuRegion=true if your DPIA allows it.`,
    );
  }
  for (const r of list(c.forwardFrom)) {
    if (!REGION_NAME.test(r)) throw new DeployConfigError(`invalid CDK context: forwardFrom: ${r} is not an AWS region name (e.g. us-east-1)`);
  }
  if (!c.breakGlassRole) {
    throw new DeployConfigError(
      'invalid CDK context: breakGlassRole: required, the name of the role in the pipeline account that alone may delete or disable the KMS keys (e.g. -c breakGlassRole=datalek-break-glass); see README, Deploy',
    );
  }
  const members = list(c.memberAccounts);
  if (members.length && !c.account) {
    // Without it the member stack would name its own account as the pipeline's: containment fails,
    // and anyone there who can create a role of the contain function's name could use the role.
    throw new DeployConfigError('invalid CDK context: account: required with memberAccounts: the pipeline account their containment roles trust');
  }
  if (c.account && members.includes(c.account)) {
    throw new DeployConfigError(`invalid CDK context: memberAccounts: ${c.account} is the pipeline account itself (containment acts there with its own role)`);
  }
  const { policy, policyJson } = policyWithMembers(c.policyFile, members);
  return {
    region: c.region,
    sharedBootstrapUpgrade: c.sharedBootstrapUpgrade === 'true',
    account: c.account,
    organizationId: c.organizationId,
    breakGlassRole: c.breakGlassRole,
    fgEmail: c.fgEmail,
    onCallEmail: c.onCallEmail,
    alarmPagerUrl: c.alarmPagerUrl,
    policy,
    policyJson,
    retentionYears: c.retentionYears,
    backupRetentionDays: c.backupVaultLock === 'true' ? c.backupRetentionDays : undefined,
    logRetentionDays: c.logRetentionDays,
    forwardFrom: list(c.forwardFrom).filter((r) => r !== c.region),
    memberAccounts: members,
    ackPrincipals: c.ackPrincipals ? list(c.ackPrincipals) : undefined,
    onCallRole: c.onCallRole,
    fgRole: c.fgRole,
    containmentRoleName: c.containmentRoleName,
    containConcurrency: c.containConcurrency,
    linkConcurrency: c.linkConcurrency,
    recordConcurrency: c.recordConcurrency,
    notifyConcurrency: c.notifyConcurrency,
    detector: { findingPublishingFrequency: c.detectorFrequency, features: list(c.detectorFeatures) },
  };
}

/**
 * The policy the functions get: the file as written (minified), not the parsed policy with every
 * default filled in (a function's environment holds at most 4 KB, and the function fills in the
 * same defaults), with `containment.memberAccounts` taken from the deployment's `memberAccounts`:
 * the accounts that get the containment role are the accounts containment may act in, one list.
 * A policy file that lists them itself must list the same accounts, or synth fails naming both.
 */
function policyWithMembers(file: string | undefined, members: string[]): { policy: Policy; policyJson: string } {
  // Read and checked first: a bad file fails with its own errors.
  loadPolicy(file);
  const raw = file ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  const containment = (raw.containment ?? {}) as Record<string, unknown>;
  const listed = containment.memberAccounts as string[] | undefined;
  if (listed !== undefined) {
    const same = (a: string[], b: string[]) => [...new Set(a)].sort().join() === [...new Set(b)].sort().join();
    if (!same(listed, members)) {
      throw new DeployConfigError(
        `invalid CDK context: the policy's containment.memberAccounts (${listed.join(', ') || 'none'}) differs from the deployment's memberAccounts (${members.join(', ') || 'none'}): containment acts only in the accounts given its role. Leave containment.memberAccounts out of ${file} (it is taken from memberAccounts) or make the two the same`,
      );
    }
  }
  const value = members.length ? { ...raw, containment: { ...containment, memberAccounts: members } } : raw;
  return { policy: parsePolicy(value, file), policyJson: file || members.length ? JSON.stringify(value) : '' };
}
