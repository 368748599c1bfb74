#!/usr/bin/env node
// The `datalek` command: runs the build in dist/cli/ (scripts/build.mjs; `npm install` makes it),
// built again first when it is missing or older than its sources. No TypeScript compiler runs here.
import { cliIsFresh } from '../scripts/cli-build-stamp.mjs';

if (!cliIsFresh()) {
  const { buildCli } = await import('../scripts/build.mjs');
  try {
    await buildCli();
  } catch (err) {
    process.stderr.write(`datalek: the command could not be built from its sources: ${err.message}\n`);
    process.exit(3);
  }
}
// The AWS SDK warns on Node 20 that releases after January 2027 need Node 22. The CLI's stderr
// carries one line per problem for scripts; the warning is about the SDK's future, not this run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { main, stopQuietlyOnClosedPipe } = await import('../dist/cli/cli.mjs');
stopQuietlyOnClosedPipe();
process.exitCode = await main(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  errIsTty: Boolean(process.stderr.isTTY),
  env: process.env,
  cwd: process.cwd(),
});
