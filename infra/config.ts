/**
 * The deployment's settings, from CDK context (`-c key=value` or cdk.json), checked once: a bad
 * value fails synth with its name. The policy is the same file the core reads, so the rules the
 * CDK app generates and the code's decisions cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { loadPolicy, type Policy } from '../handlers/core/policy.js';

/**
 * Regions in the EU itself. London (eu-west-2) and Zurich (eu-central-2) are outside the EU: they
 * have adequacy decisions, but whether that is enough is the organisation's call, so they need
 * the explicit override like any other region.
 */
export const EU_REGIONS = ['eu-west-1', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'eu-south-1', 'eu-south-2'] as const;

const contextSchema = z.object({
  region: z.string().min(1, { error: 'required: the central EU region, e.g. -c region=eu-west-1' }),
  account: z
    .string()
    .regex(/^\d{12}$/, { error: 'expected a 12-digit account id' })
    .optional(),
  fgEmail: z.email({ error: 'expected the FG e-mail address' }).optional(),
  onCallEmail: z.email({ error: 'expected the on-call e-mail address' }).optional(),
  policyFile: z.string().optional(),
  allowNonEuRegion: z.enum(['true', 'false']).default('false'),
  /** Years the breach register and the pipeline's event archive are kept. */
  retentionYears: z.coerce.number().int().min(1).max(30).default(7),
  /** Days the functions' logs are kept (they hold no personal data, only identifiers). */
  logRetentionDays: z.coerce.number().int().min(1).default(365),
  /** Other EU regions whose GuardDuty findings are forwarded to the central region. */
  forwardFrom: z.string().default(''),
  /** Member accounts that get the containment role (GuardDuty delegated administrator setup). */
  memberAccounts: z.string().default(''),
  /** ARN patterns allowed to acknowledge (besides needing lambda:InvokeFunctionUrl). */
  ackPrincipals: z.string().optional(),
  containmentRoleName: z.string().default('datalek-containment'),
});

export interface DeployConfig {
  region: string;
  account?: string;
  fgEmail?: string;
  onCallEmail?: string;
  policy: Policy;
  policyJson: string;
  retentionYears: number;
  logRetentionDays: number;
  forwardFrom: string[];
  memberAccounts: string[];
  ackPrincipals?: string[];
  containmentRoleName: string;
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
  const regions = [c.region, ...list(c.forwardFrom)];
  const outside = regions.filter((r) => !(EU_REGIONS as readonly string[]).includes(r));
  if (outside.length && c.allowNonEuRegion !== 'true') {
    throw new DeployConfigError(
      `region ${outside.join(', ')} is outside the EU (${EU_REGIONS.join(', ')}): findings hold personal data. Deploy to an EU region, or pass -c allowNonEuRegion=true if your DPIA allows it.`,
    );
  }
  const policy = loadPolicy(c.policyFile);
  return {
    region: c.region,
    account: c.account,
    fgEmail: c.fgEmail,
    onCallEmail: c.onCallEmail,
    policy,
    // The file as written (minified), not the parsed policy with every default filled in: a
    // function's environment holds at most 4 KB, and the function fills in the same defaults.
    policyJson: c.policyFile ? JSON.stringify(JSON.parse(readFileSync(c.policyFile, 'utf8'))) : '',
    retentionYears: c.retentionYears,
    logRetentionDays: c.logRetentionDays,
    forwardFrom: list(c.forwardFrom).filter((r) => r !== c.region),
    memberAccounts: list(c.memberAccounts),
    ackPrincipals: c.ackPrincipals ? list(c.ackPrincipals) : undefined,
    containmentRoleName: c.containmentRoleName,
  };
}
