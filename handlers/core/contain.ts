/**
 * Use case: carry out an incident's enforced containment.
 *
 * Primary course, per action that is to be enforced and not finished:
 * 1. Hand it to the containment adapter with the steps an earlier run already did.
 * 2. Store each step's result as it comes (timeline and action), so a crash or a failure leaves a
 *    truthful, resumable record: a retry continues where the last run stopped.
 * 3. The action is `done` only when no step failed; a failed step makes it `failed`, with the
 *    provider's error code, and it is never reported as contained.
 * 4. Tell the FG and on-call the outcome, once per outcome (Art. 33(3)(d): measures taken).
 */

import type { Containment } from '../ports/containment.js';
import type { IncidentStore } from '../ports/incident-store.js';
import { type ChangeResult, changeIncident } from './change-incident.js';
import { ContainmentStepError, IncidentNotFoundError, RefusedError } from './errors.js';
import type { ActionRecord, Incident, StepRecord } from './incident.js';
import { composeMessage } from './messages.js';
import type { Policy } from './policy.js';

export interface ContainDeps {
  store: IncidentStore;
  policy: Policy;
  now: () => string;
  containment: Containment;
}

export interface ContainResult {
  incident: Incident;
  actions: { id: string; type: string; target: string; status: ActionRecord['status']; reason?: string }[];
}

/** Actions this run should carry out: enforced, not released, not yet done. */
export function actionsToEnforce(incident: Incident): ActionRecord[] {
  return incident.sample ? [] : incident.actions.filter((a) => a.mode === 'enforce' && !a.released && (a.status === 'planned' || a.status === 'failed'));
}

export async function runContainment(deps: ContainDeps, incidentId: string): Promise<ContainResult> {
  const start = await deps.store.getIncident(incidentId);
  if (!start) throw new IncidentNotFoundError(incidentId);
  if (!deps.containment.canEnforce) throw new RefusedError('this target only plans containment');
  const ran: ContainResult['actions'] = [];
  for (const planned of actionsToEnforce(start)) {
    const current = (await deps.store.getIncident(incidentId)) as Incident;
    const action = current.actions.find((a) => a.id === planned.id) as ActionRecord;
    const steps = action.steps ?? [];
    const done = new Set(steps.filter((s) => s.status !== 'failed').map((s) => s.name));
    const evidence = { ...(action.evidence ?? {}) };
    const record = async (step: StepRecord, more?: Record<string, unknown>) => {
      Object.assign(evidence, more ?? {});
      await updateAction(deps, incidentId, action.id, (a) => {
        a.steps = [...(a.steps ?? []).filter((s) => s.name !== step.name), step];
        if (more) a.evidence = { ...(a.evidence ?? {}), ...more };
        return {
          entries: [
            {
              at: step.at,
              kind: `containment-step-${step.status}`,
              detail: { action: a.type, target: a.target, step: step.name, status: step.status, detail: step.detail ?? null, code: step.code ?? null },
            },
          ],
        };
      });
    };
    try {
      await deps.containment.execute(action, { incident: current, done, evidence, record });
    } catch (err) {
      // An error the adapter did not classify is still a failed step, never a silent success.
      const code = err instanceof ContainmentStepError ? err.code : ((err as Error).name ?? 'Error');
      await record({ name: 'unexpected-error', status: 'failed', at: deps.now(), detail: (err as Error).message, code });
    }
    const outcome = await updateAction(deps, incidentId, action.id, (a) => {
      // Failed only when the latest attempt of some step failed: a retry that did the step clears it.
      const failed = (a.steps ?? []).find((s) => s.status === 'failed');
      a.status = failed ? 'failed' : 'done';
      a.reason = failed ? `${failed.name} failed (${failed.code ?? 'error'}): ${failed.detail ?? ''}`.trim() : undefined;
      const kind = failed ? ('containment-failed' as const) : ('containment-done' as const);
      const stateKey = `${kind}:${a.id}:${(a.steps ?? []).length}`;
      return {
        entries: [{ at: deps.now(), kind, detail: { action: a.type, target: a.target, status: a.status, reason: a.reason ?? null } }],
        messages: (draft) =>
          (['fg', 'on-call'] as const).map((channel) => composeMessage({ incident: draft, channel, kind, stateKey, now: deps.now(), policy: deps.policy })),
      };
    });
    const final = outcome.actions.find((a) => a.id === action.id) as ActionRecord;
    ran.push({ id: final.id, type: final.type, target: final.target, status: final.status, ...(final.reason ? { reason: final.reason } : {}) });
  }
  return { incident: (await deps.store.getIncident(incidentId)) as Incident, actions: ran };
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
