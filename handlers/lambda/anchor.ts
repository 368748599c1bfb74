/**
 * The anchor, on the sweep's schedule (every 5 minutes): writes a signed digest of the incidents
 * table's root to the digest bucket (S3 Object Lock, compliance mode), signed with the KMS key
 * (core/anchor.ts). What does not verify is not anchored: an incident that does not is left out of
 * the digest (the others are signed, review13 K3), a registry shard that does not is carried on as
 * the digest before anchored it, not renewed; the
 * problems are logged by incident and entry (never values) and the invocation fails, so the errors
 * alarm pages on-call.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { anchorStore, LEFT_OUT_NOT_READ, RolledBackError } from '../core/anchor.js';
import type { AuditProblem } from '../core/audit.js';
import { DatalekError } from '../core/errors.js';
import type { AuditSource } from '../ports/audit-source.js';
import type { DigestSigner, DigestStore } from '../ports/digests.js';

export interface AnchorDeps {
  source: AuditSource;
  digests: DigestStore;
  /** The KMS signer, made on first use (it reads the key's public key once per cold start). */
  signer: () => Promise<DigestSigner>;
  logger: Logger;
  now: () => string;
}

/** How many incident ids one log line, and the run's error, names of the incidents left out. */
export const LEFT_OUT_PER_LINE = 100;

/** A problem naming an incident the last digest left out that this run did not read (core/anchor.ts, past maxBroken of them). */
function leftOutNotRead(p: AuditProblem): boolean {
  return p.entry === LEFT_OUT_NOT_READ;
}

export function createAnchorHandler(deps: AnchorDeps) {
  return async (): Promise<{ sequence: number | null; incidents: number }> => {
    let result: Awaited<ReturnType<typeof anchorStore>>;
    try {
      result = await anchorStore({ source: deps.source, digests: deps.digests, signer: await deps.signer(), now: deps.now });
    } catch (err) {
      // The table went back behind its digests (or another writes to this prefix): an error the alarm sees.
      if (err instanceof RolledBackError) deps.logger.error('the record is behind its digests', { problem: err.message });
      throw err;
    }
    for (const a of result.adopted)
      deps.logger.warn('took a digest written by an anchor that stopped before recording it', { sequence: a.sequence, digest: a.name });
    // A person's release (anchor --release, with the signing key) is named in the pipeline's log too: which incidents, which digest (never who or why).
    if (result.releasedBefore)
      deps.logger.warn(
        'the last digest releases incidents or registry shards from their pinned heads by hand (datalek anchor --release or --release-shard; verify --digests shows who and why)',
        { sequence: result.releasedBefore.sequence, incidentIds: result.releasedBefore.incidents, registryShards: result.releasedBefore.shards },
      );
    // Marks naming no incident, or stray (under another shard than their incident's), cleared: planted by whoever writes the table (never the pipeline), named once.
    if (result.unfoundedMarks.length)
      deps.logger.warn(
        "cleared anchor marks naming no incident, or kept under another shard than their incident's: planted by whoever can write the table (the pipeline never writes one)",
        {
          count: result.unfoundedMarks.length,
          incidentIds: result.unfoundedMarks.slice(0, 20),
        },
      );
    // The anchor's own record found off (the index of anchored heads cannot be completed, say): logged, the run goes on.
    if (result.bookkeeping) deps.logger.warn("the anchor's record needed mending", { problem: result.bookkeeping });
    const w = result.written;
    // `remaining`: moved but not taken this run, or marks beyond the page it reads (at least so many, when `remainingAtLeast`).
    if (w)
      deps.logger.info('wrote a digest', {
        sequence: w.sequence,
        digest: w.name,
        incidents: w.incidents.length,
        remaining: result.remaining,
        remainingAtLeast: result.remainingAtLeast,
      });
    else if (result.remaining) deps.logger.warn('marks left for the next run', { remaining: result.remaining, remainingAtLeast: result.remainingAtLeast });
    if (result.problems.length) {
      // The incidents left out before and not read by this run (beyond the ones a run reads) are named
      // in lines of LEFT_OUT_PER_LINE: their list is not bounded (whoever keeps thousands broken grows it
      // by up to a hundred a run), and a line each made a run's log grow with it, some 400 bytes an incident.
      const notRead = result.problems.filter(leftOutNotRead);
      for (const p of result.problems)
        if (!leftOutNotRead(p)) deps.logger.error('the record does not verify', { incidentId: p.incidentId, entry: p.entry, problem: p.problem });
      for (let i = 0; i < notRead.length; i += LEFT_OUT_PER_LINE)
        deps.logger.error('the record does not verify: incidents left out by the last digest, not read by this run', {
          incidentIds: notRead.slice(i, i + LEFT_OUT_PER_LINE).map((p) => p.incidentId),
          problem: notRead[0].problem,
        });
      // Written or not, the run fails: the errors alarm pages on-call.
      const named = result.leftOut.slice(0, LEFT_OUT_PER_LINE).join(', ');
      const without = [
        ...(result.leftOut.length
          ? [
              `${result.leftOut.length} incident(s) that do not verify (${named}${result.leftOut.length > LEFT_OUT_PER_LINE ? `, and ${result.leftOut.length - LEFT_OUT_PER_LINE} more the log names` : ''})`,
            ]
          : []),
        ...(result.registryLeftOut.length ? [`renewing registry shard(s) ${result.registryLeftOut.join(', ')}, which do not verify`] : []),
      ];
      const outcome = [
        // Named either way: with nothing else to sign, the run that reads a left-out incident again writes no digest.
        w
          ? `digest ${w.sequence} written without ${without.join(' or ')}: anchored once they verify`
          : `no digest written${without.length ? `, still without ${without.join(' or ')}` : ''}`,
        ...(result.stoppedOnBroken
          ? [
              `stopped after ${result.leftOut.length} that do not verify, ${result.remainingAtLeast ? 'at least ' : ''}${result.remaining} more not checked (the next run goes on after them)`,
            ]
          : []),
      ].join('; ');
      throw new DatalekError(`anchor: ${result.problems.length} problem(s) in the record; ${outcome} (datalek verify --target aws)`);
    }
    if (!w) {
      deps.logger.info('nothing changed since the last digest');
      return { sequence: null, incidents: 0 };
    }
    return { sequence: w.sequence, incidents: w.incidents.length };
  };
}
