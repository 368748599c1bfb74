/**
 * Use case: a person carried out by hand a containment action the record holds as planned
 * (`datalek contained`, review7 G15). The policy leaves a step to a person (root credentials, the
 * Kubernetes side), or it only plans (enforcement off): on-call or the FG acts in the console, and
 * without this the record would say "planned" for ever and the AP draft would warn beside every
 * measure recorded. It is an Art. 33(3)(d) measure taken, with who, when and what (Art. 33(5)).
 *
 * Primary course:
 * 1. Who, what and the action are given; the action is one the record holds as planned, not
 *    released, not one the contain function is to carry out (the policy enforces it: done by hand,
 *    no run would take it up again; review8 A2), and no containment run holds the incident (it
 *    could be carrying the action out).
 * 2. The time stated lies between the detection and now, with the rules of every stated time.
 * 3. The action becomes `done`, with `byHand` saying so, and the timeline records it, in one commit:
 *    nothing automatic takes up a done action again (core/contain.ts, contain-again.ts), and a
 *    release leaves it to a person (core/release.ts `releasable`: datalek recorded no evidence).
 */

import type { Containment } from '../ports/containment.js';
import { byHandText, notDoneText } from './breach-facts.js';
import { type ChangeDeps, changeIncident, enteredAt } from './change-incident.js';
import { type ContainResult, carriedOutByPipeline, enforcementRefusal, runContainment, tellOwedLeavers } from './contain.js';
import { containedNotRecorded } from './contain-again.js';
import { containCommand, doneReason, TASKS_NEVER_READ } from './containment.js';
import { type ContainmentStateReader, expectedContainment, OTHER_KEY_ACTIVE, ownerKeyRefusal, userKeyChecks } from './drift.js';
import { ConflictError, refused as refuse } from './errors.js';
import { type ActionRecord, type Incident, ownAlertKey, type StepRecord, type TimelineEntry } from './incident.js';
import { OWN_PSEUDONYM, ownPseudonyms } from './incident-pseudonyms.js';
import { checkNamedInterfaces, type NamedInterface, parseNamedInterfaces, recordNamedInterfaces } from './named-interfaces.js';
import { resolveAlerts } from './pager.js';
import { notDoneHeldKey } from './record-finding.js';
import { checkRecordingTime, checkStatedTime, enteredLater } from './stated-time.js';
import { formatLocal } from './time.js';

export interface ContainedByHandInput {
  incidentId: string;
  /** The action's id as `show` lists it: `isolate-instance:i-0abc…`. */
  actionId: string;
  by: string;
  /** What was done, in the person's words. */
  what: string;
  /** When it was done (stated); default now. */
  at?: string;
  /**
   * On a key action that failed naming other keys of its user (OtherKeyActive): the keys the person
   * confirmed with the owner as theirs (`--owner-key`). Drift then reads exactly these as the
   * owner's, confirmed by `by` at `at` (attack16 K5).
   */
  ownerKeys?: readonly string[];
  /**
   * On an instance isolation that failed only on TASKS_NEVER_READ: the interfaces the person's search
   * found open and isolated by hand, each `eni-…=sg-…[+sg-…]` with its own groups (`--interface`,
   * cont24): read first, then recorded as the isolation's (core/named-interfaces.ts).
   */
  interfaces?: readonly string[];
  /**
   * On a `deactivate-user-keys` step: the long-term keys (`AKIA…`) the person deactivated (`--key`), kept with the
   * record so verify reads each back Inactive (cont26). On AWS each is read first: one not among the user's keys, or
   * still Active, is refused.
   */
  keys?: readonly string[];
}

/** A long-term access key's id, as IAM gives it. */
const ACCESS_KEY_ID = /^AKIA[A-Z0-9]{16}$/;

/**
 * The owner's keys given, checked against the action: each a key the action's failure named
 * (a step failed with OtherKeyActive names it), not the stolen key itself. Refused otherwise,
 * naming the key and why: a confirmation vouches only for what the failure asked about.
 */
function ownerKeysFor(action: ActionRecord, given: readonly string[]): string[] {
  const keys = [...new Set(given.map((k) => k.trim()).filter(Boolean))];
  if (keys.length === 0) return [];
  // Carried out by datalek: drift names a key made after it (within the sessions' hours: readC16 C1), which no step named.
  if (datalekKeyAction(action)) {
    for (const key of keys) {
      const why = !ACCESS_KEY_ID.test(key)
        ? 'is not an access key id (AKIA and 16 capitals or digits)'
        : key === action.target
          ? 'is the stolen key itself'
          : '';
      if (why)
        throw refuse(
          `--owner-key ${key} ${why}: only another key of its user can be confirmed as the owner's; nothing was recorded`,
          `--owner-key ${key} is geen andere sleutel van de gebruiker; er is niets vastgelegd.`,
        );
    }
    return keys;
  }
  const failed = (action.steps ?? []).filter((s) => s.status === 'failed' && s.code === OTHER_KEY_ACTIVE);
  if (action.type !== 'deactivate-access-key' || failed.length === 0)
    throw refuse(
      `--owner-key is for a key action whose run failed naming another key of its user (OtherKeyActive); ${action.id} did not; nothing was recorded`,
      `--owner-key hoort bij een sleutelactie die mislukte op een andere sleutel van de gebruiker (OtherKeyActive); ${action.id} niet; er is niets vastgelegd.`,
    );
  // The keys the failures named, the stolen key (each names it first) aside.
  const named = new Set(failed.flatMap((s) => s.detail?.match(/AKIA[A-Z0-9]{16}/g) ?? []).filter((k) => k !== action.target));
  for (const key of keys) {
    if (named.has(key)) continue;
    const why = !ACCESS_KEY_ID.test(key)
      ? 'is not an access key id (AKIA and 16 capitals or digits)'
      : key === action.target
        ? 'is the stolen key itself'
        : `is not a key the failure named (it named ${[...named].join(', ') || 'none'})`;
    throw refuse(
      `--owner-key ${key} ${why}: only a key the failed step named can be confirmed as the owner's; nothing was recorded`,
      `--owner-key ${key} is geen sleutel die de mislukte stap noemde (die noemde ${[...named].join(', ') || 'geen'}); er is niets vastgelegd.`,
    );
  }
  return keys;
}

/**
 * A key action datalek carried out (or a person finished), not released: `--owner-key` on it records
 * the keys the person confirmed as the owner's beside it, the action left as it is (readC16 C1).
 */
function datalekKeyAction(action: ActionRecord): boolean {
  return action.type === 'deactivate-access-key' && action.status === 'done' && !action.released;
}

/** Why the action cannot be recorded as carried out by hand, or null when it can. */
function notPlanned(action: ActionRecord, timeZone: string): { en: string; nl: string } | null {
  const name = action.id;
  if (action.released) return { en: `${name} was released (undone) already`, nl: `${name} is al opgeheven` };
  if (action.byHand) {
    const at = formatLocal(action.byHand.at, timeZone);
    return { en: `${name} is already done: ${byHandText(action.byHand, 'en', at)}`, nl: `${name} is al uitgevoerd: ${byHandText(action.byHand, 'nl', at)}` };
  }
  if (action.notDone) {
    const at = formatLocal(action.notDone.recordedAt, timeZone);
    return {
      en: `${name} will not be done already: ${notDoneText(action.notDone, 'en', at)}`,
      nl: `${name} wordt al niet uitgevoerd: ${notDoneText(action.notDone, 'nl', at)}`,
    };
  }
  if (action.status === 'done') return { en: `${name} is already done: datalek carried it out`, nl: `${name} is al uitgevoerd: datalek voerde het uit` };
  if (action.status === 'skipped')
    return {
      en: `${name} was skipped (${action.reason ?? 'no reason recorded'}): nothing is to be done`,
      nl: `${name} is overgeslagen: er hoeft niets te gebeuren`,
    };
  // A failed action was tried: steps of it may be in effect, and a person finished it by hand (review8's "Still left": closing asked a reason for it).
  if (action.status === 'failed') return null;
  if (action.steps?.length) return { en: `${name} was taken up by a containment run already`, nl: `${name} is al door een inperkingsrun opgepakt` };
  return null;
}

/** Why the action is no person's to record now (`notPlanned`, the contain function's, a run holding the incident), or null. */
function notAPersons(draft: Incident, action: ActionRecord, now: string, tz: string): { en: string; nl: string } | null {
  const why = notPlanned(action, tz);
  if (why) return why;
  const id = action.id;
  // Planned until the contain function takes it up (queued, throttled, retried, stopped for time):
  // recorded by a person, no run would touch it again, and the policy's containment would never
  // happen (review8 A2). A failed one was tried: what a person finished of it is hers to record.
  if (action.status !== 'failed' && carriedOutByPipeline(draft, action, now))
    return {
      en: `${id} is planned as the policy enforces it: the contain function carries it out (it has not yet); if it stopped or failed, ${containCommand(draft.id)} carries it out now`,
      nl: `${id} wordt volgens het beleid automatisch uitgevoerd door de inperkingsfunctie (die er nog niet aan toe kwam); is die gestopt of mislukt, dan voert ${containCommand(draft.id, { lang: 'nl' })} het nu uit`,
    };
  const lease = draft.containmentLease;
  // A run holding the incident may be carrying this very action out: its outcome would overwrite this.
  if (lease && lease.until > now)
    return {
      en: `a containment run holds incident ${draft.id} until ${lease.until}: it may carry ${id} out; try again after it finished`,
      nl: `de inperking van incident ${draft.id} loopt (tot uiterlijk ${formatLocal(lease.until, tz)}); probeer het daarna opnieuw`,
    };
  return null;
}

/**
 * The actions a person may record now as carried out by hand (`datalek contained`): the page offers
 * these; the use case still checks the one chosen against the record it changes.
 */
export function recordableByHand(incident: Incident, now: string, timeZone: string): ActionRecord[] {
  if (incident.state === 'closed' || incident.sample) return [];
  return incident.actions.filter((a) => notAPersons(incident, a, now, timeZone) === null);
}

/** The action a person names on an open incident, checked as hers to record (`also`: a check of the use case's own). */
function personsAction(
  draft: Incident,
  actionId: string,
  now: string,
  tz: string,
  also: (a: ActionRecord) => { en: string; nl: string } | null = () => null,
): ActionRecord {
  if (draft.state === 'closed')
    throw refuse(
      `incident ${draft.id} is closed; the register keeps it as it was closed (Art. 33(5))`,
      `Incident ${draft.id} is gesloten; het register bewaart het zoals het werd gesloten (AVG art. 33(5)).`,
    );
  const action = draft.actions.find((a) => a.id === actionId);
  if (!action) {
    const planned = draft.actions.filter((a) => notAPersons(draft, a, now, tz) === null && also(a) === null).map((a) => a.id);
    const list = planned.length ? `planned: ${planned.join(', ')}` : 'it holds no planned action';
    throw refuse(`incident ${draft.id} has no action ${actionId}; ${list}`, `Incident ${draft.id} heeft geen actie ${actionId}.`);
  }
  const why = notAPersons(draft, action, now, tz) ?? also(action);
  if (why) throw refuse(`${why.en}; nothing was recorded`, `${why.nl}; er is niets vastgelegd.`);
  return action;
}

/**
 * What `datalek contained` reads besides the store: on AWS, the containment as it is there (the drift
 * reader, through the read role `show`/`verify --target aws` use), to check an `--owner-key` on a key
 * action datalek carried out against the user's keys. Absent (the embedded store): only the record.
 */
export interface ContainedDeps extends ChangeDeps {
  containmentReader?: ContainmentStateReader;
}

/**
 * The id of the incident's step that `given` names: as the record holds it, or as its timeline and
 * messages name it, a principal by the incident's own pseudonym (core/incident-pseudonyms.ts): a
 * command copied from a message (`datalek not-done ID --action …`) names the step so. `given` as it
 * is otherwise; what follows refuses an id the incident does not hold.
 */
async function recordedActionId(store: ChangeDeps['store'], incidentId: string, given: string): Promise<string> {
  if (!OWN_PSEUDONYM.test(given)) return given;
  const incident = await store.getIncident(incidentId).catch(() => undefined);
  const key = incident?.pseudonymKey;
  return (key && incident.actions.find((a) => ownPseudonyms(key, a.id) === given)?.id) || given;
}

export async function recordContainedByHand(deps: ContainedDeps, input: ContainedByHandInput): Promise<Incident> {
  const by = input.by.trim();
  const what = input.what.trim();
  const actionId = await recordedActionId(deps.store, input.incidentId, input.actionId.trim());
  if (!by) throw refuse('who carried it out is required (--by)', 'Wie het uitvoerde is verplicht.');
  if (!what) throw refuse('what was done is required (--what): the register keeps it as the measure taken (Art. 33(5))', 'Wat er gedaan is, is verplicht.');
  if (!actionId) throw refuse('the action is required (--action ID, as `datalek show` lists it)', 'Kies de actie.');
  // A confirmation on a key action datalek carried out: each key checked first against what can be read of the user's keys (contain19).
  const checked = input.ownerKeys?.length ? await checkOwnerKeysRead(deps, input.incidentId, actionId, input.ownerKeys) : undefined;
  // Without --owner-key, on a key action datalek carried out: its user read gone from its recorded name (contain20).
  const gone = input.ownerKeys?.length ? undefined : await userReadGone(deps, input.incidentId, actionId);
  // Interfaces isolated by hand after the search for tasks no run read: each read first, in the isolation group only (cont24).
  const named = input.interfaces?.length ? parseNamedInterfaces(input.interfaces) : [];
  const readIn = named.length ? await readNamedInterfaces(deps, input.incidentId, actionId, named) : undefined;
  // The keys deactivated for a user's stolen session: well formed, for that step only, and on AWS read Inactive first (cont26).
  const keys = await userKeysFor(deps, input.incidentId, actionId, input.keys ?? []);
  // Read on AWS first only with a reader: the embedded store takes them as given, and the record says so.
  const keysNotRead = keys.length > 0 && !deps.containmentReader;
  const { incident } = await changeIncident(deps, input.incidentId, (draft) => {
    const tz = deps.policy.timeZone;
    const now = deps.now();
    // When it is entered, for "entered later": the machine's clock when --now is stated behind it (atk28 F16, clk28).
    const entered = enteredAt(deps);
    const done = draft.actions.find((a) => a.id === actionId);
    if (input.ownerKeys?.length && draft.state !== 'closed' && done && datalekKeyAction(done)) {
      // Checked against another state of the action (a run or a release since): the check is not this one's.
      if (checked !== done.target)
        throw refuse(
          `${done.id} changed while its user's keys were read; nothing was recorded: run it again`,
          `${done.id} veranderde terwijl de sleutels werden gelezen; er is niets vastgelegd, probeer het opnieuw.`,
        );
      return ownerKeysConfirmed(draft, done, input, by, what, now, tz);
    }
    if (gone && draft.state !== 'closed' && done && datalekKeyAction(done)) {
      if (gone !== done.target)
        throw refuse(
          `${done.id} changed while its user's keys were read; nothing was recorded: run it again`,
          `${done.id} veranderde terwijl de sleutels werden gelezen; er is niets vastgelegd, probeer het opnieuw.`,
        );
      return userGoneRecorded(draft, done, input, by, what, now, tz);
    }
    const action = personsAction(draft, actionId, now, tz);
    const ownerKeys = ownerKeysFor(action, input.ownerKeys ?? []);
    // An isolation failed only on tasks no run read (contain22): the person's search is that step's, the isolation stays datalek's.
    const neverRead = tasksNeverRead(action);
    if (named.length && (!neverRead || !readIn)) throw onlyAfterNeverRead(action.id);
    if (neverRead)
      return tasksSearchedByHand(draft, action, neverRead, input, by, what, now, entered, tz, named.length ? { named, readIn: readIn as string } : undefined);
    checkRecordingTime(draft, now, 'the containment by hand', tz);
    const at = checkStatedTime(draft, input.at ?? now, now, '--at', tz);
    const later = enteredLater(at, entered);
    const failed = action.status === 'failed';
    if (failed) oweLeaversDone(draft, action);
    action.status = 'done';
    if (keys.length && action.type !== 'deactivate-user-keys') throw keysOnlyForUserKeys(action.id);
    action.byHand = {
      at,
      by,
      what,
      recordedAt: now,
      ...(later ? { enteredLater: true as const } : {}),
      ...(ownerKeys.length ? { ownerKeys } : {}),
      ...(keys.length ? { keys } : {}),
      ...(keysNotRead ? { keysNotRead: true as const } : {}),
    };
    return {
      entries: [
        doneByHandEntry(action, by, now, at, what, {
          ...(ownerKeys.length ? { ownerKeys } : {}),
          ...(keys.length ? { keys } : {}),
          ...(keysNotRead ? { keysNotRead: true } : {}),
          ...(later ? { enteredLater: true } : {}),
          ...(failed ? { afterFailure: action.reason ?? true } : {}),
        }),
      ],
    };
  });
  // What the incidents that left this resource here read ("NOT CONTAINED", failed here) is mended now, as after a run
  // that carries a failed action out, not at the sweep's next left check, up to a day on (readC22). Not told now (a
  // store failure): still owed, the sweep tells it.
  if (!incident.leftUntold?.includes(actionId)) return incident;
  await tellOwedLeavers(deps, incident.id).catch(() => undefined);
  return (await deps.store.getIncident(incident.id)) ?? incident;
}

/**
 * A failed action a person finished (`contained`): the incidents that left its resource to this one read its failure
 * (contain.ts `tellFailedAtHolders`); owed the change, as a run's outcome is (containment.ts `oweLeavers`).
 */
function oweLeaversDone(draft: Incident, action: ActionRecord): void {
  draft.leftUntold = [...new Set([...(draft.leftUntold ?? []), action.id])];
}

const keysOnlyForUserKeys = (actionId: string) =>
  refuse(
    `--key is taken only on a deactivate-user-keys step (the long-term keys deactivated for an IAM user's stolen session); ${actionId} is not one; nothing was recorded`,
    `--key hoort alleen bij een stap deactivate-user-keys; er is niets vastgelegd.`,
  );

/**
 * The keys given with `--key`, checked before anything is written: each a long-term key id, on a `deactivate-user-keys`
 * step; on AWS (a reader) each read among the keys of the user the step is for and Inactive, as verify reads it after:
 * a key still Active, or not the user's (a mistyped id), is refused naming it, so the record never says deactivated what
 * AWS shows open. On the embedded store, which reads no AWS, taken as given, and the record says so (`byHand.keysNotRead`):
 * verify reads it with `--target aws`.
 */
async function userKeysFor(deps: ContainedDeps, incidentId: string, actionId: string, given: readonly string[]): Promise<string[]> {
  const keys = [...new Set(given.map((k) => k.trim()).filter(Boolean))];
  if (keys.length === 0) return [];
  for (const key of keys)
    if (!ACCESS_KEY_ID.test(key))
      throw refuse(
        `--key ${key} is not a long-term access key id (AKIA and 16 capitals or digits); nothing was recorded`,
        `--key ${key} is geen id van een vaste toegangssleutel; er is niets vastgelegd.`,
      );
  const incident = await deps.store.getIncident(incidentId);
  const action = incident?.actions.find((a) => a.id === actionId);
  // An unknown incident or action: refused by the change that follows, as any other.
  if (!incident || !action) return keys;
  if (action.type !== 'deactivate-user-keys') throw keysOnlyForUserKeys(action.id);
  if (!deps.containmentReader) return keys;
  const checks = userKeyChecks(incident, action, keys);
  if (typeof checks === 'string')
    throw refuse(`--key cannot be read back: ${checks}; nothing was recorded`, `--key kan niet worden nagelezen; er is niets vastgelegd.`);
  const seen = await deps.containmentReader.read(checks);
  checks.forEach((check, i) => {
    const key = check.expect.kind === 'user-key' ? check.expect.accessKeyId : '';
    const read = seen[i];
    const why =
      !read || read.read === 'error'
        ? `could not be read (${read?.read === 'error' ? read.code : 'no answer'}): the user's keys are read before the record says deactivated`
        : read.read === 'missing'
          ? 'cannot be read: the user was not found under its recorded name (renamed or deleted)'
          : read.read !== 'user-keys'
            ? 'was answered with another read'
            : !read.keys.some((k) => k.id === key)
              ? "is not among the user's keys (IAM lists no such key for the user)"
              : (read.keys.find((k) => k.id === key)?.status ?? '') !== 'Inactive'
                ? `is still ${read.keys.find((k) => k.id === key)?.status}: deactivate it first (aws iam update-access-key --status Inactive)`
                : '';
    if (why) throw refuse(`--key ${key} ${why}; nothing was recorded`, `--key ${key} is niet als uitgeschakeld te lezen; er is niets vastgelegd.`);
  });
  return keys;
}

const onlyAfterNeverRead = (actionId: string) =>
  refuse(
    `--interface is taken only on an instance isolation that failed only at task-interfaces with ${TASKS_NEVER_READ} (the search by hand for the tasks no run read); ${actionId} is not one; nothing was recorded`,
    `--interface hoort alleen bij een isolatie die alleen op task-interfaces mislukte met ${TASKS_NEVER_READ}; er is niets vastgelegd.`,
  );

/** The named interfaces read on AWS (core/named-interfaces.ts) for an isolation that failed on TASKS_NEVER_READ; the isolation group they were read in. */
async function readNamedInterfaces(deps: ContainedDeps, incidentId: string, actionId: string, named: readonly NamedInterface[]): Promise<string | undefined> {
  const incident = await deps.store.getIncident(incidentId);
  const action = incident?.actions.find((a) => a.id === actionId);
  // An unknown incident or action: refused as any other, by the change that follows.
  if (!incident || !action) return undefined;
  if (!tasksNeverRead(action)) throw onlyAfterNeverRead(action.id);
  // Another incident's isolated interface reads as one isolated by hand: its holder is named (red26), a closed one's too
  // (red27). Every incident is listed: a rare command a person runs, and an unreleased isolation may be of any age.
  return checkNamedInterfaces(deps.containmentReader, incident, action, named, await deps.store.listIncidents());
}

/**
 * The step an instance isolation failed on, when it failed only there and on TASKS_NEVER_READ: its container instance
 * deregistered (or its cluster deleted) before any run read all its tasks (readC21). The retry fails so for ever (a task
 * a forced deregistration left running is listed nowhere, its interface may be open); only a person's search ends it.
 */
function tasksNeverRead(action: ActionRecord): StepRecord | undefined {
  if (action.type !== 'isolate-instance' || action.status !== 'failed') return undefined;
  const failed = (action.steps ?? []).filter((s) => s.status === 'failed');
  const [only] = failed;
  return failed.length === 1 && only?.name === 'task-interfaces' && only.code === TASKS_NEVER_READ ? only : undefined;
}

/**
 * `datalek contained` on an isolation that failed only on TASKS_NEVER_READ (contain22): the person searched by hand
 * for the tasks' interfaces (and isolated those open). Recorded as that step's outcome, done by hand with what was
 * searched, and on the timeline with who and when; the action is done, still datalek's (the interfaces it isolated are
 * its evidence, its release restores them), not `byHand`, which would say the whole isolation was done by hand. Never
 * recorded by a run: only a person can say the orphaned tasks were looked for.
 */
function tasksSearchedByHand(
  draft: Incident,
  action: ActionRecord,
  failed: StepRecord,
  input: ContainedByHandInput,
  by: string,
  what: string,
  now: string,
  entered: string,
  tz: string,
  byHand?: { named: readonly NamedInterface[]; readIn: string },
) {
  checkRecordingTime(draft, now, 'the search by hand', tz);
  const at = checkStatedTime(draft, input.at ?? now, now, '--at', tz);
  const later = enteredLater(at, entered);
  const step: StepRecord = {
    name: failed.name,
    status: 'done',
    at: now,
    detail: `searched by hand for the tasks no run read (${at}, recorded with datalek contained; the step's last run failed ${failed.code}): ${what}`,
  };
  if (byHand) step.detail += recordNamedInterfaces(action, byHand.named, byHand.readIn, by, now);
  action.steps = [...(action.steps ?? []).filter((s) => s.name !== failed.name), step];
  oweLeaversDone(draft, action);
  action.status = 'done';
  const reason = doneReason(action.type);
  if (reason) action.reason = reason;
  else delete action.reason;
  return {
    entries: [
      doneByHandEntry(action, by, now, at, what, {
        step: failed.name,
        afterFailure: failed.code ?? true,
        ...(later ? { enteredLater: true } : {}),
        ...(byHand ? { interfaces: byHand.named.map((n) => ({ id: n.id, ownGroups: n.groups })) } : {}),
      }),
    ],
  };
}

/** The timeline entry of what `by` carried out by hand on `action` (`more`: the step, the owner's keys, the failure before it). */
function doneByHandEntry(action: ActionRecord, by: string, now: string, at: string, what: string, more: Record<string, unknown>) {
  return {
    at: now,
    kind: 'containment-done-by-hand',
    actor: by,
    detail: { action: action.type, target: action.target, actionId: action.id, at, what, ...more },
  };
}

/**
 * `--owner-key` on a key action datalek carried out, checked before anything is written (contain19:
 * any well-formed key id was recorded, and only drift declined to believe it). Each key must be one
 * drift names for a confirmation (drift.ts `ownerKeyRefusal`: made after the key's sessions were
 * revoked, within a role session's hours), and of the stolen key's user: on AWS, read in its user's
 * key list (ListAccessKeys through the read role, as `verify --target aws` reads it); on the
 * embedded store, which reads no AWS, only a key the record's own key list names so, which it
 * seldom does (it was read at the deactivation): otherwise refused, saying to run it with
 * `--target aws`. Returns the stolen key the check was made for (undefined: not such an action, the
 * use case's own checks say why).
 */
async function checkOwnerKeysRead(deps: ContainedDeps, incidentId: string, actionId: string, given: readonly string[]): Promise<string | undefined> {
  const incident = await deps.store.getIncident(incidentId);
  const action = incident?.actions.find((a) => a.id === actionId);
  if (!incident || incident.state === 'closed' || !action || !datalekKeyAction(action)) return undefined;
  const keys = ownerKeysFor(action, given);
  const refused = (key: string, why: string) =>
    refuse(`--owner-key ${key} ${why}; nothing was recorded`, `--owner-key ${key} is niet te bevestigen als sleutel van de eigenaar; er is niets vastgelegd.`);
  const check = expectedContainment(incident, deps.now()).checks.find((c) => c.actionId === action.id && c.expect.kind === 'access-key');
  const expect = check?.expect.kind === 'access-key' ? check.expect : undefined;
  if (!check || !expect)
    throw refused(keys[0] as string, `cannot be checked: ${action.id} holds no deactivation of the key in effect to read its user's keys by`);
  let listed: readonly { id: string; created: string | null }[];
  let where: string;
  if (deps.containmentReader) {
    const [seen] = await deps.containmentReader.read([check]);
    if (!seen || seen.read === 'error')
      throw refused(
        keys[0] as string,
        `cannot be checked: the stolen key's user's keys could not be read (${seen?.read === 'error' ? seen.code : 'no answer'})`,
      );
    if (seen.read === 'missing' && !seen.others)
      throw refused(keys[0] as string, `cannot be checked: the stolen key's user was not found under its recorded name (renamed or deleted)`);
    listed = seen.read === 'key' || seen.read === 'missing' ? (seen.others ?? []) : [];
    where = "IAM lists no such key for the stolen key's user";
  } else {
    const recorded = Array.isArray(action.evidence?.otherKeys) ? (action.evidence.otherKeys as { id?: unknown; created?: unknown }[]) : [];
    listed = recorded.flatMap((k) => (typeof k.id === 'string' ? [{ id: k.id, created: typeof k.created === 'string' ? k.created : null }] : []));
    where =
      "is not in the record's list of the user's keys, and the embedded store reads no AWS: confirm it with --target aws, which reads the user's keys (only a key made after the key's sessions were revoked, within 12 hours, can be confirmed)";
  }
  for (const key of keys) {
    const k = listed.find((x) => x.id === key);
    if (!k) throw refused(key, deps.containmentReader ? `is not a key of the stolen key's user: ${where}` : where);
    const why = ownerKeyRefusal(expect, k.created);
    if (why) throw refused(key, `is no key a confirmation on a key action datalek carried out clears: ${why}`);
  }
  return action.target;
}

/**
 * A key action datalek carried out whose user, read through the read role (`--target aws`), is not
 * found under its recorded name (deleted or renamed since: drift reads it DRIFTED "renamed or
 * deleted", and no later run failed, which would let a person record it by hand: contain20): the stolen key
 * it is for, to record the person's finding beside it. Undefined otherwise (not such an action, no
 * reader, the user found or not read): the use case's own checks say why nothing is recorded.
 */
async function userReadGone(deps: ContainedDeps, incidentId: string, actionId: string): Promise<string | undefined> {
  if (!deps.containmentReader) return undefined;
  const incident = await deps.store.getIncident(incidentId);
  const action = incident?.actions.find((a) => a.id === actionId);
  if (!incident || incident.state === 'closed' || !action || !datalekKeyAction(action)) return undefined;
  const check = expectedContainment(incident, deps.now()).checks.find((c) => c.actionId === action.id && c.expect.kind === 'access-key');
  if (!check) return undefined;
  const [seen] = await deps.containmentReader.read([check]);
  return seen?.read === 'missing' && seen.byName ? action.target : undefined;
}

/**
 * The person's finding about a key's user read gone from its recorded name, on a key action datalek
 * carried out: kept beside the action (`userGone`; the action stays done and datalek's) and on the
 * timeline; drift shows it beside what AWS shows.
 */
function userGoneRecorded(draft: Incident, action: ActionRecord, input: ContainedByHandInput, by: string, what: string, now: string, tz: string) {
  checkRecordingTime(draft, now, 'the record', tz);
  const at = checkStatedTime(draft, input.at ?? now, now, '--at', tz);
  action.userGone = { by, at, what, recordedAt: now };
  return {
    entries: [{ at: now, kind: 'key-user-gone-recorded', actor: by, detail: { action: action.type, target: action.target, actionId: action.id, at, what } }],
  };
}

/**
 * `--owner-key` on a key action datalek carried out: drift named another key of its user as made
 * within the sessions' hours after the revocation (readC16 C1), the person confirmed it as the
 * owner's. The action stays done and datalek's (a release still undoes it); the confirmation is kept
 * beside it (`ownerKeys`) and on the timeline, and drift reads exactly those keys as the owner's.
 */
function ownerKeysConfirmed(draft: Incident, action: ActionRecord, input: ContainedByHandInput, by: string, what: string, now: string, tz: string) {
  const ids = ownerKeysFor(action, input.ownerKeys ?? []);
  checkRecordingTime(draft, now, 'the confirmation', tz);
  const at = checkStatedTime(draft, input.at ?? now, now, '--at', tz);
  action.ownerKeys = [...(action.ownerKeys ?? []), { ids, by, at, recordedAt: now }];
  return {
    entries: [
      {
        at: now,
        kind: 'owner-keys-confirmed',
        actor: by,
        detail: { action: action.type, target: action.target, actionId: action.id, at, what, ownerKeys: ids },
      },
    ],
  };
}

export interface NotToBeDoneInput {
  incidentId: string;
  /** The action's id as `show` lists it. */
  actionId: string;
  /** Who decided. */
  by: string;
  /** Why it will not be carried out, in the person's words: the register and the AP draft keep it. */
  reason: string;
}

/**
 * Use case: a person decides that a planned containment step will not be carried out (`datalek
 * not-done`): the resource is gone or rebuilt, another measure covers the risk, the step would do
 * more harm than the breach. Without it the record said "planned" for ever: the AP draft and the
 * Art. 34 notice warned beside every measure recorded, and the register had no reason for it.
 *
 * Primary course:
 * 1. Who, why and the action are given; the action is one a person may record (as for
 *    `contained`: planned, not the contain function's to carry out, no run holding the incident) and
 *    not a failed one (steps of it may be in effect: contain it again, record what was done by hand,
 *    or release it).
 * 2. The action becomes `skipped` with `notDone` (who, why, when recorded), and the timeline records
 *    it, in one commit: no run takes it up; the draft names it with its reason, neither contained nor
 *    open; closing asks no containment reason for it, the reason being on the record.
 */
/** The actions a person may decide now not to carry out (`datalek not-done`): those she may record by hand, failed ones aside. */
export function decidableNotToBeDone(incident: Incident, now: string, timeZone: string): ActionRecord[] {
  return recordableByHand(incident, now, timeZone).filter((a) => failedRefusal(a) === null);
}

/** A failed step is not decided away: steps of it may be in effect. */
function failedRefusal(a: ActionRecord): { en: string; nl: string } | null {
  return a.status === 'failed'
    ? {
        en: `${a.id} failed when datalek carried it out: steps of it may be in effect; \`datalek contain\` tries it again, \`datalek contained\` records what was finished by hand, \`datalek release\` undoes it`,
        nl: `${a.id} is mislukt toen datalek het uitvoerde: delen ervan kunnen van kracht zijn; voer het opnieuw uit, leg vast wat met de hand is afgemaakt, of hef het op`,
      }
    : null;
}

export async function recordNotToBeDone(deps: ChangeDeps, input: NotToBeDoneInput): Promise<Incident> {
  const by = input.by.trim();
  const reason = input.reason.trim();
  const actionId = await recordedActionId(deps.store, input.incidentId, input.actionId.trim());
  if (!by) throw refuse('who decides is required (--by)', 'Wie besluit is verplicht.');
  if (!reason)
    throw refuse(
      'why it will not be carried out is required (--reason): the register and the AP draft keep it (Art. 33(3)(d), (5))',
      'Waarom de stap niet wordt uitgevoerd, is verplicht.',
    );
  if (!actionId) throw refuse('the action is required (--action ID, as `datalek show` lists it)', 'Kies de actie.');
  const { incident } = await changeIncident(deps, input.incidentId, (draft) => {
    const tz = deps.policy.timeZone;
    const now = deps.now();
    const action = personsAction(draft, actionId, now, tz, failedRefusal);
    checkRecordingTime(draft, now, 'the decision', tz);
    action.status = 'skipped';
    action.notDone = { by, reason, recordedAt: now };
    return {
      entries: [
        {
          at: now,
          kind: 'containment-not-to-be-done',
          actor: by,
          detail: { action: action.type, target: action.target, actionId: action.id, reason },
        },
      ],
    };
  });
  return incident;
}

/** The steps whose not-done decision a person may take back (`datalek not-done --withdraw`): decided, not released, on an open, real incident. */
export function withdrawableNotDone(incident: Incident): ActionRecord[] {
  if (incident.state === 'closed' || incident.sample) return [];
  return incident.actions.filter((a) => a.notDone && !a.released);
}

export interface NotDoneWithdrawal {
  incident: Incident;
  /** The finding whose rule enforces the step planned again, or null when none does (it is only planned). */
  enforcedBy: string | null;
  /** The containment run the withdrawal started (a target that carries containment out), or null. */
  containment: ContainResult | null;
}

/**
 * Use case: a person takes a not-done decision back (`datalek not-done --withdraw`, and the page's
 * form beside the not-done one): new evidence (a finding that asks for the step, `not-done-held`)
 * or a changed situation.
 *
 * 1. Who, why and the step are given; the step holds a not-done decision, is not released, and the
 *    incident is open and real.
 * 2. Which finding calls for it enforced: the one it was planned for, or one the timeline says asked
 *    for it while the decision held, checked as the contain function checks it (`enforcementRefusal`:
 *    the stored finding, as the ledger recorded it, under the policy loaded now).
 * 3. In one commit the step becomes planned again, the decision moves to `notDoneWithdrawn` beside
 *    the withdrawal, and the timeline records both. Planned enforced, with that finding, when the
 *    target carries containment out: as a new enforcing finding plans it; else as it was planned.
 * 4. Enforced, it is carried out at once by the contain function's run (core/contain.ts), this step
 *    only: on AWS (`--target aws`, or the page served on it) from the person's session, as `datalek
 *    contain` does. The embedded store only plans: nothing is touched there.
 */
export async function withdrawNotToBeDone(deps: ChangeDeps & { containment: Containment }, input: NotToBeDoneInput): Promise<NotDoneWithdrawal> {
  const by = input.by.trim();
  const reason = input.reason.trim();
  const actionId = await recordedActionId(deps.store, input.incidentId, input.actionId.trim());
  if (!by) throw refuse('who withdraws the decision is required (--by)', 'Wie het besluit intrekt is verplicht.');
  if (!reason)
    throw refuse(
      'why the decision is withdrawn is required (--reason): the register and the AP draft keep it beside the decision (Art. 33(5))',
      'Waarom het besluit wordt ingetrokken, is verplicht.',
    );
  if (!actionId) throw refuse('the action is required (--action ID, as `datalek show` lists it)', 'Kies de actie.');
  // Which finding enforces the step is decided at each try from the timeline read along with the
  // incident, as the held alerts the withdrawal resolves are: one recorded since a first read is seen.
  let decided: ActionRecord | undefined;
  let enforcing: EnforcingFinding | null = null;
  const { incident } = await changeIncident(
    deps,
    input.incidentId,
    (draft, _current, { held, enforcingNow }: { held: readonly TimelineEntry[]; enforcingNow: EnforcingFinding | null }) => {
      enforcing = enforcingNow;
      const enforce = enforcing !== null && deps.containment.canEnforce;
      const enforcedBy = enforcing?.findingId ?? null;
      const tz = deps.policy.timeZone;
      const now = deps.now();
      const action = withdrawable(draft, actionId);
      checkRecordingTime(draft, now, 'the withdrawal', tz);
      const decision = action.notDone as NonNullable<ActionRecord['notDone']>;
      action.notDone = undefined;
      action.status = 'planned';
      action.notDoneWithdrawn = [...(action.notDoneWithdrawn ?? []), { decision, by, reason, recordedAt: now }];
      if (enforce && enforcing) {
        if (enforcing.findingId !== action.findingId) {
          // Where that finding is stored, when it is not the incident's home (contain reads it there).
          action.findingAccountId = enforcing.accountId === draft.accountId ? undefined : enforcing.accountId;
          action.findingRegion = enforcing.region === draft.region ? undefined : enforcing.region;
        }
        action.findingId = enforcing.findingId;
        action.mode = 'enforce';
        action.reason = undefined;
        action.refused = undefined;
      }
      return {
        entries: [
          {
            at: now,
            kind: 'containment-not-done-withdrawn',
            actor: by,
            detail: {
              action: action.type,
              target: action.target,
              actionId: action.id,
              reason,
              decidedBy: decision.by,
              decidedAt: decision.recordedAt,
              decisionReason: decision.reason,
              mode: action.mode,
              ...(enforcedBy ? { enforcedBy } : {}),
            },
          },
        ],
        // What a held alert at the pager was about ends here: it is resolved in the same commit.
        messages: (after) => resolveAlerts(after, heldAlertsEnded(after, held), deps.policy, now),
      };
    },
    // Which held alerts are up and which finding enforces the step, read at each try after the incident.
    async (current) => {
      const held = await deps.store.getTimeline(current.id);
      decided = current.actions.find((a) => a.id === actionId && a.notDone && !a.released);
      const enforcingNow = decided && current.state !== 'closed' ? await enforcingFinding(deps, current, decided, held) : null;
      return { held, enforcingNow };
    },
  );
  const enforcedBy = (enforcing as EnforcingFinding | null)?.findingId ?? null;
  const enforce = enforcing !== null && deps.containment.canEnforce;
  if (!enforce) return { incident, enforcedBy, containment: null };
  try {
    const containment = await runContainment(deps, incident.id, { only: new Set([actionId]) });
    return { incident: containment.incident, enforcedBy, containment };
  } catch (err) {
    if (err instanceof ConflictError) throw containedNotRecorded(incident.id, [{ type: decided?.type ?? actionId, target: decided?.target ?? '' }], err);
    throw err;
  }
}

/**
 * The pager keys of the held not-done alerts (record-finding.ts `notDoneHeldMessages`) with nothing
 * left to be about: each finding's (and severity's) alert told of the steps the timeline says it
 * asked for while decided against; once none of them holds a not-done decision, it is over.
 */
function heldAlertsEnded(after: Incident, timeline: readonly TimelineEntry[]): string[] {
  const steps = new Map<string, string[]>();
  for (const e of timeline) {
    const d = e.detail;
    if (e.kind !== 'containment-not-done-held' || typeof d?.findingId !== 'string' || typeof d.severity !== 'number') continue;
    const key = ownAlertKey(after.id, notDoneHeldKey(d.findingId, d.severity));
    steps.set(key, [...(steps.get(key) ?? []), String(d.actionId)]);
  }
  // The timeline names a step by the incident's own pseudonym (incident-pseudonyms.ts), the record by the store-wide one until minimised.
  const holds = (id: string) => after.actions.some((a) => ownPseudonyms(after.pseudonymKey, a.id) === id && a.notDone && !a.released);
  return [...steps].flatMap(([key, ids]) => (ids.some(holds) ? [] : [key]));
}

/** The step named, holding a not-done decision to withdraw, on an open incident; else refused, naming those that hold one. */
function withdrawable(draft: Incident, actionId: string): ActionRecord {
  if (draft.state === 'closed')
    throw refuse(
      `incident ${draft.id} is closed; the register keeps it as it was closed (Art. 33(5))`,
      `Incident ${draft.id} is gesloten; het register bewaart het zoals het werd gesloten (AVG art. 33(5)).`,
    );
  const action = withdrawableNotDone(draft).find((a) => a.id === actionId);
  if (action) return action;
  const ids = withdrawableNotDone(draft).map((a) => a.id);
  throw refuse(
    `incident ${draft.id} holds no not-done decision on ${actionId}; ${ids.length ? `decided: ${ids.join(', ')}` : 'it holds none'}; nothing was recorded`,
    `Incident ${draft.id} heeft geen besluit om ${actionId} niet uit te voeren; er is niets vastgelegd.`,
  );
}

/** A finding that enforces a step, and where it is stored. */
interface EnforcingFinding {
  findingId: string;
  accountId: string;
  region: string;
}

/**
 * The finding whose rule enforces the step: each the timeline says asked for it while the decision
 * held (record-finding.ts `containment-not-done-held`), latest first, then the one it was planned
 * for, as the contain function checks a finding (the stored record the ledger vouches for, the
 * policy now). An asked finding is read where the entry says it is stored, which may be another
 * account or region than the incident's; an entry recorded before it said so, in the incident's home.
 */
async function enforcingFinding(
  deps: ChangeDeps & { containment: Containment },
  incident: Incident,
  action: ActionRecord,
  timeline: readonly TimelineEntry[],
): Promise<EnforcingFinding | null> {
  const text = (v: unknown, or: string) => (typeof v === 'string' && v ? v : or);
  const chained = ownPseudonyms(incident.pseudonymKey, action.id);
  const asked = timeline.flatMap((e): EnforcingFinding[] =>
    e.kind === 'containment-not-done-held' && e.detail?.actionId === chained && typeof e.detail.findingId === 'string'
      ? [
          {
            findingId: e.detail.findingId,
            accountId: text(e.detail.findingAccountId, incident.accountId),
            region: text(e.detail.findingRegion, incident.region),
          },
        ]
      : [],
  );
  const own = { findingId: action.findingId, accountId: action.findingAccountId ?? incident.accountId, region: action.findingRegion ?? incident.region };
  const seen = new Set<string>();
  const { notDone: _decision, ...undecided } = action;
  for (const finding of [...asked.reverse(), own]) {
    if (seen.has(finding.findingId)) continue;
    seen.add(finding.findingId);
    const candidate: ActionRecord = {
      ...undecided,
      findingId: finding.findingId,
      mode: 'enforce',
      findingAccountId: finding.accountId,
      findingRegion: finding.region,
    };
    if ((await enforcementRefusal({ ...deps, forceEnforce: false }, incident, candidate)) === null) return finding;
  }
  return null;
}
