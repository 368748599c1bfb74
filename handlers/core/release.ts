/**
 * Use case: a person undoes containment (`datalek release`), from what was recorded when it was
 * done: the original groups per network interface, the Auto Scaling group, the target groups, the
 * old Block Public Access settings. A deactivated key is reactivated only when asked explicitly.
 * Who, when and why goes into the timeline.
 *
 * Most containment is one state per resource (an interface's groups, a key's status, a bucket's
 * Block Public Access, a function's concurrency, a database's public flag, an object's tags):
 * releasing it undoes it for every incident that holds that resource contained. So a release that
 * would undo what another incident still holds (its own action done and not released, or, while it
 * is open, an action it left to this incident, `ActionRecord.heldBy`) is refused, naming that incident,
 * unless the person names it too (`undoFor`). A closed incident holds too: a closing releases nothing,
 * and its record, the register and the AP draft say its containment is in effect. Then what is
 * actually undone is also recorded in that incident, in the commit that records the release (a crash
 * never leaves one record of the two): its action released (or, when an open one left it to this one,
 * planned again, not carried out), an entry on its timeline, and its FG and on-call told. A closed
 * incident stays closed and nothing is planned there; its FG and on-call are told as for an open one:
 * its register entry, and the measures a notification to the AP may have named, changed after the
 * closing (the FG judges whether the AP hears of it, Art. 33(4)), and its resource is open again.
 * Session revocations are not shared (each incident has its own policy name), and a key left
 * inactive is not undone.
 */
import { measuresTaken } from './breach-facts.js';
import { type ChangeDeps, type ChangeResult, changeIncident, changeIncidents, type TimelineDraft } from './change-incident.js';
import { type ContainDeps, closedHoldersOf, mergeChain } from './contain.js';
import {
  actionPlace,
  containCommand,
  foundIsolatedAlready,
  heldContainment,
  holderIn,
  PER_INCIDENT_ACTIONS,
  RELEASE_MARK_MS,
  sameResource,
} from './containment.js';
import { ActedNotRecordedError, ConflictError, IncidentNotFoundError, RefusedError, StuckConflictError, stuckActed } from './errors.js';
import type { ActionRecord, Incident, OutboxMessage, StepRecord } from './incident.js';
import { composeMessage } from './messages.js';
import { minimiseReleased, releasedFindingMinimised } from './minimise.js';
import { UnreadableRecordError } from './stored-record.js';

export interface ReleaseInput {
  incidentId: string;
  by: string;
  reason: string;
  reactivateKey?: boolean;
  /**
   * The person states that the IAM user of the actions released was deleted (`--user-deleted`, rel28):
   * a step that finds it not found (GetUser: NoSuchEntity) is released as deleted, and the action
   * records it (`released.userDeleted`, and its `containment-released` entry). Without it such a
   * step fails: a user renamed is not found by its recorded name either, and keeps the policies.
   */
  userDeleted?: boolean;
  /**
   * The other incidents (open, or closed and never released) whose containment of the same resources
   * this release may undo too: the person's confirmation, naming each of them (`--undo-for`).
   */
  undoFor?: string[];
}

/** What releasing one of this incident's actions undid for another incident. */
export interface UndoneFor {
  incidentId: string;
  actionId: string;
  /**
   * `released`: its own action, now recorded as released; `planned`: the action it left to this incident, planned
   * again; `reopened`: its instance isolation, still in effect, whose task network interface it found isolated by
   * this incident is in its own groups again (the timeline there names it).
   */
  now: 'released' | 'planned' | 'reopened';
}

/** Actions that touched something and were not released yet. */
export function releasable(actions: ActionRecord[]): ActionRecord[] {
  return actions.filter((a) => a.mode === 'enforce' && !a.released && (a.steps ?? []).some((s) => s.status === 'done'));
}

/** Whether releasing the action changes a state the resource has once, whoever set it. A key stays inactive unless reactivated. */
export function undoesSharedState(action: ActionRecord, reactivateKey: boolean): boolean {
  if (action.person || PER_INCIDENT_ACTIONS.has(action.type)) return false;
  // A key found Inactive (its sessions revoked only, lfc16) is never reactivated by this release.
  if (action.type === 'deactivate-access-key') return reactivateKey && (action.steps ?? []).some((s) => s.name === 'deactivate-key' && s.status === 'done');
  return true;
}

/**
 * Another incident's hold on a resource one of ours contains: its own containment (a closed incident's
 * too), or, while it is open, one it left to ours, or one it skipped on finding the resource isolated
 * already (`found`: it relies on whatever isolation is in place, ours too, though it names no holder: a
 * closed incident's is never named). The last two are handed back alike.
 */
interface Hold {
  other: Incident;
  action: ActionRecord;
  ours: ActionRecord;
  leftToUs: boolean;
  found?: boolean;
  /**
   * The task network interfaces of ours (an isolate-ecs-task's) its instance isolation found isolated
   * already and relies on: only they are undone for it, the instance's isolation otherwise stays in effect.
   */
  part?: string[];
  /** Left to ours, whose release opens nothing (it cut nothing): handed back without `--undo-for` naming it. */
  unasked?: true;
}

/**
 * Steps a release leaves, or whose undoing opens nothing another incident holds: what was read or made beside the cut
 * (the state captured, the isolation groups made, termination protection, snapshots, tags). Every other step done (an
 * interface's swap, or one left exposed in the all-traffic group; the Auto Scaling group, target groups, instance
 * profile and ECS drain of an instance, which the release puts back as they were; a key, a bucket's block, a
 * function's concurrency, a database's public flag, an object's tags) is undone by the release.
 */
const RELEASE_OPENS_NOTHING = /^(capture-.*|prepare-isolation-groups|protect-instance|snapshot-volumes|snapshot-database|tag-instance|tag-task)$/;

/**
 * Whether releasing `action` would open something of its resource: a step of it done (or left exposed) that the
 * release undoes. An isolation whose every swap failed, captured and snapshotted, cut nothing: its release restores no
 * interface (the adapter restores only what a swap isolated), and another incident's isolation of the same instance stays
 * (release27 #5; it was refused for that incident, and `--undo-for` recorded that one released too).
 */
function opensOnRelease(action: ActionRecord): boolean {
  return (action.steps ?? []).some((s) => (s.status === 'done' || s.exposed === true) && !RELEASE_OPENS_NOTHING.test(s.name));
}

/** Skipped on finding its resource isolated already, leaving it to no record (contain.ts `leaveIsolated`). */
function reliesOnIsolationFound(a: ActionRecord): boolean {
  return a.status === 'skipped' && a.heldBy === undefined && !a.released && foundIsolatedAlready(a);
}

/**
 * `--reactivate-key` on a key another incident's person recorded deactivated as the long-term key behind an IAM
 * user's stolen session (`deactivate-user-keys` done by hand, `byHand.keys`, not released: cont26): the key would be
 * Active again while that incident reads contained. A closed incident's step counts too (review25): a closing
 * releases nothing and its record still says the key is Inactive, as `heldElsewhere` (named-interfaces.ts) reads a
 * closed incident's isolation and `holdsElsewhere` every closed incident's containment. Refused, naming it: release
 * without `--reactivate-key` (the key stays Inactive, the rest is undone). A person's step is no hold `--undo-for` can
 * take over: datalek did not carry it out and holds nothing of it to mark; so it stays a refusal of its own, apart
 * from `holdsElsewhere`'s holds.
 */
function refuseKeysReliedOn(incident: Incident, actions: ActionRecord[], everyone: readonly Incident[]): void {
  const keys = actions.filter((a) => undoesSharedState(a, true) && a.type === 'deactivate-access-key');
  if (keys.length === 0) return;
  for (const other of everyone) {
    if (other.id === incident.id || other.mergedInto) continue;
    for (const step of other.actions) {
      if (step.type !== 'deactivate-user-keys' || step.status !== 'done' || step.released || !step.byHand?.keys?.length) continue;
      const place = actionPlace(step, other);
      const key = keys.find((k) => step.byHand?.keys?.includes(k.target) && actionPlace(k, incident).accountId === place.accountId);
      if (!key) continue;
      const message = `--reactivate-key would set ${key.target} Active again, which incident ${other.id} recorded deactivated as the long-term key behind an IAM user's stolen session (${step.id}, by hand): release without --reactivate-key (the key stays Inactive, the rest is undone); nothing was released`;
      throw new RefusedError(message, {
        page: {
          nl: `De sleutel ${key.target} weer activeren kan niet: incident ${other.id} legde vast dat die is uitgeschakeld (${step.id}). Hef op zonder de sleutel te activeren; er is niets opgeheven.`,
          en: message,
        },
      });
    }
  }
}

/**
 * The holds other incidents (not merged), open or closed, have on what releasing `actions` would undo,
 * among `others`: every incident (`everyIncident`), or as they are after an action's commit (`othersNow`),
 * or the open ones alone, where only what is left to ours is asked (a closed incident leaves nothing to it).
 */
async function holdsElsewhere(
  deps: ContainDeps,
  incident: Incident,
  actions: ActionRecord[],
  reactivateKey: boolean,
  others: readonly Incident[],
): Promise<Hold[]> {
  const shared = actions.filter((a) => undoesSharedState(a, reactivateKey));
  if (shared.length === 0) return [];
  const holds: Hold[] = [];
  // An action left to an incident that was merged into this one since is left to this one.
  const chains = new Map<string, Promise<string[]>>();
  const leftTo = async (heldBy: string) => {
    if (!chains.has(heldBy)) chains.set(heldBy, mergeChain(deps.store, heldBy));
    return (await chains.get(heldBy))?.includes(incident.id) === true;
  };
  // Closed incidents too: a closing releases nothing, so a closed incident's containment done and not
  // released is in effect, and its record, the register and the AP draft say so (session 25).
  for (const other of others) {
    if (other.id === incident.id || other.mergedInto) continue;
    // What a closed incident left to ours, or found contained already, is no hold: its record names the
    // holder and reads its release (breach-facts.ts carriedOutElsewhere; drift.ts reads it as history),
    // and a closed incident is never contained again, so nothing is handed back to it.
    const open = other.state !== 'closed';
    for (const action of other.actions) {
      const found = open && reliesOnIsolationFound(action);
      const leftToUs = found || (open && action.heldBy !== undefined && !action.released && (await leftTo(action.heldBy)));
      if (!leftToUs && releasable([action]).length === 0) continue;
      const ours = shared.find((a) => sameResource(a, incident, action, other) || isolatesTaskOf(a, incident, action, other));
      if (ours) {
        // Only where releasing ours would open something it holds (release27 #5): ours cut something (`opensOnRelease`),
        // and its own action of the same resource did too. What it left to ours is handed back all the same (ours
        // holds it no more), unasked where ours cut nothing: nothing is opened for it.
        const opens = opensOnRelease(ours);
        if (!leftToUs && (!opens || (sameResource(ours, incident, action, other) && !opensOnRelease(action)))) continue;
        if (found && !opens) continue;
        holds.push({ other, action, ours, leftToUs, ...(found ? { found } : {}), ...(opens ? {} : { unasked: true as const }) });
      } else if (!leftToUs)
        for (const a of shared) {
          const part = taskInterfacesReliedOn(a, incident, action, other);
          if (part.length && opensOnRelease(a)) {
            holds.push({ other, action, ours: a, leftToUs, part });
            break;
          }
        }
    }
  }
  return holds;
}

/**
 * Every incident, read once per release for what the others hold of what it undoes (`holdsElsewhere`,
 * `refuseKeysReliedOn`). One that cannot be read (damaged or edited bytes) may hold any of it: whether
 * releasing undoes containment that incident records in effect is unknown, so nothing is released,
 * and the refusal names it and what is wrong, for on-call to mend first. An item that is no incident
 * record (DynamoDB's index, `notAnIncident`) hides no incident: passed by.
 */
async function everyIncident(deps: ContainDeps, incident: Incident): Promise<Incident[]> {
  const unreadable: { incidentId: string; reason: string }[] = [];
  const all = await deps.store.listIncidents({ onUnreadable: (p) => void (p.notAnIncident ? undefined : unreadable.push(p)) });
  if (unreadable.length) throw unreadableRefusal(incident, unreadable);
  return all;
}

/** How many unreadable incidents a refusal names one by one; the rest are counted. */
const NAMED_UNREADABLE = 5;

function unreadableRefusal(incident: Incident, unreadable: { incidentId: string; reason: string }[]): RefusedError {
  const shown = unreadable.slice(0, NAMED_UNREADABLE);
  const more = unreadable.length - shown.length;
  const en = shown.map((u) => `incident ${u.incidentId} cannot be read from the store (${u.reason}; datalek verify ${u.incidentId} says what changed)`);
  const nl = shown.map((u) => `incident ${u.incidentId} is niet te lezen (${u.reason})`);
  const ids = shown.map((u) => u.incidentId).join(', ');
  const message = `releasing incident ${incident.id} reads every other incident for containment it still holds of what the release undoes, and ${en.join('; ')}${more ? `; and ${more} other incident${more === 1 ? '' : 's'}` : ''}: whether ${unreadable.length === 1 ? 'it holds' : 'they hold'} any of it is unknown. Nothing was released. Put the record of ${ids} back from a copy, or repair it, then release again`;
  return new RefusedError(message, {
    page: {
      nl: `Opheffen van incident ${incident.id} leest alle andere incidenten na op inperking die ze nog vasthouden, en ${nl.join('; ')}${more ? `; en nog ${more} incident${more === 1 ? '' : 'en'}` : ''}: of ${unreadable.length === 1 ? 'dat' : 'die'} iets vasthoudt van wat dit opheffen ongedaan maakt, is onbekend. Er is niets opgeheven. Zet het dossier van ${ids} terug uit een kopie of herstel het (datalek verify ${shown[0].incidentId} zegt wat er veranderd is), en hef daarna opnieuw op.`,
      en: message,
    },
  });
}

/**
 * The incident to release cannot be read (damaged or edited bytes; an action that is no action): what
 * it holds, and so what a release would undo, is unknown. A refusal (exit 2, nothing written) naming
 * what is wrong, as for another incident's record, not a failure of the store's (exit 3).
 */
function ownUnreadableRefusal(err: UnreadableRecordError): RefusedError {
  const id = err.incidentId;
  const message = `incident ${id} cannot be read from the store (${err.reason}): what its containment holds, and so what a release would undo, is unknown, and nothing was released. datalek verify ${id} says what changed; put its record back from a copy, or repair it, then release again`;
  return new RefusedError(message, {
    page: {
      nl: `Incident ${id} is niet te lezen (${err.reason}): wat de inperking vasthoudt, en dus wat opheffen ongedaan maakt, is onbekend. Er is niets opgeheven. datalek verify ${id} zegt wat er veranderd is; zet het dossier terug uit een kopie of herstel het, en hef daarna opnieuw op.`,
      en: message,
    },
  });
}

/**
 * The other incidents as the check after an action's commit reads them: the open ones listed again (a
 * finding meanwhile may have left the resource to this one, or been contained), the closed ones as the
 * first scan (`first`, `everyIncident`) read them. A closed incident is never contained again and leaves
 * nothing to anyone, so its holds do not grow while the release runs (one released meanwhile is read in
 * the commit that records this one: `undoIn` passes it by); listing the whole history again after each
 * action read every incident ever stored 2N+1 times per release. One open in the first scan and closed
 * since is read by itself. One that cannot be read now was read in the first scan, whose refusal would
 * have named it: the release has undone it in AWS by now, so it is passed by here, its record left as it
 * was (verify names it), rather than leave this incident's record saying in effect what is undone.
 */
async function othersNow(deps: ContainDeps, first: readonly Incident[]): Promise<Incident[]> {
  const passBy = () => undefined;
  const open = new Map((await deps.store.listIncidents({ openOnly: true, onUnreadable: passBy })).map((i) => [i.id, i]));
  const out: Incident[] = [];
  for (const before of first) {
    const now = open.get(before.id);
    open.delete(before.id);
    if (now) out.push(now);
    else if (before.state === 'closed') out.push(before);
    else {
      const closedSince = await deps.store.getIncident(before.id).catch((err) => {
        if (err instanceof UnreadableRecordError) return undefined;
        throw err;
      });
      if (closedSince) out.push(closedSince);
    }
  }
  return [...out, ...open.values()];
}

/**
 * Whether `a`, an instance's isolation, isolated the network interface of the task `b` (another incident's
 * isolate-ecs-task) acts on (evidence taskInterfaces): releasing it restores that task's groups too.
 */
function isolatesTaskOf(a: ActionRecord, of: Incident, b: ActionRecord, bOf: Incident): boolean {
  if (a.type !== 'isolate-instance' || b.type !== 'isolate-ecs-task') return false;
  const tasks = (a.evidence?.taskInterfaces as { task?: string }[] | undefined) ?? [];
  if (!tasks.some((t) => t.task === b.target)) return false;
  const x = actionPlace(a, of);
  const y = actionPlace(b, bOf);
  return x.accountId === y.accountId && x.region === y.region;
}

/**
 * The network interfaces `a`, a task's isolation, isolated that `b`, another incident's instance isolation,
 * found in the isolation group already and relies on: its tasks' interfaces (evidence taskInterfacesFound,
 * with ENI trunking) or, without trunking, the task's interface attached to the instance and found at its
 * capture or re-read (metadata.foundIsolated: no task named there, the interface id is the tie). Releasing
 * `a` puts their own groups back under `b`'s isolation.
 */
function taskInterfacesReliedOn(a: ActionRecord, of: Incident, b: ActionRecord, bOf: Incident): string[] {
  if (a.type !== 'isolate-ecs-task' || b.type !== 'isolate-instance') return [];
  const ours = new Set(((a.evidence?.task as { networkInterfaces?: { id: string }[] } | undefined)?.networkInterfaces ?? []).map((n) => n.id));
  const found = foundTaskInterfaces(b);
  const relied = [...new Set(found.filter((id) => ours.has(id)))];
  if (relied.length === 0) return [];
  const x = actionPlace(a, of);
  const y = actionPlace(b, bOf);
  return x.accountId === y.accountId && x.region === y.region ? relied : [];
}

/** The refusal: what would be undone for whom, and the two ways on. */
function refusal(incident: Incident, holds: Hold[], named: string[]): RefusedError {
  const ids = [...new Set(holds.map((h) => h.other.id))];
  const missing = ids.filter((id) => !named.includes(id));
  const isClosed = (id: string) => holds.some((h) => h.other.id === id && h.other.state === 'closed');
  const closed = missing.filter(isClosed);
  const open = missing.filter((id) => !isClosed(id));
  // An open incident's hold that its closing ends (an action left to this one, or found contained): released again then.
  const ending = open.filter((id) => holds.every((h) => h.other.id !== id || h.leftToUs));
  const one = (list: string[], singular: string, plural: string) => (list.length === 1 ? singular : plural);
  const kinds = ids.every(isClosed) ? 'closed ' : ids.some(isClosed) ? '' : 'open ';
  const kindsNl = ids.every(isClosed) ? 'gesloten ' : ids.some(isClosed) ? '' : 'open ';
  const lines = holds.map(
    (h) =>
      `  incident ${h.other.id} (${h.other.state}): ${h.action.type} ${h.action.target}${h.found ? ' (found contained already, relies on it)' : h.leftToUs ? ` (left to ${incident.id}, which holds it)` : h.part ? ` (done, not released; relies on task network interface ${h.part.join(', ')}, found isolated by ${incident.id}, whose release puts its own groups back: the instance's isolation stays in effect, that task is open again)` : ` (done, not released${h.other.state === 'closed' ? '; closing released nothing' : ''})`}`,
  );
  const whileOpen = open.length
    ? ` while ${open.join(', ')} ${one(open, 'needs', 'need')} it${ending.length ? ` (release ${incident.id} again once ${ending.length === 1 && open.length === 1 ? 'that one is' : `${ending.join(', ')} ${one(ending, 'is', 'are')}`} closed)` : ''}`
    : '';
  const whileClosed = closed.length
    ? `${open.length ? ' and' : ''} while closed ${one(closed, 'incident', 'incidents')} ${closed.join(', ')} ${one(closed, 'records', 'record')} it in effect (a closing releases nothing: ${one(closed, 'its', 'their')} record, the register and the AP draft say so)`
    : '';
  // What --undo-for does there: its containment recorded undone; or, where all it has is what it left to this one (or found
  // contained by it), that action handed back: planned there again, carried out by no one (rel28 item 4).
  const handed = missing.filter((id) => holds.every((h) => h.other.id !== id || h.leftToUs));
  const undone = missing.filter((id) => !handed.includes(id));
  const mixed = handed.length > 0 && undone.length > 0;
  const found = holds.some((h) => handed.includes(h.other.id) && h.found);
  const undoneText = undone.length
    ? `${mixed ? `${undone.join(', ')} then ${one(undone, 'says', 'say')}` : one(undone, 'that record then says', 'those records then say')} the containment was undone${closed.length ? ` (${one(closed, 'a closed one stays', 'closed ones stay')} closed)` : ''}`
    : '';
  const handedText = handed.length
    ? `${mixed ? `${handed.join(', ')}: ` : ''}${one(handed, 'its action', 'their actions')} left to ${incident.id}${found ? ' or found contained by it' : ''} ${one(handed, 'is', 'are')} then planned there again and carried out by no one (${handed.map((id) => containCommand(id, { enforce: true })).join('; ')} does)`
    : '';
  const nlHanded = handed.length
    ? `; wat ${handed.join(', ')} aan ${incident.id} overliet${found ? ' of ingeperkt aantrof' : ''}, staat daar dan weer gepland en wordt door niemand uitgevoerd (${handed.map((id) => containCommand(id, { enforce: true, lang: 'nl' })).join('; ')} doet dat)`
    : '';
  const message = [
    `releasing incident ${incident.id} would undo containment that ${ids.length === 1 ? `another ${kinds}incident still holds` : `other ${kinds}incidents still hold`}:`,
    ...lines,
    `Nothing was released. Leave it contained${whileOpen}${whileClosed}, or release it for ${one(missing, 'both', 'all')}: add --undo-for ${missing.join(',')}; ${[undoneText, handedText].filter(Boolean).join('; ')}, and ${one(missing, 'its', 'their')} FG and on-call are told.`,
  ].join('\n');
  const nlOpen = open.length ? ` zolang ${open.join(', ')} het nodig ${one(open, 'heeft', 'hebben')}` : '';
  const nlClosed = closed.length
    ? `${open.length ? ' en' : ''} zolang ${one(closed, 'gesloten incident', 'gesloten incidenten')} ${closed.join(', ')} het als van kracht ${one(closed, 'vastlegt', 'vastleggen')} (sluiten heft niets op: het dossier, het register en het AP-concept zeggen dat het van kracht is)`
    : '';
  const nl = [
    `Opheffen van incident ${incident.id} maakt inperking ongedaan die ${ids.length === 1 ? `een ander ${kindsNl}incident nog vasthoudt` : `andere ${kindsNl}incidenten nog vasthouden`}:`,
    ...holds.map(
      (h) =>
        `incident ${h.other.id}${h.other.state === 'closed' ? ' (gesloten)' : ''}: ${h.action.type} ${h.action.target}${h.found ? ' (al ingeperkt aangetroffen, rekent erop)' : h.leftToUs ? ` (overgelaten aan ${incident.id})` : h.part ? ` (rekent op netwerkinterface ${h.part.join(', ')} van de task, door ${incident.id} geïsoleerd aangetroffen: opheffen zet haar eigen groepen terug; de isolatie van de instance blijft van kracht, die task is weer open)` : h.other.state === 'closed' ? ' (uitgevoerd, niet opgeheven)' : ''}`,
    ),
    `Er is niets opgeheven. Laat het ingeperkt${nlOpen}${nlClosed}, of hef het voor ${one(missing, 'beide', 'alle')} op: vul bij "Ook opheffen voor incident(en)" ${missing.join(',')} in; ${undone.length ? `bij ${undone.join(', ')} staat dan dat de inperking is opgeheven${closed.length ? ` (${one(closed, 'een gesloten incident blijft', 'gesloten incidenten blijven')} gesloten)` : ''}` : ''}${undone.length ? nlHanded : nlHanded.slice(2)}, en de FG en on-call horen het.`,
  ].join('\n');
  return new RefusedError(message, { page: { nl, en: message.replace(/add --undo-for/, 'fill in "Also undo for incident(s)" with') } });
}

/**
 * A merged incident's containment is the survivor's (core/record-finding.ts `mergeInto` hands it
 * over): its closed copy still reads as in effect, so releasing it would undo what the survivor's
 * record says holds, with no word there. Refused, naming the incident that holds it now.
 */
async function mergedRefusal(deps: ContainDeps, incident: Incident): Promise<RefusedError> {
  const holder = (await mergeChain(deps.store, incident.id)).at(-1) ?? incident.mergedInto;
  const message = `incident ${incident.id} was merged into ${incident.mergedInto}; its containment is held by incident ${holder} now: nothing was released. Release it there: datalek release ${holder}`;
  return new RefusedError(message, {
    page: {
      nl: `Incident ${incident.id} is samengevoegd met ${incident.mergedInto}; de inperking hoort nu bij incident ${holder}: er is niets opgeheven. Hef haar daar op.`,
      en: `Incident ${incident.id} was merged into ${incident.mergedInto}; its containment is held by incident ${holder} now: nothing was released. Release it there.`,
    },
  });
}

/**
 * Release steps that come after the containing state is undone and do not keep the resource
 * contained when they fail: the instance tagged released, attached to its Auto Scaling group again,
 * registered in its target groups again, its instance profile associated again, its ECS container
 * instance set ACTIVE again (the AWS adapter's
 * names; adapters/aws/containment/ec2.ts, ecs.ts). Every other step undoes containment: an interface's
 * groups, a key's status, a bucket's Block Public Access.
 */
export const AFTER_UNDO_STEPS: ReadonlySet<string> = new Set([
  'tag-released',
  'attach-to-asg',
  'register-target-groups',
  'associate-instance-profile',
  'activate-container-instance',
]);

/**
 * The containment step each later release step undoes (adapters/aws/containment/ec2.ts): the
 * instance registered in its target groups again, attached to its Auto Scaling group again, its
 * instance profile associated again, its ECS container instance set ACTIVE again. A release that failed on an interface still does these.
 */
export const UNDOES: Readonly<Record<string, string>> = {
  'register-target-groups': 'deregister-target-groups',
  'attach-to-asg': 'detach-from-asg',
  'associate-instance-profile': 'revoke-instance-credentials',
  'activate-container-instance': 'drain-container-instance',
};

/** A release step the adapter skipped as its IAM user not found, stated deleted by the person releasing (ReleaseOptions.userDeleted). */
export const releasedAsDeleted = (s: StepRecord): boolean => s.status === 'skipped' && s.code === 'NoSuchEntity';

/**
 * Whether the steps of a release undid the containment: no step that keeps the resource contained
 * failed, and (when any step failed) one that undoes it was done. A release whose only failures came
 * after the undoing (the tag, the Auto Scaling group) left the resource open: released, those named.
 */
export function releaseUndid(steps: StepRecord[]): boolean {
  const failed = steps.filter((s) => s.status === 'failed');
  if (failed.length === 0) return true;
  if (failed.some((s) => !AFTER_UNDO_STEPS.has(s.name))) return false;
  return steps.some((s) => s.status === 'done' && !AFTER_UNDO_STEPS.has(s.name));
}

export interface ReleaseOutcome {
  /**
   * Actions released: every step of their release done, or nothing to undo, or every containing
   * state undone and only a later step (`unfinished`: tag, Auto Scaling group, target groups,
   * profile) failed; a person finishes those by hand.
   */
  released: { id: string; steps: StepRecord[]; unfinished?: string[] }[];
  /**
   * Actions whose release failed at some step: still recorded as in effect, and releasable again.
   * `partly`: the release undid some of it and not the rest (one interface restored, another not):
   * what is undone and what is still in effect, as the record now says; nothing after the undoing
   * (Auto Scaling group, target groups, profile, tag) was done.
   */
  failed: { id: string; steps: StepRecord[]; partly?: { undone: string[]; stillInEffect: string[] } }[];
  undoneFor: UndoneFor[];
}

export async function releaseContainment(deps: ContainDeps, input: ReleaseInput): Promise<ReleaseOutcome> {
  const by = input.by.trim();
  const reason = input.reason.trim();
  if (!by || !reason)
    throw new RefusedError('a release needs who does it (--by) and why (--reason)', {
      page: { nl: 'Opheffen vraagt wie het doet en waarom ("Waarom").' },
    });
  const incident = await deps.store.getIncident(input.incidentId).catch((err) => {
    throw err instanceof UnreadableRecordError ? ownUnreadableRefusal(err) : err;
  });
  if (!incident) throw new IncidentNotFoundError(input.incidentId);
  if (incident.mergedInto) throw await mergedRefusal(deps, incident);
  const actions = releasable(incident.actions);
  if (actions.length === 0) {
    // Carried out by hand (core/by-hand.ts): datalek touched nothing and holds nothing to undo it by; a person undoes it.
    const byHand = incident.actions.filter((a) => a.byHand && !a.released).map((a) => a.id);
    const hand = byHand.length
      ? {
          en: `; ${byHand.join(', ')} ${byHand.length === 1 ? 'was' : 'were'} carried out by hand, not by datalek, which has nothing to undo ${byHand.length === 1 ? 'it' : 'them'} by: undo ${byHand.length === 1 ? 'it' : 'them'} by hand`,
          nl: `; ${byHand.join(', ')} is met de hand uitgevoerd, niet door datalek, dat niets heeft om het mee ongedaan te maken: maak het met de hand ongedaan`,
        }
      : { en: '', nl: '' };
    throw new RefusedError(`incident ${incident.id} has no containment that was carried out and not yet released (planned actions touched nothing)${hand.en}`, {
      page: { nl: `Incident ${incident.id} heeft geen uitgevoerde inperking die nog niet is opgeheven (geplande acties raakten niets)${hand.nl}.` },
    });
  }
  const reactivateKey = input.reactivateKey === true;
  // Listed once, closed incidents and all, only when something shared is undone (see `othersNow`).
  const everyone = actions.some((a) => undoesSharedState(a, reactivateKey)) ? await everyIncident(deps, incident) : [];
  if (reactivateKey) refuseKeysReliedOn(incident, actions, everyone);
  const named = [...new Set((input.undoFor ?? []).map((id) => id.trim()).filter(Boolean))];
  const holds = await holdsElsewhere(deps, incident, actions, reactivateKey, everyone);
  const holders = new Set(holds.map((h) => h.other.id));
  // A hold whose release opens nothing (what was left to ours, which cut nothing) is handed back unasked.
  const asked = holds.filter((h) => !h.unasked);
  if (asked.some((h) => !named.includes(h.other.id))) throw refusal(incident, asked, named);
  const stray = named.filter((id) => !holders.has(id));
  if (stray.length) {
    const message = `--undo-for names ${stray.join(', ')}, which ${stray.length === 1 ? 'holds' : 'hold'} none of what releasing incident ${incident.id} undoes: nothing was released`;
    throw new RefusedError(message, {
      page: {
        nl: `"Ook opheffen voor incident(en)" noemt ${stray.join(', ')}, dat niets vasthoudt van wat opheffen van incident ${incident.id} ongedaan maakt: er is niets opgeheven.`,
        en: message.replace('--undo-for', '"Also undo for incident(s)"'),
      },
    });
  }

  // Checked against the containment lease and marked `releasing` in one commit (see `beginRelease`),
  // which reads the incidents it undoes containment for too (an Art. 34(3)(b) ground of theirs).
  const elsewhere = new Map<string, Set<string>>();
  // An instance isolation relying on a task interface of ours (`part`) stays in effect: not marked as being released.
  for (const h of holds) {
    const relying = elsewhere.get(h.other.id) ?? new Set();
    elsewhere.set(h.other.id, h.part ? relying : relying.add(h.action.id));
  }
  const marked = await beginRelease(deps, incident.id, actions, by, elsewhere);
  const released: ReleaseOutcome['released'] = [];
  const failedReleases: ReleaseOutcome['failed'] = [];
  const undoneFor: UndoneFor[] = [];
  // The action whose release has reached AWS and is not yet recorded, with the steps it reported.
  let acting: { action: ActionRecord; steps: StepRecord[] } | null = null;
  try {
    for (const action of marked.actions) {
      const steps: StepRecord[] = [];
      acting = { action, steps };
      await deps.containment.release(action, marked.incident, {
        reactivateKey,
        ...(input.userDeleted ? { userDeleted: { by } } : {}),
        doneBefore: new Set(action.releaseStepsDone ?? []),
        record: async (step) => {
          steps.push(step);
          await changeIncident(deps, incident.id, () => ({
            entries: [
              {
                at: step.at,
                kind: `release-step-${step.status}`,
                actor: by,
                detail: {
                  action: action.type,
                  target: action.target,
                  step: step.name,
                  status: step.status,
                  detail: step.detail ?? null,
                  code: step.code ?? null,
                },
              },
            ],
          }));
        },
      });
      const at = deps.now();
      const release = { at, by, reason };
      // A step released as deleted on the person's word (`--user-deleted`): said on the record and its entry.
      const userDeleted = input.userDeleted === true && steps.some(releasedAsDeleted);
      const failed = !releaseUndid(steps);
      const unfinished = steps.filter((s) => s.status === 'failed').map((s) => s.name);
      // Only what was actually changed is undone for the others (a step done: groups restored, a key set Active).
      // Who holds it is read again now: a finding that came while the release ran may have left the
      // resource to this incident, as it still held it (those are told below too, unasked).
      const changed = !failed && steps.some((s) => s.status === 'done');
      const undone =
        changed && undoesSharedState(action, reactivateKey)
          ? await holdsElsewhere(deps, incident, [action], reactivateKey, await othersNow(deps, everyone))
          : [];
      // This record and each other's, in one commit: a crash between them would leave another
      // incident saying "contained" while it is undone (and this action, released, is not released again).
      const others = [...new Set(undone.map((h) => h.other.id))];
      // A minimised finding's action kept the object's key (or user's name) for this release alone; so
      // did a closed incident's (closed ones are minimised) whose action this release undoes too.
      const minimised = await releasedFindingMinimised(deps.store, marked.incident, action);
      const minimisedThere = new Set<string>();
      for (const h of undone)
        if (!h.part && !h.leftToUs && (await releasedFindingMinimised(deps.store, h.other, h.action))) minimisedThere.add(actionOf(h.other.id, h.action.id));
      const outcome: UndoneFor[] = [];
      let done = false;
      let partly: ReleaseOutcome['failed'][number]['partly'];
      await changeIncidents(deps, [incident.id, ...others], ([draft, ...rest]) => {
        outcome.length = 0;
        partly = undefined;
        const a = draft.actions.find((x) => x.id === action.id) as ActionRecord;
        a.releasing = undefined;
        // Steps a containment run recorded while this release ran (one whose lease had run out) were
        // not undone by it: the action is then not released either.
        const late = doneSteps(a).filter((name) => !doneSteps(action).includes(name));
        done = !failed && late.length === 0;
        // Not released: what failed is still in effect (all of it, or an interface of several), so the
        // record keeps it held, this release can be tried again, and the others' holds stay.
        if (!done) {
          markPartlyReleased(a, release, steps);
          if (a.partlyReleased) partly = { undone: a.partlyReleased.undone, stillInEffect: a.partlyReleased.stillInEffect };
          return [failedRelease(deps, a, release, steps, late), ...rest.map(() => null)];
        }
        a.released = userDeleted ? { ...release, userDeleted: true } : release;
        if (minimised) minimiseReleased(draft, a.findingId);
        const alsoFor = undone.length ? { undoneFor: undone.map((h) => h.other.id) } : {};
        const theirs = rest.map((other) => undoIn(deps, other, undone, incident.id, release, outcome, minimisedThere));
        return [
          {
            entries: [
              {
                at,
                kind: 'containment-released',
                actor: by,
                detail: { action: a.type, target: a.target, reason, failedSteps: unfinished, ...alsoFor, ...(userDeleted ? { userDeleted: true } : {}) },
              },
            ],
            messages: (d) => [
              ...(['fg', 'on-call'] as const).map((channel) =>
                composeMessage({ incident: d, channel, kind: 'released', stateKey: `released:${a.id}`, now: at, policy: deps.policy }),
              ),
              // The resource is open; what failed after that is on-call's to finish by hand.
              ...(unfinished.length
                ? [
                    composeMessage({
                      incident: d,
                      channel: 'on-call',
                      kind: 'release-incomplete',
                      stateKey: `release-incomplete:${a.id}`,
                      now: at,
                      policy: deps.policy,
                    }),
                  ]
                : []),
            ],
          },
          ...theirs,
        ];
      });
      acting = null;
      undoneFor.push(...outcome);
      if (done && changed) undoneFor.push(...(await undoLeftMeanwhile(deps, incident, action, reactivateKey, release).catch(leftUntold(incident.id, action))));
      if (done) released.push({ id: action.id, steps, ...(unfinished.length ? { unfinished } : {}) });
      else failedReleases.push({ id: action.id, steps, ...(partly ? { partly } : {}) });
    }
  } catch (err) {
    if (err instanceof ConflictError && acting) throw actedNotRecorded(incident.id, acting.action, acting.steps, err);
    throw err;
  } finally {
    // An error the adapter threw (or a store failure) ends the release where it was: what it did not
    // finish is no longer marked as being released, and stays releasable. One that loses the race
    // too leaves the mark to run out (RELEASE_MARK_MS), and the error says what happened.
    await endRelease(deps, incident.id, [...elsewhere.keys()]).catch((err) => {
      if (!(err instanceof ConflictError)) throw err;
    });
  }
  return { released, failed: failedReleases, undoneFor };
}

/**
 * A release that reached AWS and whose record lost the race at every try (a storm of findings on
 * the incident): the resource may be open while the record keeps the containment in effect. Says
 * so, with the steps AWS reported, and that a release tried again carries them out again and
 * records them; never that nothing happened (read10a A1).
 */
function actedNotRecorded(incidentId: string, action: ActionRecord, steps: StepRecord[], cause: ConflictError): ActedNotRecordedError {
  const reported = steps.length ? steps.map((s) => `${s.name} ${s.status}`).join(', ') : 'no step reported yet';
  // No race (a row planted behind datalek): the CLI's lost-race path adds the store's text and `datalek verify`.
  if (cause instanceof StuckConflictError)
    return stuckActed(
      cause,
      `the release of ${action.type} ${action.target} (incident ${incidentId}) was carried out in AWS, wholly or in part (${reported}), but its record could not be written. The record still says the containment is in effect; it may not be`,
      {
        en: `The release of ${action.type} ${action.target} was carried out in AWS, wholly or in part (${reported}), but could not be recorded`,
        nl: `Het opheffen van ${action.type} ${action.target} is in AWS geheel of gedeeltelijk uitgevoerd (${reported}), maar kon niet worden vastgelegd`,
      },
    );
  const message = `the release of ${action.type} ${action.target} (incident ${incidentId}) was carried out in AWS, wholly or in part (${reported}), but its record could not be written: other changes to the incident kept coming in at every try. The record still says the containment is in effect; it may not be. Release it again once the changes calm down (datalek release ${incidentId} --by NAME --reason TEXT): the release is carried out again and recorded; datalek show ${incidentId} shows what is recorded`;
  return new ActedNotRecordedError(message, {
    cause,
    page: {
      en: `The release of ${action.type} ${action.target} was carried out in AWS, wholly or in part (${reported}), but could not be recorded: other changes to this incident kept coming in (a storm of findings?). The page below still shows the containment in effect; it may not be. Send the form again once the changes calm down: the release is then carried out again and recorded.`,
      nl: `Het opheffen van ${action.type} ${action.target} is in AWS geheel of gedeeltelijk uitgevoerd (${reported}), maar kon niet worden vastgelegd: er kwamen steeds andere wijzigingen van dit incident tussen (een storm van meldingen?). De pagina hieronder toont de inperking nog als van kracht; dat is ze mogelijk niet meer. Verstuur het formulier opnieuw zodra het rustiger is: het opheffen wordt dan opnieuw uitgevoerd en vastgelegd.`,
    },
  });
}

/**
 * `undoLeftMeanwhile` lost the race at every try (a storm of findings on the other incident): the
 * release is carried out in AWS and recorded, but an incident that left the resource to this one
 * still says it is contained by it. Says so, naming it, and how to mend it: `datalek contain` takes
 * up an action left to an incident that let the resource go (contain-again.ts); never that nothing
 * was recorded.
 */
function leftUntold(incidentId: string, action: ActionRecord): (err: unknown) => never {
  return (err) => {
    if (!(err instanceof LeftMeanwhileConflict)) throw err;
    const others = err.incidentIds.join(', ');
    const contain = err.incidentIds.map((id) => `datalek contain ${id} --by NAME --reason TEXT`).join('; ');
    const message = `the release of ${action.type} ${action.target} (incident ${incidentId}) was carried out in AWS and recorded; but incident ${others} left that resource to ${incidentId} while the release was being recorded, and telling it lost the race at every try (other changes to it kept coming in): its record still says the resource is contained by ${incidentId}, which it no longer is. Contain it once the changes calm down (${contain}; with --enforce if the policy only planned it); any other action of this release was not started: release again`;
    throw new ActedNotRecordedError(message, {
      cause: err.cause,
      page: {
        en: `The release of ${action.type} ${action.target} was carried out in AWS and recorded. But incident ${others} left that resource to this incident while the release was being recorded, and could not be told: other changes to it kept coming in (a storm of findings?). Its record still says the resource is contained by this incident; it no longer is. Contain incident ${others} again once the changes calm down. Any other action of this release was not started: send the form again.`,
        nl: `Het opheffen van ${action.type} ${action.target} is in AWS uitgevoerd en vastgelegd. Maar incident ${others} liet die resource aan dit incident over terwijl het opheffen werd vastgelegd, en het lukte niet om dat incident bij te werken: er kwamen steeds andere wijzigingen tussen (een storm van meldingen?). Volgens incident ${others} houdt dit incident de resource nog ingeperkt; dat is niet meer zo. Perk incident ${others} opnieuw in zodra het rustiger is. Andere acties van dit opheffen zijn niet begonnen: verstuur het formulier opnieuw.`,
      },
    });
  };
}

/** The commit telling the incidents that left the resource meanwhile lost the race at every try. */
class LeftMeanwhileConflict extends ConflictError {
  constructor(
    readonly incidentIds: string[],
    cause: ConflictError,
  ) {
    super(cause.message, { cause });
  }
}

/**
 * After the commit that released `action`: an incident that left its resource to this one between
 * the holds read for that commit and the commit itself (a finding planned then) says "contained by
 * this incident" while it is open. Its action is planned again and its FG and on-call told, as for
 * one named. (No hold is left to this incident after the commit: it no longer holds the resource.)
 */
async function undoLeftMeanwhile(
  deps: ContainDeps,
  incident: Incident,
  action: ActionRecord,
  reactivateKey: boolean,
  release: { at: string; by: string; reason: string },
): Promise<UndoneFor[]> {
  if (!undoesSharedState(action, reactivateKey)) return [];
  // Open incidents alone: only one of them can leave anything to this one (c3f54769).
  const open = await deps.store.listIncidents({ openOnly: true, onUnreadable: () => undefined });
  const late = (await holdsElsewhere(deps, incident, [action], reactivateKey, open)).filter((h) => h.leftToUs);
  if (late.length === 0) return [];
  const outcome: UndoneFor[] = [];
  const ids = [...new Set(late.map((h) => h.other.id))];
  try {
    await changeIncidents(deps, ids, (drafts) => {
      outcome.length = 0;
      const results = drafts.map((d) => undoIn(deps, d, late, incident.id, release, outcome));
      return results.some(Boolean) ? results : null;
    });
  } catch (err) {
    throw err instanceof ConflictError ? new LeftMeanwhileConflict(ids, err) : err;
  }
  return outcome;
}

/**
 * A release that undid some of the containment and not the rest: the action says which, so the
 * draft, register and other incidents' measures do not read it as wholly in effect. What an earlier
 * partial release undid stays undone; a try that undid nothing leaves the mark as it was. A
 * containment step a later release step undid (`UNDOES`: out of the target groups, the Auto Scaling
 * group) is no longer recorded done: a containment run that takes the action up does it again, and
 * a release tried again has nothing of it to undo. The other steps it did after the undoing are kept
 * (`releaseStepsDone`, the tag): a try again does not send them again.
 */
function markPartlyReleased(action: ActionRecord, release: { at: string; by: string; reason: string }, steps: StepRecord[]): void {
  const containing = (status: StepRecord['status']) => steps.filter((s) => s.status === status && !AFTER_UNDO_STEPS.has(s.name)).map((s) => s.name);
  const stillInEffect = containing('failed');
  const undone = [...new Set([...(action.partlyReleased?.undone ?? []), ...containing('done')])].filter((n) => !stillInEffect.includes(n));
  const after = steps.filter((s) => s.status === 'done' && AFTER_UNDO_STEPS.has(s.name)).map((s) => s.name);
  const undid = after.map((name) => UNDOES[name]).filter(Boolean);
  if (undid.length) action.steps = (action.steps ?? []).filter((s) => !undid.includes(s.name));
  const kept = after.filter((name) => !UNDOES[name]);
  if (kept.length) action.releaseStepsDone = [...new Set([...(action.releaseStepsDone ?? []), ...kept])];
  if (containing('done').length === 0 || stillInEffect.length === 0) return;
  action.partlyReleased = { ...release, undone, stillInEffect };
}

function doneSteps(action: ActionRecord): string[] {
  return (action.steps ?? []).filter((s) => s.status === 'done').map((s) => s.name);
}

/**
 * Starts a release, in one commit: refused while a containment run holds the incident's lease (it
 * may be taking steps on these very actions: what it does after the release would stay isolated
 * under a record saying released); else the actions are marked `releasing`, so a run that takes the
 * lease after this leaves them alone (`actionsToEnforce`). A lease run out is dropped: a run that
 * stalled past it and comes back finds it gone and takes no further step. Returns the incident as
 * stored, and the actions as they are now.
 *
 * `elsewhere`: the other incidents whose containment the release undoes too (`--undo-for`), each
 * with its actions that rely on it. After the mark, before anything is undone, each is read in a
 * commit of its own (a few to a commit, written with its revision checked), so an Art. 34(3)(b)
 * decision recorded there since the holds were listed is seen: refused, the mark taken off, as for
 * this incident's own (review11 S5), never slipped past by a race.
 */
async function beginRelease(
  deps: ContainDeps,
  incidentId: string,
  actions: ActionRecord[],
  by: string,
  elsewhere: ReadonlyMap<string, ReadonlySet<string>>,
): Promise<{ incident: Incident; actions: ActionRecord[] }> {
  const ids = new Set(actions.map((a) => a.id));
  const now = deps.machineNow?.() ?? deps.now();
  const until = new Date(Date.parse(now) + RELEASE_MARK_MS).toISOString();
  const { incident } = await changeIncident(deps, incidentId, (draft) => {
    const lease = draft.containmentLease;
    if (lease && Date.parse(lease.until) > Date.parse(now)) throw leaseRefusal(incidentId, lease.until);
    if (lease) draft.containmentLease = null;
    checkArt34Ground(draft, ids, null);
    for (const a of releasable(draft.actions)) if (ids.has(a.id)) a.releasing = { at: deps.now(), by, until };
    return { entries: [] };
  });
  const others = [...elsewhere.keys()];
  try {
    for (let i = 0; i < others.length; i += HANDED_BACK_PER_COMMIT) {
      const chunk = others.slice(i, i + HANDED_BACK_PER_COMMIT);
      await changeIncidents(deps, chunk, (drafts) =>
        drafts.map((other, j) => {
          const relying = elsewhere.get(chunk[j]) ?? new Set();
          checkArt34Ground(other, relying, incidentId);
          // Marked too, in the same commit (contain16): an Art. 34(3)(b) decision there while AWS undoes
          // it reads it released (asReleased), as this incident's own; the release takes the mark off.
          for (const a of other.actions) if (relying.has(a.id) && !a.releasing) a.releasing = { at: deps.now(), by, until, for: incidentId };
          return { entries: [] };
        }),
      );
    }
  } catch (err) {
    await endRelease(deps, incidentId, others);
    throw err;
  }
  return { incident, actions: incident.actions.filter((a) => a.releasing && ids.has(a.id)) };
}

/**
 * The Art. 34(3)(b) exception "measures taken" rests on measures in effect (`measuresTaken`: the
 * facts' own words, or containment carried out and not released). A release that takes away the last
 * of them (`releasing`: the actions of `incident` it undoes; `by`: the incident released, when another)
 * would leave the record saying the data subjects need not be told because measures removed the high
 * risk, with none in effect, and nothing asking for a new decision. Refused before anything is undone,
 * as `facts` refuses to empty --measures-taken: the FG records a new Art. 34 decision first (review11 S5,
 * Art. 34(1), (3)(b), 5(2)).
 */
function checkArt34Ground(incident: Incident, releasing: ReadonlySet<string>, by: string | null): void {
  if (incident.subjects?.exception !== 'measures-taken' || !incident.actions.some((a) => releasing.has(a.id))) return;
  const released = { at: '', by: '', reason: '' };
  const after = { ...incident, actions: incident.actions.map((a) => (releasing.has(a.id) ? { ...a, released } : a)) };
  if (measuresTaken(after).length > 0) return;
  const through = by ? ` (held for it by incident ${by}, whose release undoes it)` : '';
  const throughNl = by ? ` (voor dit incident vastgehouden door incident ${by}, waarvan het opheffen het ongedaan maakt)` : '';
  // A closed incident (its containment held after closing) takes either only as a change after closing.
  const closed = incident.state === 'closed';
  const message = `the Art. 34 decision of incident ${incident.id} rests on the measures taken (exception "measures taken", Art. 34(3)(b)), and the containment this release undoes${through} is the only measure in effect: released, the exception stands on no measure; the FG records a new Art. 34 decision first (datalek subjects ${incident.id}${closed ? ' --after-close' : ''}), or the measures in effect (datalek facts ${incident.id} --measures-taken${closed ? ' --reason TEXT' : ''})${closed ? ', each after closing, as the incident is closed' : ''}; nothing was released`;
  throw new RefusedError(message, {
    page: {
      nl: `Het besluit over de betrokkenen van incident ${incident.id} steunt op de genomen maatregelen (uitzondering art. 34(3)(b)), en de inperking die dit opheffen ongedaan maakt${throughNl} is de enige maatregel die nog geldt: daarna steunt de uitzondering op geen enkele maatregel. De FG legt eerst een nieuw besluit over de betrokkenen vast, of de maatregelen die wel gelden ("Genomen maatregelen" bij de feiten)${closed ? ', na het sluiten: het incident is gesloten' : ''}. Er is niets opgeheven.`,
      en: message,
    },
  });
}

/**
 * What `beginRelease` marked and the release did not finish is no longer marked: this incident's own
 * marks, and those it put on the `others` it undoes containment for (not one another release put there).
 */
async function endRelease(deps: ContainDeps, incidentId: string, others: readonly string[] = []): Promise<void> {
  await changeIncident(deps, incidentId, (draft) => {
    const left = draft.actions.filter((a) => a.releasing && !a.releasing.for);
    for (const a of left) a.releasing = undefined;
    return left.length ? { entries: [] } : null;
  });
  for (let i = 0; i < others.length; i += HANDED_BACK_PER_COMMIT) {
    await changeIncidents(deps, others.slice(i, i + HANDED_BACK_PER_COMMIT), (drafts) => {
      const results = drafts.map((other) => {
        const ours = other.actions.filter((a) => a.releasing?.for === incidentId);
        for (const a of ours) a.releasing = undefined;
        return ours.length ? { entries: [] } : null;
      });
      return results.some(Boolean) ? results : null;
    });
  }
}

function leaseRefusal(incidentId: string, until: string): RefusedError {
  const message = `containment of incident ${incidentId} is running (its run holds the incident until ${until}): release once it has finished (datalek show ${incidentId}); nothing was released`;
  return new RefusedError(message, {
    page: {
      nl: `De inperking van incident ${incidentId} wordt nog uitgevoerd (tot uiterlijk ${until}): hef op als die klaar is. Er is niets opgeheven.`,
      en: `Containment of incident ${incidentId} is still being carried out (until ${until} at the latest): release once it has finished. Nothing was released.`,
    },
  });
}

/**
 * A release some step of which failed: the timeline says so (which steps failed, which were done,
 * and which a containment run did meanwhile), the action stays as it was (held, releasable), and
 * on-call is told at once: the resource is still contained, partly or wholly, while a person meant
 * it to be open again.
 */
function failedRelease(
  deps: ContainDeps,
  action: ActionRecord,
  release: { at: string; by: string; reason: string },
  steps: StepRecord[],
  late: string[],
): ChangeResult {
  const names = (status: StepRecord['status']) => steps.filter((s) => s.status === status).map((s) => s.name);
  return {
    entries: [
      {
        at: release.at,
        kind: 'containment-release-failed',
        actor: release.by,
        detail: {
          action: action.type,
          target: action.target,
          reason: release.reason,
          failedSteps: names('failed'),
          doneSteps: names('done'),
          ...(late.length ? { containedMeanwhile: late } : {}),
        },
      },
    ],
    messages: (d) => [
      composeMessage({
        incident: d,
        channel: 'on-call',
        kind: 'release-failed',
        stateKey: `release-failed:${action.id}:${d.revision}`,
        now: release.at,
        policy: deps.policy,
      }),
    ],
  };
}

/**
 * In `draft`, whose action `actionId` is left to `holder` (`heldBy`), which released that resource
 * (`release`) since: what the release does for an action left to it when it sees it (`undoIn`),
 * for one it could not see (left to it while its release was being stored). Null when the action
 * is no longer left to it.
 */
export function handBackReleased(
  deps: ChangeDeps,
  draft: Incident,
  actionId: string,
  holder: Incident,
  release: { at: string; by: string; reason: string },
): ChangeResult {
  const action = draft.actions.find((a) => a.id === actionId);
  if (!action?.heldBy || action.status !== 'skipped') return null;
  const hold: Hold = { other: draft, action, ours: action, leftToUs: true };
  return undoIn(deps, draft, [hold], holder.id, release, []);
}

/**
 * Records in `draft`, another incident, that its containment of the resource was undone by this
 * release (each of `holds` that is its): its own action released (its record and AP draft no longer
 * count it as in effect), or the action it left to this incident planned again, not carried out
 * (`datalek contain ID --enforce` does). What it did goes into `outcome`; null when its record
 * changed meanwhile so that nothing is left to undo there. `minimised`: its actions (`actionOf`) whose
 * finding is minimised, which kept what minimising removes for their release alone (minimiseReleased).
 */
function undoIn(
  deps: ChangeDeps,
  draft: Incident,
  holds: Hold[],
  releasedBy: string,
  release: { at: string; by: string; reason: string },
  outcome: UndoneFor[],
  minimised: ReadonlySet<string> = new Set(),
): ChangeResult {
  const why = `undone by the release of incident ${releasedBy}: ${release.reason}`;
  const entries: TimelineDraft[] = [];
  const told: string[] = [];
  // Of `told`: actions left to the released incident (or relying on what it found), planned again here, not carried out.
  const planned: string[] = [];
  const reopenedHere: string[] = [];
  for (const hold of holds.filter((h) => h.other.id === draft.id)) {
    const a = draft.actions.find((x) => x.id === hold.action.id);
    // Undone (or handed back) in this commit: the mark of this release is off, so a run takes up a handed-back action at once.
    if (a?.releasing?.for === releasedBy) a.releasing = undefined;
    if (!a || a.released) continue;
    if (hold.part) {
      // Its isolation stays in effect and recorded so; the task interfaces it found isolated (still listed as found,
      // so verify reads them drifted) are open again: said on its timeline, its FG and on-call told.
      const found = foundTaskInterfaces(a);
      const reopened = hold.part.filter((id) => found.includes(id));
      if (reopened.length === 0) continue;
      entries.push({
        at: release.at,
        kind: 'containment-released',
        actor: release.by,
        detail: { action: a.type, target: a.target, reason: why, undoneBy: releasedBy, now: 'reopened', reopened },
      });
      reopenedHere.push(a.id);
      outcome.push({ incidentId: draft.id, actionId: hold.action.id, now: 'reopened' });
      continue;
    }
    let now: UndoneFor['now'];
    if (hold.found ? reliesOnIsolationFound(a) : hold.leftToUs && a.heldBy === hold.action.heldBy) {
      delete a.heldBy;
      a.status = 'planned';
      a.mode = 'plan';
      a.reason = `not contained: incident ${releasedBy}, ${hold.found ? 'whose containment this one found in place' : 'which held it'}, released it (${release.reason}); ${containCommand(draft.id, { enforce: true })} carries it out`;
      now = 'planned';
    } else if (hold.found) {
      // Taken up meanwhile (datalek contain): no longer relying on this isolation.
      continue;
    } else {
      a.released = { at: release.at, by: release.by, reason: why };
      if (minimised.has(actionOf(draft.id, a.id))) minimiseReleased(draft, a.findingId);
      now = 'released';
    }
    entries.push({
      at: release.at,
      kind: 'containment-released',
      actor: release.by,
      detail: { action: a.type, target: a.target, reason: why, undoneBy: releasedBy, now },
    });
    told.push(a.id);
    if (now === 'planned') planned.push(a.id);
    outcome.push({ incidentId: draft.id, actionId: hold.action.id, now });
  }
  if (entries.length === 0) return null;
  toldHere(draft, told);
  // A 'released' message says for which incident (and, to a closed one, that its containment still held: release27 #4).
  const tell = (ids: string[], kind: 'released' | 'task-interface-reopened') => (d: Incident) =>
    ids.flatMap((id) =>
      (['fg', 'on-call'] as const).map((channel) =>
        composeMessage({
          incident: d,
          channel,
          kind,
          stateKey: `${kind}:${id}:by:${releasedBy}`,
          now: release.at,
          policy: deps.policy,
          ...(kind === 'released' ? { undoneFor: { incidentId: releasedBy, planned: planned.includes(id) } } : {}),
        }),
      ),
    );
  return { entries, messages: (d) => [...tell(told, 'released')(d), ...tell(reopenedHere, 'task-interface-reopened')(d)] };
}

/** One incident's action, as a key of a set. */
const actionOf = (incidentId: string, actionId: string) => `${incidentId}\n${actionId}`;

/** The network interfaces an instance isolation found isolated already and relies on (see taskInterfacesReliedOn). */
function foundTaskInterfaces(b: ActionRecord): string[] {
  return [
    ...((b.evidence?.taskInterfacesFound as { id: string }[] | undefined) ?? []).map((f) => f.id),
    ...((b.evidence?.metadata as { foundIsolated?: string[] } | undefined)?.foundIsolated ?? []),
  ];
}

/** How many incidents a closing's own commit hands actions back to (each is a few items of the commit); the rest follow at once, a few per commit. */
const HANDED_BACK_PER_COMMIT = 8;

/**
 * `changeIncident` for the change that closes `incidentId` (core/fg-workflow.ts `closeIncident`):
 * in the same commit, what open incidents left to it and it never contained is handed back to them
 * (`handBack`), so no record keeps saying "contained by" an incident that will never contain it.
 * Beyond HANDED_BACK_PER_COMMIT such incidents, the rest are handed back in commits of their own
 * right after (a crash between leaves them to `datalek contain ID --enforce`, which takes up an
 * action left to an incident that holds nothing).
 */
export async function closeHandingBack(deps: ChangeDeps, incidentId: string, change: (draft: Incident) => ChangeResult): Promise<{ incident: Incident }> {
  const left = await leftTo(deps, incidentId);
  const first = left.ids.slice(0, HANDED_BACK_PER_COMMIT);
  // What the closing incident itself left to incidents closed without containing it (review7 Y12):
  // nothing contains it, so it is not carried out, and closing asks what became of it.
  const current = await deps.store.getIncident(incidentId);
  const own = current ? await closedHoldersOf(deps.store, current) : [];
  const { incidents } = await changeIncidents(deps, [incidentId, ...first], ([draft, ...rest]) => {
    const back = own.flatMap(({ holder, names }) => handBack(deps, holder, draft, names, true) ?? []);
    const result = change(draft);
    if (!result) return null;
    const mine = { ...result, entries: [...back.flatMap((b) => b.entries), ...result.entries] };
    return [mine, ...rest.map((other) => handBack(deps, draft, other, left.names))];
  });
  const [closed] = incidents;
  for (let i = HANDED_BACK_PER_COMMIT; i < left.ids.length; i += HANDED_BACK_PER_COMMIT) {
    await changeIncidents(deps, left.ids.slice(i, i + HANDED_BACK_PER_COMMIT), (drafts) => {
      const results = drafts.map((other) => handBack(deps, closed, other, left.names));
      return results.some(Boolean) ? results : null;
    });
  }
  return { incident: closed };
}

/**
 * The open incidents with an action left to `incidentId` (`heldBy` it, or an incident merged into
 * it since), and the names those actions give it: what closing it may hand back (`handBack`). Open
 * ones only, unlike `holdsElsewhere`: what is handed back is carried out by the incident's next
 * containment run, and a closed incident is never contained again (its record reads the holder's
 * release instead: breach-facts.ts carriedOutElsewhere).
 */
export async function leftTo(deps: ChangeDeps, incidentId: string): Promise<{ ids: string[]; names: Set<string> }> {
  const ids: string[] = [];
  const names = new Set<string>();
  const chains = new Map<string, Promise<string[]>>();
  for (const other of await deps.store.listIncidents({ openOnly: true })) {
    if (other.id === incidentId || other.state === 'closed' || other.mergedInto) continue;
    for (const a of other.actions) {
      if (!a.heldBy || a.released || a.status !== 'skipped') continue;
      if (!chains.has(a.heldBy)) chains.set(a.heldBy, mergeChain(deps.store, a.heldBy));
      if (!(await chains.get(a.heldBy))?.includes(incidentId)) continue;
      names.add(a.heldBy);
      if (!ids.includes(other.id)) ids.push(other.id);
    }
  }
  return { ids, names };
}

/**
 * Records in `draft`, an open incident, that `closing` (being closed in the same commit) never
 * contained what `draft` left to it (its actions `heldBy` one of `names`): `closing` took the
 * resource up and its containment failed or never ran, and a closed incident is never contained
 * again. Nothing else holds the resource, so the action is `draft`'s again: not carried out
 * (failed, so its next containment run, or `datalek contain`, carries it out, and closing it asks
 * what became of it), an entry on its timeline, and its FG and on-call told. What `closing` holds
 * contained (a step that cut it done: heldContainment) stays left to it: the resource is contained, and its release hands it back.
 * Null when nothing is handed back.
 */
export function handBack(deps: ChangeDeps, closing: Incident, draft: Incident, names: ReadonlySet<string>, draftClosing = false): ChangeResult {
  const held = heldContainment(closing);
  const back = draft.actions.filter(
    (a) =>
      a.status === 'skipped' &&
      a.heldBy !== undefined &&
      names.has(a.heldBy) &&
      !a.released &&
      !holderIn(held, { type: a.type, target: a.target, ...actionPlace(a, draft) }),
  );
  if (back.length === 0) return null;
  const at = deps.now();
  const entries: TimelineDraft[] = [];
  for (const a of back) {
    const heldBy = a.heldBy as string;
    delete a.heldBy;
    // Only planned (the policy did not enforce it here): planned again, a person's to carry out.
    a.status = a.mode === 'enforce' ? 'failed' : 'planned';
    const next = draftClosing
      ? 'found at the closing of this incident: the closing records what became of it'
      : a.mode === 'enforce'
        ? `this incident's next containment run carries it out (${containCommand(draft.id)})`
        : `${containCommand(draft.id, { enforce: true })} carries it out`;
    a.reason = `not carried out: it was left to incident ${closing.id}, which held this resource and was closed without containing it; ${next}`;
    entries.push({
      at,
      kind: 'containment-failed',
      detail: { action: a.type, target: a.target, status: a.status, reason: a.reason, heldBy, closed: closing.id },
    });
  }
  toldHere(
    draft,
    back.map((a) => a.id),
  );
  return { entries, messages: toldFailed(deps, at, back.length, (d) => `handed-back:${closing.id}:${d.revision}`) };
}

/** The FG's and on-call's message that `failed` actions of the incident were not carried out (nothing contains their resources), keyed by `stateKey`. */
export function toldFailed(deps: Pick<ChangeDeps, 'policy'>, at: string, failed: number, stateKey: (d: Incident) => string): (d: Incident) => OutboxMessage[] {
  return (d) =>
    (['fg', 'on-call'] as const).map((channel) =>
      composeMessage({ incident: d, channel, kind: 'containment-failed', stateKey: stateKey(d), now: at, policy: deps.policy, run: { done: 0, failed } }),
    );
}

/**
 * Takes actions a hand-back tells of off `draft`'s outcomes a containment run has still to tell
 * (its leave of them, contain.ts toTell): told once, by the hand-back's own message.
 */
function toldHere(draft: Incident, ids: string[]): void {
  if (!draft.containmentUntold?.length) return;
  const untold = draft.containmentUntold.filter((id) => !ids.includes(id));
  draft.containmentUntold = untold.length ? untold : undefined;
}
