import { containedAction } from '../../use-cases/actions.js';
import type { Command } from '../context.js';
import { flagsOf, recordAction } from './fg-common.js';

export const containedCommand: Command = {
  name: 'contained',
  section: 'fg',
  usage: `  datalek contained ID --action ID --what TEXT [--at ISO] [--by NAME]
                   (a planned containment action carried out by hand, e.g. a person's step or one the policy only
                    plans: it is then done, by hand; nothing automatic carries it out again, and a release leaves
                    it to a person, since datalek holds nothing to undo it by; --action as show lists its id)`,
  flags: flagsOf(containedAction.fields),
  positionals: 'one',
  run: (ctx) =>
    recordAction(ctx, containedAction, (_incident, input) => `Recorded ${input.actionId} as carried out by hand by ${input.by}.`, { showMissing: false }),
};
