/**
 * Pages on-call when a datalek containment role writes an inline policy other than the session
 * revocation or a console sign-in's deny-all, or sets an access key `Active` (fgsec17 Sc). The contain function's role
 * (`datalek-contain-function`) and each member's containment role (`containmentRoleName`) may put an
 * inline policy of any content on any role or user not datalek's, AWS's or tagged protected
 * (`iam:PutRolePolicy`, `iam:PutUserPolicy`: IAM has no condition key on an inline policy's name or
 * content) and set a key's status either way (`iam:UpdateAccessKey`). Code running as either (a
 * poisoned dependency, a flaw in parsing a finding's attacker-shaped fields) could so make any such
 * role or user administrator, or give a stolen key back, and `datalek-watch-containment` exempts the
 * contain function's sessions, member accounts do not forward their containment role's calls to it,
 * and it reads a policy's name only.
 *
 * Containment writes two inline policies: the revocation (`revocationDocument` in
 * handlers/adapters/aws/containment/iam.ts), Deny `*` on `*` for sessions issued before a time, under
 * a `datalek-revoke-…` name; and, on the IAM user of a console sign-in, the deny-all
 * (`DENY_ALL_DOCUMENT` in iam-users.ts), Deny `*` on `*` with no condition, under a
 * `datalek-deny-all-…` name (`denyAllPolicyName`). A name proves nothing (it is the caller's choice),
 * so the rule reads the document CloudTrail records as the call sent it
 * (`requestParameters.policyDocument`), and pages unless it is exactly the one its name says: the
 * deny-all's text, character for character, or the revocation's text before the date, its text after,
 * and no `"` in the date. An EventBridge wildcard over the date alone (`…"aws:TokenIssueTime":"*"}}}]}`) would match
 * `2020"}}},{"Effect":"Allow","Action":"*","Resource":"*","Condition":{…"2099`: a second, allowing
 * statement smuggled in where the date goes. With no `"` between the two fixed parts, the date is one
 * JSON string and the document has no other statement (IAM refuses a document that does not parse).
 * A revocation of another name (a policy of the principal's own overwritten by a Deny of a date
 * long past lifts what it denied) pages too, and so does either document under the other's name
 * (a deny-all put as `datalek-revoke-…` is released as the revocation, not as a deny-all). What still does not page: a `datalek-revoke-…` policy
 * rewritten with another date (drift reads the date back: datalek verify ID --target aws); the
 * exact deny-all put on a role or another user than containment puts it on (a Deny: it locks out, as
 * a revocation dated far ahead does, and gives nothing).
 *
 * Containment never sets a key `Active`: only `datalek release --reactivate-key` does, with a person's
 * own credentials, not as these roles; the page says so. Matched by the role the session came from (`sessionContext.sessionIssuer`, by
 * its name in any case: roleIssuers), in any account and under any path: a role of that name that is not datalek's pages too, which adds
 * a page, never loses one. IAM's calls reach EventBridge in us-east-1 only: this rule sees them where
 * a forwarder region is us-east-1, or when `DatalekIamForward` (the pipeline account's) and
 * `DatalekMemberIam-<account>` (a member's, containment role's sessions: member-iam-stack.ts) forward
 * them to the central region. Failed calls (an `errorCode`) change nothing and do not page.
 * The message: the call, the caller's type and role (page-caller.ts), when, where, the account and
 * the event id; not the principal, policy or key (CloudTrail has them, by the event id).
 */
import * as events from 'aws-cdk-lib/aws-events';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { revocationDocument } from '../../handlers/adapters/aws/containment/iam.js';
import { DENY_ALL_DOCUMENT, denyAllPolicyName } from '../../handlers/adapters/aws/containment/iam-users.js';
import { onCallAlarm, ruleMetric } from './alarms.js';
import { CONTAINMENT_IAM_WATCH_RULE_NAME } from './containment-watch.js';
import { type MemberPages, pageOnAlarmTopic } from './member-pages.js';
import { functionRoleName } from './response-function.js';
import { roleIssuers } from './role-issuers.js';

/** The rule's fixed name: `datalek-watch-*`, so the pipeline and alarm path watches see calls on it. */
export const CONTAIN_ROLE_WATCH_RULE_NAME = 'datalek-watch-contain-role';

/** The alarm on calls it matched and could not deliver. */
export const CONTAIN_ROLE_WATCH_UNDELIVERED = 'watch-contain-role-undelivered';

/** The start of every revocation's inline policy name (iam.ts `revokePolicyName`, `keySessionsPolicyName`). */
export const REVOKE_POLICY_PREFIX = 'datalek-revoke-';

/** The start of every deny-all's inline policy name (iam-users.ts `denyAllPolicyName`, with the incident id left out). */
export const DENY_ALL_POLICY_PREFIX = denyAllPolicyName('');

/**
 * The revocation's document around its date, as the contain function sends it: the text before the
 * date, the text after, and the key the date follows (for the wildcard that finds a `"` in the date).
 */
export function revocationShape(): { before: string; after: string; dateKey: string } {
  const marker = '@@date@@';
  const parts = revocationDocument(marker).split(marker);
  const [before, after] = parts;
  const dateKey = before.slice(before.lastIndexOf('"aws:'));
  // The wildcard below spells the key as it is: a `*` or `\` in it would be read as a wildcard or escape.
  if (parts.length !== 2 || /[*\\]/.test(dateKey) || !after.startsWith('"')) {
    throw new Error(
      `the revocation document no longer has the shape ${CONTAIN_ROLE_WATCH_RULE_NAME} reads (one date, after "aws:TokenIssueTime"): update contain-role-watch.ts`,
    );
  }
  return { before, after, dateKey };
}

/**
 * The containment roles' calls that page, as branches of one `$or` in `detail` (also the member IAM
 * forward's): a key set `Active`; an inline policy put that is neither a `datalek-revoke-…` exactly
 * the revocation nor a `datalek-deny-all-…` exactly the deny-all. Not the revocation: it does not
 * start or end as the revocation does, or holds a `"` after the date's opening quote besides the one
 * that closes it. Not the deny-all: any other text (an Allow beside the Deny, a condition). The two
 * names exclude each other, so "neither" is two branches: a name not the revocation's with a document
 * not the deny-all's, or a name not the deny-all's with a document not the revocation's.
 */
export function containRoleWrites(): Record<string, unknown>[] {
  const { before, after, dateKey } = revocationShape();
  const notRevocation = [{ 'anything-but': { prefix: before } }, { 'anything-but': { suffix: after } }, { wildcard: `*${dateKey}*"*"*` }];
  return [
    { eventName: ['UpdateAccessKey'], requestParameters: { status: ['Active'] } },
    {
      eventName: ['PutRolePolicy', 'PutUserPolicy'],
      requestParameters: {
        $or: [
          { policyName: [{ 'anything-but': { prefix: REVOKE_POLICY_PREFIX } }], policyDocument: [{ 'anything-but': DENY_ALL_DOCUMENT }] },
          { policyName: [{ 'anything-but': { prefix: DENY_ALL_POLICY_PREFIX } }], policyDocument: notRevocation },
        ],
      },
    },
  ];
}

/** The rule's pattern: CloudTrail's records of those calls by these roles' sessions. */
export function containRolePattern(roleNames: string[]): Record<string, unknown> {
  return {
    source: ['aws.iam'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      errorCode: [{ exists: false }],
      userIdentity: { sessionContext: { sessionIssuer: roleIssuers(roleNames) } },
      $or: containRoleWrites(),
    },
  };
}

/** The roles containment runs as: the contain function's (pipeline account) and the containment role (member accounts). */
export function containmentRoleNames(config: { containmentRoleName: string }): string[] {
  return [functionRoleName('contain'), config.containmentRoleName];
}

/** The same roles, by the accounts where each name is datalek's (readC19): the contain function's in the pipeline account, the containment role in the members. */
export function containmentRolesByAccount(config: { containmentRoleName: string }): { inPipeline: string[]; inMembers: string[] } {
  return { inPipeline: [functionRoleName('contain')], inMembers: [config.containmentRoleName] };
}

export interface ContainRoleWatchProps {
  /** The roles containment runs as: the contain function's, the member accounts' containment role. */
  roleNames: string[];
  alarmTopic: sns.ITopic;
  /** Where member accounts forward their calls (the central region): their pages go through it, bounded (deploy20). @default none: every call pages */
  memberPages?: MemberPages;
}

export class ContainRoleWatch extends Construct {
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ContainRoleWatchProps) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Rule', {
      ruleName: CONTAIN_ROLE_WATCH_RULE_NAME,
      description:
        'datalek: a containment role wrote an inline policy that is not the session revocation or deny-all, or set an access key Active (README, Deploy: What remains; runbooks/containment-undone.md)',
      // Set below: CDK's pattern type has no $or.
      eventPattern: { source: ['aws.iam'] },
    });
    (this.rule.node.defaultChild as events.CfnRule).eventPattern = containRolePattern(props.roleNames);
    const field = (path: string) => events.EventField.fromPath(path);
    // Not the principal, the policy or the key: CloudTrail keeps them, by the event id.
    const page = (caller: string) =>
      `datalek CONTAIN ROLE (CONTAINMENT UNDONE?): ${field('$.detail.eventName')} by ${caller} at ${field('$.time')} in ${field('$.region')} (account ${field('$.account')}), seen by ${CONTAIN_ROLE_WATCH_RULE_NAME}: a datalek containment role wrote an inline policy that is not its session revocation or a console sign-in's deny-all (any name, any content: it can make a role or user administrator), or set an access key Active, which containment never does (datalek release --reactivate-key does, with the person's own credentials, not as this role). Both can undo containment datalek carried out (a key it deactivated, a revocation it wrote): this is that call's only page (${CONTAINMENT_IAM_WATCH_RULE_NAME} leaves these roles' such calls to this rule). Look the event up in CloudTrail (Event history, by its id: the principal, policy and key are left out of this message). Otherwise treat the containment role as compromised: delete the policy or deactivate the key, find out what ran as the role (its sessions in CloudTrail); if the key or principal is one datalek holds contained (datalek status; datalek show ID), put the containment back by hand and tell the FG (runbooks/containment-undone.md).`;
    pageOnAlarmTopic(this.rule, CONTAIN_ROLE_WATCH_RULE_NAME, page, props.alarmTopic, props.memberPages);
    onCallAlarm(this, 'UndeliveredAlarm', {
      name: CONTAIN_ROLE_WATCH_UNDELIVERED,
      description: `datalek: the ${CONTAIN_ROLE_WATCH_RULE_NAME} rule matched an inline policy or key reactivation by a containment role, and could NOT publish it to the alarm topic (its policy or key changed?): look the call up in CloudTrail (Event history), then mend the topic`,
      metric: ruleMetric(this.rule, 'FailedInvocations'),
      topic: props.alarmTopic,
    });
  }
}
