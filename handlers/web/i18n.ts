/**
 * The web page's words, in Dutch (the default, as the policy's `language`) and English. The words
 * of the law and of the draft come from the core; these are the page's own.
 */
import type { ClockName } from '../core/clocks.js';
import { containCommand } from '../core/containment.js';
import type { ActionStatus } from '../core/incident.js';
import { countLine, type ListedCounts } from '../core/schedule.js';
import type { Lang } from '../use-cases/fields.js';

/** What a text recorded as sent holds that the record warns about (core/notice.ts), as the page names it before recording. */
export interface TextFound {
  senderNotes: boolean;
  elisions: string[];
  placeholders: string[];
}

/** `under "Vragen?"` as the Dutch page says it. */
const onder = (where: string) => where.replace(/(^| )under "/, '$1onder "');

const nl = {
  skip: 'Naar de inhoud',
  nav: 'Hoofdmenu',
  overview: 'Open incidenten',
  closed: 'Afgesloten incidenten',
  register: 'Register',
  actingAs: 'U werkt als',
  signedIdentity: 'uw AWS-identiteit',
  localUser: 'naam voor het logboek',
  otherLanguage: 'English',
  otherLanguageCode: 'en' as Lang,
  timesIn: (tz: string) => `Tijden in ${tz}.`,
  now: 'Nu',
  target: { local: 'lokale opslag', aws: 'AWS (DynamoDB)' },
  noOpen: 'Geen open incidenten.',
  unreadable: (id: string, reason: string) =>
    `Incident ${id} kan niet uit de opslag worden gelezen (${reason}); het staat niet in deze lijst. Controleer het met datalek verify ${id}`,
  notAnIncident: (id: string, reason: string) => `${id}: ${reason}`,
  unreadableDownloads: 'De downloads hieronder laten het ook weg.',
  openByHand: 'Incident met de hand openen',
  openByHandIntro:
    'Voor een datalek dat geen GuardDuty-bevinding opende: een brief aan de verkeerde persoon, een verloren laptop (AVG art. 33(5): elk datalek in het register). De AP-termijn loopt vanaf het moment van bewustwording. Komt het van een bevinding die het beleid negeerde, plak dan de gebeurtenis van die bevinding hieronder: latere versies ervan komen bij dit incident.',
  noClosed: 'Nog geen afgesloten incidenten.',
  openCount: (c: ListedCounts) =>
    `${c.open} open incident${c.open === 1 ? '' : 'en'}, ${c.unacked} niet opgepakt${c.owed ? `; ${c.owed} gesloten incident${c.owed === 1 ? '' : 'en'} met een plicht die nog openstaat` : ''}.`,
  caption: 'Open incidenten, de meest dringende eerst',
  closedCaption: 'Afgesloten incidenten, de laatst afgesloten eerst',
  col: {
    incident: 'Incident',
    severity: 'Ernst',
    resource: 'Resource',
    state: 'Status',
    clocks: 'Termijnen (tijd over)',
    ack: 'Opgepakt door',
    containment: 'Inperking',
    closedAt: 'Afgesloten',
    reason: 'Reden',
  },
  notAcked: 'NIET OPGEPAKT',
  sample: 'test (voorbeeldbevinding)',
  openedByHand: (by: string, at: string) => `met de hand geopend door ${by} op ${at}`,
  noClock: 'geen termijn',
  noContainment: 'geen (alleen melden)',
  actionStatus: {
    planned: 'gepland',
    done: 'uitgevoerd',
    skipped: 'overgeslagen',
    failed: 'MISLUKT',
    released: 'opgeheven',
  } satisfies Record<ActionStatus | 'released', string>,
  clockShort: {
    ap: 'AP',
    'nis2-early-warning': 'NIS2 waarschuwing',
    'nis2-notification': 'NIS2 melding',
    'nis2-final': 'NIS2 eindverslag',
    'telecom-initial': 'Tw melding',
    'telecom-complete': 'Tw volledig',
    processor: 'Verwerker',
    subjects: 'Art. 34',
    'nis2-significance': 'NIS2 besluit',
    'nis2-intermediate': 'NIS2 tussentijds',
    'telecom-subscribers': 'Tw abonnees',
  } satisfies Record<ClockName, string>,
  due: 'uiterlijk',
  /** An AP notification owed anew: the deadline its first notification met or missed, not a time it is due by (law28 s28). */
  dueOwedAnew: 'termijn',
  done: 'gedaan',
  summary: 'Samenvatting',
  field: {
    state: 'Status',
    severity: 'Ernst',
    findingType: 'Soort bevinding',
    findings: (n: number) => `${n} ${n === 1 ? 'bevinding' : 'bevindingen'}`,
    resource: 'Getroffen resource',
    tags: 'Labels van de resource',
    account: 'Account en regio',
    detected: 'Gedetecteerd',
    aware: 'Bewust geworden',
    awareDefault: 'standaard: de detectie, tot iemand het bewustwordingsmoment vastlegt',
    deadline: 'Termijn AP',
    acknowledged: 'Opgepakt',
    assessment: 'Beoordeling FG',
    reports: 'Meldingen',
    subjects: 'Besluit art. 34',
    subscribers: 'Besluit abonnees',
    closed: 'Gesloten',
    firstActivity: 'Eerste activiteit',
    firstSeenSetAside: 'Eerste activiteit terzijde gelegd',
    role: 'Onze rol',
  },
  personalData: 'persoonsgegevens',
  nis2Significant: 'Significant onder NIS2',
  nis2Intermediate: 'NIS2 tussentijds verslag gevraagd, uiterlijk',
  nis2Aware: 'NIS2: bewust geworden van het significante incident',
  beforeDetection: 'vóór de detectie door GuardDuty',
  enteredLater: 'later ingevoerd',
  enteredAfterDeadline: 'ingevoerd na het verstrijken van de AP-termijn',
  attention: 'Vraagt aandacht',
  alertAgain: (by: string, raisedAt: string) =>
    `Al opgepakt door ${by}; de pager gaf de melding daarna opnieuw (${raisedAt}) en die gaat nog af. Pak die melding hier op; het incident blijft op naam van ${by}.`,
  reviewAskedSince: 'Nieuwe beoordeling gevraagd sinds',
  assessAgain: 'beoordeel opnieuw',
  reviewCause: (findingType: string, assessedAt: string, by: string) =>
    `een bevinding van het type ${findingType} kwam na de beoordeling van ${assessedAt} door ${by}`,
  followUpOf: 'Vervolg op',
  followUpOfWhy: (closedAt: string) => `afgesloten ${closedAt}; een bevinding ervan was daarna weer actief`,
  followUps: 'Vervolgincidenten',
  followUpsWhy: 'activiteit na het afsluiten',
  linkedTo: 'Gekoppeld aan',
  linkedMore: (n: number) => `en nog ${n}, genoemd in de tijdlijn`,
  linkedWhy: 'dezelfde aanval, apart vastgelegd; niet samengevoegd',
  delayReason: 'reden voor de vertraging',
  decisions: 'Besluiten',
  noDecisions: 'Nog geen besluiten.',
  was: 'was',
  movedLater: 'later gezet na een beoordeling met persoonsgegevens',
  notice: 'Bericht aan betrokkenen (art. 34)',
  noticeNl: 'Bericht aan betrokkenen (Nederlands)',
  noticeEn: 'Bericht aan betrokkenen (Engels)',
  noticeIntro:
    'Een concept in duidelijke taal (art. 34(2)); niets wordt automatisch verstuurd. Leg het versturen daarna vast bij het besluit over de betrokkenen.',
  wholeNotice: 'Het hele bericht',
  otherParties: 'Vastgelegde andere organisaties',
  warnings: 'Let op',
  recordDecision: 'Besluit vastleggen',
  notYet: 'nog niet',
  none: 'geen',
  notifiable: 'meldplichtig',
  notNotifiable: 'niet meldplichtig',
  clocks: 'Termijnen',
  clock: 'Termijn',
  status: 'Stand',
  timeLeft: 'Tijd over',
  actions: 'Acties',
  actionsIntro: 'Elke actie wordt met uw naam en het tijdstip in de tijdlijn vastgelegd.',
  mergedInto: { lead: 'Samengevoegd met', rest: ': het datalek staat daar, met zijn termijnen; leg daar vast wat volgt.' },
  afterCloseIntro:
    'Het incident blijft gesloten. Informatie die na het sluiten volgt (AVG art. 33(4)), een vervolgmelding, correctie of intrekking aan de AP, een gecorrigeerd feit, een gewijzigde beoordeling of een besluit over de betrokkenen, legt u hier vast met de reden; de tijdlijn en het register tonen het.',
  // The page served as another role than the FG's (fgrole item 5): the store would refuse the FG's forms.
  fgReadOnly: (role: string | null, caller: string, error?: string) =>
    error
      ? `Besluiten van de FG worden op deze pagina alleen getoond: de rol van de FG kon niet uit de registertabel worden gelezen (${error}). Dit is iets anders dan een tabel die geen FG-rol noemt: de rol waarmee deze pagina draait heeft dynamodb:DescribeTable en dynamodb:ListTagsOfResource op de tabel nodig (README). De pagina probeert het bij elk verzoek opnieuw.`
      : role
        ? `Besluiten van de FG worden op deze pagina alleen getoond: deze pagina schrijft als ${caller} (de naam van de sessie, vaak iemands e-mailadres, is weggelaten), en alleen een sessie van de FG-rol ${role} legt ze vast.`
        : `Besluiten van de FG worden op deze pagina alleen getoond: de registertabel noemt de rol van de FG niet, dus niemand legt ze vast tot de installatie die rol noemt.`,
  save: 'Vastleggen',
  problem: 'Er is een probleem',
  notSaved: 'Niets is vastgelegd.',
  optional: 'niet verplicht',
  required: 'verplicht',
  choose: '— kies —',
  notStated: '— niet opgegeven —',
  localTime: (tz: string) => `lokale tijd, ${tz}`,
  closeBlocked: 'Afsluiten kan nog niet:',
  factsComplete: 'De feiten zijn als compleet gemarkeerd.',
  containment: 'Inperking',
  containmentNone: 'Het beleid vraagt geen inperking voor dit incident.',
  personStep: 'een stap voor een persoon: zie het draaiboek',
  containmentCols: { action: 'Actie', target: 'Doel', status: 'Stand', steps: 'Stappen', runbook: 'Draaiboek' },
  notPlanned: (n: number) =>
    `Niet gepland: ${n} verdere inperkingsactie(s), waarvoor het dossier van het incident geen ruimte meer had. Geen daarvan wordt uitgevoerd: perk die middelen zelf in (de bevindingen noemen ze), sinds`,
  notPlannedShort: (n: number) => `${n} niet gepland (geen ruimte)`,
  resourcesNotListed: (n: number) => `Nog ${n} middel(en) die de bevindingen noemen staan niet in de lijst van het incident.`,
  messages: 'Verstuurde berichten',
  damagedMessage: (id: string, reason: string, incident: string) =>
    `BESCHADIGD: bericht ${id} kan niet uit de opslag worden gelezen (${reason}); wat erin stond, is hier niet te zien. Controleer het met datalek verify ${incident}`,
  noMessages: 'Geen berichten (onder de drempels van het beleid voor de FG en on-call).',
  pending: 'wacht op verzending',
  neverSent: 'NIET verstuurd, geweigerd door het kanaal; wordt niet opnieuw geprobeerd',
  sent: 'verstuurd',
  to: { fg: 'FG', 'on-call': 'on-call' },
  timeline: 'Tijdlijn',
  timelineAll: 'Alle gebeurtenissen',
  timelineCols: { seq: '#', at: 'Tijd', actor: 'Wie', kind: 'Wat', detail: 'Details' },
  draft: 'Concept-melding AP',
  draftNl: 'Concept-melding AP (Nederlands)',
  draftEn: 'Concept-melding AP (Engels)',
  reportHtml: 'Incidentrapport (HTML, om te bewaren)',
  verify: {
    link: 'Dossier controleren tegen het grootboek',
    title: 'Dossier controleren',
    back: 'Terug naar het incident',
    ok: (id: string) =>
      `Het dossier van ${id} klopt met zijn grootboek: het incident, de tijdlijn, de bevindingen en de berichten zijn ongewijzigd sinds ze werden vastgelegd.`,
    broken: (id: string) => `Het dossier van ${id} wijkt af van zijn grootboek`,
    brokenNext:
      'Iets is buiten datalek om gewijzigd, verwijderd, ingevoegd of van volgorde veranderd. Bewaar de opslag zoals hij is en meld het aan het platformteam: zij vergelijken hem met de ondertekende digests (datalek verify --digests).',
    drill: (from: string, at: string) => `Deze opslag is een oefenkopie van ${from} (gemaakt ${at}): een oefenkopie is nooit het dossier.`,
    store: 'De opslag zelf',
    duePolicyChanged: (due: string, judged: boolean) =>
      `Het vervalmoment werd gezet onder een ander beleid dan het beleid dat deze pagina gebruikt, waaronder er eerder iets vervalt (${due}). ${judged ? 'Getoetst aan het beleid waaronder het werd gezet, is het wat dat beleid geeft: geen manipulatie.' : 'Niet getoetst aan het beleid waaronder het werd gezet: de opslag bewaart daarvan geen instellingen.'} De sweep zet het bij zijn volgende run opnieuw onder het beleid dat geldt, met een regel in de tijdlijn.`,
    what: 'Elke vastlegging staat in een hashketen (SHA-256) per incident; deze controle leest alleen, zoals datalek verify ID.',
    digests:
      'Of de opslag nog bevat wat de ondertekende digests buiten de opslag vastlegden, controleert datalek verify --digests (het platformteam); deze pagina heeft die sleutel niet.',
  },
  documents: 'Documenten',
  draftIntro:
    'In de volgorde van het meldformulier van de AP. Kopieer elk veld naar het formulier; niets wordt automatisch verstuurd. Leg daarna de melding vast met het meldingsnummer.',
  missing: 'Ontbreekt nog',
  missingClosed:
    'Het incident is gesloten: het register heeft wat het sluiten vroeg (AVG art. 33(5)). Wat hier nog ontbreekt, ontbreekt in het concept voor de AP; na het sluiten kunt u het nog aanvullen, met de reden (art. 33(4)).',
  allPresent: 'Alle verplichte gegevens zijn vastgelegd.',
  notRecorded: '(niet vastgelegd)',
  copy: 'Kopieer',
  copied: 'Gekopieerd',
  backToIncident: 'Terug naar het incident',
  recordReportLink: 'Melding vastleggen',
  addFacts: 'Feiten aanvullen',
  registerIntro: 'Het register van datalekken (AVG art. 33(5)): elk incident, gemeld of niet, met besluit, motivering, termijnen en maatregelen.',
  period: 'Periode (datum van detectie)',
  from: 'Van',
  until: 'Tot en met',
  show: 'Toon',
  export: 'Exporteren',
  registerEmpty: 'Geen incidenten in deze periode.',
  registerCols: {
    incident: 'Incident',
    detected: 'Gedetecteerd',
    type: 'Soort',
    decision: 'Besluit',
    reasoning: 'Motivering',
    apClock: 'Termijn AP',
    references: 'Meldingen',
    measures: 'Maatregelen',
    state: 'Status',
  },
  runbook: 'Draaiboek',
  toldWithSenderNotes:
    'Let op: de tekst die is vastgelegd als wat is verstuurd, bevat delen van het bericht die alleen voor de afzender zijn (het kenmerk van het incident, de notities, de lijst "Ontbreekt nog", datalek-opdrachten). Het register toont hem als wat de betrokkenen is verteld. Kregen zij het bericht zonder die delen, leg het besluit dan opnieuw vast met alleen de tekst die is verstuurd.',
  toldWithElision:
    'Let op: de tekst die is vastgelegd als wat is verstuurd, bevat "…" waar tekst is weggelaten (een deel dat het bericht nog niet kon invullen, of dat nog geschreven moest worden). Het register toont hem als wat de betrokkenen is verteld. Kregen zij de uitgeschreven tekst, leg het besluit dan opnieuw vast met de tekst die is verstuurd.',
  closingStillPlanned: (names: string) =>
    `Let op: deze inperking staat nog gepland en is niet als uitgevoerd vastgelegd: ${names}. Na het sluiten kan dat niet meer worden vastgelegd: leg eerst vast dat de stap met de hand is uitgevoerd, of dat hij niet wordt uitgevoerd; sluit u toch, dan noemen de tijdlijn, het register en het rapport hem als nog gepland.`,
  subjectsTextAsSent:
    'De tekst van het bericht is wat de betrokkenen is verteld, zoals verstuurd: zonder de notities voor de afzender en zonder "…" waar de kennisgeving nog niets kon invullen of plaatshouders als [naam]. Het register toont hem zo.',
  // Before recording a text the record would warn about (law27 item 6): what it holds, and the confirmation asked.
  textNotYetRecorded: (found: TextFound) =>
    `Nog niet vastgelegd: de tekst die u vastlegt als wat is verstuurd, bevat ${[
      found.senderNotes
        ? 'delen van het bericht die alleen voor de afzender zijn (het kenmerk van het incident, de notities, de lijst "Ontbreekt nog", datalek-opdrachten)'
        : '',
      found.elisions.length ? `"…" waar tekst is weggelaten (${found.elisions.map(onder).join(', ')})` : '',
      found.placeholders.length ? `plaatshouders die nog ingevuld moesten worden (${found.placeholders.map(onder).join(', ')})` : '',
    ]
      .filter(Boolean)
      .join(
        '; ',
      )}. Het register toont hem als wat de betrokkenen is verteld. Maak er de tekst van die is verstuurd, of bevestig hieronder dat dit de verstuurde tekst is en leg opnieuw vast.`,
  confirmTextAsSent: 'Ik bevestig dat dit de tekst is zoals die is verstuurd',
  // A high risk the AP's last report did not carry (clocks.ts riskFollowUpOwed), as `datalek assess` says it (law28).
  riskFollowUpOwed: (reference: string, closed: boolean) =>
    `Hoog risico na de laatste melding aan de AP (${reference}): een vervolgmelding aan de AP is nodig (AVG art. 33(3)(c), (4)). Leg die vast bij "Melding vastleggen" (soort: vervolgmelding op ${reference}), of waarom er geen volgt (${closed ? 'bij "Na het sluiten: geen vervolgmelding aan de AP"' : 'bij het sluiten'}); de herinneringen lopen tot dan.`,
  delayReasonWithPlaceholders:
    'Let op: de redenen voor de vertraging, vastgelegd als wat de AP is gegeven, bevatten plaatshouders die nog ingevuld moesten worden (zoals [datum], XXX, TODO of <...>) of een weglating "…". Het register en het concept voor de AP houden ze zoals gegeven (AVG art. 33(1)). Kreeg de AP ze uitgeschreven, geef ze dan zoals gegeven met een vervolgmelding (soort: vervolgmelding, met de redenen voor de vertraging).',
  toldWithPlaceholders:
    'Let op: de tekst die is vastgelegd als wat is verstuurd, bevat plaatshouders die nog ingevuld moesten worden (zoals [naam], XXX, TODO of <...>). Het register toont hem als wat de betrokkenen is verteld. Kregen zij de ingevulde tekst, leg het besluit dan opnieuw vast met de tekst die is verstuurd.',
  // What a release undid for another incident, as `datalek release` names it (rel28): each incident, what is true there now, who is told.
  releasedFor: (id: string, now: 'released' | 'planned' | 'reopened') =>
    now === 'released'
      ? `Ook opgeheven voor incident ${id}: de inperking staat daar als opgeheven; de FG en on-call daarvan zijn geïnformeerd.`
      : now === 'planned'
        ? `Teruggegeven aan incident ${id}: de actie die het aan dit incident overliet, is daar nu niet ingeperkt: opnieuw gepland, niet uitgevoerd (${containCommand(id, { enforce: true, lang: 'nl' })} voert haar uit); de FG en on-call daarvan zijn geïnformeerd.`
        : `Weer open voor incident ${id}: de isolatie van de instance blijft daar van kracht, maar de netwerkinterface(s) van taken die het door dit incident geïsoleerd aantrof, zitten weer in hun eigen groepen: weer open (daar vermeld); de FG en on-call daarvan zijn geïnformeerd.`,
  closedStillPlanned: (names: string) =>
    `Let op: gesloten met inperking die nog gepland staat en niet als uitgevoerd is vastgelegd: ${names}. De tijdlijn, het register en het rapport noemen die stap als nog gepland, zodat het dossier niet leest alsof hij is uitgevoerd.`,
  flash: {
    ack: (by: string) => `Opgepakt door ${by}. De escalatie stopt; de AP-termijn loopt door.`,
    ackAlready: (by: string, at: string) => `Al opgepakt door ${by} op ${at}; er is niets veranderd.`,
    assess: 'Beoordeling vastgelegd.',
    aware: 'Moment van bewustwording vastgelegd; de AP-termijn is herberekend.',
    role: 'Rol vastgelegd.',
    nis2: 'NIS2-besluit vastgelegd.',
    facts: 'Feiten vastgelegd.',
    reported: 'Melding vastgelegd.',
    subjects: 'Besluit over het informeren van betrokkenen vastgelegd.',
    close: 'Afgesloten; het incident blijft in het register.',
    release: 'Inperking opgeheven; zie de stappen hieronder.',
    'release-failed':
      'Opheffen MISLUKT: de inperking is (deels) nog van kracht en staat zo vastgelegd; de tijdlijn zegt welke stap. Hef opnieuw op, of hef handmatig op volgens het draaiboek.',
    'after-close-initial': 'Eerste melding aan de AP na het sluiten vastgelegd; het incident blijft gesloten.',
    'after-close-report': 'Informatie aan de AP na het sluiten vastgelegd; het incident blijft gesloten.',
    'after-close-facts': 'Feiten na het sluiten gecorrigeerd; het incident blijft gesloten.',
    'after-close-assess': 'Beoordeling na het sluiten vastgelegd; het incident blijft gesloten.',
    'after-close-subjects': 'Besluit over de betrokkenen na het sluiten vastgelegd; het incident blijft gesloten.',
    contained: 'Vastgelegd dat de stap met de hand is uitgevoerd.',
    'not-done': 'Vastgelegd dat de stap niet wordt uitgevoerd, met de reden.',
    'not-done-withdraw':
      'Besluit ingetrokken: de stap is weer gepland, en uitgevoerd als een bevinding erom vraagt en deze omgeving inperkt (zie de inperking hieronder).',
    open: 'Incident met de hand geopend; de AP-termijn loopt vanaf het opgegeven bewustwordingsmoment. Niemand wordt opgeroepen: u heeft het opgepakt.',
  },
  nameLeftOut: 'naam weggelaten: persoonsgegevens',
  link: {
    title: 'Incident oppakken',
    intro: (level: string, round: number, until: string) => `Deze link hoort bij de oproep aan ${level}, ronde ${round}. Hij werkt één keer, tot ${until}.`,
    button: 'Ik pak het op',
    name: 'Uw naam (niet verplicht)',
    nameHint: 'Komt in de tijdlijn, naast de oproep waar deze link bij hoort.',
    stops: 'Oppakken stopt de escalatie. De AP-termijn loopt door: opgepakt is niet hetzelfde als bewust.',
    done: 'Opgepakt. De escalatie stopt; de AP-termijn loopt door.',
    alertTaken: 'Het was al eerder opgepakt; de melding die de pager daarna opnieuw gaf, is nu ook opgepakt en stopt daar.',
    recordedAs: 'Vastgelegd als',
    next: 'Volg nu het draaiboek',
    refused: 'Deze link werkt niet',
    problem: {
      malformed: 'Dit is geen oppaklink van datalek: de link is onvolledig of beschadigd. Kopieer hem in zijn geheel.',
      altered: 'De link is veranderd: de handtekening klopt niet.',
      foreign: 'Deze link is niet door deze datalek ondertekend: hij komt van een andere installatie, of de sleutel is sindsdien vervangen.',
      expired: (at: string) => `Deze link is verlopen om ${at}: een link werkt tot de volgende oproep en hooguit een uur.`,
    },
    used: (at: string) => `Deze link is al gebruikt: opgepakt om ${at}.`,
    already: (at: string) => `Dit incident is al opgepakt om ${at}.`,
    closed: 'Dit incident is gesloten; er is niets op te pakken.',
    merged:
      'Dit incident is samengevoegd met een ander incident: het datalek loopt daar verder. Pak dat incident op, met de link in zijn oproep of met datalek ack:',
    unknown: 'Dit incident staat niet in deze opslag.',
    nothingChanged: 'Er is niets veranderd.',
    otherWays: 'Een nieuwe oproep heeft een nieuwe link. Oppakken kan ook met datalek ack op de opdrachtregel, of op de webpagina.',
    origin: 'Dit verzoek komt niet van deze pagina.',
    tooLong: 'Naam of notitie is te lang (naam hooguit 100 tekens, notitie hooguit 1000).',
    busy: 'Het oppakken kon niet op tijd worden vastgelegd: er kwamen steeds andere wijzigingen van dit incident tussen (een storm van meldingen?).',
    pressAgain: 'Open de link opnieuw en druk nog eens op de knop.',
    /** A conflict that was no race (StuckConflictError): the store's own words and the check that says why. */
    stuck: (id: string, store: string) =>
      `Niet vastgelegd: de opslag weigerde het bij elke poging, terwijl incident ${id} intussen niet veranderde. Dit is geen drukte van andere wijzigingen: opnieuw proberen mislukt op dezelfde manier. De opslag meldde: ${store}. Controleer het dossier: datalek verify ${id}.`,
    language: 'English',
  },
  forbiddenTitle: 'Geen toegang',
  forbidden: {
    token: 'Open het adres dat `datalek serve` heeft getoond: het bevat de sessiesleutel.',
    host: 'Deze server antwoordt alleen op het adres waarop hij luistert.',
    csrf: 'Dit formulier is verlopen of komt niet van deze pagina. Laad de pagina opnieuw en probeer het nog eens.',
    origin: 'Dit verzoek komt niet van deze pagina.',
    linksOnly: 'Dit adres dient alleen de links in oproepen. Open het adres dat `datalek serve` heeft getoond: het bevat de sessiesleutel.',
  },
  notFound: 'Niet gevonden',
  noIncident: (id: string) => `Geen incident met id ${id}.`,
  overdue: 'verlopen',
};

type Dictionary = typeof nl;

const en: Dictionary = {
  skip: 'Skip to content',
  nav: 'Main menu',
  overview: 'Open incidents',
  closed: 'Closed incidents',
  register: 'Register',
  actingAs: 'You act as',
  signedIdentity: 'your AWS identity',
  localUser: 'name for the record',
  otherLanguage: 'Nederlands',
  otherLanguageCode: 'nl',
  timesIn: (tz: string) => `Times in ${tz}.`,
  now: 'Now',
  target: { local: 'embedded store', aws: 'AWS (DynamoDB)' },
  noOpen: 'No open incidents.',
  unreadable: (id: string, reason: string) =>
    `Incident ${id} cannot be read from the store (${reason}); it is left out of this list. Check it with datalek verify ${id}`,
  notAnIncident: (id: string, reason: string) => `${id}: ${reason}`,
  unreadableDownloads: 'The downloads below leave it out too.',
  openByHand: 'Open an incident by hand',
  openByHandIntro:
    'For a breach no GuardDuty finding opened: a letter to the wrong person, a lost laptop (Art. 33(5): every breach in the register). The AP clock runs from the moment of awareness. When it comes from a finding the policy ignored, paste that finding’s event below: its later versions join this incident.',
  noClosed: 'No closed incidents yet.',
  openCount: (c: ListedCounts) => `${countLine(c)}.`,
  caption: 'Open incidents, most urgent first',
  closedCaption: 'Closed incidents, most recently closed first',
  col: {
    incident: 'Incident',
    severity: 'Severity',
    resource: 'Resource',
    state: 'State',
    clocks: 'Clocks (time left)',
    ack: 'Acknowledged by',
    containment: 'Containment',
    closedAt: 'Closed',
    reason: 'Reason',
  },
  notAcked: 'NOT ACKNOWLEDGED',
  sample: 'test (sample finding)',
  openedByHand: (by: string, at: string) => `opened by hand by ${by} at ${at}`,
  noClock: 'no clock',
  noContainment: 'none (notify only)',
  actionStatus: { planned: 'planned', done: 'done', skipped: 'skipped', failed: 'FAILED', released: 'released' },
  clockShort: {
    ap: 'AP',
    'nis2-early-warning': 'NIS2 early warning',
    'nis2-notification': 'NIS2 notification',
    'nis2-final': 'NIS2 final report',
    'telecom-initial': 'Telecom initial',
    'telecom-complete': 'Telecom complete',
    processor: 'Processor',
    subjects: 'Art. 34',
    'nis2-significance': 'NIS2 decision',
    'nis2-intermediate': 'NIS2 intermediate',
    'telecom-subscribers': 'Telecom subscribers',
  },
  due: 'due',
  dueOwedAnew: 'deadline',
  done: 'done',
  summary: 'Summary',
  field: {
    state: 'State',
    severity: 'Severity',
    findingType: 'Finding type',
    findings: (n: number) => `${n} finding${n === 1 ? '' : 's'}`,
    resource: 'Affected resource',
    tags: 'Resource tags',
    account: 'Account and region',
    detected: 'Detected',
    aware: 'Became aware',
    awareDefault: 'default: the detection, until a person records the moment of awareness',
    deadline: 'AP deadline',
    acknowledged: 'Acknowledged',
    assessment: "FG's assessment",
    reports: 'Reports',
    subjects: 'Art. 34 decision',
    subscribers: 'Subscribers decision',
    closed: 'Closed',
    firstActivity: 'First activity',
    firstSeenSetAside: 'First activity set aside',
    role: 'Our role',
  },
  personalData: 'personal data',
  nis2Significant: 'Significant under NIS2',
  nis2Intermediate: 'NIS2 intermediate report requested, due',
  nis2Aware: 'NIS2: aware of the significant incident',
  beforeDetection: "before GuardDuty's detection",
  enteredLater: 'entered later',
  enteredAfterDeadline: 'entered after the AP deadline had passed',
  attention: 'Needs attention',
  alertAgain: (by: string, raisedAt: string) =>
    `Acknowledged by ${by} already; the pager raised the alert again after that (${raisedAt}) and it is still paging. Take that alert here; the incident stays acknowledged by ${by}.`,
  reviewAskedSince: 'Review asked since',
  assessAgain: 'assess again',
  reviewCause: (findingType: string, assessedAt: string, by: string) => `a finding of type ${findingType} came after the assessment of ${assessedAt} by ${by}`,
  followUpOf: 'Follow-up of',
  followUpOfWhy: (closedAt: string) => `closed ${closedAt}; one of its findings was active again after that`,
  followUps: 'Follow-ups',
  followUpsWhy: 'activity after closing',
  linkedTo: 'Linked to',
  linkedMore: (n: number) => `and ${n} more, named in the timeline`,
  linkedWhy: 'the same attack, recorded separately; not merged',
  delayReason: 'reasons for the delay',
  decisions: 'Decisions',
  noDecisions: 'No decisions yet.',
  was: 'was',
  movedLater: 'moved later after an assessment with personal data',
  notice: 'Notice to the data subjects (Art. 34)',
  noticeNl: 'Notice to the data subjects (Dutch)',
  noticeEn: 'Notice to the data subjects (English)',
  noticeIntro: 'A draft in clear and plain language (Art. 34(2)); nothing is sent automatically. Record sending it with the decision on the data subjects.',
  wholeNotice: 'The whole notice',
  otherParties: 'Other organisations recorded',
  warnings: 'Note',
  recordDecision: 'Record the decision',
  notYet: 'not yet',
  none: 'none',
  notifiable: 'notifiable',
  notNotifiable: 'not notifiable',
  clocks: 'Clocks',
  clock: 'Clock',
  status: 'Status',
  timeLeft: 'Time left',
  actions: 'Actions',
  actionsIntro: 'Each action is recorded in the timeline with your name and the time.',
  mergedInto: { lead: 'Merged into', rest: ': the breach is recorded there, with its clocks; record what follows there.' },
  afterCloseIntro:
    'The incident stays closed. Information that follows after closing (GDPR Art. 33(4)), a follow-up, correction or withdrawal to the AP, a corrected fact, a changed assessment or a decision on the data subjects, is recorded here with its reason; the timeline and the register show it.',
  fgReadOnly: (role: string | null, caller: string, error?: string) =>
    error
      ? `The FG's decisions are only shown on this page: the FG's role could not be read from the register's table (${error}). This is not a table naming no FG role: the role serving this page needs dynamodb:DescribeTable and dynamodb:ListTagsOfResource on the table (README). The page asks again on each request.`
      : role
        ? `The FG's decisions are only shown on this page: it writes as ${caller} (the session's name, often a person's e-mail address, is left out), and only a session of the FG's role ${role} records them.`
        : `The FG's decisions are only shown on this page: the register's table does not name the FG's role, so nobody records them until the deployment names it.`,
  save: 'Record',
  problem: 'There is a problem',
  notSaved: 'Nothing was recorded.',
  optional: 'optional',
  required: 'required',
  choose: '— choose —',
  notStated: '— not stated —',
  localTime: (tz: string) => `local time, ${tz}`,
  closeBlocked: 'It cannot be closed yet:',
  factsComplete: 'The facts are marked complete.',
  containment: 'Containment',
  containmentNone: 'The policy asks for no containment for this incident.',
  personStep: "a person's step: see the runbook",
  containmentCols: { action: 'Action', target: 'Target', status: 'Status', steps: 'Steps', runbook: 'Runbook' },
  notPlanned: (n: number) =>
    `Not planned: ${n} further containment action(s) the incident's record had no room for. None of them is carried out: contain those resources by hand (the findings name them), since`,
  notPlannedShort: (n: number) => `${n} not planned (no room)`,
  resourcesNotListed: (n: number) => `${n} more resource(s) the findings name are not in the incident's list.`,
  messages: 'Messages sent',
  damagedMessage: (id: string, reason: string, incident: string) =>
    `DAMAGED: message ${id} cannot be read from the store (${reason}); what it said cannot be shown here. Check it with datalek verify ${incident}`,
  noMessages: "No messages (below the policy's thresholds for the FG and on-call).",
  pending: 'waiting to be sent',
  neverSent: 'NOT sent, refused by the channel; not tried again',
  sent: 'sent',
  to: { fg: 'FG', 'on-call': 'on-call' },
  timeline: 'Timeline',
  timelineAll: 'Every event',
  timelineCols: { seq: '#', at: 'Time', actor: 'Who', kind: 'What', detail: 'Details' },
  draft: 'AP notification draft',
  draftNl: 'AP notification draft (Dutch)',
  draftEn: 'AP notification draft (English)',
  reportHtml: 'Incident report (HTML, to keep)',
  verify: {
    link: 'Check the record against its ledger',
    title: 'Check the record',
    back: 'Back to the incident',
    ok: (id: string) =>
      `The record of ${id} matches its ledger: the incident, the timeline, the findings and the messages are unchanged since they were recorded.`,
    broken: (id: string) => `The record of ${id} does not match its ledger`,
    brokenNext:
      'Something was edited, removed, inserted or reordered behind datalek. Keep the store as it is and tell the platform team: they compare it with the signed digests (datalek verify --digests).',
    drill: (from: string, at: string) => `This store is a drill copy of ${from} (made ${at}): a drill copy is never the record.`,
    store: 'The store itself',
    duePolicyChanged: (due: string, judged: boolean) =>
      `Its due time was set under another policy than the one this page serves, under which something falls due earlier (${due}). ${judged ? 'Held to the policy that set it, it is what that policy gives: no tampering.' : 'Not held to the policy that set it: the store keeps no settings of that policy.'} The sweep sets it again under the policy in force at its next run, with an entry in the timeline.`,
    what: 'Every entry is in a hash chain (SHA-256) per incident; this check only reads, as datalek verify ID does.',
    digests:
      'Whether the store still holds what the signed digests outside it anchored is checked by datalek verify --digests (the platform team); this page does not have that key.',
  },
  documents: 'Documents',
  draftIntro:
    "In the order of the AP's notification form. Copy each field into the form; nothing is sent automatically. Then record the submission with the reference number.",
  missing: 'Still missing',
  missingClosed:
    'The incident is closed: the register holds what closing asked for (Art. 33(5)). What is still missing here is missing from the draft for the AP; after closing it can still be added, with the reason (Art. 33(4)).',
  allPresent: 'Every required fact is recorded.',
  notRecorded: '(not recorded)',
  copy: 'Copy',
  copied: 'Copied',
  backToIncident: 'Back to the incident',
  recordReportLink: 'Record the report',
  addFacts: 'Add facts',
  registerIntro: 'The breach register (GDPR Art. 33(5)): every incident, notified or not, with decision, reasoning, clocks and measures.',
  period: 'Period (date of detection)',
  from: 'From',
  until: 'Up to and including',
  show: 'Show',
  export: 'Export',
  registerEmpty: 'No incidents in this period.',
  registerCols: {
    incident: 'Incident',
    detected: 'Detected',
    type: 'Type',
    decision: 'Decision',
    reasoning: 'Reasoning',
    apClock: 'AP clock',
    references: 'Reports',
    measures: 'Measures',
    state: 'State',
  },
  runbook: 'Runbook',
  toldWithSenderNotes:
    'Note: the text recorded as what was sent holds parts of the notice meant for the sender alone (the incident id, the notes, the "Still missing" list, datalek commands). The register shows it as what they were told. If they were sent the notice without these, record the decision again with the text as sent.',
  toldWithElision:
    'Note: the text recorded as what was sent holds "…" where text was left out (a part the notice could not fill yet, or one still to be written). The register shows it as what they were told. If they were sent the text written out, record the decision again with the text as sent.',
  closingStillPlanned: (names: string) =>
    `Note: this containment is still planned, not recorded as carried out: ${names}. After closing that can no longer be recorded: first record that the step was carried out by hand, or that it will not be; if you close all the same, the timeline, the register and the report name it as still planned.`,
  subjectsTextAsSent:
    'The text of the message is what the data subjects were told, as sent: without the notes for the sender and without "…" where the notice could not fill anything in yet or placeholders such as [name]. The register shows it so.',
  textNotYetRecorded: (found: TextFound) =>
    `Not recorded yet: the text you record as what was sent holds ${[
      found.senderNotes ? 'parts of the notice meant for the sender alone (the incident id, the notes, the "Still missing" list, datalek commands)' : '',
      found.elisions.length ? `"…" where text was left out (${found.elisions.join(', ')})` : '',
      found.placeholders.length ? `placeholders still to be filled in (${found.placeholders.join(', ')})` : '',
    ]
      .filter(Boolean)
      .join(
        '; ',
      )}. The register shows it as what they were told. Make it the text that was sent, or confirm below that this is the text sent and record it again.`,
  confirmTextAsSent: 'I confirm this is the text as it was sent',
  riskFollowUpOwed: (reference: string, closed: boolean) =>
    `High risk after the last report to the AP (${reference}): a follow-up to the AP is owed (GDPR Art. 33(3)(c), (4)). Record it under "Record a report" (kind: follow-up to ${reference}), or why none follows (${closed ? 'under "After closing: no follow-up to the AP"' : 'at closing'}); its reminders run until then.`,
  delayReasonWithPlaceholders:
    'Note: the reasons for the delay, recorded as what the AP was given, hold placeholders still to be filled in (such as [date], XXX, TODO or <...>) or an elision "…". The register and the draft for the AP keep them as given (GDPR Art. 33(1)). If the AP was given them written out, give them as given with a follow-up (kind: follow-up, with the reasons for the delay).',
  toldWithPlaceholders:
    'Note: the text recorded as what was sent holds placeholders still to be filled in (such as [name], XXX, TODO or <...>). The register shows it as what they were told. If they were sent the text filled in, record the decision again with the text as sent.',
  releasedFor: (id: string, now: 'released' | 'planned' | 'reopened') =>
    now === 'released'
      ? `Undone for incident ${id}: its containment recorded as released there; its FG and on-call are told.`
      : now === 'planned'
        ? `Handed back to incident ${id}: the action it left to this incident is not contained for it now: planned there again, not carried out (${containCommand(id, { enforce: true })} carries it out); its FG and on-call are told.`
        : `Reopened for incident ${id}: its instance isolation stays in effect there, but the task network interface(s) it found isolated by this incident are back in their own groups, open again (said there); its FG and on-call are told.`,
  closedStillPlanned: (names: string) =>
    `Note: closed with containment still planned, not recorded as carried out: ${names}. The timeline, the register and the report name that step as still planned, so the record does not read as if it was done.`,
  flash: {
    ack: (by: string) => `Acknowledged by ${by}. The escalation stops; the AP clock does not.`,
    ackAlready: (by: string, at: string) => `Already acknowledged by ${by} at ${at}; nothing changed.`,
    assess: 'Assessment recorded.',
    aware: 'Moment of awareness recorded; the AP deadline is computed again.',
    role: 'Role recorded.',
    nis2: 'NIS2 decision recorded.',
    facts: 'Facts recorded.',
    reported: 'Report recorded.',
    subjects: 'Decision on informing the data subjects recorded.',
    close: 'Closed; the incident stays in the register.',
    release: 'Containment released; see the steps below.',
    'release-failed':
      'Release FAILED: the containment is (partly) still in effect and recorded so; the timeline says which step. Release again, or undo it by hand following the runbook.',
    'after-close-initial': 'Initial notification to the AP recorded after closing; the incident stays closed.',
    'after-close-report': 'Information to the AP after closing recorded; the incident stays closed.',
    'after-close-facts': 'Facts corrected after closing; the incident stays closed.',
    'after-close-assess': 'Assessment recorded after closing; the incident stays closed.',
    'after-close-subjects': 'Decision on the data subjects recorded after closing; the incident stays closed.',
    contained: 'Recorded that the step was carried out by hand.',
    'not-done': 'Recorded that the step will not be carried out, with the reason.',
    'not-done-withdraw':
      'Decision withdrawn: the step is planned again, and carried out when a finding asks for it and this target contains (see the containment below).',
    open: 'Incident opened by hand; the AP clock runs from the moment of awareness given. Nobody is paged: you have acknowledged it.',
  },
  nameLeftOut: 'name left out: personal data',
  link: {
    title: 'Acknowledge the incident',
    intro: (level: string, round: number, until: string) => `This link belongs to the page to ${level}, round ${round}. It works once, until ${until}.`,
    button: 'I take it',
    name: 'Your name (optional)',
    nameHint: 'Goes into the timeline, beside the page this link belongs to.',
    stops: 'Acknowledging stops the escalation. The AP clock keeps running: acknowledged is not aware.',
    done: 'Acknowledged. The escalation stops; the AP clock does not.',
    alertTaken: 'It had been acknowledged before; the alert the pager raised again after that is acknowledged now too and stops there.',
    recordedAs: 'Recorded as',
    next: 'Now follow the runbook',
    refused: 'This link does not work',
    problem: {
      malformed: 'This is not a datalek acknowledgement link: it is incomplete or damaged. Copy it whole.',
      altered: 'The link was changed: its signature does not match.',
      foreign: 'This link was not signed by this datalek: it comes from another installation, or the key was replaced since.',
      expired: (at: string) => `This link expired at ${at}: a link works until the next page and at most an hour.`,
    },
    used: (at: string) => `This link was used already: acknowledged at ${at}.`,
    already: (at: string) => `This incident was acknowledged already at ${at}.`,
    closed: 'This incident is closed; there is nothing to acknowledge.',
    merged: 'This incident was merged into another: the breach goes on there. Acknowledge that incident, with the link in its page or with datalek ack:',
    unknown: 'This incident is not in this store.',
    nothingChanged: 'Nothing changed.',
    otherWays: 'A new page carries a new link. You can also acknowledge with datalek ack on the command line, or on the web page.',
    origin: 'This request does not come from this page.',
    tooLong: 'Name or note too long (name at most 100 characters, note at most 1000).',
    busy: 'The acknowledgement could not be recorded in time: other changes to this incident kept coming (a storm of findings?).',
    pressAgain: 'Open the link again and press the button once more.',
    stuck: (id: string, store: string) =>
      `Not recorded: the store refused it at every try while incident ${id} did not change meanwhile. This is no race with other changes: trying again fails the same way. The store said: ${store}. Check the record: datalek verify ${id}.`,
    language: 'Nederlands',
  },
  forbiddenTitle: 'Forbidden',
  forbidden: {
    token: 'Open the address that `datalek serve` printed: it holds the session token.',
    host: 'This server only answers on the address it listens on.',
    csrf: 'This form expired or did not come from this page. Reload the page and try again.',
    origin: 'This request did not come from this page.',
    linksOnly: 'This address serves only the links in pages. Open the address that `datalek serve` printed: it holds the session token.',
  },
  notFound: 'Not found',
  noIncident: (id: string) => `No incident with id ${id}.`,
  overdue: 'overdue',
};

export const WORDS: Record<Lang, Dictionary> = { nl, en };
export type Words = Dictionary;

export function words(lang: Lang): Words {
  return WORDS[lang];
}
