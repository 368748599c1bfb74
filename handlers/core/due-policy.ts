/**
 * Which policy an incident's due time was set under. Every write computes the due time (`nextDueAt`,
 * by which the sweep finds the incident) from the record and the policy (schedule.ts nextDueAt), and
 * names the policy on the record (`dueUnder`): a digest of the settings that decide due times, and
 * only those (a changed organisation name moves no due time). So verify can hold a due time to the
 * policy that set it, and tell a policy changed since (the operator's) from a due time moved behind
 * the pipeline (an attacker's). The sweep keeps in the store the policy it last set every due time
 * under, with its settings (`DuePolicyMark`), and sets due times again itself when the policy in force
 * differs (due-index.ts `resetForPolicy`).
 */

import { settingsDigest } from './due-policy-mark.js';
import type { Incident } from './incident.js';
import type { Policy } from './policy.js';
import { nextDueAt } from './schedule.js';

/**
 * The settings that decide due times: what schedule.ts and the clocks it runs (clocks.ts) read of the
 * policy. due-policy.test.ts holds this list to what they read.
 */
export interface DueSettings {
  apDeadlineHours: Policy['apDeadlineHours'];
  reminders: Pick<Policy['reminders'], 'beforeDeadlineHours' | 'overdueEveryHours' | 'followUpEveryHours' | 'subjectsEveryHours' | 'notifyNudgeHours'>;
  clocks: Policy['clocks'];
  organisation: Pick<Policy['organisation'], 'processor' | 'financialUndertaking'>;
  onCall: Pick<Policy['onCall'], 'escalation' | 'provider'> & { quietHours: Policy['onCall']['quietHours'] | null };
  timeZone: Policy['timeZone'];
}

/** What the store keeps of the policy the sweep last set every due time under (`IncidentStore.duePolicyMark`). */
export interface DuePolicyMark {
  digest: string;
  settings: DueSettings;
  /** When the sweep finished setting them. */
  at: string;
}

export function dueSettings(policy: Policy): DueSettings {
  const { beforeDeadlineHours, overdueEveryHours, followUpEveryHours, subjectsEveryHours, notifyNudgeHours } = policy.reminders;
  return {
    apDeadlineHours: policy.apDeadlineHours,
    reminders: { beforeDeadlineHours, overdueEveryHours, followUpEveryHours, subjectsEveryHours, notifyNudgeHours },
    clocks: policy.clocks,
    organisation: { processor: policy.organisation.processor, financialUndertaking: policy.organisation.financialUndertaking },
    onCall: { escalation: policy.onCall.escalation, provider: policy.onCall.provider, quietHours: policy.onCall.quietHours ?? null },
    timeZone: policy.timeZone,
  };
}

/** The digest of a policy's due settings (hex SHA-256 of their canonical JSON); each policy object's computed once. */
export function duePolicyDigest(policy: Policy): string {
  let digest = digests.get(policy);
  if (digest === undefined) {
    digest = settingsDigest(dueSettings(policy));
    digests.set(policy, digest);
  }
  return digest;
}

const digests = new WeakMap<Policy, string>();

export { settingsDigest };

/** `policy` with the due settings of another: to judge a due time under the policy that set it. */
export function underSettings(policy: Policy, settings: DueSettings): Policy {
  const { quietHours, ...onCall } = settings.onCall;
  return {
    ...policy,
    apDeadlineHours: settings.apDeadlineHours,
    reminders: { ...policy.reminders, ...settings.reminders },
    clocks: settings.clocks,
    organisation: { ...policy.organisation, ...settings.organisation },
    onCall: { ...policy.onCall, ...onCall, ...(quietHours ? { quietHours } : { quietHours: undefined }) },
    timeZone: settings.timeZone,
  };
}

/** A digest as the human lines name it: its first 12 characters. */
export function shortDigest(digest: string): string {
  return digest.slice(0, 12);
}

/** Sets the incident's due time under `policy`, and names the policy it was set under. */
export function setNextDue(incident: Incident, policy: Policy): void {
  incident.nextDueAt = nextDueAt(incident, policy);
  incident.dueUnder = duePolicyDigest(policy);
}
