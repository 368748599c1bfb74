/**
 * PagerDuty and Opsgenie as the pager (`onCall.provider` in the policy).
 *
 * An incident that pages on-call triggers one alert there (key: the incident id); a network
 * interface left open triggers one of its own, and so does containment a finding called for that
 * the record had no room for (a person's to carry out), each with a state of its own. The pager's escalation then replaces datalek's
 * levels (schedule.ts), so nobody is paged twice. Acknowledging or closing the incident in
 * datalek queues, in the same commit, the message that acknowledges or resolves the alert there;
 * acknowledging or resolving it there comes back through the provider's signed webhook and
 * acknowledges the incident in datalek as the person who did it. None of this touches the AP clock.
 *
 * Delivery goes through the outbox like every message, so an alert is triggered once however often
 * the sweep runs. A page the pager cannot take (refused, not configured, or unreachable for
 * `PAGER_FALLBACK_MINUTES`) goes to the on-call topic instead, and the incident records that the
 * pager failed: datalek's own levels then page, so a broken integration never swallows a page.
 */
import type { IncidentStore } from '../ports/incident-store.js';
import type { DeliveredMessage, Notifier } from '../ports/notifier.js';
import { applyAcknowledgement } from './acknowledge.js';
import { changeIncident, type TimelineDraft } from './change-incident.js';
import { DatalekError } from './errors.js';
import { type AlertState, exposedAlertKey, exposedInterfaces, type Incident, type OutboxMessage, type PagerState } from './incident.js';
import { composeMessage, composePagerMessage } from './messages.js';
import { earlierAlertAt, earlierWith, eventsWith, eventTaken } from './pager-webhooks.js';
import type { Policy } from './policy.js';
import { addMinutes } from './time.js';

export type PagerProvider = PagerState['provider'];

export const PROVIDER_NAMES: Record<PagerProvider, string> = { pagerduty: 'PagerDuty', opsgenie: 'Opsgenie' };

/** A page the pager could not take for this long goes to the on-call topic instead. */
export const PAGER_FALLBACK_MINUTES = 10;

/**
 * The pager refused a message for good (a bad routing key, a malformed event, no key configured):
 * retrying will not help. `status` is the HTTP status, when there was an answer.
 */
export class PagerRejectedError extends DatalekError {
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Where alert `key` of the incident stands at the pager: the incident's own alert (key: its id) or
 * another (an exposed interface's, containment that did not fit), each with a state of its own.
 * Null when datalek never raised it.
 */
export function alertState(pager: PagerState, incidentId: string, key: string): AlertState | null {
  if (!pager.keys.includes(key)) return null;
  if (key === incidentId) return pager.state;
  return pager.alerts?.find((a) => a.key === key)?.state ?? 'triggered';
}

/** The pager state with alert `key` (not the incident's own) at `state` since `at` (`upThere`: OtherAlertState's); the other alerts as they were. */
function withOtherAlert(pager: PagerState, key: string, state: AlertState, at: string, upThere = false): PagerState {
  const alerts = pager.alerts ?? [];
  const entry = { key, state, at, ...(upThere ? { upThere: true as const } : {}) };
  return { ...pager, alerts: alerts.some((a) => a.key === key) ? alerts.map((a) => (a.key === key ? entry : a)) : [...alerts, entry] };
}

/**
 * Records that a message triggered (or re-triggered) an alert at the pager: that alert's state
 * only. A trigger after the alert was resolved there opens a new one (the pager does not reopen
 * it); one while it is up there joins it, as it stands.
 */
export function notePagerTrigger(incident: Incident, message: OutboxMessage, policy: Policy, now: string): void {
  if (message.alert?.action !== 'trigger' || policy.onCall.provider === 'sns') return;
  const key = message.alert.key;
  // The incident's own state stands for its own alert once that is among the keys (AlertState).
  const pager = incident.pager ?? { provider: policy.onCall.provider, keys: [], state: 'triggered' as const, at: now };
  const was = alertState(pager, incident.id, key);
  const keys = was === null ? [...pager.keys, key] : pager.keys;
  const raised = was === null || was === 'resolved';
  if (key === incident.id) {
    incident.pager = { ...pager, keys, ...(raised ? { state: 'triggered' as const, at: now, triggeredAt: now } : {}) };
    return;
  }
  incident.pager = raised ? withOtherAlert({ ...pager, keys }, key, 'triggered', now) : { ...pager, keys };
  // An exposed interface's alert raised anew is nobody's yet.
  if (pager.exposedTaken?.includes(key)) incident.pager.exposedTaken = pager.exposedTaken.filter((k) => k !== key);
}

/**
 * The incident's alerts for containment that did not fit its record (`…:not-planned:…`) that page
 * and nobody took: triggered at the pager (or without a state of its own, recorded before alerts
 * had states) and raised after every person's acknowledgement of the incident (its own, or a second
 * one that took them: `notPlannedTakenAt`). A merge closes the incident and resolves its alerts, so
 * such an alert holds it (record-finding.ts notMergeable): the page would stop with nobody on the
 * work. One a person took (in datalek, or at the pager), one the pager resolved, or one it refused
 * (its page went to the on-call topic: the merge resolves nothing there) holds none: without the
 * pager's webhooks its state never moves, and it would hold merges for the incident's life.
 */
export function notPlannedUntaken(incident: Incident): { key: string; raisedAt: string }[] {
  // Without a state of its own, it was raised no earlier than the first containment that did not fit.
  return untakenAlerts(incident, 'not-planned', incident.actionsNotPlanned?.since ?? incident.openedAt);
}

/**
 * The incident's alerts of a finding asking for a step a person decided not to carry out
 * (`…:not-done-held:…`, record-finding.ts notDoneHeldMessages) that page and nobody took, as
 * `notPlannedUntaken` tells. Such an alert stays up until a person takes it or the decision is
 * withdrawn (by-hand.ts withdrawNotToBeDone resolves it): a merge, which would resolve it, is held.
 */
export function notDoneHeldUntaken(incident: Incident): { key: string; raisedAt: string }[] {
  return untakenAlerts(incident, 'not-done-held', incident.openedAt);
}

/** The incident's alerts of `kind` (`<incident>:<kind>:…`) triggered and raised after every acknowledgement; `raisedSince` for one without a state. */
function untakenAlerts(incident: Incident, kind: string, raisedSince: string): { key: string; raisedAt: string }[] {
  const pager = incident.pager;
  if (!pager) return [];
  const taken = [incident.acknowledgedAt, incident.notPlannedTakenAt].filter((t): t is string => typeof t === 'string');
  return pager.keys.flatMap((key) => {
    if (!key.startsWith(`${incident.id}:${kind}:`)) return [];
    const alert = pager.alerts?.find((a) => a.key === key);
    if (alert && alert.state !== 'triggered') return [];
    const raisedAt = alert?.at ?? raisedSince;
    return taken.some((t) => t >= raisedAt) ? [] : [{ key, raisedAt }];
  });
}

/**
 * What acknowledging or closing an incident asks of its alerts at the pager: acknowledge the
 * incident's own alert (an exposed interface, or containment that did not fit, keeps paging until
 * a person handles it there), or resolve
 * every alert of the incident still up there (triggered or acknowledged; not one the pager
 * resolved, nor one it never took). Updates `after.pager`; once per action. On any change besides:
 * an exposed interface's alert still up there once the interface is isolated (or its action
 * released) is resolved there at once (`exposedAlertsEnded`; contain16: it stayed up until closing,
 * and a pager's acknowledgement timeout paged anew about an interface isolated since).
 */
export function pagerFollowUps(before: Incident, after: Incident, policy: Policy, now: string): OutboxMessage[] {
  const pager = after.pager;
  if (!pager) return [];
  if (after.state === 'closed' && before.state !== 'closed') return resolveAlerts(after, pager.keys, policy, now);
  const out: OutboxMessage[] = [];
  if (after.acknowledgedBy && !before.acknowledgedBy && alertState(pager, after.id, after.id) === 'triggered') {
    after.pager = { ...pager, state: 'acknowledged', at: now };
    out.push(composePagerMessage({ incident: after, action: 'acknowledge', key: after.id, now, policy }));
  }
  const ended = after.state === 'closed' ? [] : exposedAlertsEnded(after);
  // Its own message id: the same interface may be left open and isolated again, and closing resolves under the plain one.
  if (ended.length) out.push(...resolveAlerts(after, ended, policy, now).map((m) => ({ ...m, id: `${m.id}:isolated:${now}` })));
  return out;
}

/**
 * The keys of the exposed interfaces' alerts (`<incident>:exposed:<interface>`) whose interface the
 * record no longer holds open: its isolation step (`isolate-eni:<interface>`) done on a later try, or
 * its action released or recorded contained by hand. Whether each is still up there is
 * `resolveAlerts`'s to say. Read on every commit: nothing beyond the pager's keys without such an alert.
 */
export function exposedAlertsEnded(incident: Incident): string[] {
  const prefix = exposedAlertKey(incident.id, '');
  const keys = incident.pager?.keys.filter((k) => k.startsWith(prefix)) ?? [];
  if (keys.length === 0) return [];
  const open = new Set(exposedInterfaces(incident));
  return keys.filter((key) => {
    const eni = key.slice(prefix.length);
    if (open.has(eni)) return false;
    const name = `${ISOLATE_STEP}${eni}`;
    return incident.actions.some((a) => {
      const last = (a.steps ?? []).filter((s) => s.name === name).pop();
      return last !== undefined && (last.status === 'done' || a.released !== undefined || a.byHand !== undefined);
    });
  });
}

/** An interface's isolation step, by its interface (adapters/aws/containment/network-isolation.ts isolateStepName). */
const ISOLATE_STEP = 'isolate-eni:';

/**
 * An exposed interface's alert recorded failed before fd3aa19 kept `upThere`, when it was failed by
 * an acknowledgement there by no person (read14c C6): then still up there, unlike one the pager
 * refused. The record cannot tell the two apart; its timeline can: the last entry about the alert is
 * that acknowledgement (`pagedOn`), not a `pager-failed`. Read only for such an alert, when its
 * interface is isolated: its key, to be marked `upThere` (`withUpThere`) and so resolved there.
 */
export async function exposedAlertUpThere(store: Pick<IncidentStore, 'getTimeline'>, incident: Incident, stepName: string): Promise<string | undefined> {
  if (!stepName.startsWith(ISOLATE_STEP) || !incident.pager) return undefined;
  const key = exposedAlertKey(incident.id, stepName.slice(ISOLATE_STEP.length));
  const alert = incident.pager.alerts?.find((a) => a.key === key);
  if (alert?.state !== 'failed' || alert.upThere) return undefined;
  return ackedByNoPersonLast(await store.getTimeline(incident.id), key) ? key : undefined;
}

/** Whether the timeline's last entry about alert `key` is its acknowledgement there by no person (read14c C6), not a `pager-failed`. */
function ackedByNoPersonLast(timeline: readonly { kind: string; detail?: Record<string, unknown> | null }[], key: string): boolean {
  const about = timeline.filter((e) => e.kind.startsWith('pager-') && e.detail?.alert === key);
  const last = about[about.length - 1];
  return last?.kind === 'pager-acknowledged' && last.detail?.byPerson === false && last.detail?.pagedOn !== undefined;
}

/**
 * For a change that closes the incident: its exposed interfaces' alerts recorded failed before
 * fd3aa19 kept `upThere` that the timeline shows still up there (`exposedAlertUpThere`'s reading),
 * whatever became of the interface, marked so, so that closing resolves them there (contain17:
 * de1bdfb read them only at the interface's isolation; one never isolated stayed acknowledged at the
 * pager for good, its acknowledgement timeout paging about a closed incident). One the pager refused
 * is not marked. Reads the timeline only when the record holds such an alert.
 */
export async function markOldFormAlertsUpThere(store: Pick<IncidentStore, 'getTimeline'>, draft: Incident): Promise<void> {
  const pager = draft.pager;
  if (!pager) return;
  const prefix = exposedAlertKey(draft.id, '');
  const keys = (pager.alerts ?? []).filter((a) => a.key.startsWith(prefix) && a.state === 'failed' && !a.upThere).map((a) => a.key);
  if (keys.length === 0) return;
  const timeline = await store.getTimeline(draft.id);
  let next = pager;
  for (const key of keys) if (ackedByNoPersonLast(timeline, key)) next = withUpThere(next, key);
  draft.pager = next;
}

/** The pager state with failed alert `key` marked up there (`exposedAlertUpThere`). */
export function withUpThere(pager: PagerState, key: string): PagerState {
  return { ...pager, alerts: (pager.alerts ?? []).map((a) => (a.key === key && a.state === 'failed' ? { ...a, upThere: true as const } : a)) };
}

/**
 * Resolves at the pager each of `keys` still up there (triggered or acknowledged, or failed while
 * acknowledged there by no person; not one the pager resolved, nor one it never took): updates
 * `after.pager` and returns the messages that resolve them.
 */
export function resolveAlerts(after: Incident, keys: readonly string[], policy: Policy, now: string): OutboxMessage[] {
  const pager = after.pager;
  if (!pager) return [];
  const up = keys.filter((key) => {
    const state = alertState(pager, after.id, key);
    // Failed, yet acknowledged there by no person (read14c C6): up there until resolved.
    return state === 'triggered' || state === 'acknowledged' || (state === 'failed' && pager.alerts?.some((a) => a.key === key && a.upThere));
  });
  let next = pager;
  for (const key of up) next = key === after.id ? { ...next, state: 'resolved', at: now } : withOtherAlert(next, key, 'resolved', now);
  after.pager = next;
  return up.map((key) => composePagerMessage({ incident: after, action: 'resolve', key, now, policy }));
}

export interface PagerEvent {
  provider: PagerProvider;
  incidentId: string;
  /** What happened to the alert there. */
  event: 'acknowledged' | 'resolved';
  /** Who did it there (the provider's user name), or the provider itself. */
  by: string;
  /**
   * False when no person did it (the provider resolved the alert on its own, e.g. a service's
   * auto-resolve): that takes nobody off the incident. @default true
   */
  person?: boolean;
  /** The alert's key there, when it is not the incident's own alert (an exposed interface's). */
  alertKey?: string;
  /** When it happened there, by the provider's clock (the webhook checked it is recent). */
  occurredAt?: string;
  /** The provider's id of the event, the same in every delivery of it. */
  eventId?: string;
}

/**
 * `unknown-alert`: not an alert datalek raised for this incident through this provider.
 * `earlier-alert`: about the incident's alert as it was before it was raised again (it had been
 * resolved there), not about the page on-call has now, and not a person's acknowledgement of it
 * (an auto-resolve, or an alert datalek no longer holds).
 * `too-many-events`: the incident holds as many event ids as it may (MAX_REMEMBERED_EVENTS): the
 * event is not taken rather than an id forgotten a replay could still use.
 */
export type PagerEventOutcome = 'acknowledged' | 'recorded' | 'unchanged' | 'unknown-alert' | 'earlier-alert' | 'too-many-events';

/**
 * The way back: the alert was acknowledged or resolved at the pager. Acknowledges the incident in
 * datalek as the person who did it there (unless someone already had), at the time it happened
 * there, and records the alert's new state. Resolving there does not close the incident: closing
 * is the FG's decision.
 *
 * An alert resolved there by no person (the provider on its own) acknowledges nothing: with the
 * alert gone and nobody on it, datalek's own levels page again (schedule.ts). The alert of an
 * exposed interface is recorded as such and leaves the incident's own alert's state alone;
 * resolved there by no person while the interface is still open, the sweep raises it again
 * (schedule.ts `exposedAgain`): it pages until the interface is isolated or a person takes it.
 *
 * An event acts on the page it was about only: an alert datalek raised for this incident (not
 * any key that names it), and, for the incident's own alert, one that happened after the alert
 * was last raised; each event once, its id held as long as the webhook could take it again.
 * A person's acknowledgement (or resolution) of an earlier alert of the incident, one datalek
 * raised and the pager resolved since, arriving after datalek raised the alert again (its delivery
 * failed, and the provider retried it), is what that person did: it is recorded as theirs, at its
 * time there, but it leaves the present alert as it is, which nobody has seen: it keeps paging,
 * and is acknowledged there or in datalek (core/acknowledge.ts) by whoever takes it. Whether an
 * event is recent enough, and has an id, is the webhook's check (core/pager-webhooks.ts), before
 * this is called.
 */
export async function recordPagerEvent(deps: { store: IncidentStore; policy: Policy; now: () => string }, input: PagerEvent): Promise<PagerEventOutcome> {
  let outcome: PagerEventOutcome = 'unchanged';
  await changeIncident(deps, input.incidentId, (draft) => {
    outcome = 'unchanged';
    const pager = draft.pager;
    const key = input.alertKey ?? input.incidentId;
    // Only an alert datalek raised for this incident, through this provider: a key naming an
    // interface datalek never paged for is nobody's page.
    if (!pager || pager.provider !== input.provider || !pager.keys.includes(key)) {
      outcome = 'unknown-alert';
      return null;
    }
    // Delivered before (a replay, or the provider's at-least-once delivery): applied once.
    if (input.eventId && eventTaken(pager, input.eventId)) return null;
    const now = deps.now();
    const occurredAt = input.occurredAt ?? now;
    const ownAlert = key === input.incidentId;
    const person = input.person !== false;
    // Before the alert was raised again it was another alert (resolved there since): what happened
    // to that one neither resolves nor acknowledges the page on-call has now.
    const raisedAt = pager.triggeredAt ?? (pager.state === 'triggered' ? pager.at : undefined);
    const earlier = ownAlert && input.occurredAt && raisedAt && input.occurredAt < raisedAt;
    const earlierAlert = earlier ? earlierAlertAt(pager, input.occurredAt as string) : undefined;
    if (earlier && (!person || !earlierAlert)) {
      outcome = 'earlier-alert';
      return null;
    }
    const events = input.eventId ? eventsWith(pager, input.eventId, occurredAt, now) : undefined;
    if (events === null) {
      outcome = 'too-many-events';
      return null;
    }
    const entries: TimelineDraft[] = [];
    const name = PROVIDER_NAMES[input.provider];
    const state = input.event === 'resolved' ? 'resolved' : 'acknowledged';
    const when = input.occurredAt ? { occurredAt: input.occurredAt } : {};
    const which = earlierAlert ? { alert: 'earlier', raisedAt: earlierAlert.raisedAt } : {};
    // Only a person takes the incident: an acknowledgement there by no person (the Events API with
    // the routing key, an automation, Opsgenie's "System") is recorded as the alert's state, and
    // datalek's own levels page on (review12 K8), as after a resolve by no person.
    const acknowledges = !draft.acknowledgedBy && draft.state !== 'closed' && person;
    // Set when this acknowledgement by no person stopped the pager's paging (the alert was triggered there).
    let stopped = false;
    // Set to the interface whose open alert this acknowledgement by no person stopped paging.
    let stillExposed: string | undefined;
    const byNoPerson = ownAlert && !earlierAlert && !person && state === 'acknowledged' && !draft.acknowledgedBy && draft.state !== 'closed';
    if (earlierAlert) {
      // The present alert's state stays: only the person's act on the earlier one is recorded,
      // as the acknowledgement itself when it is the incident's first.
      if (!acknowledges) entries.push({ at: now, kind: `pager-${input.event}`, actor: input.by, detail: { provider: input.provider, ...which, ...when } });
    } else if (!ownAlert) {
      // That alert's own state: the incident's own alert stays as it is.
      const was = alertState(pager, draft.id, key);
      const exposed = key.startsWith(exposedAlertKey(draft.id, ''));
      // An open interface's alert acknowledged there by no person: the pager pages no more for it,
      // and a trigger would join it unheard. As an alert the pager failed, its pages go to the
      // on-call topic from now on, repeated until a person takes it (read14c C6); on-call hears it now.
      stillExposed =
        exposed && !person && state === 'acknowledged' && was === 'triggered' && draft.state !== 'closed'
          ? exposedInterfaces(draft).find((eni) => exposedAlertKey(draft.id, eni) === key)
          : undefined;
      const movedTo = stillExposed ? 'failed' : state;
      entries.push({
        at: now,
        kind: `pager-${input.event}`,
        actor: input.by,
        detail: {
          provider: input.provider,
          alert: key,
          ...(person ? {} : { byPerson: false }),
          ...(stillExposed ? { pagedOn: 'on-call topic' } : {}),
          ...when,
        },
      });
      // Failed here, it stays up there (acknowledged): closing resolves it there.
      const moved =
        was !== movedTo && !(state === 'acknowledged' && was === 'resolved') ? withOtherAlert(pager, key, movedTo, now, Boolean(stillExposed)) : pager;
      draft.pager = exposed ? { ...moved, ...exposedAgainAfter(draft, pager, key, person, input.event === 'resolved' ? now : null) } : moved;
    } else if (pager.state !== state && !(state === 'acknowledged' && pager.state === 'resolved')) {
      // Set first, so acknowledging here does not echo an acknowledgement back to the pager.
      const { acknowledgedByNoPersonAt: _, ...was } = pager;
      draft.pager = { ...was, state, at: now, ...(byNoPerson ? { acknowledgedByNoPersonAt: occurredAt } : {}) };
      stopped = byNoPerson;
      // Resolved there: the alert is held as an earlier one, so that a person's acknowledgement
      // of it delivered after datalek raised a new one is known for what it is.
      if (state === 'resolved' && raisedAt) draft.pager.earlier = earlierWith(pager, raisedAt, occurredAt, now);
      entries.push({
        at: now,
        kind: `pager-${input.event}`,
        actor: input.by,
        detail: { provider: input.provider, ...(person ? {} : { byPerson: false }), ...(byNoPerson ? { pagedOn: 'on-call topic' } : {}), ...when },
      });
    } else if (ownAlert && person && state === 'acknowledged' && pager.acknowledgedByNoPersonAt) {
      // A person acknowledges there the alert acknowledged by no person before: now it is theirs.
      const { acknowledgedByNoPersonAt: _, ...was } = pager;
      draft.pager = was;
    }
    if (acknowledges) {
      entries.unshift(
        applyAcknowledgement(draft, `${input.by} (${name})`, now, { via: input.provider, event: input.event, ...which, ...when }, deps.policy.timeZone),
      );
      // Acknowledged when the person did it there, not when the webhook arrived (a retry may come
      // many minutes later); never after now (the pager's clock ahead), nor before datalek
      // recorded the incident (behind). The entry is recorded now, with the time there beside it.
      draft.acknowledgedAt = [draft.openedAt, occurredAt, now].sort((a, b) => Date.parse(a) - Date.parse(b))[1];
      outcome = 'acknowledged';
    } else if (entries.length) {
      outcome = 'recorded';
    }
    if (entries.length && events && draft.pager) draft.pager = { ...draft.pager, events };
    // Nobody took the page, and the pager stopped paging: on-call hears it now, on the topic.
    if (stopped) return { entries, messages: (incident) => [pageAfterAckByNoPerson(incident, deps.policy, now)] };
    const eni = stillExposed;
    if (eni) {
      const stateKey = `exposed-ack-no-person:${eni}:${occurredAt}`;
      return {
        entries,
        messages: (incident) => [composeMessage({ incident, channel: 'on-call', kind: 'interface-exposed', stateKey, now, policy: deps.policy, exposed: eni })],
      };
    }
    // An earlier alert's acknowledgement is not the present alert's: nothing goes to the pager.
    return entries.length ? { entries, ...(earlierAlert ? { pagerFollowUps: false as const } : {}) } : null;
  });
  return outcome;
}

/**
 * The page that tells on-call, on the topic, that the incident's alert was acknowledged at the pager
 * by no person: nobody took it, and datalek pages on (its first on-call level's page, saying why).
 */
function pageAfterAckByNoPerson(incident: Incident, policy: Policy, now: string): OutboxMessage {
  const levels = policy.onCall.escalation.levels;
  const level = levels.find((l) => l.channel === 'on-call') ?? levels[0];
  const at = incident.pager?.acknowledgedByNoPersonAt as string;
  return composeMessage({ incident, channel: 'on-call', kind: 'page', stateKey: `pager-ack-no-person:${at}`, now, policy, level: level.name, round: 0 });
}

/**
 * The exposed alerts to raise again once the pager acted on alert `key` of an exposed interface:
 * acknowledged or resolved by a person, they took it, and it is not raised again (until it is
 * raised anew); resolved there on its own (`resolvedAt`, no person) while the interface is still
 * open and nobody took it, the sweep raises it again.
 */
function exposedAgainAfter(
  incident: Incident,
  pager: PagerState,
  key: string,
  person: boolean,
  resolvedAt: string | null,
): Pick<PagerState, 'exposedAgain' | 'exposedTaken'> {
  const taken = person && !pager.exposedTaken?.includes(key) ? [...(pager.exposedTaken ?? []), key] : pager.exposedTaken;
  const others = (pager.exposedAgain ?? []).filter((e) => e.key !== key);
  const open = resolvedAt && !person && !taken?.includes(key) && incident.state !== 'closed';
  const resource = open ? exposedInterfaces(incident).find((eni) => exposedAlertKey(incident.id, eni) === key) : undefined;
  const waiting = resource ? [...others, { key, resource, at: resolvedAt as string }] : others;
  return { ...(waiting.length || pager.exposedAgain ? { exposedAgain: waiting } : {}), ...(taken ? { exposedTaken: taken } : {}) };
}

/**
 * Records that the pager could not take the incident's page: datalek's own escalation levels page
 * from now on (schedule.ts), through the topics. Once. For another alert (`alertKey`: an exposed
 * interface's, containment that did not fit), that alert only: its pages go to the on-call topic
 * from now on (messages.ts), and the incident's own alert stays with the pager.
 */
export async function recordPagerFailure(
  deps: { store: IncidentStore; policy: Policy; now: () => string },
  incidentId: string,
  reason: string,
  alertKey?: string,
): Promise<void> {
  await changeIncident(deps, incidentId, (draft) => {
    const pager = draft.pager;
    const key = alertKey ?? incidentId;
    if (!pager || alertState(pager, incidentId, key) === 'failed') return null;
    const now = deps.now();
    const provider = pager.provider;
    if (key !== incidentId) {
      // Another alert (an exposed interface's, containment that did not fit): that page went to
      // the topic, and its later pages go there; the incident's own alert stays where it is.
      draft.pager = withOtherAlert(pager, key, 'failed', now);
      return { entries: [{ at: now, kind: 'pager-failed', detail: { provider, reason, alert: key, fallback: 'on-call topic' } }] };
    }
    draft.pager = { ...pager, state: 'failed', at: now };
    return { entries: [{ at: now, kind: 'pager-failed', detail: { provider, reason, fallback: 'on-call topic and datalek escalation levels' } }] };
  });
}

/** Delivers a message that has an `alert` at the pager. */
export interface Pager {
  readonly provider: PagerProvider;
  deliver(message: DeliveredMessage): Promise<void>;
}

export interface RoutingOptions {
  /** The topics' notifier (SNS, or the terminal locally). */
  topics: Notifier;
  /** The pager, or null when none is configured here (then its pages go to the topic). */
  pager: Pager | null;
  now: () => string;
  /** The language of the line that says why a page came through the topic. */
  lang: 'nl' | 'en';
  /** Called when a page went to the topic instead of the pager; records it (recordPagerFailure). */
  onFallback?: (message: OutboxMessage, reason: string) => Promise<void>;
}

/**
 * The notifier with a pager: a message with an `alert` goes to the pager, every other to the
 * topics. A trigger the pager refused, or could not take for `PAGER_FALLBACK_MINUTES`, goes to
 * the on-call topic instead, saying why; an acknowledge or resolve that fails stays pending (it
 * is retried, and the notify function's errors alarm tells on-call).
 */
const FALLBACK = {
  nl: {
    none: 'Via dit kanaal gepaged: er is hier geen pager ingesteld om het aan te nemen.',
    refused: (name: string, why: string) => `Via dit kanaal gepaged: ${name} weigerde de melding (${why}).`,
    unreachable: (name: string, why: string) => `Via dit kanaal gepaged: ${name} was ${PAGER_FALLBACK_MINUTES} minuten niet bereikbaar (${why}).`,
  },
  en: {
    none: 'Paged here: no pager is configured here to take it.',
    refused: (name: string, why: string) => `Paged here: ${name} refused the alert (${why}).`,
    unreachable: (name: string, why: string) => `Paged here: ${name} could not be reached for ${PAGER_FALLBACK_MINUTES} minutes (${why}).`,
  },
} as const;

export function pagerRouting(options: RoutingOptions): Notifier {
  const { topics, pager, now, onFallback } = options;
  const say = FALLBACK[options.lang];
  const fallBack = async (message: OutboxMessage, reason: string) => {
    const { alert: _, ...plain } = message;
    await topics.deliver({ ...plain, body: `${reason}\n\n${message.body}` });
    await onFallback?.(message, reason);
  };
  return {
    async deliver(message) {
      if (!message.alert) return topics.deliver(message);
      const trigger = message.alert.action === 'trigger';
      if (!pager) {
        if (!trigger) throw new PagerRejectedError(`no pager is configured here to ${message.alert.action} alert ${message.alert.key}`);
        return fallBack(message, say.none);
      }
      try {
        await pager.deliver(message);
      } catch (err) {
        const name = PROVIDER_NAMES[pager.provider];
        if (!trigger) throw err;
        if (err instanceof PagerRejectedError) return fallBack(message, say.refused(name, err.message));
        if (now() >= addMinutes(message.createdAt, PAGER_FALLBACK_MINUTES)) return fallBack(message, say.unreachable(name, (err as Error).message));
        throw err;
      }
    },
  };
}
