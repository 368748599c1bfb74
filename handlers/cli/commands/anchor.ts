import {
  type AnchorResult,
  anchorStore,
  ReleaseRefusedError,
  type ReleaseRequest,
  RolledBackError,
  resourceClaimProblems,
  type ShardReleaseRequest,
} from '../../core/anchor.js';
import { describeProblem } from '../../core/audit.js';
import { changeIncident } from '../../core/change-incident.js';
import type { RegistryReleasedRow, ReleasedRow } from '../../core/digest.js';
import { REGISTRY_SHARDS } from '../../core/ledger.js';
import { oneLine } from '../../core/text.js';
import { digestSigner, digestStore } from '../anchoring.js';
import type { Backend } from '../backend.js';
import { type Context, personDeps, withBackend } from '../context.js';
import { UsageError } from '../errors.js';

/**
 * The releases asked for: `--release ID` (an incident) and/or `--release-shard N` (a registry
 * shard), each with `--by NAME --why TEXT`, none of them blank; `--by` and `--why` alone are refused.
 */
function releaseRequests(ctx: Context): { release: ReleaseRequest | null; shardRelease: ShardReleaseRequest | null } {
  const given = (flag: 'release' | 'release-shard' | 'by' | 'why') => (typeof ctx.flags[flag] === 'string' ? (ctx.flags[flag] as string).trim() : '');
  const [incidentId, shardText, by, why] = [given('release'), given('release-shard'), given('by'), given('why')];
  const asked = (['release', 'release-shard'] as const).filter((f) => ctx.flags[f] !== undefined);
  if (!asked.length) {
    const stray = (['by', 'why'] as const).filter((f) => ctx.flags[f] !== undefined);
    if (stray.length) throw new UsageError(`${stray.map((f) => `--${f}`).join(' and ')} belong to --release ID or --release-shard N: nothing was anchored`);
    return { release: null, shardRelease: null };
  }
  const named = asked.map((f) => `--${f}`).join(' and ');
  const missing = [
    ...(ctx.flags.release !== undefined && !incidentId ? ['--release ID'] : []),
    ...(ctx.flags['release-shard'] !== undefined && !shardText ? ['--release-shard N'] : []),
    ...(by ? [] : ['--by NAME (who releases)']),
    ...(why ? [] : ['--why TEXT (why the pinned heads are given up)']),
  ];
  if (missing.length)
    throw new UsageError(
      `anchor ${named} needs ${missing.join(' and ')}: a release is a person's word in the signed record, so it says who and why; nothing was anchored`,
    );
  let shardRelease: ShardReleaseRequest | null = null;
  if (shardText) {
    const shard = /^\d+$/.test(shardText) ? Number(shardText) : Number.NaN;
    if (!(shard < REGISTRY_SHARDS))
      throw new UsageError(
        `--release-shard takes a registry shard, 0 to ${REGISTRY_SHARDS - 1}: not ${shardText} (the anchor's errors name it as "registry N/entry"); nothing was anchored`,
      );
    shardRelease = { shard, by, why };
  }
  return { release: incidentId ? { incidentId, by, why } : null, shardRelease };
}

export async function anchor(ctx: Context): Promise<number> {
  const { release, shardRelease } = releaseRequests(ctx);
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
      result = await anchorStore({
        source: backend.audit,
        signer,
        digests,
        now: ctx.systemNow,
        ...(release ? { releases: [release] } : {}),
        ...(shardRelease ? { shardReleases: [shardRelease] } : {}),
      });
    } catch (err) {
      if (err instanceof ReleaseRefusedError) throw new UsageError(err.message);
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
    if (result.unfoundedMarks.length) ctx.io.err(oneLine(`datalek: ${unfoundedLine(result.unfoundedMarks)}`));
    // Where marks pile up past a run (DynamoDB), those beyond the page it reads are counted only so far.
    const more = `${result.remainingAtLeast ? 'at least ' : ''}${result.remaining}`;
    if (result.stoppedOnBroken)
      ctx.io.err(
        `datalek: stopped after ${result.leftOut.length} incident(s) that do not verify: ${more} more that moved were not checked; the next run goes on after them (one run reads a bounded number)`,
      );
    else if (result.remaining) ctx.io.err(`datalek: ${more} more incident head(s) moved; the next run anchors them (one run takes a bounded number)`);
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
    const unrecorded = w ? await recordReleases(ctx, backend, w.sequence, result.released) : [];
    if (w) for (const r of result.registryReleased) ctx.io.err(oneLine(shardReleaseLine(w.sequence, r)));
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
          released: result.released,
          registryReleased: result.registryReleased,
          unfoundedMarks: result.unfoundedMarks,
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
    return problems.length || result.bookkeeping || unrecorded.length ? 1 : 0;
  });
}

/**
 * Each release signed in digest `sequence`, said on the terminal and recorded in the incident's
 * timeline (`anchor-released`), so that `show` and the register's reader see it beside the record.
 * The digest is the release; a timeline entry that cannot be written is named (exit 1), never
 * hidden. Returns the incidents whose timeline did not take it.
 */
async function recordReleases(ctx: Context, backend: Backend, sequence: number, released: ReleasedRow[]): Promise<string[]> {
  const unrecorded: string[] = [];
  for (const r of released) {
    const gaveUp = [
      ...(r.anchored ? [`the head anchored (ledger entry ${r.anchored[0]})`] : []),
      ...(r.seen ? [`the head seen while left out (ledger entry ${r.seen[0]})`] : []),
    ];
    ctx.io.err(
      oneLine(
        `datalek: incident ${r.incident} released by ${r.by} in digest ${sequence}: gave up ${gaveUp.join(' and ')}, anchored at ledger entry ${r.taken[0]} as its own chain verifies; why: ${r.why}. The release is that person's word, signed in the record: datalek verify --digests shows it`,
      ),
    );
    try {
      await changeIncident(personDeps(ctx, backend), r.incident, () => ({
        entries: [
          {
            at: ctx.now(),
            kind: 'anchor-released',
            actor: r.by,
            detail: { digest: sequence, why: r.why, ...(r.anchored ? { anchored: r.anchored } : {}), ...(r.seen ? { seen: r.seen } : {}), taken: r.taken },
          },
        ],
      }));
    } catch (err) {
      unrecorded.push(r.incident);
      ctx.io.err(
        oneLine(
          `datalek: the release of incident ${r.incident} is signed in digest ${sequence}, but its timeline could not record it: ${(err as Error).message}; verify --digests shows the release`,
        ),
      );
    }
  }
  return unrecorded;
}

/** A registry shard's release signed in digest `sequence`, said on the terminal: no incident's timeline holds a shard, so verify --digests shows it from then on. */
function shardReleaseLine(sequence: number, r: RegistryReleasedRow): string {
  const gaveUp = [
    ...(r.anchored ? [`the head anchored (entry ${r.anchored[0]})`] : []),
    ...(r.seen ? [`the head seen while left out (entry ${r.seen[0]})`] : []),
  ];
  return `datalek: registry shard ${r.shard} released by ${r.by} in digest ${sequence}: gave up ${gaveUp.join(' and ')}, renewed at entry ${r.taken[0]} as its own chain verifies; why: ${r.why}. The release is that person's word, signed in the record: datalek verify --digests shows it`;
}

/** The marks naming no incident, or stray, a run cleared, said as what they mean (core/anchor.ts `unfoundedMarks`). */
function unfoundedLine(ids: string[]): string {
  return `cleared ${ids.length} anchor mark(s) naming no incident or kept under another shard than their incident's (${ids.slice(0, 10).join(', ')}${ids.length > 10 ? `, and ${ids.length - 10} more` : ''}): the pipeline never writes one, so whoever can write the table planted them (or deleted an incident with its registry entry before any digest anchored it); an incident deleted after that is still named by the registry and verify --digests`;
}
