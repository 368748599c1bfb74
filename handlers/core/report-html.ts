/**
 * The incident report for the FG's file: one self-contained HTML page (no scripts, no external
 * files) with the timeline drawn as a picture (detection, acknowledgement, containment, awareness,
 * deadline, notification), the Art. 33(3) facts, the decision and every timeline entry. Every
 * value is escaped: findings carry attacker-controlled text.
 */

import { apInternalTarget, apLegalDeadline, entryDeadlines } from './ap-verdict.js';
import { type CarriedOutElsewhere, partlyWhat, stillPlannedIdsText } from './breach-facts.js';
import { type ClockStatus, clocksOf, roleOf } from './clocks.js';
import { buildDraft } from './draft.js';
import { type DrillMark, drillLine, drillTitle } from './drill.js';
import { sha256Base64 } from './hash.js';
import type { Incident, ReportRecipient, ReportRecord, SubjectsDecision, TimelineEntry } from './incident.js';
import { keyPseudonyms, ownPseudonyms } from './incident-pseudonyms.js';
import {
  actionLabel,
  actorLabel,
  awareReasonLabel,
  besideSpecialLabel,
  callerLabel,
  clockNote,
  clockShownLabel,
  type Lang,
  recipientLabel,
  reportKindLabel,
  reportKindShown,
  resourceKindLabel,
  riskLabel,
  roleLabel,
  stateLabel,
  subjectsLabel,
  subscribersLabel,
  TOLD_LABEL,
  yesNo,
} from './labels.js';
import { MINIMISED_HEADING, minimisedAgainEntries, minimisedSummary, retentionHoldSummary } from './minimise.js';
import type { Policy } from './policy.js';
import { AFTER_UNDO_STEPS } from './release.js';
import { reviewPending } from './schedule.js';
import { BEFORE_DETECTION } from './stated-time.js';
import { oneLine } from './text.js';
import { formatLocal } from './time.js';

/** A clock's time: the time it is due by, but for an AP notification owed anew, whose deadline the first one met or missed (law28 s28). */
function dueWord(c: ClockStatus, nl: boolean): string {
  if (c.status === 'owed-anew') return nl ? 'termijn' : 'deadline';
  return nl ? 'uiterlijk' : 'due';
}

/** The kind of the report a `reported` entry records: of the incident's report it names, as lists of reports name it. */
function reportedKind(d: Record<string, unknown>, lang: Lang, reports: readonly ReportRecord[]): string {
  const report = reports.find((r) => r.to === d.to && r.kind === d.kind && r.reference === d.reference && r.at === d.at);
  return report ? reportKindShown(lang, report, reports) : reportKindLabel(lang, String(d.kind ?? ''));
}

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

interface Mark {
  at: string;
  label: string;
  color: string;
}

/** The moments that matter for the AP, in time order. */
export function timelineMarks(incident: Incident, timeline: TimelineEntry[], lang: 'nl' | 'en'): Mark[] {
  const nl = lang === 'nl';
  const marks: Mark[] = [{ at: incident.detectedAt, label: nl ? 'Detectie' : 'Detection', color: '#b45309' }];
  if (incident.acknowledgedAt) marks.push({ at: incident.acknowledgedAt, label: nl ? 'Opgepakt' : 'Acknowledged', color: '#2563eb' });
  for (const e of timeline.filter((x) => x.kind === 'containment-done' || x.kind === 'containment-failed')) {
    marks.push({
      at: e.at,
      label: `${nl ? 'Inperking' : 'Containment'} ${e.kind === 'containment-done' ? (nl ? 'uitgevoerd' : 'done') : nl ? 'MISLUKT' : 'FAILED'}`,
      color: e.kind === 'containment-done' ? '#15803d' : '#b91c1c',
    });
  }
  if (incident.awareAt) marks.push({ at: incident.awareAt, label: nl ? 'Bewust' : 'Aware', color: '#7c3aed' });
  // The law's deadline, and an internal target shorter than it as what it is (review12 S3).
  const legal = apLegalDeadline(incident);
  if (legal) marks.push({ at: legal, label: nl ? 'Termijn AP' : 'AP deadline', color: '#dc2626' });
  const target = apInternalTarget(incident);
  if (target) marks.push({ at: target.at, label: nl ? 'Interne doelstelling AP' : 'Internal AP target', color: '#f59e0b' });
  for (const r of incident.reports ?? []) {
    marks.push({
      at: r.at,
      label: `${nl ? 'Melding aan' : 'Report to'} ${recipientLabel(lang, r.to)} (${reportKindShown(lang, r, incident.reports ?? [])}) ${r.reference}`,
      color: '#0f766e',
    });
  }
  return marks.sort((a, b) => a.at.localeCompare(b.at));
}

export function timelineSvg(marks: Mark[], tz: string): string {
  const width = 960;
  const left = 40;
  const right = width - 40;
  const times = marks.map((m) => Date.parse(m.at));
  const min = Math.min(...times);
  const max = Math.max(...times, min + 1);
  const x = (t: number) => left + ((t - min) / (max - min)) * (right - left);
  const rowHeight = 34;
  const height = 60 + marks.length * rowHeight;
  const items = marks
    .map((m, i) => {
      const cx = x(Date.parse(m.at)).toFixed(1);
      const y = 50 + i * rowHeight;
      const anchor = Number(cx) > width / 2 ? 'end' : 'start';
      const tx = anchor === 'end' ? Number(cx) - 10 : Number(cx) + 10;
      return `<line x1="${cx}" y1="30" x2="${cx}" y2="${y}" stroke="${m.color}" stroke-dasharray="3 3"/><circle cx="${cx}" cy="30" r="6" fill="${m.color}"/><text x="${tx}" y="${y + 4}" text-anchor="${anchor}" font-size="13" fill="#111">${escapeHtml(m.label)}: ${escapeHtml(formatLocal(m.at, tz))}</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="timeline" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><line x1="${left}" y1="30" x2="${right}" y2="30" stroke="#555" stroke-width="2"/>${items}</svg>`;
}

const REPORT_STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem; color: #111; max-width: 1000px; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid #eee; }
th { width: 30%; font-weight: 600; } .missing { color: #b91c1c; } .sample { background: #fef3c7; padding: 6px; }
.drill { background: #7c2d12; color: #fff; padding: 8px; font-weight: 600; }
.attention { border-left: 6px solid #92400e; background: #fffbeb; padding: 6px 6px 6px 2rem; }
`;

/** The report as handed on: `ownPseudonyms`, then `keyPseudonyms` (an access key id by its kind and pseudonym). */
function reportPseudonyms(key: string | undefined, html: string): string {
  return keyPseudonyms(key, ownPseudonyms(key, html));
}

/**
 * The report is opened from a file, by people, possibly long after; it holds attacker-controlled
 * text (escaped, but defence in depth). Nothing may run, load or be sent: no scripts, no requests,
 * no forms; only its own stylesheet, allowed by its hash.
 */
export const REPORT_CSP = ["default-src 'none'", `style-src '${sha256Base64(REPORT_STYLE)}'`, "img-src 'none'", "base-uri 'none'", "form-action 'none'"].join(
  '; ',
);

export function reportHtml(
  incident: Incident,
  timeline: TimelineEntry[],
  policy: Policy,
  now: string,
  lang: 'nl' | 'en' = policy.language,
  elsewhere: CarriedOutElsewhere[] = [],
  drill: DrillMark | null = null,
): string {
  const nl = lang === 'nl';
  // A drill's report says so in its title and at its top, never to be handed on as the record's (atk29 A4).
  const marked = (title: string) => (drill ? `${drillTitle(lang)}: ${title}` : title);
  const tz = policy.timeZone;
  const draft = buildDraft(incident, policy, now, lang, elsewhere);
  const marks = timelineMarks(incident, timeline, lang);
  const again = minimisedAgainEntries(timeline);
  const clocks = clocksOf(incident, policy, now);
  const a = incident.assessment;
  const rows = (pairs: [string, unknown][]) => pairs.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v ?? '—')}</td></tr>`).join('');
  // Handed on (a file, a mail): a principal by the incident's own pseudonym, and an access key by its
  // kind and pseudonym, as the draft in it (fg24, fg28 item 7).
  return reportPseudonyms(
    incident.pseudonymKey,
    `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(marked(`${nl ? 'Incidentrapport' : 'Incident report'} ${incident.id}`))}</title>
<style>${REPORT_STYLE}</style>
</head>
<body>
<h1>${escapeHtml(marked(`${nl ? 'Incidentrapport' : 'Incident report'} ${incident.id}`))}</h1>
${drill ? `<p class="drill" role="note">${escapeHtml(drillLine(drill, lang))}</p>` : ''}
${incident.sample ? `<p class="sample">${nl ? 'Testmelding: GuardDuty-voorbeeldbevinding, geen termijn.' : 'Test: a GuardDuty sample finding, no deadline.'}</p>` : ''}
<p>${escapeHtml(`${oneLine(incident.findingType)} · ${resourceKindLabel(lang, incident.resource)} ${incident.resource.id} · account ${incident.accountId} (${incident.region}) · ${nl ? 'status' : 'state'} ${stateLabel(lang, incident.state)} · ${nl ? 'rol' : 'role'} ${roleLabel(lang, roleOf(incident, policy))}`)}</p>
<h2>${nl ? 'Tijdlijn' : 'Timeline'}</h2>
${timelineSvg(marks, tz)}
<h2>${nl ? 'Termijnen' : 'Clocks'}</h2>
<table>${rows(clocks.map((c) => [c.label[lang], `${clockShownLabel(lang, c)}${c.dueAt ? `, ${dueWord(c, nl)} ${formatLocal(c.dueAt, tz)}` : ''}${c.doneAt ? `, ${nl ? 'gedaan' : 'done'} ${formatLocal(c.doneAt, tz)}` : ''}${clockNote(lang, c) ? ` (${clockNote(lang, c)})` : ''}`]))}</table>
${needsAttention(incident, lang, tz)}
<h2>${nl ? 'Beoordeling' : 'Assessment'}</h2>
<table>${rows([
      [nl ? 'Persoonsgegevens getroffen' : 'Personal data affected', a ? yesNo(lang, a.personalData) : null],
      [nl ? 'Risico' : 'Risk', a ? riskLabel(lang, a.risk) : null],
      [nl ? 'Meldplichtig' : 'Notifiable', a ? yesNo(lang, a.notifiable) : null],
      [nl ? 'Motivering' : 'Reasoning', a?.reason],
      [nl ? 'Door, op' : 'By, at', a ? `${a.by}, ${formatLocal(a.at, tz)}` : null],
      [nl ? 'Reden bewustwordingsmoment' : 'Reason for the awareness time', incident.awareReason ? awareReasonLabel(lang, incident.awareReason) : null],
      ...(a?.confirmedBesideSpecial
        ? [[nl ? 'Bijzondere persoonsgegevens' : 'Special categories', besideSpecialLabel(lang, a.confirmedBesideSpecial)] as [string, string]]
        : []),
      ...subjectsRows(incident, lang, tz),
    ])}</table>
<h2>${nl ? 'Feiten (AVG art. 33(3)) en melding' : 'Facts (GDPR Art. 33(3)) and notification'}</h2>
${draft.missing.length ? `<p class="missing">${nl ? 'Ontbreekt nog' : 'Still missing'}:</p><ul class="missing">${draft.missing.map((m) => `<li>${escapeHtml(m)}</li>`).join('')}</ul>` : ''}
${draft.sections.map((s) => `<h3>${s.number}. ${escapeHtml(s.title)}</h3><table>${rows(s.fields.map((f) => [f.label, f.value]))}</table>`).join('\n')}
${minimisedSection(incident, timeline, lang, tz)}
<h2>${nl ? 'Alle gebeurtenissen' : 'Every event'}</h2>
<table><tr><th>#</th><th>${nl ? 'Tijd' : 'Time'}</th><th>${nl ? 'Wie' : 'Who'}</th><th>${nl ? 'Wat' : 'What'}</th></tr>
${timeline.map((e) => `<tr><td>${e.seq}</td><td>${escapeHtml(formatLocal(e.at, tz))}</td><td>${escapeHtml(actorWithCaller(lang, e))}</td><td>${escapeHtml(describeEntry(e, lang, tz, again.has(e.seq), incident.reports))}</td></tr>`).join('\n')}
</table>
<p>${escapeHtml(`${nl ? 'Gemaakt' : 'Generated'} ${formatLocal(now, tz)} · ${nl ? 'laatste tijdlijnhash' : 'last timeline hash'} ${incident.timelineHead.hash}`)}</p>
</body>
</html>
`,
  );
}

/**
 * The personal data removed from the incident's findings after the retention period (core/minimise.ts):
 * a finding read here or in the store without its addresses or user names was minimised, not lost.
 */
function minimisedSection(incident: Incident, timeline: TimelineEntry[], lang: Lang, tz: string): string {
  const local = (iso: string) => formatLocal(iso, tz);
  // And a hold that keeps them past the retention period (retention-hold.ts), with who and why.
  const said = [minimisedSummary(incident, timeline, lang, local), retentionHoldSummary(incident, lang, local)].filter((s) => s !== null);
  return said.length ? `<h2>${escapeHtml(MINIMISED_HEADING[lang])}</h2>\n${said.map((s) => `<p>${escapeHtml(s)}</p>`).join('\n')}` : '';
}

/** The Art. 34 decisions in force, each with what the data subjects (or subscribers) were told. */
function subjectsRows(incident: Incident, lang: Lang, tz: string): [string, string | null][] {
  const nl = lang === 'nl';
  return (
    [
      [nl ? 'Besluit art. 34' : 'Art. 34 decision', incident.subjects],
      [nl ? 'Besluit abonnees' : 'Subscribers decision', incident.subscribers],
    ] as const
  ).flatMap(([what, s], i): [string, string | null][] =>
    s
      ? [
          [what, (i === 1 ? subscribersLabel : subjectsLabel)(lang, s, (iso) => formatLocal(iso, tz))],
          ...(s.text ? [[TOLD_LABEL[lang], s.text] as [string, string]] : []),
        ]
      : [],
  );
}

/**
 * With the clocks, as on the web page: a review the FG was asked for and has not given (a finding
 * of a new type came after the assessment), and the incident this one follows up or its follow-ups.
 * The report is a file on its own: the other incidents are named by id, not linked.
 */
function needsAttention(incident: Incident, lang: Lang, tz: string): string {
  const nl = lang === 'nl';
  const items: string[] = [];
  const ask = reviewPending(incident) ? incident.reviewAsked : null;
  if (ask) {
    items.push(
      nl
        ? `Nieuwe beoordeling gevraagd sinds ${formatLocal(ask.at, tz)}: beoordeel opnieuw (een bevinding van het type ${oneLine(ask.findingType)} kwam na de beoordeling van ${formatLocal(ask.assessedAt, tz)} door ${actorLabel(lang, ask.assessedBy)})`
        : `Review asked since ${formatLocal(ask.at, tz)}: assess again (a finding of type ${oneLine(ask.findingType)} came after the assessment of ${formatLocal(ask.assessedAt, tz)} by ${actorLabel(lang, ask.assessedBy)})`,
    );
  }
  const of = incident.followUpOf;
  if (of) {
    items.push(
      nl
        ? `Vervolg op ${of.incidentId} (afgesloten ${formatLocal(of.closedAt, tz)}; een bevinding ervan was daarna weer actief)`
        : `Follow-up of ${of.incidentId} (closed ${formatLocal(of.closedAt, tz)}; one of its findings was active again after that)`,
    );
  }
  const ups = incident.followUps ?? [];
  if (ups.length)
    items.push(`${nl ? 'Vervolgincidenten' : 'Follow-ups'}: ${ups.join(', ')} (${nl ? 'activiteit na het afsluiten' : 'activity after closing'})`);
  return items.length ? `<ul class="attention">${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>` : '';
}

const FACT_NAMES: Record<Lang, Record<string, string>> = {
  nl: {
    nature: 'aard',
    categories: 'soorten gegevens',
    specialCategories: 'bijzondere gegevens',
    subjectGroups: 'groepen betrokkenen',
    subjectsMin: 'aantal betrokkenen',
    subjectsMax: 'aantal betrokkenen',
    records: 'aantal records',
    consequences: 'gevolgen',
    consequencesFor: 'gevolgen per soort',
    measuresTaken: 'genomen maatregelen',
    measuresProposed: 'voorgestelde maatregelen',
    unintelligible: 'onbegrijpelijk',
    crossBorder: 'grensoverschrijdend',
    leadAuthority: 'leidende toezichthouder',
    otherAuthorities: 'andere instanties',
    summary: 'samenvatting',
    cause: 'oorzaak',
    breachType: 'soort datalek',
    endedAt: 'einde',
    startedAt: 'begin',
    startedReason: 'reden begin',
    startedBeforeDetection: 'begin vóór de detectie door GuardDuty',
    otherParty: 'andere organisatie',
    otherParties: 'andere organisaties',
    complete: 'compleet',
  },
  en: {},
};

/**
 * When a pager's webhook says it happened there (it is recorded on arrival, which can be many
 * minutes later), and whether it was about the alert before the present one.
 */
function atPager(d: Record<string, unknown>, nl: boolean, local: (k: string) => string): string {
  const when = typeof d.occurredAt === 'string' ? `, ${nl ? 'bij de pager om' : 'at the pager at'} ${local('occurredAt')}` : '';
  const earlier =
    d.alert === 'earlier' ? ` (${nl ? 'de melding van vóór de laatste, verstuurd' : 'the alert before the present one, raised'} ${local('raisedAt')})` : '';
  // Acknowledged or resolved there by no person (the API, an automation, the pager itself): nobody took it.
  const noPerson = d.byPerson === false ? (nl ? ', door geen persoon (de API of de pager zelf)' : ', by no person (the API or the pager itself)') : '';
  return `${when}${earlier}${noPerson}`;
}

/** An entry's actor, and on AWS the role and account that wrote it (fgrole item 4): the FG defends a decision by who recorded it. */
function actorWithCaller(lang: Lang, e: TimelineEntry): string {
  const actor = actorLabel(lang, e.actor);
  return e.caller ? `${actor} (${lang === 'nl' ? 'als' : 'as'} ${callerLabel(lang, e.caller)})` : actor;
}

/**
 * One timeline entry in words for the report, in its language. Entry kinds this list does not know
 * (added by later work) show as their code; the whole entry is in `datalek show ID --json`.
 */
/**
 * nis17 item 2: the reports a NIS2 "no" leaves owed (fg-workflow.ts nis2KeptByNo), said on its entry:
 * which, since and until when, and why (the CSIRT was sent the notification, or asked the report).
 */
function keptByNoText(d: Record<string, unknown>, nl: boolean, local: (k: string) => string): string {
  const owed = Array.isArray(d.stillOwed) ? (d.stillOwed as string[]) : [];
  if (!owed.length) return '';
  const due = (k: string) => (typeof d[k] === 'string' ? local(k) : null);
  const parts = owed.map((r) => {
    if (r === 'intermediate')
      return nl
        ? `het gevraagde tussentijds verslag (uiterlijk ${due('intermediateDueAt')})`
        : `the intermediate report asked (due ${due('intermediateDueAt')})`;
    const until = due('finalDueAt');
    return nl
      ? `het eindverslag (verschuldigd sinds de incidentmelding van ${due('finalOwedSince')}${until ? `, uiterlijk ${until}` : ''})`
      : `the final report (owed since the notification of ${due('finalOwedSince')}${until ? `, due ${until}` : ''})`;
  });
  return nl
    ? `; ${parts.join(' en ')} ${owed.length > 1 ? 'blijven' : 'blijft'} verschuldigd: een "nee" beëindigt niet wat de CSIRT is gemeld of heeft gevraagd (NIS2 art. 23(4)(c), (d))`
    : `; ${parts.join(' and ')} ${owed.length > 1 ? 'stay' : 'stays'} owed: a "no" does not end what the CSIRT was sent or asked (NIS2 art. 23(4)(c), (d))`;
}

/** A begin corrected to before the detection: the awareness kept for the old one follows the detection (read14a A4). */
function followsText(d: Record<string, unknown>, nl: boolean, tz: string): string {
  const moved = d.awarenessFollowsDetection as { from: string; to: string; deadline: string | null } | undefined;
  if (!moved) return '';
  const at = (iso: string) => formatLocal(iso, tz);
  return nl
    ? `; de bewustwording volgt nu de detectie: ${at(moved.to)} (was ${at(moved.from)})${moved.deadline ? `, AP-termijn ${at(moved.deadline)}` : ''}`
    : `; the awareness now follows the detection: ${at(moved.to)} (was ${at(moved.from)})${moved.deadline ? `, AP deadline ${at(moved.deadline)}` : ''}`;
}

/**
 * An entry in words. `minimisedAgain`: the timeline shows the entry minimised a record minimised before
 * (`minimisedAgainEntries`), which an entry a run before fg20 wrote does not say itself.
 */
/**
 * An entry in words. `reports`: the incident's, so that a report's entry names a notification made
 * anew after a withdrawal as such, as every list of reports does (labels.ts reportKindShown).
 */
export function describeEntry(e: TimelineEntry, lang: Lang, tz: string, minimisedAgain = false, reports: readonly ReportRecord[] = []): string {
  const nl = lang === 'nl';
  // A detail edited into no JSON object (core/entry-detail.ts): said so, and where verify tells more.
  if (e.damaged)
    return nl
      ? `Regel beschadigd: het detail is geen JSON-object (datalek verify ${e.incidentId})`
      : `Entry damaged: ${e.damaged} (datalek verify ${e.incidentId})`;
  const d = e.detail as Record<string, unknown>;
  const str = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : '');
  const local = (k: string) => (str(k) ? formatLocal(str(k), tz) : '');
  const status = (code: string) => (nl ? ({ planned: 'gepland', done: 'uitgevoerd', skipped: 'overgeslagen', failed: 'MISLUKT' }[code] ?? code) : code);
  if (e.kind.startsWith('containment-step-') || e.kind.startsWith('release-step-')) {
    return `${nl ? 'Stap' : 'Step'} ${str('step') || str('name')}: ${status(e.kind.split('-').at(-1) as string)}`;
  }
  if (/^containment-(planned|done|skipped|failed)$/.test(e.kind)) {
    return `${nl ? 'Inperking' : 'Containment'} ${actionLabel(lang, str('action'))} ${str('target')}: ${status(e.kind.split('-')[1])}`;
  }
  switch (e.kind) {
    case 'incident-opened':
      return `${nl ? 'Incident geopend' : 'Incident opened'}: ${oneLine(str('findingType'))}`;
    case 'incident-opened-by-hand':
      return `${nl ? 'Incident met de hand geopend' : 'Incident opened by hand'}: ${str('what')}; ${nl ? 'bewust geworden' : 'aware'} ${local('awareAt')}`;
    case 'containment-done-by-hand':
      return `${nl ? 'Inperking met de hand uitgevoerd' : 'Containment carried out by hand'}: ${actionLabel(lang, str('action'))} ${str('target')}${str('step') ? ` (${nl ? 'stap' : 'step'} ${str('step')})` : ''} (${local('at')}): ${str('what')}`;
    case 'owner-keys-confirmed':
      return `${nl ? 'Sleutel bevestigd als die van de eigenaar' : "Key confirmed as the owner's"}: ${actionLabel(lang, str('action'))} ${str('target')}: ${Array.isArray(d.ownerKeys) ? d.ownerKeys.join(', ') : ''} (${local('at')}): ${str('what')}`;
    case 'key-user-gone-recorded':
      return `${nl ? 'Gebruiker van de sleutel niet meer onder zijn naam gevonden, vastgelegd' : "The key's user not found under its recorded name, recorded"}: ${actionLabel(lang, str('action'))} ${str('target')} (${local('at')}): ${str('what')}`;
    case 'containment-not-to-be-done':
      return `${nl ? 'Inperking wordt niet uitgevoerd' : 'Containment will not be carried out'}: ${actionLabel(lang, str('action'))} ${str('target')}: ${str('reason')}`;
    case 'due-index-repaired':
      // Set again by the sweep under a policy it had not set due times under before (vpol).
      if (str('reason').includes('set again by the sweep'))
        return nl
          ? `Opnieuw in de planning gezet door de sweep, onder het beleid dat nu geldt: ${str('dueAt') ? `er valt iets te doen op ${local('dueAt')}` : 'er valt niets meer te doen'}`
          : `Put back in the schedule by the sweep, under the policy in force: ${str('dueAt') ? `something falls due at ${local('dueAt')}` : 'nothing falls due any more'}`;
      return nl
        ? `Opnieuw in de planning gezet (datalek sweep --reindex): er valt iets te doen op ${local('dueAt')}, wat de opgeslagen planning miste`
        : `Put back in the schedule (datalek sweep --reindex): something falls due at ${local('dueAt')}, which the stored schedule missed`;
    case 'containment-not-done-withdrawn':
      return nl
        ? `Besluit ingetrokken, de stap wordt weer gepland: ${actionLabel(lang, str('action'))} ${str('target')}: ${str('reason')} (het besluit van ${str('decidedBy')} dat die niet wordt uitgevoerd: ${str('decisionReason')})`
        : `Decision withdrawn, the step is planned again: ${actionLabel(lang, str('action'))} ${str('target')}: ${str('reason')} (${str('decidedBy')}'s decision that it will not be carried out: ${str('decisionReason')})`;
    case 'containment-not-done-held':
      return nl
        ? `Inperking niet uitgevoerd, zoals besloten: ${actionLabel(lang, str('action'))} ${str('target')}: bevinding ${str('findingId')} vraagt erom, maar ${str('decidedBy')} besloot dat die niet wordt uitgevoerd: ${str('reason')}`
        : `Containment not carried out, as decided: ${actionLabel(lang, str('action'))} ${str('target')}: finding ${str('findingId')} asks for it, but ${str('decidedBy')} decided it will not be carried out: ${str('reason')}`;
    case 'retention-hold':
      return `${nl ? 'Bevindingen langer bewaard dan de bewaartermijn' : 'Findings kept past the retention period'}: ${str('reason')}`;
    case 'retention-hold-released':
      return nl
        ? `Langer bewaren opgeheven${d.releaseReason ? `: ${str('releaseReason')}` : ''} (besloten door ${str('heldBy')} op ${local('heldAt')}: ${str('reason')})`
        : `Hold on the findings released${d.releaseReason ? `: ${str('releaseReason')}` : ''} (decided by ${str('heldBy')} on ${local('heldAt')}: ${str('reason')})`;
    case 'finding-attached':
      return `${nl ? 'Bevinding toegevoegd' : 'Finding attached'}: ${oneLine(str('findingType'))}`;
    case 'finding-updated':
      return `${nl ? 'Bevinding bijgewerkt, aantal' : 'Finding updated, count'} ${String(d.count ?? '')}`;
    case 'severity-raised':
      return `${nl ? 'Ernst verhoogd van' : 'Severity raised from'} ${String(d.from)} ${nl ? 'naar' : 'to'} ${String(d.to)}`;
    case 'notification-queued':
      return `${nl ? 'Bericht klaargezet voor' : 'Message queued for'} ${str('channel') === 'fg' ? 'FG' : nl ? 'dienstdoende' : 'on-call'}`;
    case 'page-held':
      return nl ? 'Escalatie aangehouden: stille uren' : 'Page held: quiet hours';
    case 'acknowledged':
      return `${nl ? 'Opgepakt' : 'Acknowledged'}${atPager(d, nl, local)}`;
    case 'alert-acknowledged':
      return nl
        ? `Opnieuw verstuurde melding opgepakt (verstuurd ${local('raisedAt')}); het incident was al opgepakt`
        : `Alert raised again acknowledged (raised ${local('raisedAt')}); the incident was acknowledged already`;
    case 'pager-acknowledged':
    case 'pager-resolved':
      return `${e.kind === 'pager-acknowledged' ? (nl ? 'Opgepakt bij de pager' : 'Acknowledged at the pager') : nl ? 'Afgesloten bij de pager' : 'Resolved at the pager'}${atPager(d, nl, local)}`;
    case 'awareness-set':
      return `${nl ? 'Bewustwording gezet op' : 'Awareness set at'} ${local('to')}; ${nl ? 'reden' : 'reason'}: ${str('reason')}${d.movedLaterAfterPersonalDataYes ? (nl ? ' (later gezet na een beoordeling met persoonsgegevens)' : ' (moved later after an assessment with personal data)') : ''}${d.beforeDetection ? ` (${BEFORE_DETECTION[lang]})` : ''}`;
    case 'nis2-awareness-set':
      return `${nl ? 'NIS2: bewust geworden van het significante incident op' : 'NIS2: aware of the significant incident at'} ${local('to')}; ${nl ? 'reden' : 'reason'}: ${str('reason')}${d.beforeDetection ? ` (${BEFORE_DETECTION[lang]})` : ''}`;
    case 'assessed':
      return `${nl ? 'Beoordeeld' : 'Assessed'}: ${nl ? 'persoonsgegevens' : 'personal data'} ${yesNo(lang, str('personalData') as 'yes')}; ${riskLabel(lang, str('risk') as 'risk')}; ${nl ? 'meldplichtig' : 'notifiable'} ${yesNo(lang, d.notifiable === true)}; ${str('reason')}${d.confirmedBesideSpecial ? `; ${besideSpecialLabel(lang, d.confirmedBesideSpecial as Parameters<typeof besideSpecialLabel>[1])}` : ''}${d.subjectsDecisionSetAside ? (nl ? '; het eerdere besluit art. 34 "niet vereist" vervalt: het risico is nu hoog' : '; the earlier Art. 34 decision "not required" is set aside: the risk is now high') : ''}${d.subscribersDecisionSetAside ? (nl ? '; het eerdere besluit over de abonnees "niet vereist" vervalt: het risico is nu hoog (Verordening 611/2013 art. 3)' : '; the earlier decision on the subscribers "not required" is set aside: the risk is now high (Regulation 611/2013 art. 3)') : ''}`;
    case 'role-set':
      return `${nl ? 'Rol' : 'Role'}: ${roleLabel(lang, str('to') as 'controller')}; ${str('reason')}`;
    case 'nis2-decided':
      // Decided after closing: says so (its reason is the decision's own, above).
      // A "no" that leaves reports owed says which and why (readA16 A2, nis17 item 2).
      // A "no" that ended the CSIRT's request for an intermediate report of the "yes" before it says so, and the awareness stated with that "yes" (fgsec16 S4).
      return `${nl ? 'NIS2 significant' : 'NIS2 significant'}: ${yesNo(lang, d.significant === true)}; ${str('reason')}${keptByNoText(d, nl, local)}${d.intermediateRequestEnded ? (nl ? `; het verzoek om een tussentijds verslag (uiterlijk ${local('intermediateRequestEnded')}) vervalt` : `; ends the request for an intermediate report (due ${local('intermediateRequestEnded')})`) : ''}${d.awarenessEnded ? (nl ? `; het bewustwordingsmoment dat met het "ja" is gegeven (${local('awarenessEnded')}) vervalt` : `; ends the awareness given with the "yes" (${local('awarenessEnded')})`) : ''}${d.afterClose === true ? (nl ? '; na het sluiten' : '; after closing') : ''}`;
    case 'nis2-intermediate-requested':
      return `${nl ? 'NIS2 tussentijds verslag gevraagd, uiterlijk' : 'NIS2 intermediate report requested, due'} ${local('dueAt')}`;
    case 'facts-recorded': {
      // `reason` and `afterClose` say why and when, not which facts (a correction after closing).
      const names = Object.keys(d)
        .filter((k) => k !== 'reason' && k !== 'afterClose' && k !== 'awarenessFollowsDetection')
        .map((k) => (nl ? (FACT_NAMES.nl[k] ?? k) : k));
      return `${nl ? 'Feiten vastgelegd' : 'Facts recorded'}: ${[...new Set(names)].join(', ')}${followsText(d, nl, tz)}${afterCloseText(d, nl)}`;
    }
    case 'reported':
      return `${nl ? 'Melding aan' : 'Report to'} ${recipientLabel(lang, str('to') as ReportRecipient)} (${reportedKind(d, lang, reports)}) ${str('reference')}, ${nl ? 'gedaan' : 'made'} ${local('at')}, ${nl ? 'vastgelegd' : 'recorded'} ${local('recordedAt')}${d.enteredLater ? (nl ? ', later ingevoerd' : ', entered later') : ''}${d.late ? (nl ? ', te laat' : ', late') : ''}${afterCloseText(d, nl)}`;
    case 'subjects-decided':
    case 'subscribers-decided':
      return `${e.kind === 'subjects-decided' ? (nl ? 'Besluit art. 34' : 'Art. 34 decision') : nl ? 'Besluit abonnees' : 'Subscribers decision'}: ${subjectsLabel(lang, d as unknown as SubjectsDecision, (iso) => formatLocal(iso, tz))}${str('text') ? `; ${TOLD_LABEL[lang].toLowerCase()}: "${str('text')}"` : ''}`;
    case 'containment-released':
      // Another incident's release reopened a task interface this isolation found isolated: the isolation itself stays.
      if (d.now === 'reopened')
        return nl
          ? `Inperking deels opgeheven: ${actionLabel(lang, str('action'))} ${str('target')}; netwerkinterface ${((d.reopened as string[] | undefined) ?? []).join(', ')} van de task weer in haar eigen groepen, de isolatie van de instance blijft van kracht; ${str('reason')}`
          : `Containment partly undone: ${actionLabel(lang, str('action'))} ${str('target')}; task network interface ${((d.reopened as string[] | undefined) ?? []).join(', ')} back in its own groups, the instance's isolation still in effect; ${str('reason')}`;
      return `${nl ? 'Inperking opgeheven' : 'Containment released'}: ${actionLabel(lang, str('action'))} ${str('target')}; ${str('reason')}${unfinishedText(d.failedSteps, nl)}`;
    case 'containment-release-failed': {
      // A release that undid part of it (one interface of several) says which part, never "still in effect" of the whole.
      const undoing = (k: string) => ((d[k] as string[] | undefined) ?? []).filter((n) => !AFTER_UNDO_STEPS.has(n));
      const [undone, still] = [undoing('doneSteps'), undoing('failedSteps')];
      if (undone.length && still.length)
        return `${nl ? 'Opheffen inperking deels gelukt' : 'Release of containment partly done'}: ${actionLabel(lang, str('action'))} ${str('target')}; ${partlyWhat(undone, still, lang)}`;
      return `${nl ? 'Opheffen inperking MISLUKT, ze is nog van kracht' : 'Release of containment FAILED, it is still in effect'}: ${actionLabel(lang, str('action'))} ${str('target')} (${(d.failedSteps as string[] | undefined)?.join(', ') ?? ''})`;
    }
    case 'clock-stated':
      return nl ? `Tijd opgegeven (--now), niet genomen: vastgelegd ${local('enteredAt')}` : `Time stated (--now), not taken: recorded ${local('enteredAt')}`;
    case 'containment-requested':
      return `${nl ? 'Opnieuw inperken gevraagd' : 'Containment asked for again'}${d.enforce ? (nl ? ' (ook wat alleen gepland was)' : ' (also what was only planned)') : ''}: ${str('reason')}`;
    case 'closed':
      // Closed with a step still planned (fg26 item 1): said, so the closing does not read as if it was done.
      return `${nl ? 'Gesloten' : 'Closed'}: ${str('reason')}${Array.isArray(d.stillPlanned) ? `; ${stillPlannedIdsText(d.stillPlanned as string[], lang)}` : ''}`;
    case 'no-follow-up':
      return nl
        ? `Na het sluiten: geen vervolgmelding aan de AP op ${str('reference')} (AVG art. 33(4)): ${str('reason')}`
        : `After closing: no follow-up to the AP on ${str('reference')} (Art. 33(4)): ${str('reason')}`;
    case 'containment-stopped':
      return nl
        ? `Inperkingsrun gestopt: hij verloor zijn lease${str('action') ? ` na ${actionLabel(lang, str('action'))} ${str('target')}` : ''}; de vastgelegde stappen blijven staan`
        : `Containment run stopped: it lost its lease${str('action') ? ` after ${actionLabel(lang, str('action'))} ${str('target')}` : ''}; the steps it recorded stand`;
    case 'containment-refused':
      return `${nl ? 'Inperking GEWEIGERD' : 'Containment REFUSED'}: ${actionLabel(lang, str('action'))} ${str('target')}; ${str('reason')}`;
    case 'resource-exposed':
      return `${nl ? 'Resource OPEN gebleven' : 'Resource left OPEN'}: ${actionLabel(lang, str('action'))} ${str('target')} (${str('resource')})`;
    case 'detection-moved-earlier': {
      // The law's deadline, a shorter internal target beside it; an entry before fg15 held the target as its deadline (read14a A2).
      const clock = entryDeadlines(d, str('awareAt') || null);
      const deadline = clock.deadline ? formatLocal(clock.deadline, tz) : '';
      const moved = clock.internalTarget
        ? `${deadline} (${nl ? 'interne doelstelling' : 'internal target'}: ${formatLocal(clock.internalTarget, tz)})`
        : deadline;
      return nl
        ? `Eerdere detectie: ${local('to')} (was ${local('from')}); ${d.awarenessMoved ? `AP-termijn vervroegd naar ${moved}` : 'bewustwording en AP-termijn blijven'}${d.awarenessKept === 'begin' ? ` (het vastgelegde begin, ${local('startedAt')}, ligt na deze detectie)` : ''}`
        : `Earlier detection: ${local('to')} (was ${local('from')}); ${d.awarenessMoved ? `AP deadline moved to ${moved}` : 'awareness and AP deadline stay'}${d.awarenessKept === 'begin' ? ` (the begin recorded, ${local('startedAt')}, lies after this detection)` : ''}`;
    }
    case 'first-activity-earlier':
      return nl
        ? `Eerder begin van de activiteit: ${local('firstActivityAt')}${str('from') ? ` (was ${local('from')})` : ''}, uit ${str('source')}`
        : `Earlier first activity: ${local('firstActivityAt')}${str('from') ? ` (was ${local('from')})` : ''}, from ${str('source')}`;
    case 'linked-to-incident':
      return `${nl ? 'Gekoppeld aan incident' : 'Linked to incident'} ${str('incidentId')}: ${nl ? 'bevinding' : 'finding'} ${oneLine(str('findingType'))} ${nl ? 'daar vastgelegd' : 'recorded there'}`;
    case 'related-incident':
      return `${nl ? 'Verwant incident' : 'Related incident'} ${str('incidentId')} (${nl ? 'gekoppeld, niet samengevoegd' : 'linked, not merged'})`;
    case 'related-incidents':
      return `${nl ? 'Verwante incidenten' : 'Related incidents'}: ${String(d.count ?? '')} (${nl ? 'gekoppeld, niet samengevoegd' : 'linked, not merged'})`;
    case 'incidents-merged': {
      // Its acknowledgement stays its own (record-finding.ts mergeInto): said, not taken over.
      const taken = str('acknowledgedBy')
        ? nl
          ? `; dat was opgepakt door ${str('acknowledgedBy')} (${local('acknowledgedAt')}), dit incident niet`
          : `; that one was acknowledged by ${str('acknowledgedBy')} (${local('acknowledgedAt')}), not this one`
        : '';
      return `${nl ? 'Incident samengevoegd in dit incident' : 'Incident merged into this one'}: ${str('merged')} (${oneLine(str('findingType'))})${taken}`;
    }
    case 'merged-into':
      return `${nl ? 'Samengevoegd in incident' : 'Merged into incident'} ${str('into')}`;
    case 'follow-up-opened':
      return `${nl ? 'Vervolgincident geopend' : 'Follow-up incident opened'}: ${str('incidentId')}`;
    case 'assessment-review-asked': {
      // What asked it, as the entry's reason says: a resource new to the incident (27d8c96c), an incident merged in (red26).
      const merged = typeof d.mergedIncidentId === 'string' ? d.mergedIncidentId : null;
      const resource = d.newResource === true;
      const why = merged
        ? nl
          ? `incident ${merged}, na de beoordeling samengevoegd, brengt ${resource ? 'een resource die het incident nog niet had' : 'een nieuw type bevinding'}`
          : `incident ${merged}, merged in after the assessment, brings ${resource ? 'a resource the incident did not hold' : 'a new finding type'}`
        : resource
          ? nl
            ? 'een bevinding die een resource noemt die het incident nog niet had, na de beoordeling'
            : 'a finding naming a resource the incident did not hold, after the assessment'
          : nl
            ? 'een nieuw type bevinding na de beoordeling'
            : 'a new finding type after the assessment';
      return `${nl ? 'Nieuwe beoordeling door de FG gevraagd' : 'FG asked to assess again'}: ${why}`;
    }
    case 'finding-resource-changed':
      return `${nl ? 'Bevinding noemt een andere resource' : 'Finding names another resource'}: ${str('resourceType')} ${str('resourceId')}`;
    case 'finding-types-not-listed':
      return nl
        ? `Verdere typen bevindingen niet vermeld (meer dan ${String(d.limit ?? '')})`
        : `Further finding types not listed (more than ${String(d.limit ?? '')})`;
    case 'pager-failed':
      return `${nl ? 'Pager weigerde de melding; in plaats daarvan' : 'The pager refused the alert; instead'}: ${str('fallback')}`;
    case 'finding-minimised':
      if (d.again === true || minimisedAgain)
        return nl
          ? `Persoonsgegevens uit bevinding ${str('findingId')} opnieuw verwijderd (al geminimaliseerd; wat een eerdere minimalisatie liet staan)`
          : `Personal data removed again from finding ${str('findingId')} (minimised before; what an earlier minimise left)`;
      return nl
        ? `Persoonsgegevens uit bevinding ${str('findingId')} verwijderd (bewaartermijn, ${String(d.afterDays ?? '')} dagen na het sluiten)`
        : `Personal data removed from finding ${str('findingId')} (retention period, ${String(d.afterDays ?? '')} days after closing)`;
    case 'message-undeliverable':
      return `${nl ? 'Bericht NIET verstuurd (nooit verstuurbaar)' : 'Message NOT sent (never sendable)'}: ${str('messageKind')}`;
    default:
      return e.kind;
  }
}

/** An entry recorded after the incident was closed (Art. 33(4)): says so, with its reason. */
function afterCloseText(d: Record<string, unknown>, nl: boolean): string {
  if (d.afterClose !== true) return '';
  const reason = typeof d.reason === 'string' && d.reason ? `: ${d.reason}` : '';
  return nl ? `; na het sluiten${reason}` : `; after closing${reason}`;
}

/** A release that undid the containment and failed a later step names that step. */
function unfinishedText(failedSteps: unknown, nl: boolean): string {
  const steps = Array.isArray(failedSteps) ? (failedSteps as string[]) : [];
  if (steps.length === 0) return '';
  return nl ? ` (daarna MISLUKT, handmatig afmaken: ${steps.join(', ')})` : ` (FAILED after that, finish by hand: ${steps.join(', ')})`;
}
