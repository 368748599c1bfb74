/**
 * The FG and on-call messages, Dutch by default and English by policy.
 *
 * What a message leaves out, on purpose: IP addresses, user names, geolocation, command lines and
 * file paths from the finding. They are personal data (or attacker-controlled text) and e-mail is no
 * place for them; the message gives identifiers (incident, finding, account, resource id) with
 * which the reader looks them up in the store or the GuardDuty console.
 */

import { ackLinkExpiry, repeatAckLink } from './ack-link.js';
import { apInternalTarget, apLegalDeadline, apVerdictReport, delayReasons, renotified, withdrawnNotification } from './ap-verdict.js';
import { runbookUrl } from './chat-card.js';
import { apClockRunning, apFollowUpState, apHours, apOwedUnderTelecom, type ClockName, type ClockStatus, clocksOf, owedAnew, roleOf } from './clocks.js';
import { ACTION_RUNBOOKS, containCommand } from './containment.js';
import { type AffectedResource, isPseudonym } from './finding-resources.js';
import {
  type AckLinkRef,
  type Assessment,
  type Channel,
  exposedAlertKey,
  type Incident,
  type MessageCard,
  type OutboxMessage,
  ownAlertKey,
  type PagerAlert,
  pagerAckByNoPerson,
} from './incident.js';
import { withOwnPseudonyms } from './incident-pseudonyms.js';
import {
  actionLabel,
  actionReasonLabel,
  actorLabel,
  bandLabel,
  clockShownLabel,
  clockStateLabel,
  type Lang,
  placeLabel,
  resourceKindLabel,
  riskLabel,
} from './labels.js';
import { boundBody, listed, moreText, notPlannedText, onceText, pickListed } from './message-bounds.js';
import type { Policy } from './policy.js';
import { resourceTagsText } from './resource-tags.js';
import { EXPOSED_REPEAT_MINUTES, exposedUntaken, openSince, reviewPending } from './schedule.js';
import { formatSeverity, severityBand } from './severity.js';
import { hasControl, oneLine, oneLines } from './text.js';
import { formatLocal, timeLeft } from './time.js';

/** Kept here too (it lives with the incident, which schedule.ts reads without this module). */
export { exposedAlertKey };

export type MessageKind =
  | 'opened'
  | 'severity-raised'
  | 'ap-reminder'
  | 'ap-overdue'
  /** The AP's reminder while a notification withdrawn is owed anew (clocks.ts owedAnew): neither approaching nor overdue. */
  | 'ap-owed-anew'
  | 'page'
  | 'containment-done'
  | 'containment-failed'
  /** A run that carried nothing out and failed nothing: each action it told of is left to another incident, or found contained already (Y13). */
  | 'containment-left'
  | 'released'
  /** Another incident's release put a task network interface this incident's instance isolation relies on back in its own groups. */
  | 'task-interface-reopened'
  /** A release whose steps did not all succeed: the containment is (partly) still in effect (on-call). */
  | 'release-failed'
  /** A release that undid the containment and failed a later step (tag, Auto Scaling group...): on-call finishes it. */
  | 'release-incomplete'
  | 'clock-reminder'
  | 'clock-overdue'
  | 'follow-up-reminder'
  | 'subjects-reminder'
  | 'notify-nudge'
  /** A finding of a type the incident did not have (FG), or one that plans new containment (on-call). */
  | 'finding-added'
  /** The FG was asked to review an assessment a later finding may overturn, and has not yet. */
  | 'review-reminder'
  /** Facts recorded after closing contradict the assessment in force: the FG assesses again (review7 Y14). */
  | 'contradiction-reminder'
  /** The incident lists the most finding types it holds: further types are not listed or told as new (FG, once). */
  | 'finding-types-not-listed'
  /** A network interface left open to all traffic: paged at Critical, whatever the incident's severity. */
  | 'interface-exposed'
  /** A message its channel refuses as it is: never sent, no longer tried (on-call and its own channel, once). */
  | 'message-undeliverable'
  /** A finding detected before the incident arrived after it (FG): the deadline moved, or the awareness stays. */
  | 'detection-moved-earlier'
  /** A finding on this incident's resources was recorded on another incident, linked to it rather than merged (FG, once per pair and type). */
  | 'incident-linked'
  /** A finding whose rule enforces a step a person decided not to carry out (`datalek not-done`): the decision holds (FG and on-call, once per finding and severity). */
  | 'not-done-held'
  /** An incident below the FG's threshold whose AP clock runs: told to the FG once at opening, no page (atk29 A10). */
  | 'clock-running';

/** Why a finding linked two incidents rather than merging them (record-finding.ts `notMergeable`). */
export type LinkWhy = 'fg-recorded' | 'interface-exposed' | 'not-planned-paging' | 'not-done-held-paging' | 'containment-running' | 'no-room' | 'too-many';

/** What each clock's reminder asks of the FG, with its article: its own words, never another clock's. */
const CLOCK_ASK: Record<Lang, Record<ClockName, string>> = {
  nl: {
    ap: 'Meld het datalek aan de AP (AVG art. 33(1)).',
    processor: 'Als verwerker informeert u de verwerkingsverantwoordelijke zonder onredelijke vertraging (AVG art. 33(2)).',
    subjects: 'Het risico is hoog: besluit over het informeren van de betrokkenen (AVG art. 34).',
    'nis2-significance': 'Besluit of dit incident significant is onder NIS2 (art. 23(3)); pas dan lopen de NIS2-termijnen.',
    'nis2-early-warning': 'Doe de vroegtijdige waarschuwing aan de CSIRT en de bevoegde autoriteit (NIS2 art. 23(4)(a), Cyberbeveiligingswet).',
    'nis2-notification': 'Doe de incidentmelding aan de CSIRT en de bevoegde autoriteit (NIS2 art. 23(4)(b)).',
    'nis2-intermediate': 'De CSIRT of de bevoegde autoriteit vroeg om een tussentijds verslag (NIS2 art. 23(4)(c)).',
    'nis2-final': 'Dien het eindverslag in, of een voortgangsverslag als het incident nog loopt (NIS2 art. 23(4)(d), (e)).',
    'telecom-initial':
      'Als aanbieder van openbare elektronische communicatiediensten meldt u elk datalek binnen 24 uur aan de AP (Verordening 611/2013 art. 2(2)).',
    'telecom-complete':
      'De volledige melding aan de AP is nodig binnen 3 dagen na de eerste (Verordening 611/2013 art. 2(3)): leg de feiten vast als compleet en doe de vervolgmelding.',
    'telecom-subscribers': 'Besluit of de abonnees worden geïnformeerd (Verordening 611/2013 art. 3).',
  },
  en: {
    ap: 'Notify the AP of the breach (GDPR Art. 33(1)).',
    processor: 'As processor, inform the controller without undue delay (GDPR Art. 33(2)).',
    subjects: 'The risk is high: decide on informing the data subjects (GDPR Art. 34).',
    'nis2-significance': 'Decide whether this incident is significant under NIS2 (Art. 23(3)); only then do the NIS2 clocks run.',
    'nis2-early-warning': 'Send the early warning to the CSIRT and the competent authority (NIS2 Art. 23(4)(a)).',
    'nis2-notification': 'Send the incident notification to the CSIRT and the competent authority (NIS2 Art. 23(4)(b)).',
    'nis2-intermediate': 'The CSIRT or the competent authority asked for an intermediate report (NIS2 Art. 23(4)(c)).',
    'nis2-final': 'Submit the final report, or a progress report while the incident is ongoing (NIS2 Art. 23(4)(d), (e)).',
    'telecom-initial': 'As a provider of public electronic communications you notify the AP of every breach within 24 hours (Regulation 611/2013 Art. 2(2)).',
    'telecom-complete':
      'The complete notification to the AP is due within 3 days after the initial one (Regulation 611/2013 Art. 2(3)): mark the facts complete and submit the follow-up.',
    'telecom-subscribers': 'Decide whether the subscribers are informed (Regulation 611/2013 Art. 3).',
  },
};

/**
 * What an overdue clock's reminder adds: the reasons for the delay its late report must give, as the
 * AP's overdue reminder says them for Art. 33(1) (law26): a telecom provider's complete notification
 * (Regulation 611/2013 art. 2(3)) and a processor's report to its controller (refused without them,
 * fg-workflow.ts recordReport).
 */
const OVERDUE_ALSO: Record<Lang, Partial<Record<ClockName, string>>> = {
  nl: {
    processor: ' Geef bij de melding de redenen voor de vertraging (AVG art. 33(2): zonder onredelijke vertraging).',
    'telecom-complete': ' Geef bij de volledige melding de redenen voor de vertraging (Verordening 611/2013 art. 2(3)).',
  },
  en: {
    processor: ' Give the reasons for the delay with the report (Art. 33(2): without undue delay).',
    'telecom-complete': ' Give the reasons for the delay with the complete notification (Regulation 611/2013 Art. 2(3)).',
  },
};

const T = {
  nl: {
    test: '[TEST] ',
    subject: {
      opened: { fg: 'Mogelijk datalek', 'on-call': 'Beveiligingsincident' },
      'severity-raised': { fg: 'Ernst verhoogd', 'on-call': 'Ernst verhoogd' },
      'ap-reminder': { fg: 'Herinnering AP-termijn', 'on-call': 'Herinnering AP-termijn' },
      'ap-overdue': { fg: 'AP-termijn verstreken', 'on-call': 'AP-termijn verstreken' },
      'ap-owed-anew': { fg: 'Opnieuw melden aan de AP', 'on-call': 'Opnieuw melden aan de AP' },
      page: { fg: 'Escalatie: nog niet opgepakt', 'on-call': 'Escalatie: nog niet opgepakt' },
      'containment-done': { fg: 'Inperking uitgevoerd', 'on-call': 'Inperking uitgevoerd' },
      'containment-failed': { fg: 'Inperking MISLUKT', 'on-call': 'Inperking MISLUKT' },
      'containment-left': { fg: 'Inperking in handen van een ander incident', 'on-call': 'Inperking in handen van een ander incident' },
      released: { fg: 'Inperking opgeheven', 'on-call': 'Inperking opgeheven' },
      'task-interface-reopened': { fg: 'Inperking deels opgeheven: een task is weer open', 'on-call': 'Inperking deels opgeheven: een task is weer open' },
      'release-failed': { fg: 'Opheffen inperking MISLUKT', 'on-call': 'Opheffen inperking MISLUKT' },
      'release-incomplete': { fg: 'Inperking opgeheven, een stap MISLUKT', 'on-call': 'Inperking opgeheven, een stap MISLUKT' },
      'clock-reminder': { fg: 'Herinnering', 'on-call': 'Herinnering' },
      'clock-overdue': { fg: 'Termijn verstreken', 'on-call': 'Termijn verstreken' },
      'follow-up-reminder': { fg: 'Vervolgmelding AP: de AP heeft de feiten nog niet compleet', 'on-call': 'Vervolgmelding AP' },
      'subjects-reminder': { fg: 'Hoog risico: besluit over informeren betrokkenen (art. 34) ontbreekt', 'on-call': 'Besluit art. 34 ontbreekt' },
      'notify-nudge': { fg: 'Meldplichtig, nog niet gemeld: meld nu aan de AP', 'on-call': 'Melding AP nog niet gedaan' },
      'interface-exposed': { fg: 'Netwerkinterface OPEN voor al het verkeer', 'on-call': 'Netwerkinterface OPEN voor al het verkeer' },
      'finding-added': { fg: 'Nieuwe bevinding', 'on-call': 'Nieuwe bevinding, nieuwe inperking' },
      'review-reminder': { fg: 'Beoordeling opnieuw nodig: nieuwe bevinding na de beoordeling', 'on-call': 'Beoordeling FG opnieuw nodig' },
      'contradiction-reminder': { fg: 'Gesloten incident: feiten spreken de beoordeling tegen, beoordeel opnieuw', 'on-call': 'Beoordeling FG opnieuw nodig' },
      'finding-types-not-listed': { fg: 'Verdere typen bevindingen niet vermeld', 'on-call': 'Verdere typen bevindingen niet vermeld' },
      'message-undeliverable': { fg: 'Bericht NIET verstuurd', 'on-call': 'Bericht NIET verstuurd' },
      'detection-moved-earlier': { fg: 'Eerdere detectie', 'on-call': 'Eerdere detectie' },
      'incident-linked': { fg: 'Gekoppeld aan een ander incident', 'on-call': 'Gekoppeld aan een ander incident' },
      'not-done-held': { fg: 'Bevinding vraagt om inperking die niet wordt uitgevoerd', 'on-call': 'Bevinding vraagt om inperking die niet wordt uitgevoerd' },
      'clock-running': { fg: 'Nieuw incident, AP-termijn loopt', 'on-call': 'Nieuw incident, AP-termijn loopt' },
    },
    followUpSubject: { fg: 'Opnieuw actief na sluiten: mogelijk datalek', 'on-call': 'Opnieuw actief na sluiten' },
    byHand: {
      subject: (by: string) => `Datalek met de hand vastgelegd door ${by}`,
      intro: (by: string) =>
        `${by} heeft met de hand een datalek vastgelegd. Beoordeel of persoonsgegevens zijn getroffen en of het gemeld moet worden (AVG art. 33); de AP-termijn loopt vanaf het genoemde bewustwordingsmoment. Wat er gebeurde staat in het incident (datalek show), niet in dit bericht.`,
      band: 'met de hand',
      type: 'met de hand geopend',
    },
    newFinding: (type: string, id: string, severity: string) =>
      `Nieuwe bevinding bij dit incident: ${type} (${id}, ernst ${severity}). Beoordeel of die verandert wat getroffen is en wat gemeld moet worden (AVG art. 33).`,
    archivedFinding: 'Deze bevinding is in GuardDuty gearchiveerd, door iemand daar: datalek heeft dat niet besloten en legt haar vast als elke bevinding.',
    newContainment: (type: string, id: string, actions: string) =>
      `Nieuwe bevinding bij dit incident: ${type} (${id}). Nieuwe inperking gepland: ${actions}. Volg het draaiboek.`,
    notPlannedContainment: (type: string, id: string, actions: string, planned: string) =>
      `Nieuwe bevinding bij dit incident: ${type} (${id}). ${planned ? `Nieuwe inperking gepland: ${planned}. ` : ''}Inperking NIET gepland, het dossier van het incident heeft er geen ruimte meer voor: ${actions}. Perk dit zelf in volgens het draaiboek.`,
    verdict: (a: Assessment) =>
      `persoonsgegevens ${{ yes: 'ja', no: 'nee', unknown: 'onbekend' }[a.personalData]}, ${riskLabel('nl', a.risk)}: ${a.notifiable ? 'meldplichtig' : 'niet meldplichtig'}`,
    reviewAsk: (when: string, by: string, verdict: string, hours: number) =>
      `Uw beoordeling van ${when} door ${by}: ${verdict}, is van vóór deze bevinding. Beoordeel opnieuw en leg de beoordeling vast; tot dan volgt elke ${hours} uur een herinnering.`,
    reviewReminder: (when: string, type: string, id: string) =>
      `Na de beoordeling van ${when} kwam een bevinding van een nieuw type: ${type} (${id}). Er is sindsdien geen beoordeling vastgelegd. Beoordeel opnieuw of persoonsgegevens zijn getroffen en of het datalek meldplichtig is (AVG art. 33(1), 33(5)).`,
    apReviewAsked: 'opnieuw te beoordelen: een nieuwe bevinding kwam na dit besluit',
    typesNotListed: (listed: number, since: string, first: string | null) =>
      `Dit incident vermeldt ${listed} typen bevindingen, het maximum. Sinds ${since} kwamen bevindingen van nog meer typen${first ? `, als eerste ${first}` : ''}. Verdere nieuwe typen worden niet vermeld, niet meer als nieuw aan u gemeld en vragen geen nieuwe beoordeling. Bekijk alle bevindingen van deze resource in de GuardDuty-console en beoordeel of ze veranderen wat getroffen is en wat gemeld moet worden (AVG art. 33). U krijgt dit bericht één keer.`,
    followUp: (closed: string, closedAt: string, finding: string, from: number, to: number, seen: string) =>
      `Vervolg op incident ${closed}, gesloten op ${closedAt}: bevinding ${finding} is daarna weer actief (aantal ${from} → ${to}, laatst gezien ${seen}). Het gesloten incident en het besluit erover blijven zoals ze waren; dit incident heeft een eigen AP-termijn en beoordeling, en de inperking is opnieuw gepland.`,
    undoneFor: (by: string, closed: boolean, fg: boolean, planned: boolean, id: string) =>
      planned
        ? `Incident ${by} hield de resource van dit incident ingeperkt (dit incident liet de actie eraan over, of rekende op die inperking) en is opgeheven: de resource is weer bereikbaar, en de actie is hier opnieuw gepland, niet uitgevoerd (${containCommand(id, { enforce: true, lang: 'nl' })} voert haar uit). De tijdlijn zegt wie en waarom.`
        : closed
          ? `Dit incident is gesloten, en zijn inperking hield de resource nog vast (sluiten heft niets op: het dossier, het register en het AP-concept zeiden dat ze van kracht was). Ze is opgeheven voor incident ${by}: het opheffen daarvan maakte haar ongedaan, en wie ophief noemde dit incident daarbij. De resource is weer bereikbaar. Het incident blijft gesloten; de tijdlijn zegt wie en waarom.${fg ? ' De maatregelen die een melding aan de AP noemde, zijn na het sluiten veranderd: beoordeel of de AP dat hoort (AVG art. 33(4)).' : ''}`
          : `De inperking van dit incident is opgeheven voor incident ${by}, dat dezelfde resource vasthield: het opheffen daarvan maakte haar ongedaan, en wie ophief noemde dit incident daarbij. De resource is weer bereikbaar; de tijdlijn zegt wie en waarom.`,
    undoneForSubject: (by: string) => `Inperking opgeheven voor incident ${by}`,
    linked: (other: string, type: string, id: string, why: LinkWhy) =>
      `Bevinding ${id} (${type}) noemt resources van dit incident en is vastgelegd bij incident ${other}. De twee zijn niet samengevoegd maar gekoppeld: ${
        {
          'fg-recorded': 'bij dit incident is al iets voor de FG vastgelegd (feiten, bewustwording, beoordeling, melding of een besluit)',
          'interface-exposed': 'een netwerkinterface van dit incident staat open voor al het verkeer',
          'not-planned-paging': 'de dienstdoende wordt opgeroepen voor inperking van dit incident die niet in het dossier paste en door niemand is uitgevoerd',
          'not-done-held-paging':
            'de dienstdoende wordt opgeroepen voor een bevinding van dit incident die vraagt om een stap waartegen is besloten, en niemand heeft de oproep aangenomen',
          'containment-running': 'de inperking van dit incident loopt',
          'no-room': 'het dossier van dat incident heeft geen ruimte voor de inperking die bij dit incident is uitgevoerd',
          'too-many': 'de bevinding noemt te veel incidenten om in één stap samen te voegen',
        }[why]
      }. Wat over dit datalek bekend is, staat nu in twee incidenten: beoordeel of ${other} hetzelfde datalek is en neem wat het laat zien op in de feiten en de melding aan de AP (AVG art. 33(3), (4) en (5)). U krijgt dit bericht één keer per gekoppeld incident en type bevinding.`,
    notDoneHeld: (finding: string, steps: string, n: number, withdraw: string) =>
      `Bevinding ${finding} vraagt om inperking waarvan is besloten dat die niet wordt uitgevoerd. Het besluit blijft staan: datalek voert ${n === 1 ? 'deze stap' : 'deze stappen'} niet uit: ${steps}. Beoordeel of deze bevinding het besluit verandert. Besluit intrekken (de stap wordt dan weer gepland en, als het beleid hem afdwingt, uitgevoerd): op de incidentpagina bij "Besluit intrekken", of ${withdraw}. U krijgt dit bericht één keer per bevinding en ernst.`,
    notDoneHeldStep: (step: string, by: string, at: string, reason: string) => `${step} (besloten door ${by} op ${at}: ${reason})`,
    withdrawCommand: (id: string, action: string) => `datalek not-done ${id} --action ${action} --withdraw --reason TEKST --by NAAM`,
    repeat: 'herhaling',
    exposedRepeat: (what: string, since: string, minutes: number) =>
      `HERHALING: ${what} staat nog steeds OPEN voor al het verkeer van en naar internet, sinds ${since}, en niemand heeft het incident sindsdien opgepakt. Deze melding komt elke ${minutes} minuten terug, tot het dossier zegt dat de interface geïsoleerd is (de actie opnieuw uitgevoerd of vrijgegeven), of tot het incident wordt opgepakt nadat de interface open bleef. Zet de interface met de hand in de groep datalek-isolation (draaiboek, sectie "An interface exposed page").`,
    exposed: (what: string) =>
      `NU HANDELEN: ${what} staat OPEN voor al het verkeer van en naar internet (groep datalek-all-traffic). Isoleren mislukte en het terugzetten van de eigen groepen ook. Zet de interface met de hand in de groep datalek-isolation (draaiboek, sectie "An interface exposed page").`,
    earlier: (to: string, from: string, moved: string | null, aware: string, began: string | null, target: string | null) =>
      `Eerdere detectie: een bevinding die pas nu binnenkwam, werd al op ${to} gedetecteerd, vóór ${from}. ${
        moved
          ? `De bewustwording volgt de detectie zolang niemand die vastlegt. De AP-termijn is vervroegd naar ${moved}${target ? `; interne doelstelling: ${target}` : ''}. Was de organisatie zich pas later bewust, leg dat vast met een reden (AVG art. 33(1)).`
          : began
            ? `Het begin van het datalek dat u vastlegde (${began}) ligt na deze detectie, en niemand is zich bewust van een datalek voordat het begon: de bewustwording (${aware}) en de AP-termijn blijven. Begon het datalek eerder, corrigeer dan het begin (de bewustwording volgt dan de detectie); was de organisatie zich eerder bewust, leg dat vast met een reden (AVG art. 33(1), (5)).`
            : `De bewustwording (${aware}) en de AP-termijn blijven: niemand was zich bewust van een bevinding voordat die binnenkwam. Was de organisatie zich toch eerder bewust, leg dat vast met een reden (AVG art. 33(1)).`
      }`,
    subscribersSubject: 'Besluit over informeren abonnees (Telecommunicatiewet) ontbreekt',
    stillOpen: (n: number) => `, niet volledig: ${n} ${n === 1 ? 'stap' : 'stappen'} nog open`,
    refused: (subject: string, id: string, reason: string, incidentId: string) =>
      `Een bericht over dit incident is geweigerd en wordt niet verstuurd, ook niet later: "${subject}" (${id}). Reden: ${reason}. Lees wat erin stond met datalek show ${incidentId}.`,
    runStopped: (until: string) =>
      `De ronde stopte voordat ze dit kon melden (haar termijn liep af ${until}): datalek meldt het nu. Kijk met datalek show of er nog een stap openstaat.`,
    runOutcome: (run: ContainmentRun, incidentId: string) =>
      runParts('Deze ronde', (n) => `${n} ${n === 1 ? 'actie' : 'acties'}`, [
        [run.done, 'uitgevoerd'],
        [run.failed, 'mislukt'],
        [
          heldCount(run),
          `overgelaten aan incident ${run.heldBy?.join(', ')} (dat houdt de resource ingeperkt; opheffen of sluiten daar geeft de actie hier terug)`,
        ],
        [
          run.unheld ?? 0,
          `al ingeperkt aangetroffen, en geen open incident houdt dat vast (een opheffing niet afgemaakt, of buiten datalek om): niet opnieuw ingeperkt; ${containCommand(incidentId, { lang: 'nl' })} pakt het weer op na opheffen`,
        ],
      ]),
    sampleNote: 'Dit is een TESTMELDING: GuardDuty-voorbeeldbevinding. Er loopt geen termijn en er wordt niets ingeperkt.',
    intro: {
      opened: 'GuardDuty meldt een beveiligingsincident. Beoordeel of persoonsgegevens zijn getroffen (AVG art. 33).',
      'severity-raised':
        'De ernst van dit incident is verhoogd. Beoordeel opnieuw of persoonsgegevens zijn getroffen en hoe groot het risico is (AVG art. 33).',
      'ap-reminder':
        'De termijn voor de melding aan de AP loopt af (AVG art. 33(1)). Meld zonder onredelijke vertraging; wat nog niet bekend is, kan later worden aangevuld (art. 33(4)).',
      'ap-overdue':
        'De termijn voor de melding aan de AP is verstreken (AVG art. 33(1)). Meld alsnog zonder verdere vertraging en geef de redenen voor de vertraging, of leg vast dat het datalek niet meldplichtig is.',
      'ap-owed-anew':
        'De eerdere melding aan de AP is ingetrokken en de beoordeling zegt weer: meldplichtig. Meld opnieuw aan de AP, zonder onredelijke vertraging (AVG art. 33(1), (4)); de termijn wordt beoordeeld naar de eerste melding.',
      'follow-up-reminder':
        'De eerste melding aan de AP is gedaan, maar de AP heeft de feiten nog niet compleet. Markeer de feiten als compleet zodra ze bekend zijn (op de incidentpagina, bij Feiten: "De feiten zijn compleet") en leg daarna de vervolgmelding vast waarmee de AP ze krijgt (AVG art. 33(4)); feiten die alleen hier compleet zijn, heeft de AP niet.',
      'notify-nudge':
        'De beoordeling zegt: meldplichtig. Er is nog geen melding aan de AP vastgelegd. Meld zonder onredelijke vertraging (AVG art. 33(1)): de termijn is een uiterste grens, geen wachttijd. Wat nog niet bekend is, volgt in een vervolgmelding (art. 33(4)).',
      page: 'Escalatie: nog niemand heeft dit incident opgepakt.',
      'contradiction-reminder':
        'Na het sluiten zijn feiten vastgelegd die de geldende beoordeling tegenspreken (bijvoorbeeld persoonsgegevens bij "geen persoonsgegevens"). Beoordeel het incident opnieuw, of bevestig "geen risico" naast de bijzondere persoonsgegevens (AVG art. 33(1), (5)).',
      'containment-done': 'De inperking is uitgevoerd; hieronder elke stap.',
      'containment-failed': 'De inperking is MISLUKT; hieronder welke stap. Neem het over en volg het draaiboek.',
      'containment-left':
        'Deze ronde heeft niets ingeperkt: de resource is al ingeperkt, door een ander incident. Dat incident houdt de inperking vast; wordt die daar opgeheven of het incident gesloten zonder inperking, dan komt de actie hier terug en meldt datalek dat.',
      released: 'De inperking is opgeheven.',
      'task-interface-reopened':
        'Het opheffen van een ander incident heeft de netwerkinterface van een task op de geïsoleerde instance weer in haar eigen groepen gezet: die task is weer bereikbaar. De isolatie van de instance zelf is nog van kracht. De tijdlijn zegt welke interface; isoleer haar opnieuw met de hand als de task afgesloten moet blijven (draaiboek isolate-ec2-instance).',
      'release-failed':
        'Het opheffen van de inperking is MISLUKT: ze is (deels) nog van kracht en staat zo vastgelegd. De tijdlijn zegt welke stap mislukte. Hef opnieuw op (datalek release), of hef handmatig op volgens het draaiboek.',
      'release-incomplete':
        'De inperking is opgeheven (de resource is weer bereikbaar en staat zo vastgelegd), maar een latere stap is MISLUKT: de tag, de Auto Scaling-groep, de target groups of het instance profile. De tijdlijn zegt welke. Maak die stap handmatig af volgens het draaiboek.',
    } as Record<string, string>,
    onCallIntro: 'GuardDuty meldt een beveiligingsincident. Neem het op en volg het draaiboek.',
    clockRunning: (severity: string, threshold: string, deadline: string, passed: boolean) =>
      `GuardDuty meldt een incident met ernst ${severity}, onder de drempel van het beleid voor het bericht "Mogelijk datalek" (${threshold}): er wordt niemand opgeroepen. Toch ${passed ? `liep de termijn voor de melding aan de AP, vanaf de detectie, al af op ${deadline}: een melding is nu te laat en vraagt de reden van de vertraging` : `loopt de termijn voor de melding aan de AP, vanaf de detectie, tot ${deadline}`} (AVG art. 33(1)). Beoordeel of persoonsgegevens zijn getroffen; u krijgt dit bericht één keer, de herinneringen volgen de termijn.`,
    notAssessed: 'Er is nog geen beoordeling door de FG vastgelegd (op de incidentpagina: Beoordeling).',
    overduePrefix: 'Verlopen: ',
    nis2Recipients: (csirt?: string, authority?: string) =>
      `Ontvangers: de CSIRT${csirt ? ` (${csirt})` : ''} en de bevoegde autoriteit${authority ? ` (${authority})` : ''}; de termijn is gehaald als beide het hebben.`,
    incident: 'Incident',
    finding: 'Bevinding',
    severity: 'Ernst',
    resource: 'Getroffen resource',
    named: 'Ook genoemd',
    tags: 'Labels van de resource',
    account: 'Account / regio',
    detected: 'Gedetecteerd',
    deadline: (hours: number) => `AP-termijn (${hours} uur na bewustwording)`,
    internalTarget: (hours: number) => `Interne doelstelling (${hours} uur; niet de wettelijke termijn)`,
    // A reminder due before or at the organisation's internal target: named as the target, the law's deadline beside it (fg15).
    targetReminder: (hours: number, reached: boolean, target: string, legal: string) => ({
      subject: reached ? `Interne AP-doelstelling (${hours} uur) bereikt` : `Herinnering interne AP-doelstelling (${hours} uur)`,
      intro: `De interne doelstelling van de organisatie voor de melding aan de AP (${hours} uur na bewustwording) ${reached ? 'is bereikt' : 'loopt af op'}: ${target}. De wettelijke termijn (AVG art. 33(1), 72 uur) loopt af op ${legal}. Meld zonder onredelijke vertraging; wat nog niet bekend is, kan later worden aangevuld (art. 33(4)). Deze herinneringen volgen de doelstelling uit het beleid van de organisatie; daarna volgen ze de wettelijke termijn.`,
    }),
    noDeadline: 'geen (testmelding)',
    awareDefault: 'bewustwording = detectie tot de FG anders vastlegt',
    ap: 'Melding AP',
    apFollowUp: (reference: string, overdueSince: string | null) =>
      `de AP heeft alleen de eerste fase (${reference}); ${
        overdueSince ? `doe de vervolgmelding nu, die is te laat sinds ${overdueSince}` : 'doe de vervolgmelding zodra u de feiten compleet heeft'
      } (AVG art. 33(4))`,
    apRiskFollowUp: (reference: string, raisedAt: string, overdueSince: string | null) =>
      `het risico is hoog beoordeeld op ${raisedAt}, na de laatste melding aan de AP (${reference}); ${
        overdueSince ? `doe de vervolgmelding nu, die is te laat sinds ${overdueSince}` : 'doe de vervolgmelding zonder onredelijke vertraging'
      } (AVG art. 33(3)(c), (4))`,
    anew: {
      subject: 'Opnieuw melden aan de AP: de eerdere melding is ingetrokken',
      intro: (reference: string, at: string, withdrawn: string) =>
        `De AP kreeg dit datalek gemeld als ${reference} op ${at}; die melding is ingetrokken op ${withdrawn}. De beoordeling zegt nu weer: meldplichtig. Meld opnieuw aan de AP, zonder onredelijke vertraging (AVG art. 33(1), (4)). De termijn wordt beoordeeld naar ${reference}; het dossier noemt de intrekking en de nieuwe melding ernaast.`,
    },
    riskFollowUp: {
      subject: { fg: 'Vervolgmelding AP: het hoge risico is nog niet gemeld', 'on-call': 'Vervolgmelding AP' },
      intro: (reference: string, raisedAt: string) =>
        `Het risico is hoog beoordeeld op ${raisedAt}, na de laatste melding aan de AP (${reference}). De AP heeft een melding gedaan bij een lager risico: de waarschijnlijke gevolgen en het antwoord over het informeren van de betrokkenen gelden niet meer (AVG art. 33(3)(c), art. 34(4)). Doe een vervolgmelding aan de AP met het hoge risico (art. 33(4)), of leg vast waarom er geen komt (bij het sluiten: "Waarom gesloten zonder vervolgmelding aan de AP").`,
    },
    apDone: (at: string, late: ApLate) =>
      `gedaan op ${at} (${
        late === 'not-bound'
          ? 'niet meldplichtig onder de AVG (besluit FG): geen termijn van art. 33(1)'
          : late === 'no'
            ? 'gehaald'
            : late === 'reasons'
              ? 'te laat gedaan; reden van de vertraging vastgelegd'
              : `te laat gedaan: de termijn liep af op ${late.deadline}; de reden van de vertraging is nog niet vastgelegd: geef die met een vervolgmelding aan de AP (art. 33(1))`
      })`,
    apAnew: (first: string, withdrawn: string, anew: string, at: string) =>
      `; die melding (${first}) is ingetrokken op ${withdrawn} en opnieuw gedaan als ${anew} op ${at}: de termijn is beoordeeld naar de eerste (art. 33(1), (4))`,
    apOwedAnew: (reference: string, at: string, late: boolean, withdrawn: string) =>
      `opnieuw melden: ${reference} is gedaan op ${at} (${late ? 'te laat gedaan' : 'gehaald'}) en ingetrokken op ${withdrawn}; de termijn wordt beoordeeld naar ${reference} (AVG art. 33(1), (4))`,
    apProcessor: 'taak van de verwerkingsverantwoordelijke (art. 33(2)): wij zijn verwerker',
    apNotNotifiable: 'niet meldplichtig (besluit FG)',
    apTelecomOnly:
      'niet meldplichtig onder de AVG (besluit FG); als aanbieder meldt u het datalek wel aan de AP (Telecommunicatiewet art. 11.3a, Verordening 611/2013 art. 2)',
    apClosed: 'incident gesloten',
    clocks: 'Termijnen',
    due: 'uiterlijk',
    done: 'gedaan',
    containment: 'Inperking',
    noContainment: 'geen (alleen melding)',
    pseudonym: '(pseudoniem: naam weggelaten, persoonsgegeven; zie datalek show)',
    unvouched: (ids: string[]) =>
      `security groups met de tags van datalek voor dit incident die geen record noemt: ${ids.join(', ')}; niet gebruikt en niet gewijzigd (datalek show)`,
    released: (by: string) => `[opgeheven door ${by}]`,
    runbook: 'Draaiboek',
    ack: 'Oppakken',
    ackName: '<naam>',
    fgWhere: (id: string) => `Vastleggen: op de webpagina van datalek (datalek serve), bij incident ${id}.`,
    left: 'Weggelaten: IP-adressen, gebruikersnamen en andere persoonsgegevens uit de bevinding; zie `datalek show` of de GuardDuty-console.',
    acknowledged: (by: string, at: string) => `Opgepakt door ${by} om ${at}.`,
    ackByNoPerson: (pager: string, at: string) =>
      `${pager} meldt de melding als opgepakt om ${at}, maar niet door een persoon (de API met de sleutel van de dienst, een automatisering): niemand heeft het incident opgepakt. datalek blijft via dit kanaal oproepen tot iemand het oppakt.`,
    notAcknowledged: 'Nog door niemand opgepakt.',
    findings: 'Bevindingen',
    findingTypes: 'Typen bevindingen',
    round: 'ronde',
    status: { planned: 'gepland', done: 'uitgevoerd', skipped: 'overgeslagen', failed: 'MISLUKT' },
    personalLeftOut: (type: string) => `${type} (naam weggelaten: persoonsgegevens)`,
    acknowledgedShort: 'Opgepakt',
    ackLink: (until: string) => `Oppakken, met twee tikken (link geldig tot ${until}):`,
    ackLinkOnce: 'De link werkt één keer en stopt de escalatie, niet de AP-termijn.',
    ackLinkMissing: 'Deze keer zonder link om op te pakken (de sleutel van de links was niet te lezen); pak op zoals hieronder staat.',
  },
  en: {
    test: '[TEST] ',
    subject: {
      opened: { fg: 'Possible personal data breach', 'on-call': 'Security incident' },
      'severity-raised': { fg: 'Severity raised', 'on-call': 'Severity raised' },
      'ap-reminder': { fg: 'AP deadline reminder', 'on-call': 'AP deadline reminder' },
      'ap-overdue': { fg: 'AP deadline passed', 'on-call': 'AP deadline passed' },
      'ap-owed-anew': { fg: 'Notify the AP anew', 'on-call': 'Notify the AP anew' },
      page: { fg: 'Escalation: not yet acknowledged', 'on-call': 'Escalation: not yet acknowledged' },
      'containment-done': { fg: 'Containment done', 'on-call': 'Containment done' },
      'containment-failed': { fg: 'Containment FAILED', 'on-call': 'Containment FAILED' },
      'containment-left': { fg: 'Containment held by another incident', 'on-call': 'Containment held by another incident' },
      released: { fg: 'Containment released', 'on-call': 'Containment released' },
      'task-interface-reopened': { fg: 'Containment partly undone: a task is open again', 'on-call': 'Containment partly undone: a task is open again' },
      'release-failed': { fg: 'Release of containment FAILED', 'on-call': 'Release of containment FAILED' },
      'release-incomplete': { fg: 'Containment released, a step FAILED', 'on-call': 'Containment released, a step FAILED' },
      'clock-reminder': { fg: 'Reminder', 'on-call': 'Reminder' },
      'clock-overdue': { fg: 'Deadline passed', 'on-call': 'Deadline passed' },
      'follow-up-reminder': { fg: 'AP follow-up: the AP does not have the complete facts yet', 'on-call': 'AP follow-up' },
      'subjects-reminder': { fg: 'High risk: no decision on informing data subjects (Art. 34)', 'on-call': 'Art. 34 decision missing' },
      'notify-nudge': { fg: 'Notifiable, not yet notified: notify the AP now', 'on-call': 'AP notification not yet made' },
      'interface-exposed': { fg: 'Network interface OPEN to all traffic', 'on-call': 'Network interface OPEN to all traffic' },
      'finding-added': { fg: 'New finding', 'on-call': 'New finding, new containment' },
      'review-reminder': { fg: 'Assess again: a new finding came after the assessment', 'on-call': 'FG assessment needed again' },
      'contradiction-reminder': { fg: 'Closed incident: the facts contradict the assessment, assess again', 'on-call': 'FG assessment needed again' },
      'finding-types-not-listed': { fg: 'Further finding types not listed', 'on-call': 'Further finding types not listed' },
      'message-undeliverable': { fg: 'Message NOT sent', 'on-call': 'Message NOT sent' },
      'detection-moved-earlier': { fg: 'Earlier detection', 'on-call': 'Earlier detection' },
      'incident-linked': { fg: 'Linked to another incident', 'on-call': 'Linked to another incident' },
      'not-done-held': { fg: 'A finding asks for containment decided against', 'on-call': 'A finding asks for containment decided against' },
      'clock-running': { fg: 'New incident, AP clock running', 'on-call': 'New incident, AP clock running' },
    },
    followUpSubject: { fg: 'Active again after closing: possible personal data breach', 'on-call': 'Active again after closing' },
    byHand: {
      subject: (by: string) => `Breach recorded by hand by ${by}`,
      intro: (by: string) =>
        `${by} recorded a personal data breach by hand. Assess whether personal data is affected and whether it must be notified (GDPR Art. 33); the AP deadline runs from the awareness stated. What happened is in the incident (datalek show), not in this message.`,
      band: 'by hand',
      type: 'opened by hand',
    },
    newFinding: (type: string, id: string, severity: string) =>
      `New finding on this incident: ${type} (${id}, severity ${severity}). Assess whether it changes what is affected and what must be notified (GDPR Art. 33).`,
    archivedFinding: 'This finding was archived in GuardDuty, by someone there: datalek did not decide that, and records it as any finding.',
    newContainment: (type: string, id: string, actions: string) =>
      `New finding on this incident: ${type} (${id}). New containment planned: ${actions}. Follow the runbook.`,
    notPlannedContainment: (type: string, id: string, actions: string, planned: string) =>
      `New finding on this incident: ${type} (${id}). ${planned ? `New containment planned: ${planned}. ` : ''}Containment NOT planned, the incident's record has no room for it: ${actions}. Contain it by hand, following the runbook.`,
    verdict: (a: Assessment) => `personal data ${a.personalData}, ${riskLabel('en', a.risk)}: ${a.notifiable ? 'notifiable' : 'not notifiable'}`,
    reviewAsk: (when: string, by: string, verdict: string, hours: number) =>
      `Your assessment of ${when} by ${by}: ${verdict}, predates this finding. Assess again and record it; until then a reminder follows every ${hours} hours.`,
    reviewReminder: (when: string, type: string, id: string) =>
      `After the assessment of ${when} a finding of a new type came: ${type} (${id}). No assessment was recorded since. Assess again whether personal data is affected and whether the breach is notifiable (GDPR Art. 33(1), 33(5)).`,
    apReviewAsked: 'to be assessed again: a new finding came after this decision',
    typesNotListed: (listed: number, since: string, first: string | null) =>
      `This incident lists ${listed} finding types, the maximum. Since ${since}, findings of further types came${first ? `, the first ${first}` : ''}. Further new types are not listed, not told to you as new, and do not ask for a new assessment. See every finding on this resource in the GuardDuty console and assess whether they change what is affected and what must be notified (GDPR Art. 33). You get this message once.`,
    followUp: (closed: string, closedAt: string, finding: string, from: number, to: number, seen: string) =>
      `Follow-up of incident ${closed}, closed on ${closedAt}: finding ${finding} is active again since (count ${from} → ${to}, last seen ${seen}). The closed incident and its decision stay as they were; this incident has its own AP deadline and assessment, and containment is planned again.`,
    undoneFor: (by: string, closed: boolean, fg: boolean, planned: boolean, id: string) =>
      planned
        ? `Incident ${by} held this incident's resource contained (this incident left the action to it, or relied on that containment) and was released: the resource is reachable again, and the action is planned again here, not carried out (${containCommand(id, { enforce: true })} carries it out). The timeline says who and why.`
        : closed
          ? `This incident is closed, and its containment still held the resource (a closing releases nothing: its record, the register and the AP draft said it was in effect). It was released for incident ${by}: that incident's release undid it, and the person releasing named this incident. The resource is reachable again. The incident stays closed; the timeline says who and why.${fg ? ' The measures a notification to the AP named changed after closing: judge whether the AP hears of it (GDPR Art. 33(4)).' : ''}`
          : `This incident's containment was released for incident ${by}, which held the same resource: that incident's release undid it, and the person releasing named this incident. The resource is reachable again; the timeline says who and why.`,
    undoneForSubject: (by: string) => `Containment released for incident ${by}`,
    linked: (other: string, type: string, id: string, why: LinkWhy) =>
      `Finding ${id} (${type}) names resources of this incident and was recorded on incident ${other}. The two were linked, not merged: ${
        {
          'fg-recorded': 'something was already recorded on this incident for the FG (facts, awareness, an assessment, a report or a decision)',
          'interface-exposed': 'a network interface of this incident is open to all traffic',
          'not-planned-paging': 'on-call is paged for containment of this incident that did not fit its record and nobody carried out',
          'not-done-held-paging': 'on-call is paged for a finding of this incident asking for a step decided against, and nobody took the page',
          'containment-running': "this incident's containment is running",
          'no-room': "that incident's record has no room for the containment carried out on this one",
          'too-many': 'the finding names too many incidents to merge in one step',
        }[why]
      }. What is known of this breach is now in two incidents: assess whether ${other} is the same breach and take what it shows into the facts and the notification to the AP (GDPR Art. 33(3), (4) and (5)). You get this message once per linked incident and finding type.`,
    notDoneHeld: (finding: string, steps: string, n: number, withdraw: string) =>
      `Finding ${finding} asks for containment that was decided will not be carried out. The decision holds: datalek does not carry out ${n === 1 ? 'this step' : 'these steps'}: ${steps}. Assess whether this finding changes the decision. To take the decision back (the step is then planned again and, where the policy enforces it, carried out): on the incident page under "Withdraw the decision", or ${withdraw}. You get this message once per finding and severity.`,
    notDoneHeldStep: (step: string, by: string, at: string, reason: string) => `${step} (decided by ${by} on ${at}: ${reason})`,
    withdrawCommand: (id: string, action: string) => `datalek not-done ${id} --action ${action} --withdraw --reason TEXT --by NAME`,
    repeat: 'repeat',
    exposedRepeat: (what: string, since: string, minutes: number) =>
      `REPEAT: ${what} is still OPEN to all traffic from and to the internet, since ${since}, and nobody has acknowledged the incident since. This page comes again every ${minutes} minutes until the record says the interface is isolated (the action retried or released), or until the incident is acknowledged after the interface was left open. Put the interface in the datalek-isolation group by hand (runbook, section "An interface exposed page").`,
    exposed: (what: string) =>
      `ACT NOW: ${what} is OPEN to all traffic from and to the internet (group datalek-all-traffic). Isolating it failed, and so did putting its own groups back. Put the interface in the datalek-isolation group by hand (runbook, section "An interface exposed page").`,
    earlier: (to: string, from: string, moved: string | null, aware: string, began: string | null, target: string | null) =>
      `Earlier detection: a finding that only arrived now was detected on ${to}, before ${from}. ${
        moved
          ? `Awareness follows the detection until someone records it. The AP deadline moved to ${moved}${target ? `; internal target: ${target}` : ''}. If the organisation became aware only later, record that with a reason (GDPR Art. 33(1)).`
          : began
            ? `The begin of the breach you recorded (${began}) lies after this detection, and nobody is aware of a breach before it began: the awareness (${aware}) and the AP deadline stay. If the breach began earlier, correct the begin (the awareness then follows the detection); if the organisation was aware earlier, record that with a reason (GDPR Art. 33(1), (5)).`
            : `The awareness (${aware}) and the AP deadline stay: nobody was aware of a finding before it arrived. If the organisation was aware earlier after all, record that with a reason (GDPR Art. 33(1)).`
      }`,
    subscribersSubject: 'No decision on informing subscribers (Telecommunications Act)',
    stillOpen: (n: number) => `, not complete: ${n} ${n === 1 ? 'step' : 'steps'} still open`,
    refused: (subject: string, id: string, reason: string, incidentId: string) =>
      `A message about this incident was refused and is not sent, now or later: "${subject}" (${id}). Why: ${reason}. Read what it said with datalek show ${incidentId}.`,
    runStopped: (until: string) =>
      `The run stopped before it could tell this (its lease ran out ${until}): datalek tells it now. Check with datalek show whether a step is still open.`,
    runOutcome: (run: ContainmentRun, incidentId: string) =>
      runParts('This run', (n) => `${n} ${n === 1 ? 'action' : 'actions'}`, [
        [run.done, 'carried out'],
        [run.failed, 'failed'],
        [heldCount(run), `left to incident ${run.heldBy?.join(', ')} (it holds the resource contained; a release or closing there hands the action back here)`],
        [
          run.unheld ?? 0,
          `found contained already, and no open incident's record holds it (a release not finished, or contained outside datalek): not contained again; ${containCommand(incidentId)} takes it up again once it is released`,
        ],
      ]),
    sampleNote: 'This is a TEST: a GuardDuty sample finding. No deadline runs and nothing is contained.',
    intro: {
      opened: 'GuardDuty reports a security incident. Assess whether personal data is affected (GDPR Art. 33).',
      'severity-raised': 'The severity of this incident was raised. Assess again whether personal data is affected and how great the risk is (GDPR Art. 33).',
      'ap-reminder':
        'The deadline for notifying the AP is approaching (GDPR Art. 33(1)). Notify without undue delay; what is not yet known can follow later (Art. 33(4)).',
      'ap-overdue':
        'The deadline for notifying the AP has passed (GDPR Art. 33(1)). Notify without further delay and give the reasons for the delay, or record that the breach is not notifiable.',
      'ap-owed-anew':
        'The earlier notification to the AP was withdrawn and the assessment says notifiable again. Notify the AP anew, without undue delay (GDPR Art. 33(1), (4)); the deadline is judged by the first notification.',
      'follow-up-reminder':
        'The initial notification to the AP was made, but the AP does not have the complete facts yet. Mark the facts complete once they are known (on the incident page, under Facts: "The facts are complete"), then record the follow-up that gives them to the AP (GDPR Art. 33(4)); facts complete only here are not with the AP.',
      'notify-nudge':
        'The assessment says: notifiable. No notification to the AP is recorded yet. Notify without undue delay (GDPR Art. 33(1)): the deadline is a limit, not a waiting time. What is not yet known follows in a follow-up (Art. 33(4)).',
      page: 'Escalation: nobody has acknowledged this incident yet.',
      'contradiction-reminder':
        'Facts recorded after closing contradict the assessment in force (for example personal data under "no personal data"). Assess the incident again, or confirm "no risk" beside the special categories (GDPR Art. 33(1), (5)).',
      'containment-done': 'Containment was carried out; each step below.',
      'containment-failed': 'Containment FAILED; the step below. Take over and follow the runbook.',
      'containment-left':
        'This run contained nothing: the resource is contained already, by another incident. That incident holds the containment; when it is released there, or that incident is closed without it, the action comes back here and datalek tells you.',
      released: 'Containment was released.',
      'task-interface-reopened':
        "Another incident's release put the network interface of a task on the isolated instance back in its own groups: that task is reachable again. The instance's own isolation is still in effect. The timeline names the interface; isolate it again by hand if the task is to stay cut off (runbook isolate-ec2-instance).",
      'release-failed':
        'Releasing the containment FAILED: it is (partly) still in effect and recorded so. The timeline says which step failed. Release again (datalek release), or undo it by hand following the runbook.',
      'release-incomplete':
        'Containment was released (the resource is reachable again and recorded so), but a later step FAILED: the tag, the Auto Scaling group, the target groups or the instance profile. The timeline says which. Finish that step by hand following the runbook.',
    } as Record<string, string>,
    onCallIntro: 'GuardDuty reports a security incident. Acknowledge it and follow the runbook.',
    clockRunning: (severity: string, threshold: string, deadline: string, passed: boolean) =>
      `GuardDuty reports an incident of severity ${severity}, below the policy's threshold for the "possible personal data breach" message (${threshold}): nobody is paged. Still, ${passed ? `the deadline for notifying the AP, from detection, already passed at ${deadline}: a notification is now late and needs the reasons for the delay` : `the deadline for notifying the AP runs, from detection, until ${deadline}`} (GDPR Art. 33(1)). Assess whether personal data is affected; you get this message once, the reminders follow the deadline.`,
    notAssessed: 'No assessment by the FG is recorded yet (on the incident page: Assessment).',
    overduePrefix: 'Overdue: ',
    nis2Recipients: (csirt?: string, authority?: string) =>
      `Recipients: the CSIRT${csirt ? ` (${csirt})` : ''} and the competent authority${authority ? ` (${authority})` : ''}; the clock is met when both have it.`,
    incident: 'Incident',
    finding: 'Finding',
    severity: 'Severity',
    resource: 'Affected resource',
    named: 'Also named',
    tags: 'Resource tags',
    account: 'Account / region',
    detected: 'Detected',
    deadline: (hours: number) => `AP deadline (${hours} hours after awareness)`,
    internalTarget: (hours: number) => `Internal target (${hours} hours; not the legal deadline)`,
    targetReminder: (hours: number, reached: boolean, target: string, legal: string) => ({
      subject: reached ? `Internal AP target (${hours} hours) reached` : `Internal AP target reminder (${hours} hours)`,
      intro: `The organisation's internal target for notifying the AP (${hours} hours after awareness) ${reached ? 'is reached' : 'falls'}: ${target}. The legal deadline (GDPR Art. 33(1), 72 hours) is ${legal}. Notify without undue delay; what is not yet known can follow later (Art. 33(4)). These reminders follow the target in the organisation's policy; after it they follow the legal deadline.`,
    }),
    noDeadline: 'none (test)',
    awareDefault: 'awareness = detection until the FG records otherwise',
    ap: 'AP notification',
    apFollowUp: (reference: string, overdueSince: string | null) =>
      `the AP holds only the first phase (${reference}); ${
        overdueSince ? `make the follow-up now: it is overdue since ${overdueSince}` : 'make the follow-up once you have the facts complete'
      } (GDPR Art. 33(4))`,
    apRiskFollowUp: (reference: string, raisedAt: string, overdueSince: string | null) =>
      `the risk was assessed high on ${raisedAt}, after the last report to the AP (${reference}); ${
        overdueSince ? `make the follow-up now: it is overdue since ${overdueSince}` : 'make the follow-up without undue delay'
      } (GDPR Art. 33(3)(c), (4))`,
    anew: {
      subject: 'Notify the AP anew: the earlier notification was withdrawn',
      intro: (reference: string, at: string, withdrawn: string) =>
        `The AP was notified of this breach as ${reference} on ${at}; that notification was withdrawn on ${withdrawn}. The assessment says notifiable again. Notify the AP anew, without undue delay (GDPR Art. 33(1), (4)). The deadline is judged by ${reference}; the record names the withdrawal and the notification anew beside it.`,
    },
    riskFollowUp: {
      subject: { fg: 'AP follow-up: the high risk is not yet with the AP', 'on-call': 'AP follow-up' },
      intro: (reference: string, raisedAt: string) =>
        `The risk was assessed high on ${raisedAt}, after the last report to the AP (${reference}). The AP holds a notification made at a lower risk: its likely consequences and its answer on informing the data subjects no longer hold (GDPR Art. 33(3)(c), Art. 34(4)). Make a follow-up to the AP with the high risk (Art. 33(4)), or record why none follows (at closing: "Why it is closed without a follow-up to the AP").`,
    },
    apDone: (at: string, late: ApLate) =>
      `made on ${at} (${
        late === 'not-bound'
          ? 'not notifiable under the GDPR (FG decision): no Art. 33(1) deadline'
          : late === 'no'
            ? 'met'
            : late === 'reasons'
              ? 'done late; reasons for the delay recorded'
              : `done late: the deadline was ${late.deadline}; no reasons for the delay are recorded yet: give them with a follow-up report to the AP (GDPR Art. 33(1))`
      })`,
    apAnew: (first: string, withdrawn: string, anew: string, at: string) =>
      `; that notification (${first}) was withdrawn on ${withdrawn} and made anew as ${anew} on ${at}: the deadline is judged by the first (Art. 33(1), (4))`,
    apOwedAnew: (reference: string, at: string, late: boolean, withdrawn: string) =>
      `notify anew: ${reference} was made on ${at} (${late ? 'done late' : 'met'}) and withdrawn on ${withdrawn}; the deadline is judged by ${reference} (Art. 33(1), (4))`,
    apProcessor: "the controller's duty (Art. 33(2)): we act as processor",
    apNotNotifiable: 'not notifiable (FG decision)',
    apTelecomOnly:
      'not notifiable under the GDPR (FG decision); as a provider you do notify the AP of the breach (Telecommunications Act art. 11.3a, Regulation 611/2013 Art. 2)',
    apClosed: 'incident closed',
    clocks: 'Clocks',
    due: 'due',
    done: 'done',
    containment: 'Containment',
    noContainment: 'none (notify only)',
    pseudonym: '(pseudonym: name left out, personal data; see datalek show)',
    unvouched: (ids: string[]) =>
      `security groups tagged as datalek's for this incident that no record names: ${ids.join(', ')}; not used, not changed (datalek show)`,
    released: (by: string) => `[released by ${by}]`,
    runbook: 'Runbook',
    ack: 'Acknowledge',
    ackName: '<name>',
    fgWhere: (id: string) => `Record it: on datalek's web page (datalek serve), at incident ${id}.`,
    left: 'Left out: IP addresses, user names and other personal data from the finding; see `datalek show` or the GuardDuty console.',
    acknowledged: (by: string, at: string) => `Acknowledged by ${by} at ${at}.`,
    ackByNoPerson: (pager: string, at: string) =>
      `${pager} shows the alert acknowledged at ${at}, but by no person (the API with the service's key, an automation): nobody has taken the incident. datalek keeps paging here until someone acknowledges it.`,
    notAcknowledged: 'Not yet acknowledged by anyone.',
    findings: 'Findings',
    findingTypes: 'Finding types',
    round: 'round',
    status: { planned: 'planned', done: 'done', skipped: 'skipped', failed: 'FAILED' },
    personalLeftOut: (type: string) => `${type} (name left out: personal data)`,
    acknowledgedShort: 'Acknowledged',
    ackLink: (until: string) => `Acknowledge in two taps (link valid until ${until}):`,
    ackLinkOnce: 'The link works once and stops the escalation, not the AP clock.',
    ackLinkMissing: 'No acknowledgement link this time (the link key could not be read); acknowledge as shown below.',
  },
} as const;

/** What on-call does with an interface left open to all traffic, whatever the incident's first action is. */
export const EXPOSED_RUNBOOK = 'runbooks/isolate-ec2-instance.md#an-interface-exposed-page';

/** The runbook a person follows for this incident: the first containment's, else triage. */
export function runbookFor(incident: Incident, channel: Channel): string {
  if (channel === 'fg') return 'runbooks/fg-assessment.md';
  const first = incident.actions[0];
  return first?.params?.runbook ?? RUNBOOKS[first?.type ?? ''] ?? 'runbooks/triage.md';
}

/** The runbook of each containment action type; a test checks each file exists. */
export const RUNBOOKS: Record<string, string> = ACTION_RUNBOOKS;

/**
 * How the actions a containment run told of ended: carried out, failed, and left to another incident
 * (`heldBy`: the incidents holding their resources) or found contained already with no open record
 * holding them (`unheld`, counted in `left`).
 */
export interface ContainmentRun {
  done: number;
  failed: number;
  left?: number;
  heldBy?: string[];
  unheld?: number;
}

const heldCount = (run: ContainmentRun) => (run.left ?? 0) - (run.unheld ?? 0);

/** "This run: 2 actions carried out, 1 failed.": the first count names its noun, the rest only their outcome. */
function runParts(lead: string, noun: (n: number) => string, parts: [number, string][]): string {
  const said = parts.filter(([n]) => n > 0).map(([n, what], i) => `${i === 0 ? noun(n) : n} ${what}`);
  return `${lead}: ${said.join(', ')}.`;
}

export interface ComposeInput {
  incident: Incident;
  channel: Channel;
  kind: MessageKind;
  /** Unique per state change: `opened`, `band:Critical`, `reminder:2026-11-29T…`. */
  stateKey: string;
  now: string;
  policy: Policy;
  /** For escalation pages: the level and round (0-based). */
  level?: string;
  round?: number;
  /** For another clock's reminder: which clock. */
  clock?: ClockName;
  /** For `interface-exposed`: the resource left open (a network interface id). */
  exposed?: string;
  /**
   * For `interface-exposed` repeated on the on-call topic (the sweep, schedule.ts): every interface
   * still open and not taken, with when it was left open. Goes to the topic, never the pager.
   */
  repeat?: { resource: string; at: string }[];
  /** The new finding a message tells of (`finding-added`, or an opening or rise it caused). */
  news?: FindingNews;
  /** For `finding-types-not-listed`: the finding whose type was the first left out, when this change brought it. */
  notListed?: { findingType: string; findingId: string };
  /** For `containment-done`, `containment-failed` and `containment-left`: how many actions the run told of ended each way. */
  run?: ContainmentRun;
  /** For those told by the sweep: the run stopped before telling, and its lease ran out at this time. */
  runStopped?: string;
  /** For `message-undeliverable`: the message refused, and why. */
  refused?: { messageId: string; subject: string; reason: string };
  /** For the AP's reminders: the time the reminder was due (one due at or before an internal target is the target's). */
  dueAt?: string;
  /**
   * For `detection-moved-earlier`: the detection before, whether the awareness (and deadline) moved
   * with it, and the begin of the breach stated after the new detection that kept it.
   */
  earlier?: { from: string; awarenessMoved: boolean; startedAt?: string };
  /** For `incident-linked`: the incident the finding was recorded on, the finding, and why the two were not merged. */
  linked?: { incidentId: string; findingId: string; findingType: string; why: LinkWhy };
  /**
   * For `released`: this incident's own containment was released by another incident's release (`--undo-for`, release.ts
   * `undoIn`): that incident (the timeline says who and why); `planned`: the action this one left to it (or relied on it
   * for) is planned again here, not carried out. Whether this one is closed is the incident's own state.
   */
  undoneFor?: { incidentId: string; planned: boolean };
  /** For `not-done-held`: the finding whose rule enforces steps decided not to be carried out, and each step with its decision. */
  held?: NotDoneHeld;
}

/** A finding that asks for steps a person decided will not be carried out (record-finding.ts), as its message names them. */
export interface NotDoneHeld {
  findingId: string;
  findingType: string;
  severity: number;
  steps: { actionId: string; type: string; target: string; by: string; at: string; reason: string }[];
}

/** A finding that joined an incident, as its message names it: identifiers and the containment it planned. */
export interface FindingNews {
  findingId: string;
  findingType: string;
  severity: number;
  /** The account and region, when not the incident's (as the action records them). */
  actions: { type: string; target: string; accountId?: string; region?: string }[];
  /** Containment it called for that the incident's record had no room for (commit-bounds.ts): a person's to do. */
  notPlanned?: { type: string; target: string; accountId?: string; region?: string }[];
  /** Whether the pipeline would have carried out some of `notPlanned` (its rule enforces). */
  wouldEnforce?: boolean;
  /**
   * Whether the finding claimed for the incident a resource no incident held (a grown attack
   * sequence, a finding moved to another resource): on-call hears of its containment then even when
   * its type was told (record-finding.ts announce).
   */
  claimsResource?: boolean;
  /** The finding was archived in GuardDuty (by someone there, not by the FG): the message says so (atk29 A5). */
  archived?: true;
}

/** A shorter internal target the record counts with, in local time, or null (it is no AP deadline: review12 S3). */
function internalTargetAt(incident: Incident, tz: string): string | null {
  const target = apInternalTarget(incident);
  return target ? when(target.at, tz) : null;
}

/**
 * The AP reminder due before or at a shorter internal target (schedule.ts apTrack): it is the
 * organisation's target that is reminded, not the law's deadline (fg15); null for any other.
 */
function targetReminderText(t: Texts, incident: Incident, dueAt: string | undefined, tz: string): { subject: string; intro: string } | null {
  const target = apInternalTarget(incident);
  if (!target || !dueAt || Date.parse(dueAt) > Date.parse(target.at)) return null;
  return t.targetReminder(target.hours, Date.parse(dueAt) === Date.parse(target.at), when(target.at, tz), when(apLegalDeadline(incident) as string, tz));
}

/**
 * The AP reminders while a notification withdrawn is owed anew (the breach notifiable again): not "give
 * the reasons for the delay" against a deadline the first notification met (ap-verdict.ts
 * apVerdictReport, law28), but notify anew, naming the first and its withdrawal.
 */
function anewText(t: Texts, incident: Incident, tz: string): { subject: string; intro: string } | null {
  const w = withdrawnNotification(incident);
  if (!w) return null;
  return { subject: t.anew.subject, intro: t.anew.intro(w.first.reference, when(w.first.at, tz), when(w.withdrawnAt, tz)) };
}

/** A follow-up reminder owed for a high risk assessed after the AP's last report (clocks.ts riskFollowUpOwed): its own subject and text. */
function riskFollowUpText(t: Texts, incident: Incident, policy: Policy, now: string, channel: Channel): { subject: string; intro: string } | null {
  const followUp = apFollowUpState(incident, policy, now);
  if (!followUp?.riskRaisedAt) return null;
  return { subject: t.riskFollowUp.subject[channel], intro: t.riskFollowUp.intro(followUp.reference, when(followUp.riskRaisedAt, policy.timeZone)) };
}

/**
 * The message, naming a principal by the incident's own pseudonym (core/incident-pseudonyms.ts): it
 * is ledgered and sent as written, so minimise could not take the store-wide one out of it.
 */
export function composeMessage(input: ComposeInput): OutboxMessage {
  return withOwnPseudonyms(input.incident.pseudonymKey, composedMessage(input));
}

function composedMessage({
  incident,
  channel,
  kind,
  stateKey,
  now,
  policy,
  level,
  round,
  clock,
  exposed,
  repeat,
  news,
  notListed,
  run,
  runStopped,
  refused,
  earlier,
  linked,
  held,
  dueAt,
  undoneFor,
}: ComposeInput): OutboxMessage {
  const lang: Lang = policy.language;
  const t = T[lang];
  const tz = policy.timeZone;
  // An interface open to the internet is Critical whatever the finding was: subscriptions that
  // only take Critical (a phone) must get it. So is containment the pipeline would have carried out
  // and the record had no room for: a person must do it, and it pages whatever the severity.
  const critical = kind === 'interface-exposed' || (channel === 'on-call' && news?.wouldEnforce === true && (news.notPlanned?.length ?? 0) > 0);
  const band = critical ? 'Critical' : severityBand(incident.severity);
  const prefix = incident.sample ? t.test : '';
  const escalated = level !== undefined ? ` (${level}, ${t.round} ${(round ?? 0) + 1})` : '';
  const clocks = clocksOf(incident, policy, now);
  const theClock = clock ? clocks.find((x) => x.name === clock) : undefined;
  // An incident a person opened by hand without a finding has no severity or finding type of GuardDuty's to show.
  const byHand = incident.openedByHand;
  const bandText = byHand && !byHand.finding ? t.byHand.band : bandLabel(lang, band);
  const typeText = byHand && !byHand.finding ? t.byHand.type : incident.findingType;
  const forTarget =
    (kind === 'ap-reminder' || kind === 'ap-overdue' || kind === 'ap-owed-anew' ? anewText(t, incident, tz) : null) ??
    (kind === 'ap-reminder'
      ? targetReminderText(t, incident, dueAt, tz)
      : kind === 'follow-up-reminder'
        ? riskFollowUpText(t, incident, policy, now, channel)
        : null);
  // A finding of the incident's own type is named once: the subject ends with the incident's type.
  const what = forTarget
    ? forTarget.subject
    : kind === 'released' && undoneFor
      ? t.undoneForSubject(undoneFor.incidentId)
      : kind === 'opened' && incident.followUpOf
        ? t.followUpSubject[channel]
        : kind === 'opened' && byHand
          ? t.byHand.subject(actorLabel(lang, byHand.by))
          : `${subjectText(t, kind, channel, clock, theClock, lang)}${kind === 'finding-added' && news && news.findingType !== typeText ? `: ${news.findingType}` : ''}${linked ? ` ${linked.incidentId}` : ''}${kind === 'containment-done' ? stillOpen(t, incident) : ''}`;
  const repeated = kind === 'interface-exposed' && repeat?.length ? ` (${t.repeat})` : '';
  const subject = `${prefix}[datalek ${bandText}] ${what}${escalated}${repeated}: ${typeText} ${incident.id}`;
  const intro = forTarget
    ? forTarget.intro
    : kind === 'opened' && byHand
      ? t.byHand.intro(actorLabel(lang, byHand.by))
      : kind === 'interface-exposed'
        ? repeat?.length
          ? t.exposedRepeat(
              listed(
                repeat.map((r) => r.resource),
                lang,
                incident.id,
              ).join(', '),
              when(openSince(repeat), tz),
              EXPOSED_REPEAT_MINUTES,
            )
          : t.exposed(exposed ?? incident.resource.id)
        : kind === 'finding-added' && news
          ? newsText(t, channel, news, lang, incident.id, true)
          : kind === 'review-reminder' && incident.reviewAsked
            ? t.reviewReminder(when(incident.reviewAsked.assessedAt, tz), incident.reviewAsked.findingType, incident.reviewAsked.findingId)
            : kind === 'detection-moved-earlier' && earlier
              ? t.earlier(
                  when(incident.detectedAt, tz),
                  when(earlier.from, tz),
                  // The law's deadline, as the message's clock line gives it; a shorter internal target beside it (read14a A2).
                  earlier.awarenessMoved && incident.deadline ? when(apLegalDeadline(incident) as string, tz) : null,
                  when(incident.awareAt ?? incident.detectedAt, tz),
                  earlier.startedAt ? when(earlier.startedAt, tz) : null,
                  earlier.awarenessMoved ? internalTargetAt(incident, tz) : null,
                )
              : kind === 'released' && undoneFor
                ? t.undoneFor(undoneFor.incidentId, incident.state === 'closed', channel === 'fg', undoneFor.planned, incident.id)
                : kind === 'incident-linked' && linked
                  ? t.linked(linked.incidentId, linked.findingType, linked.findingId, linked.why)
                  : kind === 'not-done-held' && held
                    ? notDoneHeldText(t, held, lang, tz, incident.id)
                    : kind === 'message-undeliverable' && refused
                      ? t.refused(refused.subject, refused.messageId, refused.reason, incident.id)
                      : kind === 'finding-types-not-listed'
                        ? t.typesNotListed(
                            incident.findingTypes?.length ?? 1,
                            when(incident.findingTypesNotListed?.since ?? now, tz),
                            notListed ? `${notListed.findingType} (${notListed.findingId})` : null,
                          )
                        : kind === 'clock-running'
                          ? t.clockRunning(
                              formatSeverity(incident.severity),
                              formatSeverity(policy.thresholds.notifyFg),
                              when(apLegalDeadline(incident) as string, tz),
                              Date.parse(apLegalDeadline(incident) as string) <= Date.parse(now),
                            )
                          : introText(t, kind, channel, clock, lang);
  const resource = resourceText(incident.resource, lang);
  const ap = apLines(incident, policy, now, lang, tz);
  const containment = containmentLines(incident, lang);
  const acknowledged =
    incident.acknowledgedBy && incident.acknowledgedAt
      ? t.acknowledged(actorLabel(lang, incident.acknowledgedBy), formatLocal(incident.acknowledgedAt, tz))
      : t.notAcknowledged;
  // An exposed interface is its own emergency: its page names the section that says what to do,
  // not the runbook of whatever the incident's first action was (a role's sessions, an ECS task).
  const runbook = kind === 'interface-exposed' && channel === 'on-call' ? EXPOSED_RUNBOOK : runbookFor(incident, channel);

  const lines: string[] = [];
  if (incident.sample) lines.push(t.sampleNote, '');
  lines.push(intro);
  if (run) lines.push(t.runOutcome(run, incident.id));
  if (run && runStopped) lines.push(t.runStopped(when(runStopped, tz)));
  const f = incident.followUpOf;
  if (kind === 'opened' && f) lines.push(t.followUp(f.incidentId, when(f.closedAt, tz), f.findingId, f.previousCount, f.count, when(f.lastSeen, tz)));
  // A rise or an opening a new finding caused names it; the FG reads whether an assessment predates it.
  if (news && kind !== 'finding-added') lines.push(newsText(t, channel, news, lang, incident.id));
  if (news && channel === 'fg' && incident.assessment && reviewPending(incident)) {
    const a = incident.assessment;
    lines.push(t.reviewAsk(when(a.at, tz), a.by, t.verdict(a), policy.reminders.overdueEveryHours));
  }
  // The Cyberbeveiligingswet names two recipients: say which ones the policy has, by name.
  if (clock?.startsWith('nis2-') && clock !== 'nis2-significance') {
    const { csirt, competentAuthority } = policy.organisation.nis2Recipients;
    lines.push(t.nis2Recipients(csirt, competentAuthority));
  }
  if (channel === 'fg' && (kind === 'ap-reminder' || kind === 'ap-overdue') && !incident.assessment) lines.push(t.notAssessed);
  lines.push('');
  if (theClock?.dueAt) {
    const left = theClock.doneAt ? `${t.done} ${when(theClock.doneAt, tz)}` : timeLeft(theClock.dueAt, now, lang);
    lines.push(`${theClock.label[lang]}: ${t.due} ${when(theClock.dueAt, tz)}, ${left}`, '');
  }
  lines.push(`${t.incident}: ${incident.id}`);
  lines.push(`${t.finding}: ${typeText} (${t.findings}: ${incident.findings})`);
  if ((incident.findingTypes?.length ?? 0) > 1) lines.push(`${t.findingTypes}: ${incident.findingTypes?.join(', ')}`);
  const severityText = `${formatSeverity(incident.severity)} (${bandText})`;
  lines.push(`${t.severity}: ${severityText}`);
  lines.push(`${t.resource}: ${resource}`);
  // Every resource an attack sequence (or a merged incident) names; user names stay out.
  const named = (incident.resources ?? []).filter((r, i) => i > 0 && !r.personal && r.kind !== 'other');
  if (named.length)
    lines.push(
      `${t.named}: ${listed(
        named.map((r) => `${resourceKindLabel(lang, r)} ${r.id}`),
        lang,
        incident.id,
        incident.resourcesNotListed,
      ).join(', ')}`,
    );
  // The resource's own labels of what it holds, for the FG who assesses it (atk29 A3).
  const tags = channel === 'fg' ? resourceTagsText(incident, lang) : null;
  if (tags) lines.push(`${t.tags}: ${tags}`);
  const place = `${incident.accountId} / ${incident.region}`;
  lines.push(`${t.account}: ${place}`);
  const detected = when(incident.detectedAt, tz);
  lines.push(`${t.detected}: ${detected}`);
  lines.push(...ap);
  const otherClocks = channel === 'fg' ? clocks.filter((c) => c.name !== 'ap') : [];
  if (otherClocks.length) {
    lines.push(`${t.clocks}:`);
    for (const c of otherClocks) lines.push(`  - ${c.label[lang]}: ${clockLine(c, lang, now, tz)}`);
  }
  lines.push(...containment.lines);
  lines.push(acknowledged);
  const noPerson = channel === 'on-call' && !incident.acknowledgedBy ? pagerAckByNoPerson(incident) : null;
  if (noPerson && incident.pager) lines.push(t.ackByNoPerson(incident.pager.provider === 'pagerduty' ? 'PagerDuty' : 'Opsgenie', when(noPerson, tz)));
  lines.push(`${t.runbook}: ${runbookUrl(policy, runbook) ?? runbook}`);
  // The FG records on the web page; a command to type is for on-call (and for the FG's own escalation page).
  if (channel === 'fg' && kind !== 'page') lines.push(t.fgWhere(incident.id));
  else lines.push(`${t.ack}: datalek ack ${incident.id} --by ${t.ackName}   (AWS: datalek ack ${incident.id} --target aws)`);
  lines.push('', t.left);

  const facts: [string, string][] = [
    [t.incident, incident.id],
    [t.finding, typeText],
    [t.severity, severityText],
    [t.resource, resource],
    [t.account, place],
    [t.detected, detected],
    ...ap.filter((l) => !l.startsWith(' ')).map(splitFact),
    ...otherClocks.map((c): [string, string] => [c.label[lang], clockLine(c, lang, now, tz)]),
    [t.containment, containment.short],
    [t.acknowledgedShort, acknowledged],
  ];
  const subjectLine = oneLine(subject);
  const card: MessageCard = {
    title: subjectLine,
    band,
    // Each fact's label and value tested as they are, not `facts.flat()` nor joined: a copy of the text costs more than the test.
    facts: facts.some(([k, v]) => hasControl(k) || hasControl(v)) ? facts.map(([k, v]) => [oneLine(k), oneLine(v)]) : facts,
    ask: oneLine(intro),
    runbook,
    account: incident.accountId,
    region: incident.region,
    findingType: oneLine(incident.findingType),
    resource: oneLine(resource),
  };

  return {
    id: `${incident.id}/${channel}/${stateKey}`,
    incidentId: incident.id,
    channel,
    kind,
    // Every line is one line, whatever a finding's text holds (a newline in a finding type would
    // forge a line of the message; an escape sequence would act on a terminal).
    subject: subjectLine,
    body: boundBody(oneLines(lines), lang, incident.id).join('\n'),
    // SNS message attributes, so subscribers can filter (e.g. only Critical, or no tests).
    attributes: {
      incidentId: incident.id,
      severity: String(incident.severity),
      band,
      sample: String(incident.sample),
      kind,
      ...(news
        ? { findingType: oneLine(news.findingType) }
        : notListed
          ? { findingType: oneLine(notListed.findingType) }
          : linked
            ? { findingType: oneLine(linked.findingType) }
            : held
              ? { findingType: oneLine(held.findingType) }
              : {}),
      // Subscribers filter on the level, e.g. the secondary's phone only takes `secondary`.
      ...(level !== undefined ? { level, round: String(round ?? 0) } : {}),
      ...(clock ? { clock } : {}),
    },
    createdAt: now,
    sentAt: null,
    card,
    ...ackLinkFor(incident, channel, kind, policy, now, level, round, repeat),
    // A repeat on the topic (no alert to repeat it) never goes to the pager.
    ...(repeat?.length
      ? {}
      : alertFor(
          incident,
          channel,
          kind,
          policy,
          exposed,
          (news?.notPlanned?.length && stateKey.startsWith('not-planned:')) || (held && stateKey.startsWith('not-done-held:')) ? stateKey : undefined,
        )),
  };
}

/** An IAM user's name is personal data: the resource is named by its type only. */
function resourceText(r: AffectedResource, lang: Lang): string {
  return r.personal ? T[lang].personalLeftOut(resourceKindLabel(lang, r)) : `${resourceKindLabel(lang, r)} ${r.id}`;
}

/**
 * A time for people: local wall clock and zone, then UTC. (A function of its own, not a closure
 * made per message: the build's keepNames names each closure as it is made, a microsecond each.)
 */
function when(iso: string, tz: string): string {
  return `${formatLocal(iso, tz)} (${iso.replace(/\.\d+Z$/, 'Z')})`;
}

/** "Label: value" as a card's fact. */
function splitFact(line: string): [string, string] {
  const i = line.indexOf(': ');
  return i < 0 ? [line, ''] : [line.slice(0, i), line.slice(i + 2)];
}

/** How many unvouched groups of one action a message names (the record keeps them all). */
const MAX_UNVOUCHED_NAMED = 5;

function containmentLines(incident: Incident, lang: Lang): { lines: string[]; short: string } {
  const t = T[lang];
  if (incident.actions.length === 0) return { lines: [`${t.containment}: ${t.noContainment}`], short: t.noContainment };
  const lines = [`${t.containment}:`];
  const counts = new Map<string, number>();
  for (const a of incident.actions) counts.set(t.status[a.status], (counts.get(t.status[a.status]) ?? 0) + 1);
  // A failed action is listed first when not all fit: never summarised away.
  const { shown, more } = pickListed(incident.actions, (a) => a.status === 'failed');
  for (const a of shown) {
    const reason = actionReasonLabel(lang, a.reason);
    lines.push(
      `  - ${actionLabel(lang, a.type)} ${a.target}${isPseudonym(a.target) ? ` ${t.pseudonym}` : ''}${placeLabel(lang, a)}: ${t.status[a.status]}${reason ? ` (${reason})` : ''}${a.released ? ` ${t.released(a.released.by)}` : ''}`,
    );
    // Each step as it went: a failed step is named with its error code, never summarised away.
    for (const s of a.steps ?? []) {
      lines.push(`      ${s.name}: ${s.status === 'failed' ? `${t.status.failed} (${s.code ?? 'error'})${s.exposed ? ' OPEN' : ''}` : t.status[s.status]}`);
    }
    // Groups carrying datalek's tags for it that no record names (network-isolation.ts): someone tagged them, or a run was killed.
    const unvouched = [a.evidence?.taggedGroups, a.evidence?.orphanGroups].flatMap((ids) => (Array.isArray(ids) ? (ids as string[]) : []));
    // At most MAX_UNVOUCHED_NAMED named, the rest counted: anyone who may tag can tag many.
    const named =
      unvouched.length > MAX_UNVOUCHED_NAMED ? [...unvouched.slice(0, MAX_UNVOUCHED_NAMED), `+${unvouched.length - MAX_UNVOUCHED_NAMED}`] : unvouched;
    if (unvouched.length) lines.push(`      ${t.unvouched(named)}`);
  }
  if (more) lines.push(`  ${moreText(lang, more, incident.id)}`);
  if (incident.actionsNotPlanned) lines.push(`  ${notPlannedText(lang, incident.actionsNotPlanned.count, incident.id)}`);
  return { lines, short: [...counts].map(([status, n]) => `${n} ${status}`).join(', ') };
}

/**
 * A page carries an acknowledgement link while nobody has acknowledged: the opening page to
 * on-call (the first level, round 0) and every escalation page (its level and round). So does an
 * exposed interface's page on the on-call topic, first or repeated, acknowledged or not: its link takes it.
 */
function ackLinkFor(
  incident: Incident,
  channel: Channel,
  kind: MessageKind,
  policy: Policy,
  now: string,
  level: string | undefined,
  round: number | undefined,
  repeat: ComposeInput['repeat'],
): { ackLink?: AckLinkRef } {
  if (incident.state === 'closed') return {};
  if (kind === 'interface-exposed') {
    // The first page too (contain.ts): the link its first repeat will carry, from the interfaces
    // paged on the topic and not taken (this one among them), so it takes what the repeat takes.
    // With a working pager there are none: its alert is taken there.
    const open = repeat?.length ? repeat : exposedUntaken(incident, policy);
    if (open.length) return { ackLink: repeatAckLink(open, policy, now) };
  }
  if (incident.acknowledgedBy) return {};
  const opening = channel === 'on-call' && (kind === 'opened' || kind === 'severity-raised');
  if (!opening && kind !== 'page') return {};
  const link = {
    level: kind === 'page' && level !== undefined ? level : policy.onCall.escalation.levels[0].name,
    round: kind === 'page' ? (round ?? 0) : 0,
    expiresAt: ackLinkExpiry(incident, policy, now),
  };
  return { ackLink: link };
}

/**
 * With a pager, on-call's pages go to it as one alert per incident, one per exposed interface, one
 * per finding type whose containment did not fit the record, and one per finding (and severity) whose
 * rule asks for a step a person decided not to carry out (`ownKey`: the message's state key).
 */
function alertFor(
  incident: Incident,
  channel: Channel,
  kind: MessageKind,
  policy: Policy,
  exposed: string | undefined,
  ownKey: string | undefined,
): { alert?: PagerAlert } {
  // A pager that failed this incident is not asked again: datalek pages through the topic instead.
  if (policy.onCall.provider === 'sns' || channel !== 'on-call' || incident.pager?.state === 'failed') return {};
  const other =
    kind === 'interface-exposed'
      ? exposedAlertKey(incident.id, exposed ?? incident.resource.id)
      : (kind === 'finding-added' || kind === 'not-done-held') && ownKey
        ? ownAlertKey(incident.id, ownKey)
        : null;
  if (other) {
    // Nor for an alert of its own it failed (core/pager.ts recordPagerFailure).
    return incident.pager?.alerts?.some((a) => a.key === other && a.state === 'failed') ? {} : { alert: { action: 'trigger', key: other } };
  }
  // The incident's own alert, acknowledged there by no person: a trigger would join it unheard (the
  // pager pages no more): its pages go to the topic (review12 K8).
  if (kind === 'opened' || kind === 'severity-raised' || kind === 'page')
    return pagerAckByNoPerson(incident) ? {} : { alert: { action: 'trigger', key: incident.id } };
  return {};
}

type Texts = (typeof T)[Lang];

/** The held steps, each with who decided, when and why, and how to take the first one's decision back. */
function notDoneHeldText(t: Texts, held: NotDoneHeld, lang: Lang, tz: string, incidentId: string): string {
  const steps = listed(
    held.steps.map((s) => t.notDoneHeldStep(`${actionLabel(lang, s.type)} ${s.target}`, actorLabel(lang, s.by), when(s.at, tz), s.reason)),
    lang,
    incidentId,
  ).join('; ');
  const finding = `${held.findingId} (${held.findingType}, ${formatSeverity(held.severity)})`;
  return t.notDoneHeld(finding, steps, held.steps.length, t.withdrawCommand(incidentId, held.steps[0]?.actionId ?? 'ID'));
}

/** What a new finding means for the reader: the FG weighs it, on-call carries out the containment it planned. */
function newsText(t: Texts, channel: Channel, news: FindingNews, lang: Lang, incidentId: string, once = false): string {
  const text = newsBody(t, channel, news, lang, incidentId, once);
  return news.archived ? `${text} ${t.archivedFinding}` : text;
}

function newsBody(t: Texts, channel: Channel, news: FindingNews, lang: Lang, incidentId: string, once: boolean): string {
  const named = (list: FindingNews['actions']) =>
    listed(
      list.map((a) => `${actionLabel(lang, a.type)} ${a.target}${placeLabel(lang, a)}`),
      lang,
      incidentId,
    ).join(', ');
  // What the record had no room for is told whenever it happens to a type (record-finding.ts announce).
  if (channel === 'on-call' && news.notPlanned?.length)
    return t.notPlannedContainment(news.findingType, news.findingId, named(news.notPlanned), news.actions.length ? named(news.actions) : '');
  if (channel === 'on-call' && news.actions.length) {
    const actions = news.actions.map((a) => `${actionLabel(lang, a.type)} ${a.target}${placeLabel(lang, a)}`);
    // On-call's news of a type is told once (record-finding.ts announce): its message says so.
    const told = t.newContainment(news.findingType, news.findingId, listed(actions, lang, incidentId).join(', '));
    return once ? `${told} ${onceText(lang, incidentId)}` : told;
  }
  return t.newFinding(news.findingType, news.findingId, formatSeverity(news.severity));
}

/** "Containment done" never reads as all done while a step (a person's, a DNS channel) is still open. */
function stillOpen(t: Texts, incident: Incident): string {
  const open = incident.actions.filter((a) => !a.released && (a.status === 'planned' || a.status === 'failed')).length;
  return open ? t.stillOpen(open) : '';
}

function subjectText(t: Texts, kind: MessageKind, channel: Channel, clock: ClockName | undefined, c: ClockStatus | undefined, lang: Lang): string {
  if ((kind === 'clock-reminder' || kind === 'clock-overdue') && c) return `${t.subject[kind][channel]}: ${c.label[lang]}`;
  if (kind === 'subjects-reminder' && clock === 'telecom-subscribers') return t.subscribersSubject;
  return t.subject[kind][channel];
}

function introText(t: Texts, kind: MessageKind, channel: Channel, clock: ClockName | undefined, lang: Lang): string {
  if (clock && (kind === 'clock-reminder' || kind === 'clock-overdue' || kind === 'subjects-reminder')) {
    return kind === 'clock-overdue' ? `${t.overduePrefix}${CLOCK_ASK[lang][clock]}${OVERDUE_ALSO[lang][clock] ?? ''}` : CLOCK_ASK[lang][clock];
  }
  if (kind === 'subjects-reminder') return CLOCK_ASK[lang].subjects;
  if (channel === 'on-call' && (kind === 'opened' || kind === 'severity-raised' || kind === 'page')) return t.onCallIntro;
  return t.intro[kind] ?? t.intro.opened;
}

/** Whether the initial AP report is late: no; late with reasons on record; late without (the deadline it missed). */
/** `not-bound`: a report of a breach assessed not notifiable (a telecom provider's, or voluntary): no Art. 33(1) deadline to meet or miss (law24). */
type ApLate = 'no' | 'not-bound' | 'reasons' | { deadline: string };

/** The AP clock as it stands: never "late" once an on-time report is recorded, never a deadline for a processor. */
function apLines(incident: Incident, policy: Policy, now: string, lang: Lang, tz: string): string[] {
  const t = T[lang];
  // The law's deadline (Art. 33(1)); an internal target shorter than it is named beside it (review12 S3).
  const deadline = apLegalDeadline(incident);
  if (!deadline) return [`${t.deadline(apHours(incident, policy))}: ${t.noDeadline}`];
  const target = apInternalTarget(incident);
  // The first notification of the breach: one made anew after its withdrawal is named beside it (ap-verdict.ts, law28).
  const report = apVerdictReport(incident);
  if (report) {
    // Late by its own time, or since a finding created earlier moved the deadline before it: then
    // no reasons were asked when it was recorded, and the FG is told they are needed, never that
    // they were given.
    const late: ApLate =
      incident.assessment?.notifiable === false
        ? 'not-bound'
        : report.at <= deadline
          ? 'no'
          : delayReasons(incident).length
            ? 'reasons'
            : { deadline: when(deadline, tz) };
    // A notification made in phases is owed its follow-up (Art. 33(4)), as the register and `show` say.
    const followUp = apFollowUpState(incident, policy, now);
    const overdueSince = followUp?.state === 'overdue' && followUp.overdueFrom ? when(followUp.overdueFrom, tz) : null;
    const owed = followUp
      ? `; ${clockShownLabel(lang, `follow-up-${followUp.state}`)}: ${
          followUp.riskRaisedAt
            ? t.apRiskFollowUp(followUp.reference, when(followUp.riskRaisedAt, tz), overdueSince)
            : t.apFollowUp(followUp.reference, overdueSince)
        }`
      : '';
    const anew = renotified(incident);
    const again = anew ? t.apAnew(anew.first.reference, when(anew.withdrawnAt, tz), anew.anew.reference, when(anew.anew.at, tz)) : '';
    return [`${t.ap}: ${t.apDone(when(report.at, tz), late)}${again}${owed}`];
  }
  if (roleOf(incident, policy) === 'processor') return [`${t.ap}: ${t.apProcessor}`];
  if (incident.assessment?.notifiable === false) {
    // A telecom provider notifies the AP of every breach with personal data, whatever the risk (Regulation 611/2013 art. 2; law24).
    const said = apOwedUnderTelecom(incident, policy) ? t.apTelecomOnly : t.apNotNotifiable;
    return [`${t.ap}: ${said}${reviewPending(incident) ? ` (${t.apReviewAsked})` : ''}`];
  }
  // Withdrawn and owed anew: judged by the first notification, whose verdict is named; no time overdue to count (law27).
  const anew = owedAnew(incident, policy);
  if (anew) return [`${t.ap}: ${t.apOwedAnew(anew.reference, when(anew.at, tz), anew.verdict === 'late', when(anew.withdrawnAt, tz))}`];
  if (incident.state === 'closed' && !apClockRunning(incident, policy)) return [`${t.ap}: ${t.apClosed}`];
  const out = [`${t.deadline(apHours(incident, policy))}: ${when(deadline, tz)}, ${timeLeft(deadline, now, lang)}`];
  if (target) out.push(`  ${t.internalTarget(target.hours)}: ${when(target.at, tz)}, ${timeLeft(target.at, now, lang)}`);
  // Opened by hand, the awareness was stated (core/open-by-hand.ts): no default to name.
  if (incident.awareAt === incident.detectedAt && !incident.openedByHand) out.push(`  (${t.awareDefault})`);
  return out;
}

function clockLine(c: ClockStatus, lang: Lang, now: string, tz: string): string {
  const t = T[lang];
  const parts = [clockStateLabel(lang, c.status)];
  if (c.doneAt) parts.push(`${t.done} ${when(c.doneAt, tz)}`);
  else if (c.dueAt && c.status !== 'not-needed' && c.status !== 'owed-anew') parts.push(`${t.due} ${when(c.dueAt, tz)}, ${timeLeft(c.dueAt, now, lang)}`);
  if (c.note) parts.push(c.note[lang]);
  return parts.join(', ');
}

/** The lines a page's signed acknowledgement link puts at the top of its text. */
export function ackLinkLines(lang: Lang, url: string, expiresAt: string, timeZone: string): string[] {
  const t = T[lang];
  return [t.ackLink(formatLocal(expiresAt, timeZone)), url, t.ackLinkOnce];
}

/** The first line of a page whose link could not be made: it goes out without one. */
export function ackLinkMissingLine(lang: Lang): string {
  return T[lang].ackLinkMissing;
}

const PAGER_TEXT = {
  nl: {
    acknowledge: (by: string) => `Opgepakt in datalek door ${by}.`,
    resolve: 'Het incident is gesloten in datalek.',
  },
  en: {
    acknowledge: (by: string) => `Acknowledged in datalek by ${by}.`,
    resolve: 'The incident was closed in datalek.',
  },
} as const;

/**
 * The message that acknowledges or resolves the incident's alert at the pager (PagerDuty,
 * Opsgenie) after it was acknowledged or closed in datalek. Once per alert and action.
 */
export function composePagerMessage(input: { incident: Incident; action: 'acknowledge' | 'resolve'; key: string; now: string; policy: Policy }): OutboxMessage {
  const { incident, action, key, now, policy } = input;
  const lang = policy.language;
  const text = action === 'acknowledge' ? PAGER_TEXT[lang].acknowledge(incident.acknowledgedBy ?? SYSTEM_NAME) : PAGER_TEXT[lang].resolve;
  return withOwnPseudonyms(incident.pseudonymKey, {
    id: `${incident.id}/on-call/pager:${action}:${key}`,
    incidentId: incident.id,
    channel: 'on-call',
    kind: `pager-${action}`,
    subject: oneLine(`[datalek] ${text} ${incident.id}`),
    body: oneLine(text),
    attributes: { incidentId: incident.id, kind: `pager-${action}`, sample: String(incident.sample) },
    createdAt: now,
    sentAt: null,
    alert: { action, key },
  });
}

const SYSTEM_NAME = 'datalek';
