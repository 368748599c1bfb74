/**
 * Reading the Art. 33(3) facts of an incident: the measures taken (containment carried out and
 * what people recorded), whether the consequences are described, which facts the register still
 * lacks, and what the categories say about special data. The draft, the notice, the register and
 * the closing rules all ask here, so they cannot disagree.
 */
import { actionPlace, doneReason, sameResource } from './containment.js';
import { foundNotRecorded } from './drift.js';
import type { ActionRecord, BreachFacts, Incident, Nature } from './incident.js';
import { actionDoneLabel, actionLabel, actionReasonLabel, type Lang } from './labels.js';
import { formatLocal } from './time.js';

/** When an action was carried out (or last tried): by hand, the time stated; else its last step's time, else its own. */
export const actionAt = (a: ActionRecord) => a.byHand?.at ?? a.steps?.at(-1)?.at ?? a.at;

/** A time for people (`timeZone` given) in that zone; for tools the ISO instant. */
const shownAt = (iso: string, timeZone?: string) => (timeZone ? formatLocal(iso, timeZone) : iso);

/** The carried-out-by-hand words of an action, for a refusal or a line: `carried out by hand by Anna at T: what`. */
/** A step decided not to be carried out (core/by-hand.ts `recordNotToBeDone`), in words: who decided, when and why. */
export function notDoneText(notDone: NonNullable<ActionRecord['notDone']>, lang: 'nl' | 'en', at: string): string {
  return lang === 'nl'
    ? `wordt niet uitgevoerd (besloten door ${notDone.by} op ${at}): ${notDone.reason}`
    : `will not be carried out (decided by ${notDone.by} on ${at}): ${notDone.reason}`;
}

/** A not-done decision taken back (`not-done --withdraw`), for the page and `show`: who decided and why, who withdrew it, when and why. */
export function notDoneWithdrawnText(w: NonNullable<ActionRecord['notDoneWithdrawn']>[number], lang: 'nl' | 'en', local: (iso: string) => string): string {
  const d = w.decision;
  return lang === 'nl'
    ? `besluit niet uit te voeren (${d.by} op ${local(d.recordedAt)}: ${d.reason}) ingetrokken door ${w.by} op ${local(w.recordedAt)}: ${w.reason}`
    : `decision not to carry it out (${d.by} on ${local(d.recordedAt)}: ${d.reason}) withdrawn by ${w.by} on ${local(w.recordedAt)}: ${w.reason}`;
}

export function byHandText(byHand: NonNullable<ActionRecord['byHand']>, lang: 'nl' | 'en', at: string): string {
  return lang === 'nl' ? `met de hand uitgevoerd door ${byHand.by} op ${at}: ${byHand.what}` : `carried out by hand by ${byHand.by} at ${at}: ${byHand.what}`;
}

/** One containment action carried out, as a measure's words: what, on what, when, and what it left open. */
function doneText(a: ActionRecord, lang: Lang, timeZone?: string): string {
  // An isolation never reads as a cut of every channel: the AP and the register hear what it left open.
  const open = doneReason(a.type) && !a.byHand ? LEFT_OPEN[lang] : '';
  const what = lang === 'en' && !timeZone ? a.type : actionDoneLabel(lang, a);
  // By hand: a person's measure in their own words; datalek's words of the action would claim what it did.
  if (a.byHand) return `${what} ${a.target} (${byHandText(a.byHand, lang, shownAt(a.byHand.at, timeZone))})`;
  return `${what} ${a.target} (${shownAt(actionAt(a), timeZone)})${open}${partlyText(a, lang, timeZone)}`;
}

const PARTLY: Record<Lang, { released: string; by: string; restored: string; still: string; undone: string; inEffect: string }> = {
  nl: { released: 'deels opgeheven op', by: 'door', restored: 'interfaces hersteld', still: 'nog geïsoleerd', undone: 'opgeheven', inEffect: 'nog van kracht' },
  en: { released: 'partly released at', by: 'by', restored: 'interfaces restored', still: 'still isolated', undone: 'undone', inEffect: 'still in effect' },
};

/** A release that undid part of the action (one interface of several): which part is back, which still contained. */
export function partlyText(a: ActionRecord, lang: Lang, timeZone?: string): string {
  const p = a.partlyReleased;
  if (!p || a.released) return '';
  const t = PARTLY[lang];
  return `; ${t.released} ${shownAt(p.at, timeZone)} ${t.by} ${p.by}: ${partlyWhat(p.undone, p.stillInEffect, lang)}`;
}

/** Of release steps, which undid their part and which did not: `interfaces restored: eni-0a; still isolated: eni-0b`. */
export function partlyWhat(undone: string[], stillInEffect: string[], lang: Lang): string {
  const t = PARTLY[lang];
  const eni = 'restore-eni:';
  const interfaces = [...undone, ...stillInEffect].every((n) => n.startsWith(eni));
  const list = (names: string[]) => names.map((n) => (interfaces ? n.slice(eni.length) : n)).join(', ');
  return interfaces
    ? `${t.restored}: ${list(undone)}; ${t.still}: ${list(stillInEffect)}`
    : `${t.undone}: ${list(undone)}; ${t.inEffect}: ${list(stillInEffect)}`;
}

/** When, by whom and why a carried-out action was undone (`datalek release`). */
function releasedText(r: NonNullable<ActionRecord['released']>, lang: Lang, timeZone?: string): string {
  return lang === 'nl' ? `opgeheven op ${shownAt(r.at, timeZone)} door ${r.by}: ${r.reason}` : `released at ${shownAt(r.at, timeZone)} by ${r.by}: ${r.reason}`;
}

/**
 * Containment carried out and not undone: each an Art. 33(3)(d) measure taken, with its time. For
 * people (`timeZone` given) the time is shown in that zone; for tools it stays the ISO instant.
 * What is in effect now: the AP draft's and the notice's measures.
 */
export function containmentTaken(incident: Incident, lang: Lang = 'en', timeZone?: string): string[] {
  return incident.actions.filter((a) => a.status === 'done' && !a.released).map((a) => doneText(a, lang, timeZone));
}

/**
 * Every containment carried out, released or not, for the register (Art. 33(5): the remedial action
 * taken is history): a released one with when, by whom and why it was undone beside it.
 */
export function containmentHistory(incident: Incident, lang: Lang = 'en', timeZone?: string): string[] {
  return incident.actions
    .filter((a) => a.status === 'done')
    .map((a) => `${doneText(a, lang, timeZone)}${a.released ? `; ${releasedText(a.released, lang, timeZone)}` : ''}`);
}

/**
 * Containment the pipeline was to carry out and did not: an enforced action that failed, or is still
 * planned, and was not released. "A failed step is reported as failed, never as contained": closing
 * needs a statement of what was done by hand or why it is left, and the register keeps it.
 */
export function containmentNotCarriedOut(incident: Incident): ActionRecord[] {
  // Found contained already with what was found not recorded: nothing shows it is contained (drift.ts foundNotRecorded).
  return incident.actions.filter(
    (a) => (!a.person && !a.released && a.mode === 'enforce' && (a.status === 'failed' || a.status === 'planned')) || foundNotRecorded(a),
  );
}

/**
 * Containment the record still holds as planned with nothing to carry it out: a step the policy only
 * planned, or a person's step, never recorded done (`contained`) nor decided against (`not-done`).
 * Closing does not refuse it (fg-review3 F6: closing asks only for enforced steps), but names it:
 * the FG's measures taken may say it was done while the record does not (fg26 item 1).
 */
export function stillPlannedAtClose(incident: Incident): ActionRecord[] {
  const enforced = new Set(containmentNotCarriedOut(incident).map((a) => a.id));
  return incident.actions.filter((a) => a.status === 'planned' && !a.released && !enforced.has(a.id));
}

const STILL_PLANNED: Record<Lang, string> = {
  nl: 'nog gepland, niet als uitgevoerd vastgelegd',
  en: 'still planned, not recorded as carried out',
};

/**
 * The containment still planned, said beside the measures taken (draft, HTML report, Markdown
 * register): `still planned, not recorded as carried out: isolate-instance i-1`, or null. For tools
 * (`lang` en without a zone) the action's type; for people its label.
 */
export function stillPlannedText(incident: Incident, lang: Lang, forPeople = true): string | null {
  const planned = incident.actions.filter((a) => a.status === 'planned' && !a.released);
  if (!planned.length) return null;
  return `${STILL_PLANNED[lang]}: ${planned.map((a) => `${forPeople ? actionLabel(lang, a.type) : a.type} ${a.target}`).join(', ')}`;
}

/** A `closed` timeline entry's `stillPlanned` (action ids `type:target`), in words for the timeline. */
export function stillPlannedIdsText(ids: string[], lang: Lang): string {
  return `${STILL_PLANNED[lang]}: ${ids
    .map((id) => {
      const at = id.indexOf(':');
      return at < 0 ? id : `${actionLabel(lang, id.slice(0, at))} ${id.slice(at + 1)}`;
    })
    .join(', ')}`;
}

const NOT_CARRIED_OUT: Record<Lang, { failed: string; planned: string; found: string }> = {
  nl: {
    failed: 'mislukt',
    planned: 'gepland, niet uitgevoerd',
    found: 'al ingeperkt aangetroffen, maar wat werd aangetroffen is niet vastgelegd en geen dossier houdt het ingeperkt',
  },
  en: { failed: 'failed', planned: 'planned, not carried out', found: 'found contained already, but what was found is not recorded and no record holds it' },
};

/** An action not carried out, in words: `deactivate-access-key AKIA… (failed: AccessDenied)`. */
export function notCarriedOutText(a: ActionRecord, lang: Lang = 'en'): string {
  const status = a.status === 'failed' ? NOT_CARRIED_OUT[lang].failed : a.status === 'skipped' ? NOT_CARRIED_OUT[lang].found : NOT_CARRIED_OUT[lang].planned;
  const why = a.status === 'failed' && a.reason ? `: ${actionReasonLabel(lang, a.reason)}` : '';
  return `${lang === 'en' ? a.type : actionLabel(lang, a.type)} ${a.target} (${status}${why})`;
}

/**
 * Every containment action with its final status, for the register: `type target: status time
 * (reason)`, and `; released at … by …: reason` when undone. Tools read the codes; the time is ISO.
 */
export function containmentStatus(incident: Incident): string[] {
  return incident.actions.map(
    (a) =>
      `${a.type} ${a.target}: ${a.status} ${actionAt(a)}${a.notDone ? ` (will not be done, decided by ${a.notDone.by} at ${a.notDone.recordedAt}: ${a.notDone.reason})` : a.status !== 'done' && a.reason ? ` (${a.reason})` : ''}${a.byHand ? ` (by hand by ${a.byHand.by}: ${a.byHand.what})` : ''}${withdrawnText(a)}${partlyText(a, 'en')}${a.released ? `; ${releasedText(a.released, 'en')}` : ''}`,
  );
}

/** The not-done decisions taken back on the action (core/by-hand.ts `withdrawNotToBeDone`), each beside its withdrawal. */
function withdrawnText(a: ActionRecord): string {
  return (a.notDoneWithdrawn ?? [])
    .map(
      (w) => `; not-done decided by ${w.decision.by} at ${w.decision.recordedAt}: ${w.decision.reason}, withdrawn by ${w.by} at ${w.recordedAt}: ${w.reason}`,
    )
    .join('');
}

/** What an isolation leaves open (core/containment.ts ISOLATION_LEAVES_OPEN), as a measure's words. */
const LEFT_OPEN: Record<Lang, string> = {
  nl: ', behalve wat geen security group tegenhoudt (de DNS-resolver van Amazon, de metadataservice, Amazon Time Sync)',
  en: ', except what no security group filters (the Amazon DNS resolver, the metadata service, Amazon Time Sync)',
};

/**
 * Containment another incident carried out on a resource of this one: an action of this incident
 * left to it (`heldBy`), or one it planned, tried or never had, on its own resource, which that
 * incident holds. One record holds the containment (core/contain.ts), but it is a measure taken for
 * this breach too (Art. 33(3)(d)): its draft and register name it, with the incident that carried
 * it out. The use case reads the incidents that may hold this one's resources (use-cases/queries.ts).
 */
export interface CarriedOutElsewhere {
  /** The incident whose record holds the containment. */
  incidentId: string;
  action: ActionRecord;
}

/**
 * The incidents this one's record says carried out containment for it: those its actions were left
 * to (`heldBy`), and those that took up a resource whose key it holds first (`containedBy`, noted
 * when this one had no action on it to leave). The use case reads them for `carriedOutElsewhere`.
 */
export function containedElsewhereBy(incident: Incident): string[] {
  return [...new Set([...incident.actions.flatMap((a) => (a.heldBy ? [a.heldBy] : [])), ...(incident.containedBy ?? []).map((c) => c.incidentId)])];
}

/** What `holders` carried out (a step done, a person's step never) on this incident's resources, and this one did not itself. */
export function carriedOutElsewhere(incident: Incident, holders: Incident[]): CarriedOutElsewhere[] {
  const out: CarriedOutElsewhere[] = [];
  for (const holder of holders) {
    if (holder.id === incident.id) continue;
    for (const b of holder.actions) {
      if (b.status !== 'done' || b.person || out.some((e) => e.action.type === b.type && e.action.target === b.target)) continue;
      const mine = incident.actions.filter((a) => sameResource(a, incident, b, holder));
      if (mine.some((a) => a.status === 'done')) continue;
      // Done while this incident was open: containment after it closed took no measure for this breach.
      if (incident.closedAt && actionAt(b) > incident.closedAt) continue;
      if (mine.length || holdsResource(incident, b, holder)) out.push({ incidentId: holder.id, action: b });
    }
  }
  return out;
}

/** Whether the incident's resources (`resourceKey`, `resourceKeys`: `kind:account[:region]:id`) name the action's target, in its account. */
function holdsResource(incident: Incident, b: ActionRecord, holder: Incident): boolean {
  const { accountId } = actionPlace(b, holder);
  return [incident.resourceKey, ...(incident.resourceKeys ?? [])].some((key) => key.split(':')[1] === accountId && key.endsWith(`:${b.target}`));
}

const UNDER: Record<Lang, string> = { nl: 'uitgevoerd onder incident', en: 'carried out under incident' };

/** What another incident carried out for this one, in effect (`history`: released ones too, with their release). */
function elsewhereText(elsewhere: CarriedOutElsewhere[], lang: Lang, timeZone: string | undefined, history: boolean): string[] {
  return elsewhere
    .filter((e) => history || !e.action.released)
    .map(
      (e) =>
        `${doneText(e.action, lang, timeZone)} (${UNDER[lang]} ${e.incidentId})${e.action.released ? `; ${releasedText(e.action.released, lang, timeZone)}` : ''}`,
    );
}

/** Every measure taken: the people's own words first, then containment carried out and in effect, here and for it elsewhere. */
export function measuresTaken(incident: Incident, lang: Lang = 'en', timeZone?: string, elsewhere: CarriedOutElsewhere[] = []): string[] {
  const said = incident.facts?.measuresTaken?.trim();
  return [...(said ? [said] : []), ...containmentTaken(incident, lang, timeZone), ...elsewhereText(elsewhere, lang, timeZone, false)];
}

/** The same for the register: containment released since stays, with its release (`containmentHistory`). */
export function measuresRecorded(incident: Incident, lang: Lang = 'en', timeZone?: string, elsewhere: CarriedOutElsewhere[] = []): string[] {
  const said = incident.facts?.measuresTaken?.trim();
  return [...(said ? [said] : []), ...containmentHistory(incident, lang, timeZone), ...elsewhereText(elsewhere, lang, timeZone, true)];
}

export function hasConsequences(facts: BreachFacts | undefined): boolean {
  return Boolean(facts?.consequences?.trim()) || Object.keys(facts?.consequencesByNature ?? {}).length > 0;
}

/** Natures the facts name without their consequences described (form section 7). */
export function naturesWithoutConsequences(facts: BreachFacts | undefined): Nature[] {
  if (!facts) return [];
  return facts.nature.filter((n) => !facts.consequencesByNature?.[n]);
}

/** One fact the register lacks: its name in Dutch and English, and the flag that records it. */
export interface RegisterGap {
  nl: string;
  en: string;
  cli: string;
}

/**
 * What the register must hold of a breach with personal data, whatever the risk (Art. 33(5):
 * facts, effects, remedial action). `elsewhere`: containment another incident carried out on its
 * resources, a measure taken for it too.
 */
export function registerGaps(incident: Incident, elsewhere: CarriedOutElsewhere[] = []): RegisterGap[] {
  const f = incident.facts;
  const out: RegisterGap[] = [];
  if (!f?.nature.length) out.push({ nl: 'de aard', en: 'nature', cli: 'facts --nature' });
  if (!f?.categories.length) out.push({ nl: 'de soorten persoonsgegevens', en: 'categories', cli: 'facts --categories' });
  if (f?.subjectsMin == null || f.subjectsMax == null || f.records == null)
    out.push({
      nl: 'het aantal betrokkenen en records (bij benadering)',
      en: 'approximate numbers of data subjects and records',
      cli: 'facts --subjects, --records',
    });
  if (!hasConsequences(f)) out.push({ nl: 'de gevolgen', en: 'consequences', cli: 'facts --consequences' });
  if (measuresTaken(incident, 'en', undefined, elsewhere).length === 0 && !f?.measuresProposed?.trim())
    out.push({ nl: 'de genomen of voorgestelde maatregelen', en: 'measures taken or proposed', cli: 'facts --measures-taken, --measures-proposed' });
  return out;
}

/** The same, by the words the closing rule names on the command line. */
export function missingForRegister(incident: Incident, elsewhere: CarriedOutElsewhere[] = []): string[] {
  return registerGaps(incident, elsewhere).map((g) => `${g.en} (${g.cli})`);
}

// The BSN by its name before 2007 too (sofinummer), still in older systems' field names (law25).
const BSN = /\b(bsn|burgerservicenummers?|sofi[- ]?nummers?|citizen service numbers?)\b/i;
const HEALTH = /(gezondheid|medisch|medical|health|diagnos|patiënt|patient|zorgdossier|zorggegevens)/i;

/** Whether any category names the BSN (UAVG art. 46) or health data (Art. 9(1)). */
export function sensitiveMentions(categories: string[]): { bsn: boolean; health: boolean } {
  return { bsn: categories.some((c) => BSN.test(c)), health: categories.some((c) => HEALTH.test(c)) };
}

/** Whether the categories name health data, a special category (Art. 9(1)). */
export function namesHealthData(categories: string[]): boolean {
  return sensitiveMentions(categories).health;
}
