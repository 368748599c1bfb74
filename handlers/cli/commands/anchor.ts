import { type AnchorResult, anchorStore, RolledBackError, resourceClaimProblems } from '../../core/anchor.js';
import { describeProblem } from '../../core/audit.js';
import { oneLine } from '../../core/text.js';
import { digestSigner, digestStore } from '../anchoring.js';
import { type Command, type Context, withBackend } from '../context.js';
import { UsageError } from '../errors.js';

export const anchorCommand: Command = {
  name: 'anchor',
  section: 'main',
  usage: `  datalek anchor [--digests DIR|s3://BUCKET/PREFIX] [--key FILE]
                                             write a signed digest of the store's root outside the store`,
  flags: { digests: { type: 'string' }, key: { type: 'string' } },
  positionals: 'none',
  run: anchor,
};

async function anchor(ctx: Context): Promise<number> {
  const digests = await digestStore(ctx);
  if (!digests) throw new UsageError('anchor needs --digests DIR (or s3://BUCKET/PREFIX, or DATALEK_DIGESTS): a place outside the store');
  const signer = await digestSigner(ctx);
  return withBackend(ctx, 'write', async (backend) => {
    // A drill copy carries the real store's anchor state: anchoring it would fork the real chain.
    if (backend.drill) throw new UsageError("a drill copy is never anchored: its digests would continue the real store's chain with made-up history");
    // The claims on resources, as verify checks them: reported, but no reason to withhold the digest (core/anchor.ts).
    const claims = await resourceClaimProblems(backend.audit, async () => (await backend.store.listIncidents({ openOnly: true })).map((i) => i.id));
    let result: AnchorResult;
    try {
      result = await anchorStore({ source: backend.audit, signer, digests, now: ctx.systemNow });
    } catch (err) {
      if (!(err instanceof RolledBackError)) throw err;
      // The store went back behind its digests: refused by name, as a finding, never a crash.
      ctx.io.err(oneLine(`datalek: ${err.message}`));
      if (ctx.flags.json) ctx.io.out(JSON.stringify({ written: null, rolledBack: err.message, problems: claims }));
      return 1;
    }
    for (const a of result.adopted) {
      ctx.io.err(
        `datalek: digest ${a.sequence} (${a.name}) was written by an anchor that stopped before recording it: it anchors what the store holds, so it is taken as written`,
      );
    }
    if (result.bookkeeping) ctx.io.err(oneLine(`datalek: ${result.bookkeeping}`));
    if (result.stoppedOnBroken)
      ctx.io.err(
        `datalek: stopped after ${result.leftOut.length} incident(s) that do not verify: ${result.remaining} more that moved were not checked; the next run goes on after them (one run reads a bounded number)`,
      );
    else if (result.remaining)
      ctx.io.err(`datalek: ${result.remaining} more incident head(s) moved; the next run anchors them (one run takes a bounded number)`);
    const problems = [...result.problems, ...claims];
    for (const p of problems) ctx.io.err(oneLine(`datalek: ${describeProblem(p)}`));
    if (result.problems.length && !result.written) {
      ctx.io.err('datalek: the store does not verify: no digest written (signing it would bless the change); datalek verify shows it all');
      if (ctx.flags.json) ctx.io.out(JSON.stringify({ written: null, leftOut: result.leftOut, registryLeftOut: result.registryLeftOut, problems }));
      return 1;
    }
    if (result.leftOut.length) {
      // The others are signed all the same (review13 K3): withholding them would leave their new history unanchored.
      ctx.io.err(
        `datalek: ${result.leftOut.length} incident(s) do not verify and are left out of the digest (signing them would bless the change; anchored once they verify again): ${result.leftOut.join(', ')}; datalek verify shows it all`,
      );
    }
    if (result.registryLeftOut.length && result.written) {
      // Carried on as last anchored, the rest signed all the same: withholding the digest let one registry item stop all anchoring.
      ctx.io.err(
        `datalek: registry shard(s) ${result.registryLeftOut.join(', ')} do not verify: the digest carries them as the digest before anchored them, marked as not renewed (signing them would bless the change; renewed once they verify again); datalek verify shows it all`,
      );
    }
    if (claims.length) {
      ctx.io.err(
        `datalek: the claims on resources do not verify (datalek verify shows it all); the digest was written all the same: it anchors the ledger, which holds no claim, and withholding it would leave what is recorded from now on unanchored`,
      );
    }
    const w = result.written;
    if (ctx.flags.json) {
      ctx.io.out(
        JSON.stringify({
          written: w ? { sequence: w.sequence, name: w.name, location: w.location, root: w.root, incidents: w.incidents.length } : null,
          adopted: result.adopted,
          bookkeeping: result.bookkeeping,
          remaining: result.remaining,
          stoppedOnBroken: result.stoppedOnBroken,
          leftOut: result.leftOut,
          registryLeftOut: result.registryLeftOut,
          problems,
        }),
      );
    } else if (w) {
      ctx.io.out(
        `Digest ${w.sequence} written to ${w.location}${w.name}: ${w.incidents.length} incident head${w.incidents.length === 1 ? '' : 's'} anchored, root ${w.root}.`,
      );
    } else {
      ctx.io.out('Nothing changed since the last digest: none written.');
    }
    // A record of anchored heads that is not the one the last digest left was changed behind the anchor.
    return problems.length || result.bookkeeping ? 1 : 0;
  });
}
