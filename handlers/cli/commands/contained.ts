import { containedAction } from '../../use-cases/actions.js';
import type { Command } from '../context.js';
import { flagsOf, recordAction } from './fg-common.js';

export const containedCommand: Command = {
  name: 'contained',
  section: 'fg',
  usage: `  datalek contained ID --action ID --what TEXT [--at ISO] [--by NAME] [--owner-key AKIA…[,AKIA…]]
                   (a planned containment action carried out by hand, e.g. a person's step or one the policy only
                    plans: it is then done, by hand; nothing automatic carries it out again, and a release leaves
                    it to a person, since datalek holds nothing to undo it by; --action as show lists its id;
                    --owner-key: a key action that failed naming another key of its user (OtherKeyActive), that key
                    confirmed as the owner's: show / verify --target aws read it as the owner's, confirmed by you;
                    on a key action datalek carried out: another key of its user verify named, the action left done)`,
  flags: flagsOf(containedAction.fields),
  positionals: 'one',
  run: (ctx) =>
    recordAction(ctx, containedAction, (_incident, input) => `Recorded ${input.actionId} as carried out by hand by ${input.by}.`, { showMissing: false }),
};
