#!/usr/bin/env node
// The `datalek` command: runs the TypeScript CLI through tsx, so there is no build step.
import { register } from 'tsx/esm/api';

register();
// The AWS SDK warns on Node 20 that releases after January 2027 need Node 22. The CLI's stderr
// carries one line per problem for scripts; the warning is about the SDK's future, not this run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { main, stopQuietlyOnClosedPipe } = await import('../handlers/cli.ts');
stopQuietlyOnClosedPipe();
process.exitCode = await main(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  errIsTty: Boolean(process.stderr.isTTY),
  env: process.env,
  cwd: process.cwd(),
});
