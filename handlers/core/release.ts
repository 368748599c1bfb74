/**
 * Use case: a person undoes containment (`datalek release`), from what was recorded when it was
 * done: the original groups per network interface, the Auto Scaling group, the target groups, the
 * old Block Public Access settings. A deactivated key is reactivated only when asked explicitly.
 * Who, when and why goes into the timeline.
 */
import { changeIncident } from './change-incident.js';
import type { ContainDeps } from './contain.js';
import { IncidentNotFoundError, RefusedError } from './errors.js';
import type { ActionRecord, StepRecord } from './incident.js';
import { composeMessage } from './messages.js';

export interface ReleaseInput {
  incidentId: string;
  by: string;
  reason: string;
  reactivateKey?: boolean;
}

/** Actions that touched something and were not released yet. */
export function releasable(actions: ActionRecord[]): ActionRecord[] {
  return actions.filter((a) => a.mode === 'enforce' && !a.released && (a.steps ?? []).some((s) => s.status === 'done'));
}

export async function releaseContainment(deps: ContainDeps, input: ReleaseInput): Promise<{ released: { id: string; steps: StepRecord[] }[] }> {
  const by = input.by.trim();
  const reason = input.reason.trim();
  if (!by || !reason)
    throw new RefusedError('a release needs who does it (--by) and why (--reason)', {
      page: { nl: 'Opheffen vraagt wie het doet en waarom ("Waarom").' },
    });
  const incident = await deps.store.getIncident(input.incidentId);
  if (!incident) throw new IncidentNotFoundError(input.incidentId);
  const actions = releasable(incident.actions);
  if (actions.length === 0) {
    throw new RefusedError(`incident ${incident.id} has no containment that was carried out and not yet released (planned actions touched nothing)`, {
      page: { nl: `Incident ${incident.id} heeft geen uitgevoerde inperking die nog niet is opgeheven (geplande acties raakten niets).` },
    });
  }
  const released: { id: string; steps: StepRecord[] }[] = [];
  for (const action of actions) {
    const steps: StepRecord[] = [];
    await deps.containment.release(action, incident, {
      reactivateKey: input.reactivateKey === true,
      record: async (step) => {
        steps.push(step);
        await changeIncident(deps, incident.id, () => ({
          entries: [
            {
              at: step.at,
              kind: `release-step-${step.status}`,
              actor: by,
              detail: {
                action: action.type,
                target: action.target,
                step: step.name,
                status: step.status,
                detail: step.detail ?? null,
                code: step.code ?? null,
              },
            },
          ],
        }));
      },
    });
    const at = deps.now();
    await changeIncident(deps, incident.id, (draft) => {
      const a = draft.actions.find((x) => x.id === action.id) as ActionRecord;
      a.released = { at, by, reason };
      const failed = steps.filter((s) => s.status === 'failed').map((s) => s.name);
      return {
        entries: [{ at, kind: 'containment-released', actor: by, detail: { action: a.type, target: a.target, reason, failedSteps: failed } }],
        messages: (d) =>
          (['fg', 'on-call'] as const).map((channel) =>
            composeMessage({ incident: d, channel, kind: 'released', stateKey: `released:${a.id}`, now: at, policy: deps.policy }),
          ),
      };
    });
    released.push({ id: action.id, steps });
  }
  return { released };
}
