/**
 * The EventBridge rule patterns, generated from the same policy as the core so that the rule and
 * the code cannot disagree about which findings matter. Severity is matched by numeric range: a
 * list of values such as `[7, 8, 9]` matches only those exact numbers and misses 7.2 and 8.5.
 */
import { FINDING_DETAIL_TYPE, GUARDDUTY_SOURCE } from './finding.js';
import type { Policy } from './policy.js';

export interface EventPattern {
  source: string[];
  'detail-type': string[];
  detail?: Record<string, unknown>;
}

/** GuardDuty findings that can open or change an incident: the policy's opening threshold and up. */
export function findingRulePattern(policy: Policy): EventPattern {
  return {
    source: [GUARDDUTY_SOURCE],
    // Other GuardDuty detail-types (malware scan results, agent health) share the source.
    'detail-type': [FINDING_DETAIL_TYPE],
    detail: { severity: [{ numeric: ['>=', policy.thresholds.openIncident] }] },
  };
}

/** The pipeline's own events that a handler reacts to, by detail-type. */
export function domainRulePattern(source: string, detailTypes: string[]): EventPattern {
  return { source: [source], 'detail-type': detailTypes };
}

/**
 * What the notify function reacts to: every change that can queue a message. An acknowledgement
 * queues one only when the incident's alert lives at the pager (it is acknowledged there too).
 */
export const NOTIFY_EVENT_TYPES = [
  'Incident Opened',
  'Incident Updated',
  'Incident Acknowledged',
  'Reminder Due',
  'Containment Done',
  'Containment Failed',
  'Containment Left',
];
