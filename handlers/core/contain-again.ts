/**
 * Use case: a person runs an incident's containment again (`datalek contain`).
 *
 * The contain function retries a failed step while Lambda retries its event (an hour at most);
 * after that, or when the policy only planned an action, nothing carries it out but a person. The
 * finding's file is seldom at hand at 3 a.m., so this starts from the stored incident:
 *
 * 1. Which actions: not a person's step, not released, not done; with `enforce`, also those the
 *    policy only planned (the person asks for them to be carried out, as `replay --enforce` does).
 * 2. Each is checked as the contain function checks it (`enforcementRefusal`: the stored finding
 *    must call for exactly this action, and be enforceable: not exempt, not a sample; without
 *    `enforce`, the policy must enforce it too). What does
 *    not pass is reported with its reason and left as it was: a person's request is not a refusal
 *    by the pipeline, so it is not recorded as a failure.
 * 3. Who asked, why, and for which actions goes into the timeline before anything is done; a
 *    planned action asked for becomes enforced.
 * 4. Containment runs as the contain function's does (core/contain.ts): one run per incident,
 *    each step recorded as it comes, done steps not repeated.
 */
import { changeIncident } from './change-incident.js';
import { type ContainDeps, type ContainResult, enforcementRefusal, mergeChain, runContainment } from './contain.js';
import { actionPlace, foundIsolatedAlready, type HeldContainment, heldContainment, holderIn, releaseUnderWay } from './containment.js';
import { ActedNotRecordedError, ConflictError, IncidentNotFoundError, RefusedError, StuckConflictError, stuckActed } from './errors.js';
import type { ActionRecord, Incident } from './incident.js';

export interface ContainAgainInput {
  incidentId: string;
  by: string;
  reason: string;
  /** Also carry out what the policy only planned. */
  enforce: boolean;
}

export interface ContainAgainResult {
  /** The actions this run was asked to carry out. */
  requested: { id: string; type: string; target: string }[];
  /** Actions that could not be asked for, each with why; left as they were. */
  notRequested: { id: string; type: string; target: string; reason: string }[];
  containment: ContainResult;
}

/**
 * Actions a person may ask to be carried out again: not a person's step, not released, not done.
 * Also one left to another incident (`heldBy`, skipped) that no longer holds the resource: it
 * released it (a finding came while that release ran), so nothing contains it now.
 */
async function containableAgain(deps: ContainDeps, incident: Incident, enforce: boolean): Promise<ActionRecord[]> {
  if (incident.sample) return [];
  const found: ActionRecord[] = [];
  for (const a of incident.actions) {
    if (a.person || a.released || releaseUnderWay(a, deps.machineNow?.() ?? deps.now()) || (a.mode !== 'enforce' && !enforce)) continue;
    const isolatedAlready = a.status === 'skipped' && !a.heldBy && foundIsolatedAlready(a);
    if (
      a.status === 'planned' ||
      a.status === 'failed' ||
      isolatedAlready ||
      (a.status === 'skipped' && a.heldBy && (await letGo(deps, incident, a, a.heldBy)))
    )
      found.push(a);
  }
  return found;
}

/** Whether the incident `a` was left to (or the one it was merged into since) no longer holds its resource contained. */
async function letGo(deps: ContainDeps, incident: Incident, a: ActionRecord, heldBy: string): Promise<boolean> {
  const holder = await deps.store.getIncident((await mergeChain(deps.store, heldBy)).at(-1) as string);
  return !holder || !holderIn(heldContainment(holder), { type: a.type, target: a.target, ...actionPlace(a, incident) });
}

export async function containAgain(deps: ContainDeps, input: ContainAgainInput): Promise<ContainAgainResult> {
  const by = input.by.trim();
  const reason = input.reason.trim();
  if (!by || !reason) throw new RefusedError('containing again needs who does it (--by) and why (--reason)');
  const incident = await deps.store.getIncident(input.incidentId);
  if (!incident) throw new IncidentNotFoundError(input.incidentId);
  if (incident.mergedInto) throw new RefusedError(`incident ${incident.id} was merged into ${incident.mergedInto}: contain that one`);
  if (incident.state === 'closed')
    throw new RefusedError(`incident ${incident.id} is closed: new evidence opens a follow-up incident, which is contained by itself`);
  if (incident.sample) throw new RefusedError(`incident ${incident.id} holds sample findings only: nothing is ever contained for it`);
  if (!deps.containment.canEnforce) throw new RefusedError('this target only plans containment: contain needs --target aws');

  // Without --enforce, what the policy enforces, as the contain function would: the record's mode
  // is no authority (every function that writes incident items could have set it). With it, what
  // the finding calls for, as `replay --enforce`: the person decides.
  const run: ContainDeps = { ...deps, forceEnforce: input.enforce };
  const requested: ContainAgainResult['requested'] = [];
  const notRequested: ContainAgainResult['notRequested'] = [];
  const held = await heldByOthers(deps, incident);
  for (const a of await containableAgain(deps, incident, input.enforce)) {
    const holder = holderIn(held, { type: a.type, target: a.target, ...actionPlace(a, incident) });
    const refusal = holder
      ? `incident ${holder} holds this resource contained: a second containment would record that as the state to restore, so it is left to ${holder} (its release with --undo-for ${incident.id} hands it back)`
      : await enforcementRefusal(run, incident, { ...a, mode: 'enforce' });
    if (refusal) notRequested.push({ id: a.id, type: a.type, target: a.target, reason: refusal });
    else requested.push({ id: a.id, type: a.type, target: a.target });
  }
  if (requested.length === 0) throw new RefusedError(nothingToContain(incident, input.enforce, notRequested));

  const ids = new Set(requested.map((r) => r.id));
  await changeIncident(deps, incident.id, (draft) => {
    for (const a of draft.actions) {
      if (!ids.has(a.id)) continue;
      a.mode = 'enforce';
      // A person's request, checked above, takes up what the contain function refused.
      a.refused = undefined;
      // And what was left to an incident that has let go of it since, or found isolated already.
      if (a.status === 'skipped' && (a.heldBy || foundIsolatedAlready(a))) {
        a.status = 'planned';
        a.heldBy = undefined;
      }
    }
    return {
      entries: [
        {
          at: deps.now(),
          kind: 'containment-requested',
          actor: by,
          detail: { reason, enforce: input.enforce, actions: requested.map((r) => `${r.type} ${r.target}`) },
        },
      ],
    };
  });
  let containment: ContainResult;
  try {
    containment = await runContainment(run, incident.id, { only: ids });
  } catch (err) {
    if (err instanceof ConflictError) throw containedNotRecorded(incident.id, requested, err);
    throw err;
  }
  return { requested, notRequested, containment };
}

/**
 * The run lost the race for the record at every try (a storm of findings on the incident): it may
 * have carried out some of its steps in AWS, which the record may not say. Never "nothing
 * happened" (read10a A1): what may have been done, and how to bring AWS and the record together.
 */
export function containedNotRecorded(incidentId: string, requested: { type: string; target: string }[], cause: ConflictError): ActedNotRecordedError {
  const what = requested.map((r) => `${r.type} ${r.target}`).join(', ');
  // No race (a row planted behind datalek): the CLI's lost-race path adds the store's text and `datalek verify`.
  if (cause instanceof StuckConflictError)
    return stuckActed(
      cause,
      `containment of incident ${incidentId} was started in AWS (${what}) and may have been carried out, wholly or in part, but not all of it could be recorded`,
      {
        en: `Containment (${what}) was started in AWS and may have been carried out, wholly or in part, but not all of it could be recorded`,
        nl: `De inperking (${what}) is in AWS gestart en mogelijk geheel of gedeeltelijk uitgevoerd, maar niet alles kon worden vastgelegd`,
      },
    );
  const message = `containment of incident ${incidentId} was started in AWS (${what}) and may have been carried out, wholly or in part, but not all of it could be recorded: other changes to the incident kept coming in at every try. Run it again once the changes calm down (datalek contain ${incidentId} --by NAME --reason TEXT): each step is carried out again or found done, and recorded; datalek show ${incidentId} shows what is recorded`;
  return new ActedNotRecordedError(message, {
    cause,
    page: {
      en: `Containment (${what}) was started in AWS and may have been carried out, wholly or in part, but not all of it could be recorded: other changes to this incident kept coming in (a storm of findings?). The page below may not show every step done. Send the form again once the changes calm down: each step is then carried out again or found done, and recorded.`,
      nl: `De inperking (${what}) is in AWS gestart en mogelijk geheel of gedeeltelijk uitgevoerd, maar niet alles kon worden vastgelegd: er kwamen steeds andere wijzigingen van dit incident tussen (een storm van meldingen?). De pagina hieronder toont mogelijk niet elke uitgevoerde stap. Verstuur het formulier opnieuw zodra het rustiger is: elke stap wordt dan opnieuw uitgevoerd of als gedaan aangetroffen, en vastgelegd.`,
    },
  });
}

/**
 * What other open incidents hold contained. A second containment of such a resource would record
 * the first's contained state as the one to restore; it is left to the incident holding it.
 */
async function heldByOthers(deps: ContainDeps, incident: Incident): Promise<HeldContainment[]> {
  const others = await deps.store.listIncidents({ openOnly: true });
  return others.flatMap((o) => (o.id === incident.id || o.mergedInto || o.state === 'closed' ? [] : heldContainment(o)));
}

/** Why there is nothing to carry out, saying what would be. */
function nothingToContain(incident: Incident, enforce: boolean, notRequested: ContainAgainResult['notRequested']): string {
  const lines = [`incident ${incident.id} has nothing containment could carry out again`];
  for (const n of notRequested) lines.push(`  ${n.type} ${n.target}: ${n.reason}`);
  const planned = incident.actions.filter((a) => !a.person && !a.released && a.mode === 'plan' && (a.status === 'planned' || a.status === 'failed'));
  if (!enforce && planned.length) lines.push(`  ${planned.length} action(s) the policy only planned: --enforce carries them out`);
  const persons = incident.actions.filter((a) => a.person && a.status !== 'done');
  if (persons.length) lines.push(`  ${persons.length} person's step(s): see \`datalek show ${incident.id}\` for their runbooks`);
  return lines.join('\n');
}
