/**
 * Use case: carry out an incident's enforced containment, one run at a time per incident.
 *
 * Primary course:
 * 1. Take the incident's containment lease (stored in the incident, under its revision): when
 *    another run holds it and it has not run out, do nothing: that run carries out what is to be
 *    done, including actions added while it runs. ("Incident Opened" and "Incident Updated" of one
 *    incident arrive together; two runs at once would make every call twice.)
 * 2. Per action that is to be enforced and not finished, hand it to the containment adapter with
 *    the steps earlier runs did (failed ones included) and the time this run has.
 * 3. Store each step's result as it comes (timeline and action), so a crash or a failure leaves a
 *    truthful, resumable record: a retry continues where the last run stopped. A step that left a
 *    resource open (an exposed network interface) is recorded as such and pages on-call at
 *    Critical, on its own.
 * 4. The action is `done` only when no step failed; a failed step makes it `failed`, with the
 *    provider's error code, and it is never reported as contained.
 * 5. Tell the FG and on-call the outcome, once per outcome (Art. 33(3)(d): measures taken).
 * 6. Give the lease back, unless an action arrived meanwhile (then carry that out first).
 */

import { randomUUID } from 'node:crypto';
import type { Containment } from '../ports/containment.js';
import type { IncidentStore } from '../ports/incident-store.js';
import { type ChangeResult, changeIncident, type TimelineDraft } from './change-incident.js';
import { doneReason } from './containment.js';
import { ContainmentStepError, IncidentNotFoundError, RefusedError } from './errors.js';
import type { ActionRecord, Incident, OutboxMessage, StepRecord } from './incident.js';
import { composeMessage } from './messages.js';
import { notePagerTrigger } from './pager.js';
import type { Policy } from './policy.js';

export interface ContainDeps {
  store: IncidentStore;
  policy: Policy;
  now: () => string;
  containment: Containment;
}

export interface ContainOptions {
  /**
   * Who runs this containment. A run with the same holder takes over its own lease (Lambda retries
   * an event with the same event id after a crash). @default a new id per run
   */
  holder?: string;
  /** When this run must have stopped, in epoch milliseconds (the function's timeout). @default no limit */
  deadline?: number;
}

export interface ContainResult {
  incident: Incident;
  actions: { id: string; type: string; target: string; status: ActionRecord['status']; reason?: string }[];
  /** Set when another run holds the incident's containment: this run did nothing. */
  busy?: { holder: string; until: string };
  /** Steps of this run that left a resource open (`isolate-eni:<id>`). */
  exposed: string[];
}

/** How long a lease lasts when the run has no deadline (the CLI). */
const LEASE_WITHOUT_DEADLINE_MS = 15 * 60_000;
/** A lease outlives its run's deadline by this much: the run may still be recording. */
const LEASE_MARGIN_MS = 30_000;

/** Actions this run should carry out: enforced, not released, not yet done. */
export function actionsToEnforce(incident: Incident): ActionRecord[] {
  return incident.sample ? [] : incident.actions.filter((a) => a.mode === 'enforce' && !a.released && (a.status === 'planned' || a.status === 'failed'));
}

export async function runContainment(deps: ContainDeps, incidentId: string, options: ContainOptions = {}): Promise<ContainResult> {
  const start = await deps.store.getIncident(incidentId);
  if (!start) throw new IncidentNotFoundError(incidentId);
  if (!deps.containment.canEnforce) throw new RefusedError('this target only plans containment');
  if (actionsToEnforce(start).length === 0) return { incident: start, actions: [], exposed: [] };

  const holder = options.holder ?? `run-${randomUUID()}`;
  const busy = await takeLease(deps, incidentId, holder, options.deadline);
  if (busy) return { incident: start, actions: [], busy, exposed: [] };

  const ran: ContainResult['actions'] = [];
  const exposed: string[] = [];
  const attempted = new Set<string>();
  try {
    for (;;) {
      const current = (await deps.store.getIncident(incidentId)) as Incident;
      const action = actionsToEnforce(current).find((a) => !attempted.has(a.id));
      if (!action) {
        if (await giveLeaseBack(deps, incidentId, holder, attempted)) break;
        continue; // an action arrived meanwhile: it is this run's too
      }
      attempted.add(action.id);
      ran.push(await runAction(deps, current, action, options.deadline, exposed));
    }
  } catch (err) {
    // A store failure: give the lease back so that the retry (or another event) is not held up.
    await giveLeaseBack(deps, incidentId, holder, null).catch(() => undefined);
    throw err;
  }
  return { incident: (await deps.store.getIncident(incidentId)) as Incident, actions: ran, exposed };
}

async function runAction(
  deps: ContainDeps,
  current: Incident,
  action: ActionRecord,
  deadline: number | undefined,
  exposed: string[],
): Promise<ContainResult['actions'][number]> {
  const incidentId = current.id;
  const steps = action.steps ?? [];
  const done = new Set(steps.filter((s) => s.status !== 'failed').map((s) => s.name));
  const evidence = { ...(action.evidence ?? {}) };
  const record = async (step: StepRecord, more?: Record<string, unknown>) => {
    Object.assign(evidence, more ?? {});
    if (step.exposed) exposed.push(step.name);
    await updateAction(deps, incidentId, action.id, (a) => {
      a.steps = [...(a.steps ?? []).filter((s) => s.name !== step.name), step];
      if (more) a.evidence = { ...(a.evidence ?? {}), ...more };
      const entries: TimelineDraft[] = [
        {
          at: step.at,
          kind: `containment-step-${step.status}`,
          detail: { action: a.type, target: a.target, step: step.name, status: step.status, detail: step.detail ?? null, code: step.code ?? null },
        },
      ];
      if (!step.exposed) return { entries };
      // Left open: recorded as such, and on-call is paged at Critical on its own, at once.
      const resource = step.name.slice(step.name.indexOf(':') + 1);
      entries.push({ at: step.at, kind: 'resource-exposed', detail: { action: a.type, target: a.target, step: step.name, resource, code: step.code ?? null } });
      const stateKey = `exposed:${step.name}:${(a.steps ?? []).length}`;
      return {
        entries,
        messages: (draft: Incident): OutboxMessage[] => {
          const page = composeMessage({
            incident: draft,
            channel: 'on-call',
            kind: 'interface-exposed',
            stateKey,
            now: deps.now(),
            policy: deps.policy,
            exposed: resource,
          });
          notePagerTrigger(draft, page, deps.policy, deps.now());
          return [page];
        },
      };
    });
  };
  try {
    await deps.containment.execute(action, { incident: current, done, steps, evidence, record, deadline });
  } catch (err) {
    // An error the adapter did not classify is still a failed step, never a silent success.
    const code = err instanceof ContainmentStepError ? err.code : ((err as Error).name ?? 'Error');
    await record({ name: 'unexpected-error', status: 'failed', at: deps.now(), detail: (err as Error).message, code });
  }
  const outcome = await updateAction(deps, incidentId, action.id, (a) => {
    // Failed only when the latest attempt of some step failed: a retry that did the step clears it.
    const failed = (a.steps ?? []).find((s) => s.status === 'failed');
    a.status = failed ? 'failed' : 'done';
    // Done, an isolation still says what it left open (the DNS resolver): the record never claims more.
    a.reason = failed ? `${failed.name} failed (${failed.code ?? 'error'}): ${failed.detail ?? ''}`.trim() : doneReason(a.type);
    const kind = failed ? ('containment-failed' as const) : ('containment-done' as const);
    const stateKey = `${kind}:${a.id}:${(a.steps ?? []).length}`;
    return {
      entries: [{ at: deps.now(), kind, detail: { action: a.type, target: a.target, status: a.status, reason: a.reason ?? null } }],
      messages: (draft) =>
        (['fg', 'on-call'] as const).map((channel) => composeMessage({ incident: draft, channel, kind, stateKey, now: deps.now(), policy: deps.policy })),
    };
  });
  const final = outcome.actions.find((a) => a.id === action.id) as ActionRecord;
  return { id: final.id, type: final.type, target: final.target, status: final.status, ...(final.reason ? { reason: final.reason } : {}) };
}

/** Takes the lease, or returns the other holder's when it holds one that has not run out. */
async function takeLease(deps: ContainDeps, incidentId: string, holder: string, deadline: number | undefined): Promise<ContainResult['busy']> {
  let busy: ContainResult['busy'];
  const now = deps.now();
  const lasts = deadline === undefined ? LEASE_WITHOUT_DEADLINE_MS : Math.max(0, deadline - Date.now()) + LEASE_MARGIN_MS;
  const until = new Date(Date.parse(now) + lasts).toISOString();
  await changeIncident(deps, incidentId, (draft) => {
    const lease = draft.containmentLease;
    if (lease && lease.holder !== holder && Date.parse(lease.until) > Date.parse(now)) {
      busy = { ...lease };
      return null;
    }
    draft.containmentLease = { holder, until };
    return { entries: [] };
  });
  return busy;
}

/**
 * Gives the lease back; false, keeping it, when an enforced action this run has not attempted
 * is waiting (it arrived while the run held the lease: the run that skipped it relies on this one).
 * `attempted: null` gives it back whatever waits (after a failure).
 */
async function giveLeaseBack(deps: ContainDeps, incidentId: string, holder: string, attempted: ReadonlySet<string> | null): Promise<boolean> {
  let waiting = false;
  await changeIncident(deps, incidentId, (draft) => {
    if (attempted && actionsToEnforce(draft).some((a) => !attempted.has(a.id))) {
      waiting = true;
      return null;
    }
    if (draft.containmentLease?.holder !== holder) return null;
    draft.containmentLease = null;
    return { entries: [] };
  });
  return !waiting;
}

async function updateAction(
  deps: ContainDeps,
  incidentId: string,
  actionId: string,
  change: (action: ActionRecord) => NonNullable<ChangeResult>,
): Promise<Incident> {
  const { incident } = await changeIncident(deps, incidentId, (draft) => {
    const action = draft.actions.find((a) => a.id === actionId);
    if (!action) throw new RefusedError(`incident ${incidentId} has no action ${actionId}`);
    return change(action);
  });
  return incident;
}
