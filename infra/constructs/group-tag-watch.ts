/**
 * Pages on-call when a security group's `datalek:` tags are changed, by anyone (kfix11's follow-up):
 * containment finds its isolation groups by their `datalek:created-for` tag
 * (handlers/adapters/aws/containment/network-isolation.ts), so someone who deletes or changes that
 * tag makes datalek stop recognising its own group: it makes a new one, and interfaces already
 * isolated in the old one are no longer seen as isolated. Nothing else notices.
 * Datalek never makes these calls: it tags its groups only as it creates them (CreateSecurityGroup's
 * TagSpecifications), and its own CreateTags are on instances (`i-`) and on EBS snapshots and AMIs
 * (containment/ec2.ts, malware.ts). So no caller is exempted.
 * Matched: EC2's CreateTags or DeleteTags naming an `sg-` among its resources, with a `datalek:` key
 * among its tags, or (DeleteTags only) with no tags at all, which deletes every tag of the group.
 * CloudTrail lists the resources and tags as arrays; EventBridge matches a field in any element, so a
 * call naming an instance and a group pages when it sets a `datalek:` key (it sets it on both).
 * Failed calls (an `errorCode`) change nothing and do not page.
 * Member accounts forward these calls (member-stack.ts) from the central region to the pipeline's
 * bus there, where this rule pages on them too (the event's account names the member); their
 * other regions' calls are not forwarded (README, Deploy).
 * Each call goes to the alarm topic as a message of its own: the call, the caller's type and role (page-caller.ts), when, where,
 * the account and the CloudTrail event id; left out: the group, the tags and the source address
 * (CloudTrail has them). A call the rule could not deliver pages through its FailedInvocations.
 */
import * as events from 'aws-cdk-lib/aws-events';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { type MemberPages, pagingWatchRule } from './member-pages.js';

/** The rule's fixed name: `datalek-watch-*`, so the pipeline and alarm path watches see calls on it. */
export const GROUP_TAG_WATCH_RULE_NAME = 'datalek-watch-group-tags';

/** The alarm on calls it matched and could not deliver. */
export const GROUP_TAG_WATCH_UNDELIVERED = 'watch-group-tags-undelivered';

/** The source and detail of the calls that change a security group's `datalek:` tags (also forwarded by member accounts). */
export function groupTagCalls(): Record<string, unknown> {
  return {
    source: ['aws.ec2'],
    detail: {
      eventSource: ['ec2.amazonaws.com'],
      errorCode: [{ exists: false }],
      requestParameters: {
        resourcesSet: { items: { resourceId: [{ prefix: 'sg-' }] } },
      },
      $or: [
        { eventName: ['CreateTags', 'DeleteTags'], requestParameters: { tagSet: { items: { key: [{ prefix: 'datalek:' }] } } } },
        // DeleteTags without tags deletes them all.
        { eventName: ['DeleteTags'], requestParameters: { tagSet: { items: { key: [{ exists: false }] } } } },
      ],
    },
  };
}

/** The pattern of the rule: CloudTrail's records of those calls. */
export function groupTagPattern(): Record<string, unknown> {
  return { 'detail-type': ['AWS API Call via CloudTrail'], ...groupTagCalls() };
}

export class GroupTagWatch extends Construct {
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: { alarmTopic: sns.ITopic; memberPages?: MemberPages }) {
    super(scope, id);
    const field = (path: string) => events.EventField.fromPath(path);
    // Not the group, the tags or the source address: CloudTrail keeps them, by the event id.
    const page = (caller: string) =>
      `datalek ISOLATION GROUP TAGS CHANGED: ${field('$.detail.eventName')} by ${caller} at ${field('$.time')} in ${field('$.region')} (account ${field('$.account')}), seen by ${GROUP_TAG_WATCH_RULE_NAME}: a security group's datalek: tags were set or deleted, which datalek never does after creating a group. Look the event up in CloudTrail (Event history, by its id: the group and tags are left out of this message). If it is a datalek isolation group, datalek no longer recognises it: put the tags back as they were, check the incidents contained in that account and region (datalek status; datalek verify ID --target aws), find out who made the call and why, and treat that principal as possibly compromised (runbooks/isolate-ec2-instance.md).`;
    this.rule = pagingWatchRule(this, {
      ruleName: GROUP_TAG_WATCH_RULE_NAME,
      description: "datalek: a security group's datalek: tags changed or deleted, by anyone (README, Deploy; runbooks/isolate-ec2-instance.md)",
      pattern: groupTagPattern(),
      page,
      undelivered: {
        name: GROUP_TAG_WATCH_UNDELIVERED,
        description: `datalek: the ${GROUP_TAG_WATCH_RULE_NAME} rule matched a change of a security group's datalek: tags, and could NOT publish it to the alarm topic (its policy or key changed?): look the call up in CloudTrail (Event history), then mend the topic`,
      },
      alarmTopic: props.alarmTopic,
      memberPages: props.memberPages,
    });
  }
}
