import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteIncidentStore, STORE_FILE } from '../../adapters/local/sqlite-store.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';

/**
 * A store from before the ledger is refused for writing (the next sweep would otherwise vouch for
 * whatever the file holds, an edit whose ledger was dropped included). Adopting it is this
 * deliberate act: each incident gets a first ledger entry with what is found now and who vouched.
 * `verify` names adopted incidents from then on.
 */
export async function adopt(ctx: Context): Promise<number> {
  if (!existsSync(join(ctx.storeDir, STORE_FILE))) throw new UsageError(`no store at ${ctx.storeDir} (no ${STORE_FILE} there): give --store DIR`);
  const by = (ctx.flags.by as string).trim();
  const store = new SqliteIncidentStore(ctx.storeDir, { adopt: { by } });
  try {
    const adopted = store.adopted;
    if (ctx.flags.json) ctx.io.out(JSON.stringify({ store: ctx.storeDir, adopted, by }));
    else if (adopted === 0) ctx.io.out(`Store ${ctx.storeDir} already has its ledger: nothing was adopted.`);
    else
      ctx.io.out(
        `Adopted ${adopted} incident${adopted === 1 ? '' : 's'} into the ledger in the name of ${by}: their records are vouched for as they are now, their history before rests on their timelines' own chains. datalek verify names them.`,
      );
    return 0;
  } finally {
    await store.close();
  }
}
