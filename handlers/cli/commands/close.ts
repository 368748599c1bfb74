import { closeAction } from '../../use-cases/actions.js';
import type { Command } from '../context.js';
import { flagsOf, recordAction } from './fg-common.js';

export const closeCommand: Command = {
  name: 'close',
  section: 'fg',
  usage: '  datalek close ID --reason TEXT [--overdue-reason TEXT] [--by NAME]',
  flags: flagsOf(closeAction.fields),
  positionals: 'one',
  run: (ctx) => recordAction(ctx, closeAction, () => 'Closed; it stays in the register.', { showMissing: false }),
};
