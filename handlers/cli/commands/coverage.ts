import { coverageMarkdown } from '../../core/coverage.js';
import type { Command, Context } from '../context.js';

export const coverageCommand: Command = {
  name: 'coverage',
  section: 'main',
  usage: '  datalek coverage [--policy FILE]           what the policy does with each GuardDuty finding family (Markdown)',
  flags: {},
  positionals: 'none',
  run: coverage,
};

async function coverage(ctx: Context): Promise<number> {
  ctx.io.out(coverageMarkdown(ctx.policy, ctx.flags.policy ? `the policy ${ctx.flags.policy}` : 'the built-in policy'));
  return 0;
}
