/**
 * Which containment a finding calls for, by the policy's rules: a plan of actions, each with one
 * target. Carrying them out is an adapter's job; here only the decision and its reasons live.
 */
import type { Finding } from './finding.js';
import type { ActionRecord } from './incident.js';
import { type ContainmentRule, matchesType, type Policy } from './policy.js';

export interface PlanOptions {
  /** False on the embedded store: actions are only ever planned. */
  canEnforce: boolean;
  /** `replay --enforce`: enforce this run whatever the rule's mode says. */
  forceEnforce?: boolean;
  now: string;
}

/** Matching rules for a finding: type, severity, resource role and public-bucket conditions. */
export function matchingRules(finding: Finding, policy: Policy): ContainmentRule[] {
  return policy.containment.rules.filter(
    (rule) =>
      finding.severity >= rule.minSeverity &&
      rule.findingTypes.some((p) => matchesType(p, finding.type)) &&
      (!rule.resourceRole || rule.resourceRole === finding.resourceRole) &&
      (!rule.onlyPublicBuckets || finding.publicBuckets.length > 0),
  );
}

/**
 * The actions a finding calls for. Sample findings get every action as skipped: test data never
 * touches a resource. Actions the incident already has (same type and target) are left out: finished
 * containment is never run again.
 */
export function planContainment(finding: Finding, policy: Policy, existing: ActionRecord[], opts: PlanOptions): ActionRecord[] {
  const planned: ActionRecord[] = [];
  const seen = new Set(existing.map((a) => a.id));
  for (const rule of matchingRules(finding, policy)) {
    for (const step of resolve(rule, finding)) {
      const id = `${step.type}:${step.target}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const wanted = opts.canEnforce && (rule.mode === 'enforce' || opts.forceEnforce === true);
      const exempt = wanted && exemptionOf(finding, step.target, policy);
      const enforce = wanted && !exempt;
      const mode = enforce ? 'enforce' : 'plan';
      let status: ActionRecord['status'] = 'planned';
      let reason = step.skip ?? (exempt ? `exempt by tag ${exempt}: planned, not carried out` : enforce ? undefined : planReason(opts.canEnforce));
      if (finding.sample) {
        status = 'skipped';
        reason = 'sample finding: test data never touches a resource';
      } else if (step.skip) {
        status = 'skipped';
      }
      const action: ActionRecord = { id, type: step.type, target: step.target, status, reason, mode, findingId: finding.key.findingId, at: opts.now };
      if (step.params) action.params = step.params;
      if (step.type === 'isolate-instance' && policy.containment.revokeInstanceCredentials) action.params = { revokeInstanceCredentials: 'true' };
      planned.push(action);
    }
  }
  return planned;
}

function planReason(canEnforce: boolean): string {
  return canEnforce ? 'policy mode is plan: recorded, not carried out' : 'local replay only plans: nothing is touched';
}

interface Step {
  type: string;
  target: string;
  skip?: string;
  params?: Record<string, string>;
}

/**
 * The exemption tag on the resource, as the finding shows its tags (instance and bucket tags are in
 * the finding; keys and roles carry none there). Returns "key=value" when exempt, else null.
 */
function exemptionOf(finding: Finding, target: string, policy: Policy): string | null {
  const { key, value } = policy.containment.exemptionTag;
  const matches = (tags: Record<string, string> | undefined) => tags !== undefined && key in tags && (value === undefined || tags[key] === value);
  const label = value === undefined ? key : `${key}=${value}`;
  if (finding.instance?.instanceId === target && matches(finding.instance.tags)) return label;
  const buckets =
    (finding.detail.resource as { s3BucketDetails?: { name?: string; tags?: { key: string; value: string }[] }[] } | undefined)?.s3BucketDetails ?? [];
  const bucket = buckets.find((b) => b.name === target);
  if (bucket && matches(Object.fromEntries((bucket.tags ?? []).map((t) => [t.key, t.value])))) return label;
  return null;
}

function resolve(rule: ContainmentRule, finding: Finding): Step[] {
  switch (rule.action) {
    case 'isolate-instance':
      if (!finding.instance) {
        return [
          { type: 'isolate-instance', target: finding.resource.id, skip: `the finding names no EC2 instance (resource type ${finding.resource.resourceType})` },
        ];
      }
      return [{ type: 'isolate-instance', target: finding.instance.instanceId }];
    case 'disable-credentials':
      return [credentialStep(finding)];
    case 'block-public-access': {
      const buckets = finding.publicBuckets.length > 0 ? finding.publicBuckets : bucketNames(finding);
      if (buckets.length === 0) {
        return [{ type: 'block-public-access', target: finding.resource.id, skip: 'the finding names no S3 bucket' }];
      }
      return buckets.map((b) => ({ type: 'block-public-access', target: b }));
    }
  }
}

/**
 * A long-term key (AKIA…) is deactivated, not deleted: deletion destroys evidence and cannot be
 * undone. Temporary credentials (ASIA…, assumed roles) cannot be deactivated: the role's older
 * sessions are revoked instead. Root credentials cannot be restricted by any policy.
 */
function credentialStep(finding: Finding): Step {
  const key = finding.accessKey;
  if (!key?.accessKeyId) {
    return { type: 'deactivate-access-key', target: finding.resource.id, skip: 'the finding names no access key' };
  }
  if (key.userType === 'Root') {
    return {
      type: 'restrict-root-credentials',
      target: key.accessKeyId,
      skip: 'root credentials cannot be restricted by any policy: a person must act (see the runbook)',
    };
  }
  if (key.accessKeyId.startsWith('ASIA') || key.userType === 'AssumedRole' || key.userType === 'FederatedUser') {
    // For an assumed role GuardDuty's userName is the role's name: the role whose sessions are revoked.
    return { type: 'revoke-role-sessions', target: key.userName ?? key.principalId ?? key.accessKeyId };
  }
  if (!key.userName) {
    return { type: 'deactivate-access-key', target: key.accessKeyId, skip: 'the finding does not name the IAM user of the key' };
  }
  return { type: 'deactivate-access-key', target: key.accessKeyId, params: { userName: key.userName } };
}

function bucketNames(finding: Finding): string[] {
  const details = (finding.detail.resource as { s3BucketDetails?: { name?: string }[] } | undefined)?.s3BucketDetails ?? [];
  return details.flatMap((b) => (b.name ? [b.name] : []));
}
