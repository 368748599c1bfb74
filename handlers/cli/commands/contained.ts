import { containedAction } from '../../use-cases/actions.js';
import { parseFields } from '../../use-cases/fields.js';
import { awsContainmentReader } from '../containment-check.js';
import type { Context, FlagSpec } from '../context.js';
import { fgActor, flagsOf, recordFg } from './fg-common.js';

/** The flags its use case reads, made from the use case's fields: index.ts lists the same (test/unit/cli-commands.test.ts). */
export const fieldFlags: Record<string, FlagSpec> = flagsOf(containedAction.fields);

/**
 * As `recordAction` runs a use case, with AWS's containment to read on `--target aws`: an
 * `--owner-key` on a key action datalek carried out is checked against the user's keys there
 * (core/by-hand.ts), through the read role `show`/`verify --target aws` use.
 */
export function contained(ctx: Context): Promise<number> {
  const input = containedAction.input(parseFields(containedAction.fields, ctx.flags), { incidentId: ctx.positionals[0], by: fgActor(ctx) });
  const reader = ctx.target === 'aws' ? { containmentReader: awsContainmentReader(ctx.io.env) } : {};
  return recordFg(
    ctx,
    (deps) => containedAction.run({ ...deps, ...reader }, input),
    (incident, before) => {
      // On a key action datalek carried out, its user read gone (core/by-hand.ts): the finding is recorded beside it, not the action.
      const gone = (i: typeof incident) => i.actions.find((a) => a.id === input.actionId)?.userGone?.recordedAt;
      if (gone(incident) !== gone(before))
        return `Recorded beside ${input.actionId}, carried out by datalek, what ${input.by} found of the key's user not found under its recorded name.`;
      // An isolation failed only on tasks no run read (core/by-hand.ts): the search is that step's, the isolation stays datalek's.
      const taskStep = (i: typeof incident) => i.actions.find((a) => a.id === input.actionId)?.steps?.find((st) => st.name === 'task-interfaces')?.status;
      return taskStep(before) === 'failed' && taskStep(incident) === 'done' && !incident.actions.find((a) => a.id === input.actionId)?.byHand
        ? `Recorded ${input.by}'s search by hand for the tasks no run read as the task-interfaces step of ${input.actionId}: the isolation is done and stays datalek's (a release restores the interfaces it recorded${
            input.interfaces?.length
              ? `, and the ${input.interfaces.length} you named with --interface, read in the isolation group: verify reads them`
              : '; an interface you isolated by hand is in no record unless named with --interface'
          }).`
        : `Recorded ${input.actionId} as carried out by hand by ${input.by}.`;
    },
    { showMissing: false },
  );
}
