/**
 * A role's sessions as CloudTrail names them, for rule patterns: by the name of the role the session
 * came from, in any case (deploy19).
 */

/**
 * The sessions of these roles, by the name of the role they came from (`sessionIssuer.userName`, a
 * role's name without its path), in any account and in any case (deploy19): IAM keeps a role's name
 * unique regardless of case, and CloudTrail spells the issuer as the role was created, so
 * `Datalek-Containment` is the containment role's name too. Matched before by the issuer's ARN
 * (`wildcard`, which has no case-insensitive form): a role created in another case dodged the rule.
 */
export function roleIssuers(roleNames: string[]): Record<string, unknown> {
  return { type: ['Role'], userName: roleNames.map((name) => ({ 'equals-ignore-case': name })) };
}

/**
 * A caller that is not a session of these roles (in any case of their names, as `roleIssuers`): any
 * caller but an assumed role, or an assumed role issued by another role, or whose issuer's name the
 * event does not give (CloudTrail documents it for every role's session: without it, page). For a branch of another
 * rule that leaves these roles' such calls to `datalek-watch-contain-role` (containment-watch.ts, member-iam-stack.ts).
 */
export function notRoleIssuers(roleNames: string[]): Record<string, unknown> {
  return {
    $or: [
      { type: [{ 'anything-but': 'AssumedRole' }] },
      { sessionContext: { sessionIssuer: { userName: [{ exists: false }] } } },
      { sessionContext: { sessionIssuer: { userName: [{ 'anything-but': { 'equals-ignore-case': roleNames } }] } } },
    ],
  };
}

/**
 * A caller that is not a session of a containment role where that name is datalek's (readC19): the
 * contain function's role (`inPipeline`) in the pipeline account (`account`), the containment role
 * (`inMembers`) in any other. A role of either name in the other kind of account is anyone's (a
 * member's administrator makes one): its calls are no containment role's and page as anyone's. For
 * the calls `datalek-watch-contain-role` does not page for every caller of those names (an inline
 * `datalek-revoke-…` policy rewritten in exactly the revocation's shape, with another date), which
 * the `-iam` rule leaves to those roles alone where they are datalek's. An issuer without its name or
 * account pages.
 */
export function notRoleIssuersWhereDatalek(roles: { account: string; inPipeline: string[]; inMembers: string[] }): Record<string, unknown> {
  const issuer = (match: Record<string, unknown>) => ({ sessionContext: { sessionIssuer: match } });
  const notNamed = (names: string[]) => [{ 'anything-but': { 'equals-ignore-case': names } }];
  return {
    $or: [
      { type: [{ 'anything-but': 'AssumedRole' }] },
      issuer({ userName: [{ exists: false }] }),
      issuer({ accountId: [{ exists: false }] }),
      issuer({ accountId: [roles.account], userName: notNamed(roles.inPipeline) }),
      issuer({ accountId: [{ 'anything-but': roles.account }], userName: notNamed(roles.inMembers) }),
    ],
  };
}
