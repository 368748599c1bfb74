import { containedAction } from '../../use-cases/actions.js';
import type { Context, FlagSpec } from '../context.js';
import { flagsOf, recordAction } from './fg-common.js';

/** The flags its use case reads, made from the use case's fields: index.ts lists the same (test/unit/cli-commands.test.ts). */
export const fieldFlags: Record<string, FlagSpec> = flagsOf(containedAction.fields);

export const contained = (ctx: Context): Promise<number> =>
  recordAction(ctx, containedAction, (_incident, input) => `Recorded ${input.actionId} as carried out by hand by ${input.by}.`, { showMissing: false });
