/**
 * Permissions boundaries: every role a datalek stack creates gets one, so that no policy put on
 * the role later (by a mistake in this app, or by someone with IAM rights in the account) can let
 * it do more than the boundary says. Each stack's boundary is the union of what its roles need.
 */
import type { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * Creates the stack's boundary policy from `statements` (copied: the roles keep their own) and sets
 * it on every role in the stack.
 * @param name a fixed managed-policy name (`datalek-*`): the containment Deny, the SCP and the watch guard
 *   a boundary by its name; a generated one (`<stack>-PermissionsBoundary…`) is changed by a new version
 *   unrefused and unpaged (fgsec15 S1)
 */
export function applyBoundary(stack: Stack, name: string, statements: iam.PolicyStatement[]): iam.ManagedPolicy {
  const policy = new iam.ManagedPolicy(stack, 'PermissionsBoundary', {
    managedPolicyName: name,
    description: 'datalek: the most any role of this stack may ever do (permissions boundary)',
    statements: boundaryStatements(statements),
  });
  iam.PermissionsBoundary.of(stack).apply(policy);
  return policy;
}

/** The statements as a boundary caps them (see `boundaryStatement`). */
export function boundaryStatements(statements: iam.PolicyStatement[]): iam.PolicyStatement[] {
  return statements.map(boundaryStatement);
}

/**
 * A statement as the boundary caps it: the same actions and conditions, no `sid`, and an ARN that
 * the statement lists once per pipeline region listed once, with the region `*`. A managed policy
 * holds at most 6,144 characters, and the per-region lists of the roles' own policies (which keep
 * their regions) overflow it as containment grows or regions are forwarded. The roles stay limited
 * to the pipeline's regions by their own policies; the boundary caps the actions and resource types.
 */
function boundaryStatement(statement: iam.PolicyStatement): iam.PolicyStatement {
  const json = statement.toStatementJson() as { Resource?: string | string[] };
  if (json.Resource === undefined) return statement.copy();
  return new iam.PolicyStatement({
    effect: statement.effect,
    actions: statement.actions,
    resources: acrossRegions([json.Resource].flat()),
    ...(Object.keys(statement.conditions).length ? { conditions: statement.conditions } : {}),
  });
}

/**
 * `statements` with each group of `merges` (statement ids) made one statement: the union of their
 * actions on the union of their resources, a resource another one's wildcard covers left out. Only
 * for statements of one effect and the same conditions, and only where no action of one applies to
 * a resource type of another (the caller says why, per group), so that the one statement allows
 * exactly what the several did: a boundary near IAM's 6,144 characters gets shorter, not wider.
 */
export function mergedStatements(statements: iam.PolicyStatement[], merges: readonly (readonly string[])[]): iam.PolicyStatement[] {
  const bySid = new Map(statements.map((s) => [s.sid, s]));
  const merged = new Set<string>();
  const made = new Map<string, iam.PolicyStatement>();
  for (const group of merges) {
    const parts = group.map((sid) => bySid.get(sid) ?? missing(sid));
    const [first] = parts;
    for (const p of parts) {
      if (p.effect !== first.effect || JSON.stringify(p.conditions) !== JSON.stringify(first.conditions)) {
        throw new Error(`cannot merge ${group.join(', ')}: ${p.sid} has another effect or other conditions`);
      }
    }
    const resources = [...new Set(parts.flatMap((p) => p.resources))];
    made.set(
      group[0],
      new iam.PolicyStatement({
        sid: group.join(''),
        effect: first.effect,
        actions: [...new Set(parts.flatMap((p) => p.actions))],
        resources: resources.filter((r) => !resources.some((other) => other !== r && covers(other, r))),
        ...(Object.keys(first.conditions).length ? { conditions: first.conditions } : {}),
      }),
    );
    for (const sid of group) merged.add(sid);
  }
  return statements.flatMap((s) => (s.sid && made.has(s.sid) ? [made.get(s.sid) as iam.PolicyStatement] : s.sid && merged.has(s.sid) ? [] : [s]));
}

function missing(sid: string): never {
  throw new Error(`no statement ${sid} to merge`);
}

/** Whether IAM's wildcard `pattern` (`*` any characters, `/` and `:` too) matches every ARN that `resource` does. */
function covers(pattern: string, resource: string): boolean {
  if (!pattern.includes('*') || pattern.includes('?')) return false;
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(resource);
}

/** ARNs that differ only in their region become one ARN with region `*`; the rest stay as they are. */
export function acrossRegions(resources: string[]): string[] {
  const regionsOf = new Map<string, Set<string>>();
  for (const r of resources) regionsOf.set(anyRegion(r), (regionsOf.get(anyRegion(r)) ?? new Set()).add(r));
  return [...new Set(resources.map((r) => ((regionsOf.get(anyRegion(r))?.size ?? 0) > 1 ? anyRegion(r) : r)))];
}

/** `arn:aws:ec2:eu-west-1:111122223333:instance/*` → `arn:aws:ec2:*:111122223333:instance/*`; other values unchanged. */
export function anyRegion(resource: string): string {
  // cdk-nag prints a pseudo parameter as `<AWS::Partition>`: its colons are not the ARN's.
  const parts = resource.replace(/<AWS::(\w+)>/g, '<AWS__$1>').split(':');
  if (parts[0] !== 'arn' || parts.length < 6 || parts[3] === '' || parts[3] === '*') return resource;
  parts[3] = '*';
  return parts.join(':').replace(/<AWS__(\w+)>/g, '<AWS::$1>');
}
