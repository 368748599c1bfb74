import { describeProblem } from '../../core/audit.js';
import type { RegistryReleaseShown, ReleaseShown } from '../../core/digest.js';
import { type DriftReport, drifted, unread } from '../../core/drift.js';
import { shortDigest } from '../../core/due-policy.js';
import { IncidentNotFoundError, StoreError } from '../../core/errors.js';
import { pseudonymState } from '../../core/incident-pseudonyms.js';
import { minimisedElsewhere } from '../../core/minimise.js';
import { oneLine } from '../../core/text.js';
import { type VerifyResult, verifyOk, verifyStore } from '../../core/verify-store.js';
import { digestStore, digestVerifier } from '../anchoring.js';
import type { DrillMark } from '../backend.js';
import { readBackContainment } from '../containment-check.js';
import { type Context, withBackend } from '../context.js';
import { type DecisionNotByFg, decisionNotByFgLine, decisionsNotByFg, type FgRole, fgNotCheckedLine, fgRoleUnread, reportedNotByFg } from '../fg-role.js';

/**
 * SQLite failing on what the file holds (a corrupt page, not a database, an unsupported format: the
 * bytes were changed) is tampering found, exit 1; failing to get at the file at all (busy, no
 * permission, I/O, no memory) is a failure to run, exit 3.
 */
function damaged(err: unknown): string | null {
  const code = err instanceof StoreError ? String((err.cause as { code?: string } | undefined)?.code ?? '') : '';
  if (!code.startsWith('SQLITE_')) return null;
  return /^SQLITE_(BUSY|LOCKED|CANTOPEN|PERM|READONLY|IOERR|NOMEM|FULL|AUTH|INTERRUPT)/.test(code) ? null : code;
}

function drillProblem(mark: DrillMark): string {
  return `marked as a drill copy of ${mark.from} (made ${mark.at}): every message it sends is marked [DRILL], it pages no pager and takes any --now. A drill copy is not the record; on the real store this mark was put there behind datalek's back.`;
}

export async function verify(ctx: Context): Promise<number> {
  const digests = await digestStore(ctx);
  const verifier = digests ? await digestVerifier(ctx) : null;
  const only = ctx.positionals[0];
  let result: VerifyResult;
  let drill: string | null = null;
  let containment: DriftReport | null = null;
  const pseudonymised: string[] = [];
  // On AWS: the FG's decisions no session of the FG's role recorded (fgrole item 3), named, not failed.
  const notByFg: DecisionNotByFg[] = [];
  let fg: FgRole | null = null;
  let fgUnknown: string | null = null;
  let fgUnread: unknown = null;
  try {
    result = await withBackend(ctx, 'read', async (backend) => {
      if (only && !(await backend.audit.incidentIds()).includes(only)) throw new IncidentNotFoundError(only);
      // Claims are judged against the real clock (a past --now would make every lease look long).
      const now = [ctx.now(), ctx.systemNow()].sort().at(-1) as string;
      const verified = await verifyStore(backend.audit, {
        only,
        now,
        policy: ctx.policy,
        ...(digests && verifier ? { digests: { store: digests, verifier } } : {}),
      });
      // The drill mark sits outside the ledger; on a real store it would mark every page a drill,
      // keep the pager quiet and take any --now. A drill copy is never the record either way.
      if (backend.drill) drill = drillProblem(backend.drill);
      // A record that cannot be read is the ledger check's problem, reported above; it is left out here.
      const incidents = only
        ? [await backend.store.getIncident(only).catch(() => undefined)].filter((i) => i !== undefined)
        : await backend.store.listIncidents({ onUnreadable: () => undefined });
      // Minimised, and still named by the store-wide pseudonym: said, not failed (README "Recorded before pseud21").
      // So is one closed whose findings all went on to another incident and were minimised there: it has no note of its own (fg22).
      for (const i of incidents) {
        if (!['store-wide', 'until-released'].includes(pseudonymState(i) ?? '')) continue;
        if (i.minimised || (i.state === 'closed' && (await minimisedElsewhere(backend.audit, i.id)))) pseudonymised.push(i.id);
      }
      // On AWS the containment the records hold is read back: a record saying "network cut" about
      // an interface someone put back in its groups does not verify (review5 A15).
      if (backend.target === 'aws') {
        containment = await readBackContainment(ctx, incidents, backend.store);
      }
      if (backend.fgRole) {
        try {
          fg = await backend.fgRole();
          for (const i of incidents) notByFg.push(...decisionsNotByFg(await backend.store.getTimeline(i.id), fg));
        } catch (err) {
          // As show says it (fgr28): the error's kind and the permissions, the session's name in AWS's message left out.
          fgUnread = err;
          fgUnknown = fgRoleUnread(err) ?? (err as Error).message;
        }
      }
      return verified;
    });
  } catch (err) {
    // Random bytes in the file: that is tampering (or damage) found, exit 1, not a failure to run.
    const code = damaged(err);
    if (!code) throw err;
    if (ctx.flags.json) ctx.io.out(JSON.stringify({ checked: 0, ok: false, store: [(err as Error).message], breaks: [] }, null, 2));
    else ctx.io.err(oneLine(`datalek: store: the file is damaged and cannot be read as a store (${code}): ${(err as Error).message}`));
    return 1;
  }
  const recordOk = verifyOk(result) && drill === null;
  // (Set inside the backend's callback, which the compiler does not follow.)
  const report = containment as DriftReport | null;
  const found = report !== null && drifted(report);
  const notKnown = report !== null && unread(report);
  const ok = recordOk && !found && !notKnown;
  // Something found (the record altered, or containment not as recorded): 1. Only reads that
  // failed: 3, not known either way, never "verified".
  const code = !recordOk || found ? 1 : notKnown ? 3 : 0;
  if (ctx.flags.json) {
    ctx.io.out(
      JSON.stringify(
        {
          checked: result.checked,
          ok,
          store: drill ? [...result.store, drill] : result.store,
          breaks: result.problems.map((p) => ({ incidentId: p.incidentId, entry: p.entry, seq: p.seq ?? null, problem: p.problem })),
          adopted: result.adopted,
          ...(result.duePolicy ? { duePolicy: result.duePolicy } : {}),
          ...(result.digests ? { digests: result.digests } : {}),
          ...(report ? { containmentCheck: report } : {}),
          ...(fg || fgUnknown ? { fgDecisionsNotByFg: notByFg.map(reportedNotByFg), ...(fgUnknown ? { fgRoleUnknown: fgUnknown } : {}) } : {}),
        },
        null,
        2,
      ),
    );
    return code;
  }
  for (const line of result.store) ctx.io.err(oneLine(`datalek: store: ${line}`));
  if (drill) ctx.io.err(oneLine(`datalek: store: ${drill}`));
  for (const p of result.problems) ctx.io.err(oneLine(`datalek: ${describeProblem(p)}`));
  for (const p of result.digests?.problems ?? []) ctx.io.err(oneLine(`datalek: ${p.incidentId ? `incident ${p.incidentId}, ` : ''}${p.digest}: ${p.problem}`));
  for (const r of report?.resources ?? []) {
    if (r.state === 'in-place') continue;
    const what = r.state === 'unreadable' ? 'containment could not be read back' : `containment ${r.state === 'gone' ? 'gone' : 'not as recorded'}`;
    ctx.io.err(
      oneLine(
        `datalek: incident ${r.incidentId}, ${r.actionId}: ${what}: ${r.resource} (${r.accountId}/${r.region}): the record says ${r.recorded}; AWS shows ${r.actual}${r.todo ? `; do: ${r.todo}` : ''}${r.runbook ? ` (${r.runbook})` : ''}`,
      ),
    );
  }
  if (recordOk) {
    const n = result.checked;
    ctx.io.out(
      `${n} incident${n === 1 ? '' : 's'} verified: ledger, registry, records, findings, timelines and messages match what was written, and every claim on a resource is its holder's${result.store.length === 0 ? '' : ''}.`,
    );
    for (const a of adoptedLines(result.adopted)) ctx.io.out(a);
    if (result.digests) {
      const last = result.digests.last;
      ctx.io.out(
        last
          ? `The store holds everything ${result.digests.checked} digest${result.digests.checked === 1 ? '' : 's'} anchored (the last: ${last.sequence}, ${last.at}).`
          : 'No digests found there: nothing anchored to compare with.',
      );
    }
  }
  // Each release is a person's word in the signed record: shown whatever else verify found.
  for (const r of result.digests?.released ?? []) ctx.io.out(oneLine(releaseLine(r)));
  for (const r of result.digests?.registryReleased ?? []) ctx.io.out(oneLine(shardReleaseLine(r)));
  if (report) for (const line of containmentSummary(report)) ctx.io.out(line);
  if (pseudonymised.length && !ctx.flags.json) ctx.io.err(pseudonymisedLine(pseudonymised));
  if (result.duePolicy && !ctx.flags.json) for (const line of duePolicyLines(result.duePolicy)) ctx.io.err(oneLine(line));
  // A decision's history is not rewritten, and its caller is what the CLI wrote: named for the FG to account for, not failed.
  const fgRead = fg as FgRole | null;
  if (fgRead) for (const d of notByFg) ctx.io.err(oneLine(`datalek: ${decisionNotByFgLine(d, fgRead)}`));
  if (fgUnread !== null) ctx.io.err(oneLine(`datalek: ${fgNotCheckedLine(fgUnread)}`));
  return code;
}

/**
 * The policy this verify loaded against the one the sweep last set every due time under, and the due
 * times another policy set that miss what the loaded one gives (verify-store.ts dueTimeMissed): a
 * policy change the sweep follows, or a verify without the pipeline's policy. Said, not failed.
 */
function duePolicyLines(due: NonNullable<VerifyResult['duePolicy']>): string[] {
  const lines: string[] = [];
  const loaded = shortDigest(due.loaded);
  const swept = due.swept;
  if (swept && swept.digest !== due.loaded)
    lines.push(
      `POLICY: this verify loaded policy ${loaded}, not the one the sweep last set every due time under (policy ${shortDigest(swept.digest)}, at ${swept.at}): a due time set under that one is held to it. The next sweep under a changed policy sets them again itself; if this verify did not load the pipeline's policy, run it with that one (--policy, DATALEK_POLICY).`,
    );
  for (const [judged, list] of [
    [true, due.changed.filter((c) => c.judged)],
    [false, due.changed.filter((c) => !c.judged)],
  ] as const) {
    if (list.length === 0) continue;
    const ids = list.map((c) => c.incidentId);
    const named = `${ids.slice(0, NAMED_PSEUDONYMISED).join(', ')}${ids.length > NAMED_PSEUDONYMISED ? ` and ${ids.length - NAMED_PSEUDONYMISED} more` : ''}`;
    lines.push(
      `POLICY CHANGED: ${list.length} incident${list.length === 1 ? '' : 's'} (${named}) hold${list.length === 1 ? 's' : ''} a due time set under another policy than policy ${loaded}, which this verify loaded and under which something falls due earlier (--json lists each). ${
        judged
          ? 'Held to the policy that set it, it is what that policy gives: no tampering.'
          : 'Not held to the policy that set it: the store keeps no settings of that policy (only of the one the sweep last set every due time under).'
      } The sweep sets them again under the policy in force at its next run (datalek sweep does now), with an entry saying so.`,
    );
  }
  return lines;
}

/** How many minimised incidents listed at most by id in `pseudonymisedLine`. */
const NAMED_PSEUDONYMISED = 5;

/**
 * The minimised incidents that still name someone by the store-wide keyed pseudonym (recorded before
 * pseud21, or kept by a step still in effect or a retention hold): no break of the record, but not
 * what "minimised" promises.
 */
function pseudonymisedLine(ids: string[]): string {
  const named = ids.slice(0, NAMED_PSEUDONYMISED).join(', ');
  const more = ids.length - NAMED_PSEUDONYMISED;
  return `PSEUDONYMISED: ${ids.length} minimised incident${ids.length === 1 ? '' : 's'} (${named}${more > 0 ? ` and ${more} more` : ''}) still name${ids.length === 1 ? 's' : ''} someone by a keyed pseudonym made with the store's secret: whoever holds the store can confirm a guessed name (pseudonymised, not anonymous). Recorded before pseud21 (December 1, 2026), or kept by a step still in effect or a retention hold; the register says which (README, "Recorded before pseud21"), but of one whose findings all went on to another incident and were minimised there, which has no minimisation of its own`;
}

/** What the read-back found, for stdout (each resource not in place was told on stderr). */
function containmentSummary(report: DriftReport): string[] {
  const n = report.resources.length;
  const inPlace = report.resources.filter((r) => r.state === 'in-place').length;
  const lines = [
    n === 0
      ? 'Containment: no record holds containment that can be read back from AWS.'
      : `Containment read back from AWS at ${report.checkedAt}: ${inPlace} of ${n} resource check(s) as the record says${inPlace === n ? '.' : '; the others are told above.'}`,
  ];
  for (const x of report.notChecked) lines.push(oneLine(`Not read back: incident ${x.incidentId}, ${x.actionId}: ${x.what}.`));
  // A person's step still open, as AWS shows it now (cont26): another incident's containment may have done it.
  for (const o of report.open ?? []) lines.push(oneLine(`Open step: incident ${o.incidentId}, ${o.actionId}: ${o.actual}; do: ${o.todo}.`));
  return lines;
}

/** Adopted incidents, grouped by adoption: vouched for as found then, not checked against what came before. */
function adoptedLines(adopted: VerifyResult['adopted']): string[] {
  const groups = new Map<string, string[]>();
  for (const a of adopted) {
    const key = `${a.at}\u0000${a.by ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), a.incidentId]);
  }
  return [...groups].map(([key, ids]) => {
    const [at, by] = key.split('\u0000');
    return oneLine(
      `Adopted: ${ids.length} incident${ids.length === 1 ? ' was' : 's were'} entered into the ledger at ${at}${by ? ` by ${by}` : ' (by the store on opening, before adoption became a command)'} as found then (${ids.slice(0, 5).join(', ')}${ids.length > 5 ? `, and ${ids.length - 5} more` : ''}): their history before rests on their timelines' own chains, not on the ledger.`,
    );
  });
}

/** A release as verify shows it: who gave up which pinned heads of which incident, when and why, in which digest. */
function releaseLine(r: ReleaseShown): string {
  const gaveUp = [
    ...(r.anchored ? [`ledger entry ${r.anchored[0]} as anchored`] : []),
    ...(r.seen ? [`ledger entry ${r.seen[0]} as seen while left out`] : []),
  ];
  return `Released by hand: incident ${r.incident} in digest ${r.sequence} (${r.at}) by ${r.by}: gave up ${gaveUp.join(' and ')}, anchored from ledger entry ${r.taken[0]} on; why: ${r.why}. The heads given up are no longer checked: the release is that person's word.`;
}

/** A registry shard's release as verify shows it: who gave up which of its pinned heads, when and why, in which digest. */
function shardReleaseLine(r: RegistryReleaseShown): string {
  const gaveUp = [...(r.anchored ? [`entry ${r.anchored[0]} as anchored`] : []), ...(r.seen ? [`entry ${r.seen[0]} as seen while left out`] : [])];
  return `Released by hand: registry shard ${r.shard} in digest ${r.sequence} (${r.at}) by ${r.by}: gave up ${gaveUp.join(' and ')}, renewed from entry ${r.taken[0]} on; why: ${r.why}. The heads given up are no longer checked: the release is that person's word.`;
}
