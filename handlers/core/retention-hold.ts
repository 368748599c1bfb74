/**
 * Use case: the FG holds an incident's findings past the retention period, and releases the hold
 * (review9 S5). README "Why 180 days": a longer period needs its own reason (a legal hold, a claim
 * under way); the monthly `datalek minimise` run cannot know of one, so the record keeps it, with
 * who placed it, when and why, and the run leaves the findings until it is released. Both are on
 * the timeline.
 */
import { type ChangeDeps, changeIncident } from './change-incident.js';
import { refused as refuse } from './errors.js';
import type { Incident } from './incident.js';
import { formatLocal, localWithInstant } from './time.js';

export async function holdFindings(deps: ChangeDeps, incidentId: string, input: { by: string; reason: string }): Promise<Incident> {
  const by = input.by.trim();
  const reason = input.reason.trim();
  if (!reason) throw refuse('a hold needs its reason (--reason): the register keeps why the findings are kept longer', 'Geef de reden van het bewaren.');
  const { incident } = await changeIncident(deps, incidentId, (draft) => {
    if (draft.retentionHold)
      throw refuse(
        `incident ${incidentId} is held already, by ${draft.retentionHold.by} since ${localWithInstant(draft.retentionHold.at, deps.policy.timeZone)}: release that hold first (--release-hold)`,
        `De bevindingen van dit incident worden al langer bewaard, op besluit van ${draft.retentionHold.by} sinds ${formatLocal(draft.retentionHold.at, deps.policy.timeZone)}: hef dat besluit eerst op.`,
      );
    const at = deps.now();
    draft.retentionHold = { at, by, reason };
    return { entries: [{ at, kind: 'retention-hold', actor: by, detail: { reason } }], pagerFollowUps: false };
  });
  return incident;
}

/**
 * Ends the hold: the next minimise run removes what it kept. A decision like placing it (Art. 5(1)(e),
 * 5(2)): its reason is required and kept on the timeline beside the hold's own (fg20).
 */
export async function releaseHold(deps: ChangeDeps, incidentId: string, input: { by: string; reason: string }): Promise<Incident> {
  const by = input.by.trim();
  const releaseReason = input.reason?.trim() ?? '';
  if (!releaseReason)
    throw refuse(
      'releasing a hold needs its reason (--reason): the findings kept for it go with the next minimise run, and the timeline keeps why',
      'Geef de reden om het langer bewaren op te heffen.',
    );
  const { incident } = await changeIncident(deps, incidentId, (draft) => {
    const hold = draft.retentionHold;
    if (!hold)
      throw refuse(`incident ${incidentId} has no hold to release`, 'Voor dit incident is geen langer bewaren na de bewaartermijn vastgelegd om op te heffen.');
    delete draft.retentionHold;
    const at = deps.now();
    return {
      entries: [{ at, kind: 'retention-hold-released', actor: by, detail: { heldBy: hold.by, heldAt: hold.at, reason: hold.reason, releaseReason } }],
      pagerFollowUps: false,
    };
  });
  return incident;
}
