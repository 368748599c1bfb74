/**
 * The notice to the data subjects (Art. 34(2)): in clear and plain language, what happened, the
 * likely consequences, the measures taken or proposed (including what limits the harm), and how to
 * reach the FG (Art. 33(3)(b), (c), (d)). Drafted from the recorded facts, in the FG's own words
 * where the facts are theirs; what is missing is listed first. It is a draft: a person sends it.
 * The same text serves a public communication (Art. 34(3)(c)).
 */

import { type CarriedOutElsewhere, measuresTaken } from './breach-facts.js';
import { roleOf, subjectsDecisionNeeded } from './clocks.js';
import { actionName, byPipelineNote, escapeMarkdown, type MissingFact, missingFact, missingFactCli, plannedBesideMeasures } from './draft.js';
import type { Incident } from './incident.js';
import { keyKinds, principalKinds, withOwnPseudonyms } from './incident-pseudonyms.js';
import { harmLabel, type Lang } from './labels.js';
import type { Policy } from './policy.js';
import { formatLocal } from './time.js';

export interface NoticeSection {
  key: 'whatHappened' | 'whichData' | 'consequences' | 'whatWeDid' | 'contact';
  title: string;
  /** Null while the facts it needs are missing. */
  text: string | null;
}

export interface Notice {
  incidentId: string;
  language: Lang;
  generatedAt: string;
  /** Whether Art. 34 requires informing the data subjects, on the record as it stands. */
  required: boolean;
  /** Why it is or is not required, or who sends it. */
  note: string;
  /** What the sender checks before sending: the measures taken beside containment still planned. */
  warnings: string[];
  /** What is still missing, as the command line shows it (with the command that records it). */
  missing: string[];
  /** The same, each with where it is recorded: the web page links the form field instead. */
  missingItems: MissingFact[];
  sections: NoticeSection[];
}

const L = {
  nl: {
    title: (org: string) => `Bericht aan betrokkenen: datalek bij ${org}`,
    org: 'onze organisatie',
    titles: {
      whatHappened: 'Wat is er gebeurd?',
      whichData: 'Om welke gegevens gaat het?',
      consequences: 'Wat kan dit voor u betekenen?',
      whatWeDid: 'Wat hebben wij gedaan?',
      contact: 'Vragen?',
    },
    missing: {
      summary: 'Wat er gebeurde, in eigen woorden',
      categories: 'Welke gegevens',
      consequences: 'De waarschijnlijke gevolgen',
      measures: 'De genomen of voorgestelde maatregelen',
      fg: 'Contactgegevens van de FG',
    },
    notes: {
      required: 'Het risico is hoog: de betrokkenen moeten zonder onredelijke vertraging worden geïnformeerd (AVG art. 34(1)).',
      notHigh: 'Het risico is niet (meer) hoog: artikel 34 verplicht niet tot informeren. Dit concept is voor een vrijwillig bericht.',
      processor: 'Wij zijn verwerker voor dit incident: de verwerkingsverantwoordelijke informeert de betrokkenen (AVG art. 33(2), 34).',
      financial: 'Als financiële onderneming geldt artikel 34 niet (UAVG art. 42). Dit concept is voor een vrijwillig bericht.',
      exception: 'Er is een uitzondering van artikel 34(3) vastgelegd; bij onevenredige inspanning dient deze tekst als openbare mededeling.',
      unassessed: 'De FG heeft het risico nog niet beoordeeld (datalek assess).',
    },
    when: (start: string, detected: string) => `Het begon op ${start}; wij ontdekten het op ${detected}.`,
    ended: (at: string) => `Het datalek is beëindigd op ${at}.`,
    data: (list: string) => `Het gaat om deze gegevens: ${list}.`,
    special: (list: string) => `Daarbij zijn ook bijzondere gegevens: ${list}.`,
    consequences: (text: string) => `Mogelijke gevolgen voor u: ${text}.`,
    harm: (list: string) => `Dat kan leiden tot ${list}.`,
    taken: (text: string) => `Wij hebben deze maatregelen genomen: ${text}.`,
    proposed: (text: string) => `Wat wij nog gaan doen: ${text}.`,
    contact: (who: string) => `Met vragen kunt u terecht bij onze functionaris gegevensbescherming: ${who}.`,
    plannedBeside: (names: string) =>
      `Let op: de inperking staat in het dossier nog als gepland (${names}), maar dit bericht noemt de genomen maatregelen. Noem geen maatregel die niet genomen is: is de stap met de hand uitgevoerd, leg dat bij de actie vast (datalek contained); wordt hij niet uitgevoerd, leg dat vast met de reden (datalek not-done) en haal hem uit de genomen maatregelen.`,
    footer: 'Dit is een concept: het wordt niet automatisch verstuurd. Leg het versturen vast met `datalek subjects`.',
    stillMissing: 'Ontbreekt nog',
  },
  en: {
    title: (org: string) => `Notice to the people affected: personal data breach at ${org}`,
    org: 'our organisation',
    titles: {
      whatHappened: 'What happened?',
      whichData: 'Which data is involved?',
      consequences: 'What can this mean for you?',
      whatWeDid: 'What have we done?',
      contact: 'Questions?',
    },
    missing: {
      summary: 'What happened, in your own words',
      categories: 'Which data',
      consequences: 'The likely consequences',
      measures: 'The measures taken or proposed',
      fg: "The FG's contact details",
    },
    notes: {
      required: 'The risk is high: the data subjects must be informed without undue delay (GDPR Art. 34(1)).',
      notHigh: 'The risk is not (or no longer) high: Art. 34 does not require informing them. This draft is for a voluntary notice.',
      processor: 'We act as processor for this incident: the controller informs the data subjects (GDPR Art. 33(2), 34).',
      financial: 'As a financial undertaking Art. 34 does not apply (UAVG art. 42). This draft is for a voluntary notice.',
      exception: 'An exception of Art. 34(3) is recorded; for disproportionate effort this text serves as the public communication.',
      unassessed: 'The FG has not assessed the risk yet (datalek assess).',
    },
    when: (start: string, detected: string) => `It began on ${start}; we discovered it on ${detected}.`,
    ended: (at: string) => `The breach ended on ${at}.`,
    data: (list: string) => `It concerns this data: ${list}.`,
    special: (list: string) => `This includes special data: ${list}.`,
    consequences: (text: string) => `Possible consequences for you: ${text}.`,
    harm: (list: string) => `This can lead to ${list}.`,
    taken: (text: string) => `We took these measures: ${text}.`,
    proposed: (text: string) => `What we will still do: ${text}.`,
    contact: (who: string) => `For questions, contact our data protection officer: ${who}.`,
    plannedBeside: (names: string) =>
      `Note: the record still holds the containment as planned (${names}), but this notice names the measures taken. Name no measure that was not taken: if the step was carried out by hand, record it on the action (datalek contained); if it will not be, record that with the reason (datalek not-done) and take it out of the measures taken.`,
    footer: 'This is a draft: it is not sent. Record sending it with `datalek subjects`.',
    stillMissing: 'Still missing',
  },
};

/** Text a person typed, without the full stop the notice's own sentence adds. */
const bare = (text: string) => text.trim().replace(/[.\s]+$/, '');

/** Text a person typed as a sentence of its own: with its full stop when it has none (or other end mark). */
const sentence = (text: string) => (/[.!?…]$/.test(text.trim()) ? text.trim() : `${bare(text)}.`);

/** `elsewhere`: containment another incident carried out on its resources (breach-facts.ts), among the measures taken. */
export function buildNotice(incident: Incident, policy: Policy, now: string, lang: Lang = policy.language, elsewhere: CarriedOutElsewhere[] = []): Notice {
  const t = L[lang];
  const tz = policy.timeZone;
  const day = (iso: string) => formatLocal(iso, tz).slice(0, 10);
  const f = incident.facts;
  const fg = policy.organisation.fg;
  const missingItems: MissingFact[] = [];
  // Recorded where the draft's facts are: the notice names them in its own words.
  const missing_ = (key: 'summary' | 'categories' | 'consequences' | 'measures' | 'fg') =>
    missingItems.push({ ...missingFact(key, lang), text: t.missing[key] });
  const what = f?.summary?.trim();
  if (!what) missing_('summary');
  if (!f?.categories.length) missing_('categories');
  const consequenceTexts = [
    ...(f?.consequences?.trim() ? [f.consequences.trim()] : []),
    ...Object.values(f?.consequencesByNature ?? {}).map((c) => c?.text ?? ''),
  ];
  if (consequenceTexts.length === 0) missing_('consequences');
  const taken = measuresTaken(incident, lang, tz, elsewhere);
  if (taken.length === 0 && !f?.measuresProposed?.trim()) missing_('measures');
  // The person's words may claim a step the record holds as planned: the sender checks it first, as the AP draft's "Let op" says.
  const planned = plannedBesideMeasures(incident);
  const warnings = planned.length ? [t.plannedBeside(planned.map((a) => actionName(a, lang)).join(', ')) + byPipelineNote(incident, planned, lang)] : [];
  const who = [fg.name, fg.email, fg.phone].filter(Boolean).join(', ');
  if (!fg.email && !fg.phone) missing_('fg');
  const harms = [...new Set(Object.values(f?.consequencesByNature ?? {}).flatMap((c) => c?.harm ?? []))].map((h) => harmLabel(lang, h));

  const sections: NoticeSection[] = [
    {
      key: 'whatHappened',
      title: t.titles.whatHappened,
      text: what
        ? [sentence(what), t.when(day(incident.firstActivityAt ?? incident.detectedAt), day(incident.detectedAt)), f?.endedAt ? t.ended(day(f.endedAt)) : '']
            .filter(Boolean)
            .join(' ')
        : null,
    },
    {
      key: 'whichData',
      title: t.titles.whichData,
      text: f?.categories.length
        ? // A sentence of its own (fg26): the bare list read "naam, adres." to the people affected.
          [t.data(f.categories.join(', ')), f.specialCategories.length ? t.special(f.specialCategories.join(', ')) : ''].filter(Boolean).join(' ')
        : null,
    },
    {
      key: 'consequences',
      title: t.titles.consequences,
      text: consequenceTexts.length
        ? [t.consequences([...new Set(consequenceTexts.map(bare))].join('; ')), harms.length ? t.harm(harms.join(', ')) : ''].filter(Boolean).join(' ')
        : null,
    },
    {
      key: 'whatWeDid',
      title: t.titles.whatWeDid,
      text:
        taken.length || f?.measuresProposed?.trim()
          ? [taken.length ? t.taken(taken.map(bare).join('; ')) : '', f?.measuresProposed?.trim() ? t.proposed(bare(f.measuresProposed)) : '']
              .filter(Boolean)
              .join(' ')
          : null,
    },
    { key: 'contact', title: t.titles.contact, text: who ? t.contact(who) : null },
  ];

  const role = roleOf(incident, policy);
  const required = subjectsDecisionNeeded(incident, policy);
  const note =
    role === 'processor'
      ? t.notes.processor
      : policy.organisation.financialUndertaking
        ? t.notes.financial
        : !incident.assessment
          ? t.notes.unassessed
          : incident.subjects?.decision === 'exception'
            ? t.notes.exception
            : required
              ? t.notes.required
              : t.notes.notHigh;
  const missing = missingItems.map(missingFactCli);
  // The people affected learn a key was deactivated and its kind, not its id (fg27), and a principal by
  // its kind, not a pseudonym (fg28 item 4); the sender's notes keep the id.
  const named = sections.map((s) => ({ ...s, text: s.text === null ? null : principalKinds(lang, keyKinds(lang, s.text)) }));
  // Handed on: a principal named by the incident's own pseudonym, as the AP draft names it (fg24, fg27).
  const notice = { incidentId: incident.id, language: lang, generatedAt: now, required, note, warnings, missing, missingItems, sections: named };
  return withOwnPseudonyms(incident.pseudonymKey, notice);
}

/** The notice's heading: who writes to the people affected. */
export function noticeTitle(notice: Notice, policy: Policy): string {
  const t = L[notice.language];
  return t.title(policy.organisation.name ?? t.org);
}

/**
 * What the sender reads before sending, never the people affected: the incident, the note on
 * Art. 34, the "Let op" on a step still planned (naming the step and datalek commands), what is
 * still missing, and that it is a draft. `datalek notice` prints it on stderr, so that
 * `--text "$(datalek notice ID)"` and `datalek notice ID > letter.txt` keep only `noticeLetter`.
 */
export function noticeSenderNotes(notice: Notice, policy: Policy): string {
  const t = L[notice.language];
  const lines = [
    `${notice.incidentId} · ${formatLocal(notice.generatedAt, policy.timeZone)}`,
    '',
    `> ${escapeMarkdown(notice.note)}`,
    '',
    ...notice.warnings.flatMap((w) => [`> ${escapeMarkdown(w)}`, '']),
  ];
  if (notice.missing.length) {
    lines.push(`## ${t.stillMissing}`, '');
    for (const m of notice.missing) lines.push(`- [ ] ${escapeMarkdown(m)}`);
    lines.push('');
  }
  lines.push(t.footer);
  return lines.join('\n');
}

/** The text meant for the data subjects (Art. 34(2): clear and plain language), and nothing for the sender. */
export function noticeLetter(notice: Notice, policy: Policy): string {
  const lines = [`# ${escapeMarkdown(noticeTitle(notice, policy))}`, ''];
  for (const s of notice.sections) {
    lines.push(`## ${s.title}`, '', s.text === null ? '…' : escapeMarkdown(s.text), '');
  }
  return lines.join('\n').replace(/\n+$/, '');
}

/** The commands the sender's notes name: "datalek" alone is the Dutch word for the breach itself. */
const COMMAND_NAMED = /`?datalek (?:assess|facts|draft|notice|subjects|contained|not-done|contain|reported|close|show|status|register|report|ack|release)\b/;

/**
 * Which of the notice's parts meant for the sender alone (`noticeSenderNotes`, on stderr) a text holds, each named in English: a text recorded with `subjects
 * --decision inform` is what the people affected were told (Art. 34(2), the register), and the notes
 * there read as if they were sent (fg26 item 2). Empty when it holds none.
 */
export function senderNotesIn(sent: string, incidentId: string): string[] {
  // As the notes print them (escapeMarkdown) or as a person typed them.
  const text = sent.replace(/\\([\\`*_[\]<>|~&#!+=.)-])/g, '$1');
  const found: string[] = [];
  const any = (pick: (t: (typeof L)['nl']) => string[]) => (['nl', 'en'] as const).some((l) => pick(L[l]).some((x) => text.includes(x)));
  if (text.includes(incidentId)) found.push(`the incident id ${incidentId}`);
  if (any((t) => Object.values(t.notes))) found.push('the note on Art. 34 for the sender');
  if (any((t) => [t.plannedBeside('').split('(')[0]])) found.push('the "Let op" / "Note" on containment still planned');
  if (new RegExp(`^#*\\s*(?:${L.nl.stillMissing}|${L.en.stillMissing})\\b`, 'm').test(text) || /^\s*- \[ \]/m.test(text))
    found.push(`the "${L.nl.stillMissing}" / "${L.en.stillMissing}" checklist`);
  if (any((t) => [t.footer.split(':')[0]])) found.push("the draft's footer");
  if (COMMAND_NAMED.test(text)) found.push('datalek commands');
  return found;
}

/** An elision: "…", or three dots standing alone or in brackets ("...", "[...]", "(...)"). */
const ELISION = /…|(?:^|[\s[(])\.\.\.(?:[\s\])]|$)/;

/**
 * Where a text recorded as sent holds an elision (fg28 item 6): the letter puts "…" where a section
 * has nothing yet (`noticeLetter`), and an FG shortening it leaves one where text is still to come;
 * the register shows it as what the people affected were told. Each named by the heading it stands
 * under when the line is the elision alone, else by its line (shortened). Empty when it holds none.
 */
export function elisionsIn(sent: string): string[] {
  const found: string[] = [];
  let heading: string | null = null;
  for (const raw of sent.split(/\r\n?|\n/)) {
    const line = raw.trim();
    const title = /^#+\s+(.*)$/.exec(line);
    if (title) heading = title[1].replace(/\\(.)/g, '$1');
    else if (ELISION.test(line)) {
      const alone = /^(?:…|\.\.\.|\[(?:…|\.\.\.)\]|\((?:…|\.\.\.)\))$/.test(line);
      found.push(alone && heading ? `under "${heading}"` : `"${line.length > 80 ? `${line.slice(0, 79)}…` : line}"`);
    }
  }
  return found;
}

/**
 * A placeholder left to fill in: a word or words in square brackets (`[naam]`, `[datum invullen]`; not
 * a Markdown link `[text](url)`, a checkbox, nor `[…]`, an elision: `elisionsIn`), in angle brackets (`<naam>`, `<...>`; not an address
 * `<fg@example.nl>` or `<https://…>`), in double braces (`{{naam}}`), or `XXX`, `TODO`, `TBD`, `FIXME`,
 * `INVULLEN` written as a word (not in a compound: `TODO-lijst`).
 */
const PLACEHOLDER =
  /\[(?![ xX]?\])(?![.…\s]+\])[^[\]\n]{1,40}\](?!\()|<(?![^<>\n]*(?:@|:\/\/))[^<>\n]{1,40}>|\{\{[^{}\n]{1,40}\}\}|(?<![\p{L}\d]|\p{L}-)(?:X{3,}|TODO|TBD|FIXME|INVULLEN)(?![\p{L}\d]|-\p{L})/gu;

/**
 * The placeholders a text recorded as sent still holds (law27 item 5): an AP notification's reasons or
 * an Art. 34 letter an FG wrote from a template and sent before filling it in, or recorded before; the
 * register shows it as what was sent. Each named once, by the placeholder and the heading it stands
 * under, as `elisionsIn` names an elision. Empty when it holds none.
 */
export function placeholdersIn(sent: string): string[] {
  const found: string[] = [];
  let heading: string | null = null;
  // As the letter prints them (escapeMarkdown) or as a person typed them.
  for (const raw of sent.replace(/\\([\\`*_[\]<>|~&#!+=.)-])/g, '$1').split(/\r\n?|\n/)) {
    const line = raw.trim();
    const title = /^#+\s+(.*)$/.exec(line);
    if (title) heading = title[1];
    for (const m of (title ? title[1] : line).matchAll(PLACEHOLDER)) {
      const named = `"${m[0]}"${heading && !title ? ` under "${heading}"` : ''}`;
      if (!found.includes(named)) found.push(named);
    }
  }
  return found;
}

/** Both, the sender's notes first, as one Markdown document. */
export function noticeMarkdown(notice: Notice, policy: Policy): string {
  return `${noticeSenderNotes(notice, policy)}\n\n${noticeLetter(notice, policy)}`;
}
