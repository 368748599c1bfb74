import { existsSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SqliteIncidentStore, STORE_FILE } from '../../adapters/local/sqlite-store.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';

/**
 * 1. The source must be a store, the destination must not hold one (a drill never overwrites).
 * 2. Copy the source as one consistent snapshot (it may be in use), read-only.
 * 3. Mark the copy as a drill: from then on any `--now` goes there and every message is marked.
 */
export async function drill(ctx: Context): Promise<number> {
  const from = resolve(ctx.io.cwd, ctx.flags.from as string);
  // Without --store (or DATALEK_STORE), a new folder beside the source: never the default store.
  const explicit = ctx.flags.store !== undefined || ctx.io.env.DATALEK_STORE !== undefined;
  const to = explicit ? resolve(ctx.io.cwd, ctx.storeDir) : `${from}-drill-${ctx.systemNow().replace(/[-:]/g, '').slice(0, 15)}`;
  if (!existsSync(join(from, STORE_FILE))) throw new UsageError(`no store at ${from} (no ${STORE_FILE} there): --from names the store to copy`);
  if (existsSync(join(to, STORE_FILE))) {
    throw new UsageError(`${to} already holds a store: a drill goes into a new folder (--store DIR), never over a store`);
  }
  if (existsSync(to) && realpathSync(to) === realpathSync(from)) throw new UsageError('--store must be another folder than --from');

  const source = new SqliteIncidentStore(from, { readOnly: true });
  let incidents: number;
  try {
    source.copyTo(to);
    incidents = (await source.incidentIds()).length;
  } finally {
    await source.close();
  }
  const copy = new SqliteIncidentStore(to);
  const mark = { from: source.drill ? `${from} (itself a drill of ${source.drill.from})` : from, at: ctx.systemNow() };
  try {
    copy.markDrill(mark);
  } finally {
    await copy.close();
  }
  if (ctx.flags.json) ctx.io.out(JSON.stringify({ store: to, from, at: mark.at, incidents }));
  else
    ctx.io.out(
      `Drill store ${to}: a copy of ${from} with ${incidents} incident${incidents === 1 ? '' : 's'}. Any --now goes there and every message is marked [DRILL], e.g.\n  datalek sweep --store ${to} --now 2030-01-01T09:00:00Z`,
    );
  return 0;
}
