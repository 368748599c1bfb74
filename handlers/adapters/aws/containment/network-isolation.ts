/**
 * Network isolation of interfaces, shared by every containment that cuts a network interface off
 * (an EC2 instance's, an ECS task's): the VPC's two groups, and the two-step swap per interface.
 *
 * Each interface first goes into the "all traffic" group (0.0.0.0/0 and ::/0, both ways), which
 * turns its tracked connections into untracked ones, then into the isolation group with no rules
 * at all. Swapping straight to the empty group leaves tracked connections alive (5 days idle).
 *
 * Never left open: an interface in the all-traffic group is open to the whole internet, so
 * - the first swap only starts when the function has time left for the second swap and, failing
 *   that, a restore (the function's deadline comes in through the execution context);
 * - the second swap is retried with exponential backoff and jitter while that time lasts;
 * - if it still fails, the interface's own groups are put back (retried the same way);
 * - if that fails too, the step fails as *exposed*: the incident records it, on-call gets a
 *   Critical page of its own and the contain function logs the metric its alarm watches;
 * - the next run starts with the exposed interfaces, and reads where each unfinished interface is
 *   before touching it (a run killed between the two swaps leaves no record of its own).
 */
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  type IpPermission,
  ModifyNetworkInterfaceAttributeCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { ALREADY_ISOLATED, FOUND_ISOLATED, GROUPS_MADE } from '../../../core/containment.js';
import { ContainmentStepError } from '../../../core/errors.js';
import type { ActionRecord, StepRecord } from '../../../core/incident.js';
import type { ExecutionContext, IsolationGroupRole, ReleaseOptions } from '../../../ports/containment.js';
import type { ContainmentClients } from './clients.js';
import {
  type Backoff,
  errorCode,
  LeftOpenError,
  type RetryTally,
  releaseStep,
  retryWithin,
  type StepOutcome,
  type StepProgress,
  step,
  wasAnswered,
} from './steps.js';

export const ALL_TRAFFIC_GROUP = 'datalek-all-traffic';
export const ISOLATION_GROUP = 'datalek-isolation';
/**
 * The tag that marks the pipeline's own groups; the containment policy only lets it change those. Set
 * at creation, never read for a group's role: anyone who may tag a group can change it (review10 K1).
 */
const ROLE_TAG = 'datalek:role';
/** The tag naming the incident a group was made for: whose record must name the group (and its role) for it to be datalek's. */
export const CREATED_FOR_TAG = 'datalek:created-for';

export type IsolationGroups = Record<IsolationGroupRole, string>;

/** The name (and `datalek:role` tag) datalek gives each group it makes: fixed at creation, as EC2 keeps a group's name. */
const ROLE_NAME: Readonly<Record<IsolationGroupRole, string>> = { allTraffic: ALL_TRAFFIC_GROUP, isolation: ISOLATION_GROUP };

/** A group of the pipeline's, vouched for by a record (FoundGroups), in the role that record gives it. */
export type DatalekGroup = SecurityGroup & { role: IsolationGroupRole };

/**
 * The groups step's outcome: the VPC's groups, and the groups tagged as made for this incident that
 * no record names, none of them used nor changed: `orphans` carry a name datalek gives its groups
 * (a run stopped between making them and recording them, most likely), `tagged` do not (someone put
 * datalek's tags on a group of theirs).
 */
export interface PreparedGroups {
  groups: IsolationGroups;
  orphans: string[];
  tagged: string[];
  /** Each orphan's rules as the step found them: what drift compares them with (core/drift.ts `unvouched-group`). */
  orphanRules?: Record<string, { inbound: number; outbound: number }>;
}

/** The groups step's outcome as the step records it: its words, and its evidence (the unvouched groups apart from `groups`, which the record vouches for). */
export function preparedOutcome(prepared: PreparedGroups, vpcId: string): { status: 'done'; detail: string; evidence: Record<string, unknown> } {
  const { groups, orphans, tagged, orphanRules } = prepared;
  const left = [
    orphans.length
      ? `; group(s) ${orphans.join(', ')} tagged as made for this incident, with datalek's name, and named by no record (a run stopped between making them and recording them?): not used and left as they are; if no network interface is in them, delete them by hand (aws ec2 delete-security-group --group-id ID)`
      : '',
    tagged.length
      ? `; group(s) ${tagged.join(', ')} carry datalek's tags for this incident but not datalek's name, and no record names them: not datalek's, not used, left as they are; find who tagged them (CloudTrail CreateTags) and remove the tags`
      : '',
  ].join('');
  return {
    status: 'done',
    detail: `all-traffic ${groups.allTraffic}, isolation ${groups.isolation} in ${vpcId}${left}`,
    evidence: {
      groups,
      ...(orphans.length ? { orphanGroups: orphans, ...(orphanRules ? { orphanRules } : {}) } : {}),
      ...(tagged.length ? { taggedGroups: tagged } : {}),
    },
  };
}

/** A network interface to isolate, with the groups it had (what a restore puts back). */
export interface InterfaceToIsolate {
  id: string;
  groups: string[];
}

/** How the swap spends the time the function has left. */
export interface SwapTiming {
  /** The least time the first swap gets (one request's timeout). */
  firstSwapMs: number;
  /** The least time the second swap gets before the restore is due. */
  secondSwapMs: number;
  /** The time the restore may take. */
  restoreMs: number;
  /** Kept back at the end for recording the outcome, paging and logging. */
  finalReserveMs: number;
  backoff: Backoff;
  /** The budget when the caller has no deadline (the CLI). */
  withoutDeadlineMs: number;
}

export const DEFAULT_SWAP_TIMING: SwapTiming = {
  firstSwapMs: 8_000,
  secondSwapMs: 25_000,
  restoreMs: 25_000,
  finalReserveMs: 5_000,
  backoff: { baseMs: 200, capMs: 5_000 },
  withoutDeadlineMs: 5 * 60_000,
};

/** The groups of `role` in `vpcId` among `groups` (vouched for already: see FoundGroups), in the role their record gives them, never by a tag or name anyone can give a group. */
function groupsOfRole(groups: readonly DatalekGroup[], vpcId: string, role: IsolationGroupRole): DatalekGroup[] {
  return groups.filter((g) => g.VpcId === vpcId && g.role === role);
}

/** Whether `g`'s name is one datalek gives a group of `role` (`datalek-<role>`, or `datalek-<role>-<incident>` where that was taken). */
function namedAs(g: SecurityGroup, role: IsolationGroupRole): boolean {
  const name = ROLE_NAME[role];
  return g.GroupName === name || Boolean(g.GroupName?.startsWith(`${name}-`));
}

function tagOf(g: SecurityGroup, key: string): string | undefined {
  return (g.Tags ?? []).find((t) => t.Key === key)?.Value;
}

/**
 * Refuses, as the failure of the capture step `stepName`, to take up `subject` when every interface
 * of it is isolated already: another record isolated it (an incident whose take this one could not
 * see, or a release not finished). Those groups are never recorded as the ones to restore (a release
 * would keep it cut, and its own groups are only in that record).
 *
 * An interface counts as isolated only when its one group is an isolation group of datalek's in the VPC
 * (`found`: the pipeline's groups there, vouched for by its record in their role: FoundGroups) with no rule
 * in or out: a group merely NAMED or TAGGED like datalek's (anyone who can create a group can name and
 * tag it so) isolates nothing, and neither does the all-traffic group (open to all). An interface in the all-traffic group is refused loudly: a run cut
 * off between its two swaps left it open there, and its own groups are only in that run's record.
 * Returns the interfaces found isolated when others are not (a release that restored only some):
 * those are left as they are and out of this record, the others are isolated. Refusing, it writes
 * what it found into the capture step's `progress` (FOUND_ISOLATED: each interface and its group),
 * which the record keeps: the drift check reads them back under this incident too.
 */
export function refuseIsolatedAlready(
  stepName: string,
  subject: string,
  interfaces: readonly NetworkInterfaceGroups[],
  found: readonly DatalekGroup[],
  vpcId: string,
  progress: StepProgress = {},
): Set<string> {
  const { open, cut, allTraffic } = isolationStates(interfaces, found, vpcId);
  if (open.length) {
    throw new ContainmentStepError(
      stepName,
      'InAllTrafficGroup',
      `${subject}: network interface(s) ${open.map((n) => n.NetworkInterfaceId).join(', ')} are in datalek's all-traffic group (${allTraffic.join(', ')}), OPEN to all traffic: a run stopped between its two swaps left them there, and their own groups are only in that run's record. Not isolated under this incident: run \`datalek contain\` for the incident that isolates it, or isolate the interface by hand now`,
    );
  }
  if (cut.length === 0 || cut.length < interfaces.length) return new Set(cut.map((n) => n.NetworkInterfaceId as string));
  progress[FOUND_ISOLATED] = cut.map((n) => ({ id: n.NetworkInterfaceId as string, group: n.Groups?.[0]?.GroupId as string }));
  throw new ContainmentStepError(
    stepName,
    ALREADY_ISOLATED,
    `${subject}: network interface(s) ${cut.map((n) => n.NetworkInterfaceId).join(', ')} are in datalek's isolation group already (isolated under another incident, or a release not finished): not isolated again under this incident, and the isolation group is not recorded as groups to restore; the record that isolated it holds its own groups (datalek release that incident)`,
  );
}

/**
 * Which of `interfaces` are in one of datalek's groups of the VPC (`found`, vouched for: see
 * refuseIsolatedAlready): `open`, in an all-traffic group; `cut`, in an isolation group with no rule and
 * no other group. `allTraffic`: the VPC's all-traffic groups.
 */
export function isolationStates<T extends NetworkInterfaceGroups>(
  interfaces: readonly T[],
  found: readonly DatalekGroup[],
  vpcId: string,
): { open: T[]; cut: T[]; allTraffic: string[] } {
  const isolating = new Set(
    groupsOfRole(found, vpcId, 'isolation')
      .filter((g) => !g.IpPermissions?.length && !g.IpPermissionsEgress?.length)
      .map((g) => g.GroupId as string),
  );
  const allTraffic = new Set(groupsOfRole(found, vpcId, 'allTraffic').map((g) => g.GroupId as string));
  return {
    open: interfaces.filter((n) => (n.Groups ?? []).some((g) => allTraffic.has(g.GroupId ?? ''))),
    cut: interfaces.filter((n) => n.Groups?.length === 1 && isolating.has(n.Groups[0].GroupId ?? '')),
    allTraffic: [...allTraffic],
  };
}

/** An interface as EC2 describes it, with its groups. */
export interface NetworkInterfaceGroups {
  NetworkInterfaceId?: string;
  Groups?: { GroupId?: string }[];
}

/** The step that isolates one interface; its name carries the interface id. */
export function isolateStepName(interfaceId: string): string {
  return `isolate-eni:${interfaceId}`;
}

/**
 * A release's first steps: each interface an isolation swapped (or left exposed) back in its own
 * groups (`restore-eni:<id>`). Returns whether the release may go on with the steps that follow the
 * undoing (attach to the Auto Scaling group, register in target groups, associate the profile, tag
 * released): not when any restore failed. The resource is then still cut off, wholly or on an
 * interface, so putting it back in its group (whose health check fails the isolated instance and
 * terminates it, with the evidence) or behind its load balancer (which sends traffic to an instance
 * half cut off), or tagging it released, would only make the record and the resource disagree: the
 * release stops there, recorded as failed with what was restored and what was not (the core marks
 * the action partly released), and a release tried again restores the rest and goes on.
 */
export async function restoreInterfaces(
  c: Pick<ContainmentClients, 'ec2'>,
  action: ActionRecord,
  interfaces: readonly { id: string; groups: string[] }[],
  options: ReleaseOptions,
  now: () => string,
): Promise<boolean> {
  const done = new Set((action.steps ?? []).filter((s) => s.status === 'done').map((s) => s.name));
  const exposed = new Set((action.steps ?? []).filter((s) => s.exposed).map((s) => s.name));
  const outcomes: StepRecord[] = [];
  const record = async (st: StepRecord) => {
    outcomes.push(st);
    await options.record(st);
  };
  const attempt = releaseStep({ ...options, record }, now);
  for (const eni of interfaces) {
    if (!done.has(isolateStepName(eni.id)) && !exposed.has(isolateStepName(eni.id))) continue;
    await attempt(`restore-eni:${eni.id}`, async () => {
      try {
        await c.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eni.id, Groups: eni.groups }));
      } catch (err) {
        // Deleted since (a stopped task's, a trunk interface ECS deprovisioned, one detached and deleted by whoever
        // attached it): nothing left to restore or to keep isolated. Failed, it stopped every release before the
        // rest, for good, saying it was 'still isolated' (readC20).
        if (errorCode(err) !== 'InvalidNetworkInterfaceID.NotFound') throw err;
        return `${eni.id}: not found, deleted since (CloudTrail: DeleteNetworkInterface says who): nothing to restore`;
      }
      return `${eni.id}: groups ${eni.groups.join(', ')} restored`;
    });
  }
  const interfaceOf = (st: StepRecord) => st.name.slice(st.name.indexOf(':') + 1);
  const restored = outcomes.filter((st) => st.status !== 'failed').map(interfaceOf);
  const kept = outcomes.filter((st) => st.status === 'failed').map(interfaceOf);
  if (kept.length === 0) return true;
  await options.record({
    name: 'release-rest',
    status: 'skipped',
    at: now(),
    detail: restored.length
      ? `interface(s) ${restored.join(', ')} restored, ${kept.join(', ')} still isolated (restore failed): the rest of the release (Auto Scaling group, target groups, instance profile, tag) is not done; release again to restore the rest, or restore it by hand`
      : 'every interface stays isolated (its restore failed): the rest of the release is not done, and the containment stays recorded as it is',
  });
  return false;
}

/**
 * Isolates each interface as a step of its own (`isolate-eni:<id>`), all of them at once: each
 * interface's two swaps follow one another at once, and no interface waits for another. (Those a
 * failure left exposed are started first.) `resumed`: an earlier run may have started swapping
 * (its groups step was done before this run), so where each unfinished interface is now is read
 * first, in one call.
 */
export async function isolateNetworkInterfaces(
  c: Pick<ContainmentClients, 'ec2'>,
  ctx: ExecutionContext,
  input: { interfaces: InterfaceToIsolate[]; groups: IsolationGroups; resumed: boolean },
  now: () => string,
  timing: SwapTiming = DEFAULT_SWAP_TIMING,
): Promise<void> {
  // After a release touched the action, an interface recorded isolated may have its own groups back:
  // each is read again (found in the isolation group only, it is recorded done as it is).
  const names = new Set(input.interfaces.map((e) => isolateStepName(e.id)));
  const run: ExecutionContext = ctx.recheck ? { ...ctx, done: new Set([...ctx.done].filter((n) => !names.has(n))) } : ctx;
  const pending = input.interfaces.filter((e) => !run.done.has(isolateStepName(e.id)));
  if (pending.length === 0) return;
  const exposed = new Set((ctx.steps ?? []).filter((s) => s.exposed).map((s) => s.name));
  const ordered = [...pending.filter((e) => exposed.has(isolateStepName(e.id))), ...pending.filter((e) => !exposed.has(isolateStepName(e.id)))];
  const current = input.resumed
    ? await currentGroups(
        c,
        ordered.map((e) => e.id),
      )
    : new Map<string, string[]>();
  const deadline = ctx.deadline ?? Date.now() + timing.withoutDeadlineMs;
  await Promise.all(
    ordered.map((eni) =>
      step(run, isolateStepName(eni.id), now, async () => {
        const at = current.get(eni.id);
        if (at?.length === 1 && at[0] === input.groups.isolation) {
          return { status: 'done', detail: `${eni.id}: found in the isolation group only (an earlier run isolated it)` };
        }
        return swapInterface(c, eni, input.groups, at?.includes(input.groups.allTraffic) ? 'all-traffic' : 'own-groups', deadline, timing);
      }),
    ),
  );
}

/** Where the interfaces are now; an empty map when that cannot be read (then each is swapped in full). */
async function currentGroups(c: Pick<ContainmentClients, 'ec2'>, ids: string[], withinMs?: number): Promise<Map<string, string[]>> {
  try {
    const out = await c.ec2.send(
      new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ids }),
      withinMs === undefined ? {} : { abortSignal: AbortSignal.timeout(withinMs) },
    );
    return new Map((out.NetworkInterfaces ?? []).map((n) => [n.NetworkInterfaceId as string, (n.Groups ?? []).map((g) => g.GroupId as string)]));
  } catch {
    return new Map();
  }
}

/**
 * The two-step swap of one interface, from its own groups or (resuming) from the all-traffic
 * group. Returns the step's outcome, or throws: a ContainmentStepError when the interface keeps or
 * got back its own groups (not isolated, not open), a LeftOpenError when it is left open.
 */
export async function swapInterface(
  c: Pick<ContainmentClients, 'ec2'>,
  eni: InterfaceToIsolate,
  groups: IsolationGroups,
  from: 'own-groups' | 'all-traffic',
  deadline: number,
  timing: SwapTiming = DEFAULT_SWAP_TIMING,
): Promise<StepOutcome> {
  const name = isolateStepName(eni.id);
  const msLeft = (reserve: number) => () => deadline - Date.now() - reserve;
  const tally: RetryTally = { attempts: 0 };
  const setGroups = (ids: string[]) => (abortSignal: AbortSignal) =>
    c.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eni.id, Groups: ids }), { abortSignal });
  const own = eni.groups.join(', ') || 'none';
  const afterFirst = timing.secondSwapMs + timing.restoreMs + timing.finalReserveMs;
  const afterSecond = timing.restoreMs + timing.finalReserveMs;

  if (from === 'own-groups') {
    const left = msLeft(0)();
    if (left < afterFirst + timing.firstSwapMs) {
      throw new ContainmentStepError(
        name,
        'NotEnoughTime',
        `${eni.id}: not started with ${Math.round(left / 1000)} s left (a swap needs ${Math.round((afterFirst + timing.firstSwapMs) / 1000)} s to finish or undo it); it keeps its own groups (${own}) and the retry isolates it`,
      );
    }
    const first = await retryWithin(msLeft(afterFirst), timing.backoff, setGroups([groups.allTraffic]), tally);
    if (!first.ok && wasAnswered(first.error)) {
      throw new ContainmentStepError(
        name,
        errorCode(first.error),
        `${eni.id}: the all-traffic group could not be set (${tally.attempts} attempt(s)); it keeps its own groups (${own}): ${(first.error as Error).message}`,
        { cause: first.error },
      );
    }
    // Without an answer the interface may be in the all-traffic group now: go on as if it is.
  }
  const second = await retryWithin(msLeft(afterSecond), timing.backoff, setGroups([groups.isolation]), tally);
  if (second.ok) {
    const path = from === 'own-groups' ? 'all-traffic group, then isolation group only' : 'from the all-traffic group into the isolation group only';
    return { status: 'done', detail: `${eni.id}: ${path} (was ${own}; ${tally.attempts} call(s))` };
  }
  const code = errorCode(second.error);
  const why = `${eni.id}: the isolation group could not be set (${code}, ${tally.attempts} call(s) in all)`;
  const restore = await retryWithin(msLeft(timing.finalReserveMs), timing.backoff, setGroups(eni.groups), tally);
  if (restore.ok) {
    throw new ContainmentStepError(name, code, `${why}; it was restored to its own groups (${own}): NOT isolated`, { cause: second.error });
  }
  // Both failed. Where is it? One read, with what time is left, before anyone is told it is open.
  const now = await currentGroups(c, [eni.id], Math.max(1, Math.floor(msLeft(0)() / 2)));
  const at = now.get(eni.id);
  if (at?.length === 1 && at[0] === groups.isolation) {
    return { status: 'done', detail: `${eni.id}: in the isolation group only (the answer to the swap was lost; read back); was ${own}` };
  }
  if (at && !at.includes(groups.allTraffic)) {
    throw new ContainmentStepError(
      name,
      code,
      `${why}; restoring failed (${errorCode(restore.error)}) but it has its own groups (${at.join(', ')}): NOT isolated`,
      {
        cause: second.error,
      },
    );
  }
  const certainty = at ? 'is' : 'may be (its groups could not be read)';
  throw new LeftOpenError(
    name,
    code,
    `${why}, and restoring its own groups failed too (${errorCode(restore.error)}): the interface ${certainty} OPEN to all traffic in ${groups.allTraffic}; isolate it by hand now`,
    { cause: second.error },
  );
}

/** The isolation groups the store's record of an incident names, each with its role there (ExecutionContext.recordedGroups). */
export type RecordedGroups = (incidentId: string) => Promise<ReadonlyMap<string, IsolationGroupRole>>;

/**
 * The groups tagged as the pipeline's (`datalek:created-for`), as one read found them, and which of
 * them are datalek's, in which role: tags anyone who may create or tag a group can set, so a group
 * counts only when the incident its `datalek:created-for` tag names has it in its record (`recorded`:
 * the group id, which only AWS assigns, in a record only the pipeline writes), and only in the role
 * that record gives it. Its `datalek:role` tag is not read: swapped on the VPC's two groups, it made
 * the isolation group the all-traffic group, opened by datalek's next run (review10 K1). A group any
 * record read names as the isolation group is the isolation group (a record written while the tags
 * were swapped, before that was fixed, names it otherwise). Not a key in a tag (an HMAC): one more secret for
 * each function and the CLI to hold and rotate, and a seal copied onto a group made again under the
 * same name would pass; the record needs no secret, and on-call sees the same ids in `datalek show`.
 * The record is read once per VPC, for the incidents the VPC's tagged groups name (usually one).
 */
export class FoundGroups {
  private readonly byVpc = new Map<string, Promise<DatalekGroup[]>>();
  /** The groups any record read so far names as an isolation group: only ever that, never opened. */
  private readonly namedIsolation = new Set<string>();

  constructor(
    readonly tagged: readonly SecurityGroup[],
    private readonly recorded: RecordedGroups,
  ) {}

  /**
   * The VPC's groups tagged as made for `incidentId` that its record does not name (`vouched`: the
   * VPC's groups the records vouch for): a run of that incident stopped between making them and
   * recording its groups step, or someone tagged a group so. Never used nor changed; see `isolationGroups`.
   */
  orphansOf(vpcId: string, incidentId: string, vouched: readonly SecurityGroup[]): SecurityGroup[] {
    const ids = new Set(vouched.map((g) => g.GroupId));
    return this.tagged.filter((g) => g.VpcId === vpcId && tagOf(g, CREATED_FOR_TAG) === incidentId && !ids.has(g.GroupId));
  }

  /** The VPC's groups of the pipeline that its record vouches for, in the role it gives them. */
  inVpc(vpcId: string): Promise<DatalekGroup[]> {
    let vouched = this.byVpc.get(vpcId);
    if (!vouched) {
      vouched = this.vouch(this.tagged.filter((g) => g.VpcId === vpcId));
      this.byVpc.set(vpcId, vouched);
    }
    return vouched;
  }

  /**
   * Whether `group` is datalek's group of `role`: the group that won a race to create it (another
   * run's, found by its name). That run records it with its groups step, a round or two after creating
   * it: its record is read again, after each of `waitsMs`, before the group is taken for someone else's
   * (a storm's first wave in a VPC would otherwise make a group per incident). Recorded in the other
   * role, it is refused at once.
   */
  async vouches(group: SecurityGroup, role: IsolationGroupRole, waitsMs: readonly number[] = RACE_WAITS_MS, incidentId?: string): Promise<boolean> {
    // Made for the incident this run holds (its lease: no other run of it is under way): its record
    // names it now or never (a run of it stopped before recording it), so there is no winner to wait for.
    const waits = incidentId !== undefined && tagOf(group, CREATED_FOR_TAG) === incidentId ? [] : waitsMs;
    for (const wait of [0, ...waits]) {
      if (wait) await new Promise((resolve) => setTimeout(resolve, wait));
      const [vouched] = await this.vouch([group]);
      if (vouched) return vouched.role === role;
    }
    return false;
  }

  private async vouch(groups: SecurityGroup[]): Promise<DatalekGroup[]> {
    const incidents = [...new Set(groups.flatMap((g) => tagOf(g, CREATED_FOR_TAG) ?? []))];
    const records = new Map(await Promise.all(incidents.map(async (id) => [id, await this.recorded(id)] as const)));
    for (const [id, role] of [...records.values()].flatMap((r) => [...r])) if (role === 'isolation') this.namedIsolation.add(id);
    return groups.flatMap((g) => {
      const role = records.get(tagOf(g, CREATED_FOR_TAG) ?? '')?.get(g.GroupId ?? '');
      if (!role) return [];
      return [{ ...g, role: this.namedIsolation.has(g.GroupId ?? '') ? 'isolation' : role }];
    });
  }
}

/** How long a run that lost the race to create a group waits, in turns, for the winner's record to name it (3.75 s in all). */
const RACE_WAITS_MS = [250, 500, 1_000, 2_000];

/**
 * Every group tagged as made for an incident of the pipeline's in the region, or in one VPC: one call,
 * by their `datalek:created-for` tag (whatever their `datalek:role` tag says now: a group whose role
 * tag was changed or removed is still found, and used in its recorded role). Containment starts it
 * together with the read of the instance, before the VPC is known; which of them are datalek's, in
 * which role, `FoundGroups.inVpc` tells once it is.
 */
export async function findIsolationGroups(c: Pick<ContainmentClients, 'ec2'>, recorded: RecordedGroups, vpcId?: string): Promise<FoundGroups> {
  const out = await c.ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [{ Name: 'tag-key', Values: [CREATED_FOR_TAG] }, ...(vpcId ? [{ Name: 'vpc-id', Values: [vpcId] }] : [])],
    }),
  );
  return new FoundGroups(out.SecurityGroups ?? [], recorded);
}

/**
 * The VPC's "all traffic" and isolation groups: found by their tag (one call, or the one `found`
 * already made) and vouched for, each in its role, by datalek's record (FoundGroups), created only when missing, the first time in a VPC (names are unique per VPC, so
 * two isolations at once in one VPC end with one group of each kind: the loser of the create race
 * finds the winner's). Their rules are checked every time and repaired, all at once: the
 * all-traffic group allows IPv4 and IPv6 both ways (an IPv6 flow left out would stay tracked), the
 * isolation group has no rule at all (a run that crashed before revoking a new group's default
 * egress, or a rule someone added, would open every interface in it).
 *
 * A group tagged as made for this incident that no record names is never used, and never changed:
 * a run killed between making it and recording its groups step left it (with a new group's default
 * all-outbound rule and nothing in it), or someone who may tag put datalek's tags on a group of
 * theirs, and only a record proves a group datalek's (a tag, a name or a seal can be copied). Stripping
 * its rules would let a tag make datalek's role cut a production group off; leaving a killed run's
 * group costs an unused group with no member. So the step names it, for on-call: by datalek's name
 * (`orphans`: delete it when empty) or not (`tagged`: not datalek's; find who tagged it). One tagged
 * for another incident is left to that incident's next run.
 */
export async function isolationGroups(
  c: Pick<ContainmentClients, 'ec2'>,
  vpcId: string,
  incidentId: string,
  found: Promise<FoundGroups>,
  progress: StepProgress = {},
): Promise<PreparedGroups> {
  const all = await found;
  const groups = await all.inVpc(vpcId);
  const unvouched = all.orphansOf(vpcId, incidentId, groups);
  const ownName = (g: SecurityGroup) => [ALL_TRAFFIC_GROUP, ISOLATION_GROUP].some((role) => g.GroupName === role || g.GroupName === `${role}-${incidentId}`);
  // Each group made is named in the step's progress at once, which the incident's record keeps when
  // the step fails (the other group's creation refused, say): the run that retries finds it vouched
  // for (recordedIsolationGroups) and uses it, instead of making a group of its own beside it.
  const made = (id: string, role: IsolationGroupRole) => {
    progress[GROUPS_MADE] = [...((progress[GROUPS_MADE] as unknown[] | undefined) ?? []), { id, role }];
  };
  // Both settled before either failure is thrown: a group made after the other's failure is named too.
  const settled = await Promise.allSettled([
    findOrCreateGroup(c, all, groups, vpcId, 'allTraffic', 'datalek: all traffic, for a moment, to untrack connections before isolation', incidentId, made),
    findOrCreateGroup(c, all, groups, vpcId, 'isolation', 'datalek: isolation, no inbound and no outbound rules', incidentId, made),
  ]);
  const refused = settled.find((s) => s.status === 'rejected');
  if (refused) throw refused.reason;
  const [allTraffic, isolation] = settled.map((s) => (s as PromiseFulfilledResult<GroupState>).value);
  const missingIn = missingAllTraffic(allTraffic.ingress);
  const missingOut = missingAllTraffic(allTraffic.egress);
  await Promise.all([
    missingIn && ignoreDuplicate(() => c.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: allTraffic.id, IpPermissions: [missingIn] }))),
    missingOut && ignoreDuplicate(() => c.ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: allTraffic.id, IpPermissions: [missingOut] }))),
    isolation.egress.length &&
      ignoreNotFound(() => c.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: isolation.id, IpPermissions: isolation.egress }))),
    isolation.ingress.length &&
      ignoreNotFound(() => c.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: isolation.id, IpPermissions: isolation.ingress }))),
  ]);
  const ids = (list: SecurityGroup[]) => list.map((g) => g.GroupId as string);
  return {
    groups: { allTraffic: allTraffic.id, isolation: isolation.id },
    orphans: ids(unvouched.filter(ownName)),
    tagged: ids(unvouched.filter((g) => !ownName(g))),
    orphanRules: Object.fromEntries(
      unvouched.filter(ownName).map((g) => [g.GroupId as string, { inbound: (g.IpPermissions ?? []).length, outbound: (g.IpPermissionsEgress ?? []).length }]),
    ),
  };
}

/** The all-protocols rule for 0.0.0.0/0 and ::/0, less what `rules` already have; null when nothing is missing. */
function missingAllTraffic(rules: IpPermission[]): IpPermission | null {
  const all = rules.filter((r) => r.IpProtocol === '-1');
  const v4 = all.some((r) => (r.IpRanges ?? []).some((x) => x.CidrIp === '0.0.0.0/0'));
  const v6 = all.some((r) => (r.Ipv6Ranges ?? []).some((x) => x.CidrIpv6 === '::/0'));
  if (v4 && v6) return null;
  return {
    IpProtocol: '-1',
    ...(v4 ? {} : { IpRanges: [{ CidrIp: '0.0.0.0/0' }] }),
    ...(v6 ? {} : { Ipv6Ranges: [{ CidrIpv6: '::/0' }] }),
  };
}

type GroupState = { id: string; ingress: IpPermission[]; egress: IpPermission[] };

/**
 * The group of this role among `groups` (the VPC's that datalek's record vouches for in this role; its
 * name, where several do), else created. Names are unique per VPC and anyone may take one: a group
 * named or tagged like datalek's that no record vouches for is not datalek's (its owner could open it
 * again at any time), so datalek's is then created under a name of its own for this incident (known by
 * its tag and this incident's record from then on). The all-traffic group, the one group datalek
 * opens, must also bear an all-traffic name (fixed when datalek made it): a record written while the
 * role tags were swapped (review10 K1) names the isolation group as the all-traffic group.
 */
async function findOrCreateGroup(
  c: Pick<ContainmentClients, 'ec2'>,
  found: FoundGroups,
  groups: readonly DatalekGroup[],
  vpcId: string,
  role: IsolationGroupRole,
  description: string,
  incidentId: string,
  made: (groupId: string, role: IsolationGroupRole) => void,
): Promise<GroupState> {
  const name = ROLE_NAME[role];
  const ours = groupsOfRole(groups, vpcId, role).filter((g) => role === 'isolation' || namedAs(g, role));
  const existing = ours.find((g) => g.GroupName === name) ?? ours[0];
  if (existing) return groupState(existing);
  const create = (groupName: string) => createGroup(c, found, vpcId, groupName, role, description, incidentId, made);
  const own = (await create(name)) ?? (await create(`${name}-${incidentId}`));
  if (own) return own;
  throw new ContainmentStepError(
    'prepare-isolation-groups',
    'GroupNameTaken',
    `${vpcId}: security groups named ${name} and ${name}-${incidentId} exist, and no datalek record names them as its ${name} group (whatever their tags say): not datalek's, so not used; remove them or isolate by hand`,
  );
}

/**
 * Creates the group `name` of `role`, tagged at creation (the containment policy allows tags only
 * then: tag-on-create). On a name already taken, the group of that name if it is datalek's group of
 * `role` (another run created it meanwhile and its record names it so), else null.
 */
async function createGroup(
  c: Pick<ContainmentClients, 'ec2'>,
  found: FoundGroups,
  vpcId: string,
  name: string,
  role: IsolationGroupRole,
  description: string,
  incidentId: string,
  made: (groupId: string, role: IsolationGroupRole) => void,
): Promise<GroupState | null> {
  try {
    const created = await c.ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: name,
        Description: description,
        VpcId: vpcId,
        TagSpecifications: [
          {
            ResourceType: 'security-group',
            Tags: [
              { Key: ROLE_TAG, Value: ROLE_NAME[role] },
              { Key: CREATED_FOR_TAG, Value: incidentId },
            ],
          },
        ],
      }),
    );
    made(created.GroupId as string, role);
    // A new group starts with one egress rule (all IPv4 traffic out); the caller fixes the rules.
    return { id: created.GroupId as string, ingress: [], egress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] };
  } catch (err) {
    if (errorCode(err) !== 'InvalidGroup.Duplicate') throw err;
    const out = await c.ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'group-name', Values: [name] },
        ],
      }),
    );
    const winner = out.SecurityGroups?.[0];
    if (!winner) throw err;
    return winner.VpcId === vpcId && (await found.vouches(winner, role, RACE_WAITS_MS, incidentId)) ? groupState(winner) : null;
  }
}

function groupState(g: SecurityGroup): GroupState {
  return { id: g.GroupId as string, ingress: g.IpPermissions ?? [], egress: g.IpPermissionsEgress ?? [] };
}

async function ignoreDuplicate(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (errorCode(err) !== 'InvalidPermission.Duplicate') throw err;
  }
}

async function ignoreNotFound(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (errorCode(err) !== 'InvalidPermission.NotFound') throw err;
  }
}
