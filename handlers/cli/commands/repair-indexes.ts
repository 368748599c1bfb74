import { SqliteIncidentStore } from '../../adapters/local/sqlite-store.js';
import { oneLine } from '../../core/text.js';
import { type Context, withBackend } from '../context.js';
import { UsageError } from '../errors.js';

/**
 * `datalek repair-indexes --by NAME`: what verify tells to run when integrity_check names an index
 * (adapters/local/index-repair.ts). Exit 0 when integrity_check finds nothing afterwards, 1 when it
 * still finds something (damage a rebuild of an index does not repair), 2 when SQLite refuses a
 * rebuild (nothing rebuilt, nothing recorded).
 */
export async function repairIndexes(ctx: Context): Promise<number> {
  const by = String(ctx.flags.by).trim();
  return withBackend(ctx, 'write', async (backend) => {
    const store = backend.store;
    if (!(store instanceof SqliteIncidentStore)) throw new UsageError('repair-indexes rebuilds the embedded store (--target local)');
    // When it was really done: the machine's clock, not a stated --now.
    const at = ctx.systemNow();
    const { integrityCheck, rebuilt, madeAnew, after } = await store.repairIndexes(by, at);
    const ok = after.length === 0;
    if (ctx.flags.json) {
      ctx.io.out(JSON.stringify({ rebuilt, madeAnew: madeAnew.map((ix) => ix.name), integrityCheck, after, ok }, null, 2));
      return ok ? 0 : 1;
    }
    const lines: string[] = [];
    for (const ix of madeAnew) lines.push(oneLine(`Made index ${ix.name} anew as the pipeline makes it (it read: ${ix.sql}).`));
    if (!integrityCheck.length && !madeAnew.length) lines.push('integrity_check finds nothing: no index rebuilt (each index is as the pipeline makes it).');
    else if (integrityCheck.length && !rebuilt.length) lines.push('integrity_check names no index: nothing rebuilt.');
    for (const name of rebuilt) {
      const said = integrityCheck.filter((l) => l.includes(`index ${name}`));
      lines.push(oneLine(`Rebuilt index ${name} (integrity_check: ${said.join('; ')}).`));
    }
    const done = rebuilt.length + madeAnew.length > 0;
    if (done) lines.push(oneLine(`The rebuild is recorded in the store (meta 'index-repairs') as done by ${by} at ${at}.`));
    if (ok && done) lines.push(`integrity_check now finds nothing; datalek verify checks the rest.`);
    if (!ok) {
      lines.push('integrity_check still finds (a rebuild of an index does not repair this: put the store back from a copy, datalek verify says what else):');
      for (const l of after) lines.push(oneLine(`  ${l}`));
    }
    ctx.io.out(lines.join('\n'));
    return ok ? 0 : 1;
  });
}
