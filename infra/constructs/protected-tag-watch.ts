/**
 * Pages on-call when a user or role is tagged `datalek:protected`, or the tag is taken off, by
 * anyone, in the pipeline account or a member account (sec25; sec24's follow-up). Containment
 * never writes on a principal so tagged (containment-policy.ts `protectTaggedPrincipals`: the
 * revocation and the key set Inactive are denied), and IAM keeps no record of who set a tag: a
 * principal that may tag itself (an attacker's stolen role with `iam:TagRole` on itself) refuses
 * its own containment, and until now that was seen only when the finding's step failed. So the
 * tagging pages before the finding does, with the caller, and on-call can tell an administrator's
 * tag from the attacker's (runbooks/on-call.md).
 * Matched: IAM's TagRole, TagUser, CreateRole and CreateUser setting the key, UntagRole and
 * UntagUser removing it (an administrator's protection taken off), the key in any case (IAM's tag
 * condition keys do not tell a key's case apart), whatever its value. Failed calls (an `errorCode`)
 * change nothing and do not page. Datalek never makes these calls, so no caller is exempted.
 * IAM's calls reach EventBridge in us-east-1 only: seen where the central or a forwarder region is
 * us-east-1, or forwarded from there (the pipeline account's by `DatalekIamForward`, each member's
 * by its `DatalekMemberIam`'s containment rule: member-iam-stack.ts), the member's calls paged
 * within a bound by the member-pages function (member-pages.ts).
 * Each call goes to the alarm topic as a message of its own: the call, the caller's type and role
 * (page-caller.ts), when, where, the account and the CloudTrail event id; left out: the principal
 * tagged and the source address (CloudTrail has them). A call the rule could not deliver pages
 * through its FailedInvocations.
 */
import * as events from 'aws-cdk-lib/aws-events';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { PROTECTED_TAG } from '../containment-policy.js';
import { type MemberPages, pagingWatchRule } from './member-pages.js';

/** The rule's fixed name: `datalek-watch-*`, so the pipeline and alarm path watches see calls on it. */
export const PROTECTED_TAG_WATCH_RULE_NAME = 'datalek-watch-protected-tag';

/** The alarm on calls it matched and could not deliver. */
export const PROTECTED_TAG_WATCH_UNDELIVERED = 'watch-protected-tag-undelivered';

/** IAM's calls that set a user's or role's tags, and that remove them. */
const TAGGING = ['TagRole', 'TagUser', 'CreateRole', 'CreateUser'];
const UNTAGGING = ['UntagRole', 'UntagUser'];

/** Their names (the pipeline account's us-east-1 forwards them by name: iam-forward-stack.ts). */
export const PROTECTED_TAG_CALLS = [...TAGGING, ...UNTAGGING];

/** The IAM calls that set or remove a user's or role's `datalek:protected` tag (also forwarded by member accounts). */
export function protectedTagCalls(): Record<string, unknown> {
  const key = [{ 'equals-ignore-case': PROTECTED_TAG }];
  return {
    source: ['aws.iam'],
    detail: {
      errorCode: [{ exists: false }],
      $or: [
        { eventName: TAGGING, requestParameters: { tags: { key } } },
        { eventName: UNTAGGING, requestParameters: { tagKeys: key } },
      ],
    },
  };
}

/** The pattern of the rule: CloudTrail's records of those calls. */
export function protectedTagPattern(): Record<string, unknown> {
  return { 'detail-type': ['AWS API Call via CloudTrail'], ...protectedTagCalls() };
}

export class ProtectedTagWatch extends Construct {
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: { alarmTopic: sns.ITopic; memberPages?: MemberPages }) {
    super(scope, id);
    const field = (path: string) => events.EventField.fromPath(path);
    // Not the principal tagged or the source address: CloudTrail keeps them, by the event id.
    const page = (caller: string) =>
      `datalek PROTECTED TAG CHANGED: ${field('$.detail.eventName')} by ${caller} at ${field('$.time')} (account ${field('$.account')}), seen by ${PROTECTED_TAG_WATCH_RULE_NAME}: a user or role was tagged ${PROTECTED_TAG}, or the tag removed. Containment never writes on a principal so tagged: one that tagged itself refuses its own containment. Look the event up in CloudTrail (Event history, us-east-1, by its id: the principal is left out of this message). If no administrator set it, treat the principal and the caller as compromised: remove the tag as break-glass and contain them (datalek contain ID --target aws; runbooks/on-call.md).`;
    this.rule = pagingWatchRule(this, {
      ruleName: PROTECTED_TAG_WATCH_RULE_NAME,
      description: `datalek: a user or role tagged ${PROTECTED_TAG}, or the tag removed, by anyone (README, Deploy; runbooks/on-call.md)`,
      pattern: protectedTagPattern(),
      page,
      undelivered: {
        name: PROTECTED_TAG_WATCH_UNDELIVERED,
        description: `datalek: the ${PROTECTED_TAG_WATCH_RULE_NAME} rule matched a user or role tagged ${PROTECTED_TAG} (or untagged), and could NOT publish it to the alarm topic (its policy or key changed?): look the call up in CloudTrail (Event history, us-east-1), then mend the topic`,
      },
      alarmTopic: props.alarmTopic,
      memberPages: props.memberPages,
    });
  }
}
