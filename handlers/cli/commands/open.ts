import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { STORE_FILE } from '../../adapters/local/sqlite-store.js';
import { apLegalDeadline } from '../../core/ap-verdict.js';
import type { Finding } from '../../core/finding.js';
import { findingOfEvent, openByHand } from '../../core/open-by-hand.js';
import { oneLine } from '../../core/text.js';
import { OPEN_FIELDS as FIELDS } from '../../use-cases/actions.js';
import { parseFields } from '../../use-cases/fields.js';
import { type Context, type FlagSpec, personDeps, withBackend } from '../context.js';
import { UsageError } from '../errors.js';
import { expandPaths, readEvents } from '../inputs.js';
import { statusObject } from '../views.js';
import { fgActor, flagsOf } from './fg-common.js';

/** The flags its use case reads, made from the use case's fields: index.ts lists the same (test/unit/cli-commands.test.ts). */
export const fieldFlags: Record<string, FlagSpec> = { ...flagsOf(FIELDS), 'new-store': { type: 'boolean' } };

export async function open(ctx: Context): Promise<number> {
  const values = parseFields(FIELDS, ctx.flags);
  const finding = values.finding === undefined ? undefined : await readFinding(values.finding, ctx);
  // A missing store is refused by name, as for every command a person records with: a mistyped
  // --store or another directory never records the breach in a new empty store unseen. The first
  // breach an organisation records may come before any store: --new-store makes it, and says so.
  const made = ctx.flags['new-store'] === true && ctx.target === 'local' && !existsSync(join(ctx.storeDir, STORE_FILE));
  return withBackend(ctx, ctx.flags['new-store'] === true ? 'create-synced' : 'write', async (backend) => {
    if (made) ctx.io.err(`Made a new store at ${ctx.storeDir}.`);
    const incident = await openByHand(personDeps(ctx, backend), {
      by: fgActor(ctx),
      what: values.what,
      awareAt: values['aware-at'],
      finding,
      awareReason: values['aware-reason'],
    });
    if (ctx.flags.json) {
      ctx.io.out(JSON.stringify(statusObject(incident, ctx.policy, ctx.now()), null, 2));
      return 0;
    }
    ctx.io.out(
      oneLine(
        `Opened ${incident.id} by hand; the AP deadline is ${apLegalDeadline(incident)}. It holds no containment. Next: datalek assess ${incident.id} --personal-data yes|no|unknown --risk none|risk|high --reason TEXT.`,
      ),
    );
    return 0;
  });
}

/** The one event `--finding` names, parsed as `replay` parses it (the same bounds); a bad one is a usage error naming it. */
async function readFinding(path: string, ctx: Context): Promise<Finding> {
  let files: ReturnType<typeof expandPaths>;
  try {
    files = expandPaths([path], ctx.io.cwd);
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`--finding ${path}: ${err.message}`);
    throw err;
  }
  const events = [];
  for (const file of files) for await (const event of readEvents(file)) events.push(event);
  if (events.length !== 1) throw new UsageError(`--finding ${path}: holds ${events.length} events, not one: give the file of the one finding`);
  const [event] = events;
  if (event.text === undefined) throw new UsageError(`--finding ${path}: not a valid event: ${event.problem}`);
  const read = findingOfEvent(event.text, ctx.now());
  if ('problem' in read) throw new UsageError(`--finding ${path}: not a valid event: ${read.problem}`);
  return read.finding;
}
