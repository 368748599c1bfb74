import { coverageMarkdown } from '../../core/coverage.js';
import type { Context } from '../context.js';

export async function coverage(ctx: Context): Promise<number> {
  ctx.io.out(coverageMarkdown(ctx.policy, ctx.flags.policy ? `the policy ${ctx.flags.policy}` : 'the built-in policy'));
  return 0;
}
