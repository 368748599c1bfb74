/**
 * Network interfaces a person isolated by hand after an instance isolation failed `TasksNeverRead`
 * (`datalek contained --interface ENI=GROUP[+GROUP…]`, cont24). No run can read the orphaned tasks a
 * forced deregistration left running, so on-call searches the VPC and isolates each interface found
 * open as in step 3 of runbooks/isolate-ec2-instance.md. Recorded with `--what` alone, such an
 * interface was in no record: `verify --target aws` did not read it (put back in its own groups, by
 * the attacker holding the task's account or by a person, nothing said so) and a release left it in
 * the isolation group. Named here, each is read first through the read role `show`/`verify --target
 * aws` use (in the VPC's isolation group only, else refused with nothing written: a record that says
 * isolated must be so when written), then recorded as the isolation's own task interfaces are
 * (evidence `taskInterfaces`, a done `isolate-eni:<id>` step): drift reads it, a release restores the
 * own groups the person gave (EC2 no longer shows them once the interface is isolated).
 */

import { actionPlace } from './containment.js';
import type { ContainmentCheck, ContainmentStateReader } from './drift.js';
import { refused as refuse } from './errors.js';
import type { ActionRecord, Incident, StepRecord } from './incident.js';

/** One interface as the person named it: its id and the own groups a release puts back. */
export interface NamedInterface {
  id: string;
  groups: string[];
}

/** The task a named interface's record names: none was read (that is why it was searched for by hand). */
export const NAMED_BY_HAND_TASK = 'named by hand, no run read it';

const refused = (en: string) =>
  refuse(`${en}; nothing was recorded`, `--interface: de netwerkinterface is niet vast te leggen (${en}); er is niets vastgelegd.`);

/** `eni-…=sg-…+sg-…` each; refused naming the one that is not so. */
export function parseNamedInterfaces(given: readonly string[]): NamedInterface[] {
  const out: NamedInterface[] = [];
  for (const raw of given) {
    // split('=', 2) dropped what followed a second "=" (typed for "+"): a release then put back fewer groups.
    if (raw.split('=').length > 2)
      throw refused(`--interface ${raw.trim()}: one "=" between the interface and its groups, "+" between groups (eni-…=sg-…+sg-…)`);
    const [id, groups = ''] = raw
      .trim()
      .split('=')
      .map((s) => s.trim());
    if (!/^eni-[0-9a-f]+$/.test(id)) throw refused(`--interface ${id}: not a network interface id (eni-…)`);
    const own = groups
      .split('+')
      .map((g) => g.trim())
      .filter(Boolean);
    if (!own.length)
      throw refused(
        `--interface ${id}: give its own groups, which a release puts back (--interface ${id}=sg-…[+sg-…]; CloudTrail's ModifyNetworkInterfaceAttribute that isolated it names them)`,
      );
    const bad = own.find((g) => !/^sg-[0-9a-f]+$/.test(g));
    if (bad) throw refused(`--interface ${id}: ${bad} is not a security group id (sg-…)`);
    if (out.some((n) => n.id === id)) throw refused(`--interface ${id} is named twice`);
    out.push({ id, groups: [...new Set(own)] });
  }
  return out;
}

/** The interface ids an instance isolation's record holds: its own, found isolated, its tasks' (isolated or found). */
function recordedInterfaces(action: ActionRecord): Set<string> {
  const e = action.evidence ?? {};
  const metadata = e.metadata as { networkInterfaces?: { id: string }[]; foundIsolated?: string[] } | undefined;
  const ids = (v: unknown) => ((v as { id: string }[] | undefined) ?? []).map((n) => n.id);
  return new Set([...ids(metadata?.networkInterfaces), ...(metadata?.foundIsolated ?? []), ...ids(e.taskInterfaces), ...ids(e.taskInterfacesFound)]);
}

/** The interface ids an isolation's record holds, whose own groups its release restores: an instance's (`recordedInterfaces`), a task's own. */
function isolatedInterfaces(action: ActionRecord): Set<string> {
  if (action.type === 'isolate-instance') return recordedInterfaces(action);
  if (action.type !== 'isolate-ecs-task') return new Set();
  const task = action.evidence?.task as { networkInterfaces?: { id: string }[] } | undefined;
  return new Set((task?.networkInterfaces ?? []).map((n) => n.id));
}

/**
 * The isolation of another incident (not merged) whose record holds interface `id` in `place`, not released. The
 * search by hand finds such an interface in the isolation group only, as it finds one it isolated itself; recorded
 * here, this incident's release put it back in the groups typed, undoing the other incident's isolation with no hold
 * to refuse it (red26). A closed incident's holds it too while its isolation group is `isolation`, the one the
 * interface must be read in only (red27): a closing releases nothing, and its record still says isolated.
 */
function heldElsewhere(
  others: readonly Incident[],
  incident: Incident,
  place: { accountId: string; region: string },
  id: string,
  isolation: string,
): { incident: Incident; action: ActionRecord } | undefined {
  for (const other of others) {
    if (other.id === incident.id || other.mergedInto) continue;
    for (const action of other.actions) {
      if (action.released || !isolatedInterfaces(action).has(id)) continue;
      if (other.state === 'closed' && isolationGroups(action).isolation !== isolation) continue;
      const there = actionPlace(action, other);
      if (there.accountId === place.accountId && there.region === place.region) return { incident: other, action };
    }
  }
  return undefined;
}

function isolationGroups(action: ActionRecord): { isolation?: string; allTraffic?: string } {
  return (action.evidence?.groups as { isolation?: string; allTraffic?: string } | undefined) ?? {};
}

/**
 * Reads each named interface through `reader` and refuses (nothing written) unless every one is in
 * the VPC's isolation group only, none is one the record holds already, none is one another incident's
 * isolation holds (`others`: every incident, `heldElsewhere`), no own group is one of datalek's and each
 * is a group of the VPC (read in the same call). Returns the isolation group they were read in, which
 * the record must still name when it is written (`recordNamedInterfaces`).
 */
export async function checkNamedInterfaces(
  reader: ContainmentStateReader | undefined,
  incident: Incident,
  action: ActionRecord,
  named: readonly NamedInterface[],
  others: readonly Incident[],
): Promise<string> {
  const { isolation, allTraffic } = isolationGroups(action);
  if (!isolation) throw refused(`${action.id} records no isolation group of the VPC to read the interfaces against`);
  const known = recordedInterfaces(action);
  const place = actionPlace(action, incident);
  for (const n of named) {
    if (known.has(n.id)) throw refused(`--interface ${n.id} is in the record already (${action.id}): a release restores it as recorded`);
    const holder = heldElsewhere(others, incident, place, n.id, isolation);
    if (holder)
      throw refused(
        `--interface ${n.id} is isolated by incident ${holder.incident.id} (${holder.incident.state === 'closed' ? `closed, not released; ${holder.action.id}` : holder.action.id}), whose record holds its own groups and whose release restores them: not an interface the search found open; name only those you isolated by hand`,
      );
    const ours = n.groups.find((g) => g === isolation || g === allTraffic);
    if (ours) throw refused(`--interface ${n.id}: ${ours} is datalek's ${ours === isolation ? 'isolation' : 'all-traffic'} group, not one of its own groups`);
  }
  if (!reader)
    throw refused('--interface is read on AWS before it is recorded (in the isolation group only), and the embedded store reads no AWS: give --target aws');
  const checks: ContainmentCheck[] = named.map((n) => ({
    incidentId: incident.id,
    actionId: action.id,
    type: action.type,
    ...place,
    expect: { kind: 'interface', interfaceId: n.id, owner: action.target, isolation, allTraffic: allTraffic ?? null, ownGroups: n.groups, ownGroupsRead: true },
  }));
  const seen = await reader.read(checks);
  named.forEach((n, i) => {
    const s = seen[i];
    if (!s || s.read === 'error') throw refused(`--interface ${n.id} could not be read (${s?.read === 'error' ? s.code : 'no answer'})`);
    if (s.read !== 'interface') throw refused(`--interface ${n.id} was not found in ${place.accountId} ${place.region}`);
    if (s.groups.length !== 1 || s.groups[0] !== isolation)
      throw refused(
        `--interface ${n.id} is in ${s.groups.join(', ') || 'no group'}, not in the isolation group ${isolation} only: isolate it first (runbooks/isolate-ec2-instance.md, step 3), then record it`,
      );
    // A group that is not there (mistyped) or of another VPC: the release's restore fails and the interface stays isolated (red27).
    const elsewhere = s.ownGroupsElsewhere ?? [];
    if (elsewhere.length)
      throw refused(
        `--interface ${n.id}: not a security group of its VPC: ${elsewhere.map((g) => `${g.id} (${g.vpc ? `of ${g.vpc}` : 'not found'})`).join(', ')}; a release puts back the own groups given: give those CloudTrail's ModifyNetworkInterfaceAttribute that isolated it names`,
      );
  });
  return isolation;
}

/**
 * Records the named interfaces, read in `readIn`, as the isolation's own task interfaces: each with
 * its own groups in the evidence (what a release puts back, what drift reads) and a done
 * `isolate-eni:<id>` step saying who isolated it by hand. Refused when the record's isolation group
 * is no longer the one they were read in. Returns the words the search's step adds.
 */
export function recordNamedInterfaces(action: ActionRecord, named: readonly NamedInterface[], readIn: string, by: string, now: string): string {
  if (isolationGroups(action).isolation !== readIn) throw refused(`${action.id} changed while the interfaces were read: run it again`);
  const tasks = (action.evidence?.taskInterfaces as { id: string; groups: string[]; task: string }[] | undefined) ?? [];
  action.evidence = { ...action.evidence, taskInterfaces: [...tasks, ...named.map((n) => ({ id: n.id, groups: n.groups, task: NAMED_BY_HAND_TASK }))] };
  const steps: StepRecord[] = named.map((n) => ({
    name: `isolate-eni:${n.id}`,
    status: 'done',
    at: now,
    detail: `${n.id}: isolated by hand by ${by}, read in ${readIn} only when recorded (datalek contained --interface); its own groups as ${by} gave them, which a release puts back: ${n.groups.join(', ')}`,
  }));
  action.steps = [...(action.steps ?? []).filter((s) => !steps.some((x) => x.name === s.name)), ...steps];
  return `; interface(s) isolated by hand, recorded with their own groups (verify reads them, a release restores them): ${named.map((n) => `${n.id} (own groups ${n.groups.join(', ')})`).join(', ')}`;
}
