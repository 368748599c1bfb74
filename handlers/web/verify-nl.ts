/**
 * The problems `datalek verify` names (core/audit.ts, core/verify-store.ts), in Dutch for the
 * Dutch verify page. The audit writes them in English for the CLI and scripts (one stable line per
 * problem); the page is the FG's, and the FG reads Dutch. Each text is a template here, its values
 * (entry numbers, keys, columns, times) kept as they are: they are the technical names the
 * platform team finds the entry by. A problem without a template here (a text the audit gained
 * later) is shown in English, marked as such, never left out.
 */
import type { AuditProblem } from '../core/audit.js';

type Template = [en: string, nl: string];

/** Where the problem is: `ledger 3`, `entry 2` (the timeline), `record`, `finding …`, `message …`, `registry 5/12`, `claim …`. */
const ENTRIES: Template[] = [
  ['ledger {}', 'grootboekregel {}'],
  ['item {}', 'item {}'],
  ['resource lock (its key left out here)', 'resourceslot (de sleutel is hier weggelaten)'],
  ['entry {}', 'tijdlijnregel {}'],
  ['record', 'incidentrecord'],
  ['finding {}', 'bevinding {}'],
  ['message {}', 'bericht {}'],
  ['registry {}', 'incidentregister {}'],
  ['registry', 'incidentregister'],
  ['claim {}', 'claim op {}'],
  ['pseudonym key', 'pseudoniemsleutel'],
];

const HOLDER = 'names this incident as holder of the resource, but';
const HOLDER_NL = 'noemt dit incident als houder van de resource, maar';
const NOT_WRITTEN = 'a claim the pipeline did not write';
const NOT_WRITTEN_NL = 'een claim die de pipeline niet schreef';

const PROBLEMS: Template[] = [
  // The incident record.
  ['the incident record is missing: it was deleted', 'het incidentrecord ontbreekt: het is verwijderd'],
  [
    'does not match what the ledger recorded for revision {}: the incident record was edited',
    'komt niet overeen met wat het grootboek vastlegde voor revisie {}: het incidentrecord is gewijzigd',
  ],
  ['is not valid JSON: the incident record is damaged', 'is geen geldige JSON: het incidentrecord is beschadigd'],
  ['cannot be read as an incident record: {}', 'is niet te lezen als incidentrecord: {}'],
  ['the column {} does not match the record: it was altered', 'de kolom {} komt niet overeen met het record: die is gewijzigd'],
  [
    'its timeline head (entry {}) is not the one the ledger recorded (entry {})',
    'de kop van de tijdlijn (regel {}) is niet die het grootboek vastlegde (regel {})',
  ],
  [
    'its awareness {} is not the one its timeline gives {} (entry {}): the AP clock was moved behind the pipeline, with no entry saying who moved it or why',
    'het moment van bewustwording {} is niet dat wat de tijdlijn geeft {} (regel {}): de AP-klok is buiten de pipeline om verzet, zonder regel die zegt wie of waarom',
  ],
  [
    'its due time ({}) is later than what falls due on its record under the policy it was set under ({}, policy {}, the one this verify loaded): the sweep, which finds an incident by its due time, would not remind or page it until then. It was moved or taken off behind the pipeline',
    'het vervalmoment ({}) ligt later dan wat op het record vervalt volgens het beleid waaronder het werd gezet ({}, beleid {}, het beleid dat deze controle laadde): de sweep, die een incident op zijn vervalmoment vindt, zou het tot dan niet herinneren of oproepen. Het is buiten de pipeline om verzet of weggehaald',
  ],
  [
    'its due time ({}) is later than what falls due on its record under the policy it was set under ({}, policy {}, the one the sweep last set every due time under): the sweep, which finds an incident by its due time, would not remind or page it until then. It was moved or taken off behind the pipeline',
    'het vervalmoment ({}) ligt later dan wat op het record vervalt volgens het beleid waaronder het werd gezet ({}, beleid {}, het beleid waaronder de sweep het laatst alle vervalmomenten zette): de sweep, die een incident op zijn vervalmoment vindt, zou het tot dan niet herinneren of oproepen. Het is buiten de pipeline om verzet of weggehaald',
  ],
  [
    'its due time ({}) is later than what falls due on its record under the policy this verify loaded ({}, policy {}), which the sweep set every due time under at {}, and it names no policy it was set under: the sweep, which finds an incident by its due time, would not remind or page it until then. Written since by a release before records named their policy, or moved or taken off behind the pipeline; datalek sweep --reindex sets it again',
    'het vervalmoment ({}) ligt later dan wat op het record vervalt volgens het beleid dat deze controle laadde ({}, beleid {}), waaronder de sweep op {} alle vervalmomenten zette, en het noemt geen beleid waaronder het werd gezet: de sweep, die een incident op zijn vervalmoment vindt, zou het tot dan niet herinneren of oproepen. Sindsdien geschreven door een versie van voordat records hun beleid noemden, of buiten de pipeline om verzet of weggehaald; datalek sweep --reindex zet het opnieuw',
  ],
  [
    "its due time ({}) is later than what falls due on its record under the policy this verify loaded ({}, policy {}), which the sweep set every due time under at {}, but it says it was set under policy {}: the sweep, which finds an incident by its due time, would not remind or page it until then. Written since by a command that loaded another policy than the pipeline's (--policy, DATALEK_POLICY), or moved or taken off behind the pipeline; datalek sweep --reindex sets it again",
    'het vervalmoment ({}) ligt later dan wat op het record vervalt volgens het beleid dat deze controle laadde ({}, beleid {}), waaronder de sweep op {} alle vervalmomenten zette, maar het zegt gezet te zijn onder beleid {}: de sweep, die een incident op zijn vervalmoment vindt, zou het tot dan niet herinneren of oproepen. Sindsdien geschreven door een opdracht die een ander beleid laadde dan dat van de pipeline (--policy, DATALEK_POLICY), of buiten de pipeline om verzet of weggehaald; datalek sweep --reindex zet het opnieuw',
  ],
  [
    "its due time ({}) is later than what falls due on its record under the policy ({}), and the record was stored before records named the policy their due time was set under: the sweep, which finds an incident by its due time, would not remind or page it until then. If the policy changed since it was stored (a reminder added, a clock switched on), this verify loaded another policy than the pipeline's (--policy, DATALEK_POLICY) or the record was stored before the code owed it, that is no tampering: the sweep sets it again under the policy in force; named still after a sweep under the pipeline's policy, it was moved or taken off behind the pipeline",
    'het vervalmoment ({}) ligt later dan wat volgens het beleid op het record vervalt ({}), en het record werd opgeslagen voordat records het beleid noemden waaronder hun vervalmoment werd gezet: de sweep, die een incident op zijn vervalmoment vindt, zou het tot dan niet herinneren of oproepen. Is het beleid gewijzigd sinds het werd opgeslagen (een herinnering erbij, een termijn aangezet), laadde deze controle een ander beleid dan dat van de pipeline (--policy, DATALEK_POLICY) of werd het record opgeslagen voordat de code het verschuldigd was, dan is dat geen manipulatie: de sweep zet het opnieuw onder het beleid dat geldt; wordt het na een sweep onder het beleid van de pipeline nog genoemd, dan is het buiten de pipeline om verzet of weggehaald',
  ],
  [
    'its last AP reminder is marked due at {}, later than the last its timeline records queued ({}): the sweep sends no AP reminder until then. It was changed behind the pipeline',
    'de laatste AP-herinnering staat als vervallen op {}, later dan de laatste die de tijdlijn als verstuurd vastlegt ({}): de sweep stuurt tot dan geen AP-herinnering. Het is buiten de pipeline om gewijzigd',
  ],
  [
    "its escalation's start ({}) is not the time its timeline records on-call was first paged ({}): the pages after the opening one run from it. It was changed behind the pipeline",
    'het begin van de escalatie ({}) is niet het moment waarop de tijdlijn on-call voor het eerst oproept ({}): de oproepen na de eerste lopen ervan uit. Het is buiten de pipeline om gewijzigd',
  ],
  [
    'its last page is marked due at {}, later than the last its timeline records queued or held ({}): the sweep pages nobody until then. It was changed behind the pipeline',
    'de laatste oproep staat als vervallen op {}, later dan de laatste die de tijdlijn als verstuurd of aangehouden vastlegt ({}): de sweep roept tot dan niemand op. Het is buiten de pipeline om gewijzigd',
  ],
  [
    'its first activity {} is not the one its timeline gives {} (entry {}): the begin of the breach was moved behind the pipeline, with no entry saying so; the AP draft, the register and the notice read it',
    'het begin van de activiteit {} is niet dat wat de tijdlijn geeft {} (regel {}): het begin van de inbreuk is buiten de pipeline om verzet, zonder regel die dat zegt; het concept voor de AP, het register en de kennisgeving lezen het',
  ],
  [
    'its AP deadline {} is not its awareness {} plus the {} hours it counts: the deadline was moved behind the pipeline',
    'de AP-termijn {} is niet het moment van bewustwording {} plus de {} uur die het telt: de termijn is buiten de pipeline om verzet',
  ],
  // The operational fields (core/audit-ops-fields.ts, tl28b).
  [
    'it holds no retention hold, but its timeline gives one (entry {}): it was taken off behind the pipeline, and minimise would remove the findings the FG held',
    'het bevat geen besluit tot langer bewaren, maar de tijdlijn geeft er een (regel {}): het is buiten de pipeline om weggenomen, en minimaliseren zou de bevindingen verwijderen die de FG liet bewaren',
  ],
  [
    'it holds a retention hold, but its timeline gives none: it was placed behind the pipeline, with no entry saying who held the findings or why',
    'het bevat een besluit tot langer bewaren, maar de tijdlijn geeft er geen: het is buiten de pipeline om geplaatst, zonder regel die zegt wie de bevindingen liet bewaren of waarom',
  ],
  [
    'its retention hold ({}) is not the one its timeline gives (entry {}): it was changed behind the pipeline, with no entry saying who held the findings or why',
    'het besluit tot langer bewaren ({}) is niet dat wat de tijdlijn geeft (regel {}): het is buiten de pipeline om gewijzigd, zonder regel die zegt wie de bevindingen liet bewaren of waarom',
  ],
  [
    'its {} ({}) is not the time its timeline gives ({}): it was set behind the pipeline, with no acknowledging entry, which stops a page repeated until a person takes it',
    'het veld {} ({}) is niet het tijdstip dat de tijdlijn geeft ({}): het is buiten de pipeline om gezet, zonder regel van een bevestiging, wat een herhaalde oproep stopt die doorgaat tot iemand haar aanneemt',
  ],
  [
    "its containment lease runs until {}, longer than any containment run holds one ({} minutes from {}): no run wrote it, it was set behind the pipeline; every containment of the incident, a person's included, would wait for it",
    'de inperkingsclaim loopt tot {}, langer dan een inperkingsrun er ooit een houdt ({} minuten vanaf {}): geen run schreef haar, ze is buiten de pipeline om gezet; elke inperking van het incident, ook die van een persoon, zou erop wachten',
  ],
  // What the sweep and the pipeline remember having told (core/audit-reminders.ts, tl29).
  [
    'its {} reminders are marked announced up to {}, later than the last its timeline records queued ({}): the sweep sends none of them until then. It was changed behind the pipeline',
    'de herinneringen van {} staan als verstuurd tot {}, later dan de laatste die de tijdlijn als verstuurd vastlegt ({}): de sweep stuurt er tot dan geen. Het is buiten de pipeline om gewijzigd',
  ],
  [
    "its holder's failure of a left action ({}) is marked told at {}, but no entry of its timeline tells one then: the sweep tells that failure to nobody, the resource left open. It was changed behind the pipeline",
    'het mislukken bij de houder van een overgelaten maatregel ({}) staat als gemeld op {}, maar geen regel van de tijdlijn meldt er toen een: de sweep meldt dat mislukken aan niemand, en de resource blijft open. Het is buiten de pipeline om gewijzigd',
  ],
  [
    "its last check of the holders of actions left to other incidents is marked at {}, later than {} (this verify's clock, {} minutes' skew allowed): no sweep made it, it was set behind the pipeline; a holder closed without containing what was left to it is not found until long after",
    'de laatste controle van de houders van aan andere incidenten overgelaten maatregelen staat op {}, later dan {} (de klok van deze controle, {} minuten afwijking toegestaan): geen sweep deed haar, ze is buiten de pipeline om gezet; een houder die gesloten werd zonder in te perken wat hem was overgelaten, wordt pas lang daarna gevonden',
  ],
  [
    'its announcement {} is marked made, but no message {} was queued: the pipeline reads it as told and tells nobody of it. It was changed behind the pipeline',
    'de melding {} staat als gedaan, maar er is geen bericht {} klaargezet: de pipeline leest haar als gemeld en meldt het aan niemand. Het is buiten de pipeline om gewijzigd',
  ],
  [
    'its message {} was queued (entry {}), but the record no longer marks it announced: it was taken off behind the pipeline, and the pipeline would announce it again',
    'het bericht {} is klaargezet (regel {}), maar het record markeert die melding niet meer als gedaan: de markering is buiten de pipeline om weggehaald, en de pipeline zou haar opnieuw melden',
  ],
  [
    'its timeline claimed resources the record no longer holds ({}: {}): taken off behind the pipeline, with no entry giving them back; a finding on them opens a second incident beside this one',
    'de tijdlijn claimde resources die het record niet meer houdt ({}: {}): buiten de pipeline om weggehaald, zonder regel die ze teruggeeft; een bevinding daarop opent een tweede incident naast dit',
  ],
  [
    'it holds resources its timeline never claimed ({}: {}): added behind the pipeline, with no entry claiming them; findings on them are captured by this incident',
    'het houdt resources die de tijdlijn nooit claimde ({}: {}): buiten de pipeline om toegevoegd, zonder regel die ze claimt; bevindingen daarop worden door dit incident ingepikt',
  ],
  // The law's fields and who decided (core/audit-law-fields.ts, tl28a).
  [
    'its awareness {} holds no AP deadline or no hours it counts (deadline {}, hours {}): they were taken off behind the pipeline, which leaves the AP deadline held to nothing',
    'het moment van bewustwording {} heeft geen AP-termijn of geen aantal uren waarmee die telt (termijn {}, uren {}): die zijn buiten de pipeline om weggenomen, waardoor de AP-termijn nergens meer aan vastligt',
  ],
  [
    'its AP deadline counts {} hours, but its opening (entry {}) counted {}: the hours were changed behind the pipeline, which moves the AP deadline and its reminders',
    'de AP-termijn telt {} uur, maar de opening (regel {}) telde er {}: de uren zijn buiten de pipeline om gewijzigd, wat de AP-termijn en de herinneringen verschuift',
  ],
  [
    'it reads no sample finding, but its opening (entry {}) says it is one: it was changed behind the pipeline',
    'het staat niet als voorbeeldbevinding, maar de opening (regel {}) zegt dat het er een is: het is buiten de pipeline om gewijzigd',
  ],
  [
    'it reads a sample finding, but its opening (entry {}) says it is none: it was made test data behind the pipeline, which runs no AP clock and no reminders',
    'het staat als voorbeeldbevinding, maar de opening (regel {}) zegt dat het er geen is: het is buiten de pipeline om tot testgegevens gemaakt, waardoor er geen AP-klok en geen herinneringen lopen',
  ],
  [
    'its acknowledgement ({} at {}) is not the first its timeline records ({} at {}, entry {}): it was changed behind the pipeline, with no entry saying who took the incident',
    'het oppakken ({} om {}) is niet het eerste dat de tijdlijn vastlegt ({} om {}, regel {}): het is buiten de pipeline om gewijzigd, zonder regel die zegt wie het incident oppakte',
  ],
  [
    "its detection {} is not the one its timeline gives {} (entry {}): it was moved behind the pipeline, with no entry saying so; the register and the AP clock's default awareness read it",
    'de detectie {} is niet die de tijdlijn geeft {} (regel {}): die is buiten de pipeline om verzet, zonder regel die dat zegt; het register en de standaard bewustwording van de AP-klok lezen haar',
  ],
  [
    'its timeline records {} changes made with a stated clock that its record does not list: they were taken off behind the pipeline, and the register and show read the times they stated as entered then',
    'de tijdlijn legt {} wijzigingen met een opgegeven klok vast die het record niet noemt: die zijn buiten de pipeline om weggenomen, en het register en show lezen de opgegeven tijden als toen ingevoerd',
  ],
  [
    'its role {} is not the one its timeline gives {}: it was changed behind the pipeline, with no entry saying who decided it or why; the AP clock and the register read it',
    'de rol {} is niet die de tijdlijn geeft {}: die is buiten de pipeline om gewijzigd, zonder regel die zegt wie besloot of waarom; de AP-klok en het register lezen haar',
  ],
  [
    "its policy's role, a processor's hours and the clocks in force when its clock began ({}) are not those its timeline gives: they were changed behind the pipeline; the AP, NIS2 and telecom clocks read them",
    'de rol volgens het beleid, de uren van een verwerker en de termijnen die golden toen de klok begon ({}) zijn niet die de tijdlijn geeft: ze zijn buiten de pipeline om gewijzigd; de AP-, NIS2- en telecomtermijnen lezen ze',
  ],
  [
    "its decisions ({}) are not those its timeline records ({}): they were changed behind the pipeline, and the register's decision history reads them (Art. 33(5))",
    'de besluiten ({}) zijn niet die de tijdlijn vastlegt ({}): ze zijn buiten de pipeline om gewijzigd, en de besluitgeschiedenis in het register leest ze (AVG art. 33(5))',
  ],
  [
    'its decision {} ({}) is not the one its timeline records ({}, entry {}): it was changed behind the pipeline, with no entry saying who decided it or why',
    'besluit {} ({}) is niet dat wat de tijdlijn vastlegt ({}, regel {}): het is buiten de pipeline om gewijzigd, zonder regel die zegt wie besloot of waarom',
  ],
  [
    "its assessment differs from its last 'assessed' entry (entry {}) in {}: it was changed behind the pipeline, and the register reads who assessed it, when and why",
    "de beoordeling wijkt af van haar laatste regel 'beoordeeld' (regel {}) in {}: die is buiten de pipeline om gewijzigd, en het register leest wie beoordeelde, wanneer en waarom",
  ],
  [
    'its decision on informing the {} differs from its last decision entry (entry {}) in {}: it was changed behind the pipeline, and the register and the notice read it',
    'het besluit over het informeren van de {} wijkt af van de laatste regel van dat besluit (regel {}) in {}: het is buiten de pipeline om gewijzigd, en het register en de kennisgeving lezen het',
  ],
  [
    'it is closed, but its timeline records no closing: it was closed behind the pipeline, which ends its reminders and pages',
    'het is gesloten, maar de tijdlijn legt geen sluiting vast: het is buiten de pipeline om gesloten, wat de herinneringen en oproepen ervan beëindigt',
  ],
  [
    'it is acknowledged, but its timeline records no acknowledgement: it was acknowledged behind the pipeline, which ends its escalation',
    'het is opgepakt, maar de tijdlijn legt geen oppakken vast: het is buiten de pipeline om als opgepakt vastgelegd, wat de escalatie ervan beëindigt',
  ],
  [
    'its report {} ({}) is not one its timeline records: it was added or changed behind the pipeline, and the register and the AP clock read it as made',
    'melding {} ({}) staat niet zo in de tijdlijn: die is buiten de pipeline om toegevoegd of gewijzigd, en het register en de AP-klok lezen haar als gedaan',
  ],
  [
    'its timeline records {} reports, the record holds {}: a report was taken out behind the pipeline',
    'de tijdlijn legt {} meldingen vast, het record bevat er {}: een melding is buiten de pipeline om weggenomen',
  ],
  [
    'its decision on informing the {} ({}) is not the one its timeline gives ({}): it was changed behind the pipeline, with no entry saying who decided it or why',
    'het besluit over het informeren van de {} ({}) is niet dat wat de tijdlijn geeft ({}): het is buiten de pipeline om gewijzigd, zonder regel die zegt wie besloot of waarom',
  ],
  [
    'its assessment ({}) is not the one its timeline gives ({}): it was changed behind the pipeline, with no entry saying who assessed it or why',
    'de beoordeling ({}) is niet die de tijdlijn geeft ({}): die is buiten de pipeline om gewijzigd, zonder regel die zegt wie beoordeelde of waarom',
  ],
  [
    "its report {} ({}) differs from its 'reported' entry in {}: it was changed behind the pipeline, and the register and the AP draft read it so",
    "melding {} ({}) wijkt in {} af van haar regel 'gemeld' in de tijdlijn: die is buiten de pipeline om gewijzigd, en het register en het AP-concept lezen haar zo",
  ],
  [
    'it is reported, but its timeline records no initial report to the AP in force: it was marked reported behind the pipeline, which status, the register and the reminders read as notified',
    'het staat als gemeld, maar de tijdlijn legt geen geldende eerste melding aan de AP vast: het is buiten de pipeline om als gemeld gemarkeerd, wat status, het register en de herinneringen als gemeld lezen',
  ],
  [
    'it holds no assessment, but its timeline gives one ({}): it was taken out behind the pipeline, and the AP clock and the reminders read the incident as never assessed',
    'het bevat geen beoordeling, maar de tijdlijn geeft er een ({}): die is buiten de pipeline om weggenomen, en de AP-klok en de herinneringen lezen het incident als nooit beoordeeld',
  ],
  [
    'it holds no facts, but its timeline gives them: they were taken out behind the pipeline',
    'het bevat geen feiten, maar de tijdlijn geeft ze: ze zijn buiten de pipeline om weggenomen',
  ],
  ['its facts are not an object: the record was changed behind the pipeline', 'de feiten zijn geen object: het record is buiten de pipeline om gewijzigd'],
  [
    "its facts ({}) are not those its timeline gives: they were changed behind the pipeline, with no entry saying who recorded them; the AP draft and the register read them as the FG's",
    'de feiten ({}) zijn niet die de tijdlijn geeft: ze zijn buiten de pipeline om gewijzigd, zonder regel die zegt wie ze vastlegde; het AP-concept en het register lezen ze als die van de FG',
  ],
  [
    "its facts ({}) are made up: its timeline gives none, and no entry says who recorded them; the AP draft and the register read them as the FG's",
    'de feiten ({}) zijn verzonnen: de tijdlijn geeft er geen, en geen regel zegt wie ze vastlegde; het AP-concept en het register lezen ze als die van de FG',
  ],
  [
    'its containment action {} is not an object: the record was changed behind the pipeline',
    'inperkingsactie {} is geen object: het record is buiten de pipeline om gewijzigd',
  ],
  [
    'its containment action {} ({}) reads {}, but its timeline records no such action: it was added behind the pipeline',
    "inperkingsactie {} ({}) staat op {}, maar de tijdlijn legt zo'n actie niet vast: die is buiten de pipeline om toegevoegd",
  ],
  [
    'its containment action {} ({}) reads {}, but its timeline gives {} (entry {}): its status was changed behind the pipeline, with no entry saying who carried it out or decided it; the register and the AP draft read it so',
    'inperkingsactie {} ({}) staat op {}, maar de tijdlijn geeft {} (regel {}): de status is buiten de pipeline om gewijzigd, zonder regel die zegt wie haar uitvoerde of besloot; het register en het AP-concept lezen haar zo',
  ],
  [
    'its timeline gives containment action {} (entry {}), but the record holds no such action: it was taken off behind the pipeline, so nothing carries it out and no failure of it is told, with no entry saying who decided it',
    "de tijdlijn geeft inperkingsactie {} (regel {}), maar het record bevat zo'n actie niet: die is buiten de pipeline om weggenomen, zodat niets haar uitvoert en geen mislukking ervan wordt gemeld, zonder regel die zegt wie dat besloot",
  ],
  // Findings.
  ['is missing: the finding record was deleted', 'ontbreekt: de bevinding is verwijderd'],
  [
    'does not match what the ledger recorded: the finding (evidence) was edited',
    'komt niet overeen met wat het grootboek vastlegde: de bevinding (bewijs) is gewijzigd',
  ],
  ['is not valid JSON: the finding record is damaged', 'is geen geldige JSON: de bevinding is beschadigd'],
  ['is not in the ledger: the finding record was inserted behind the pipeline', 'staat niet in het grootboek: de bevinding is buiten de pipeline om ingevoegd'],
  [
    "is an older version than the one incident {}'s ledger wrote last (at {}): the finding record was rolled back",
    'is een oudere versie dan die het grootboek van incident {} het laatst schreef (op {}): de bevinding is teruggezet',
  ],
  // Findings minimised after the retention period (core/minimise.ts).
  [
    'minimises the finding {}, but not the record this ledger wrote before ({}): a minimisation the pipeline did not write',
    'minimaliseert de bevinding {}, maar niet het record dat dit grootboek ervoor schreef ({}): een minimalisatie die de pipeline niet schreef',
  ],
  [
    "says it is minimised, but it still holds personal data at {}: left by an earlier release's minimise, which did not look there, unless put back since (then the ledger differs from what the digests anchored: verify --digests); datalek minimise {} --by NAME minimises it again",
    'zegt dat het geminimaliseerd is, maar bevat nog persoonsgegevens op {}: achtergelaten door minimise van een eerdere versie, die daar niet zocht, tenzij ze er sindsdien zijn teruggezet (dan wijkt het grootboek af van wat de digests vastlegden: verify --digests); datalek minimise {} --by NAAM minimaliseert het opnieuw',
  ],
  [
    "says it is minimised, but the incident's action {} still holds the infected object's key (not shown here): datalek minimise {} --by NAME removes it",
    'zegt dat het geminimaliseerd is, maar actie {} van het incident bevat nog de naam van het besmette object (hier niet getoond): datalek minimise {} --by NAAM verwijdert die',
  ],
  [
    "says it is minimised, but the incident's action {} still holds an IAM user's name or principal (not shown here): datalek minimise {} --by NAME removes it",
    'zegt dat het geminimaliseerd is, maar actie {} van het incident bevat nog de naam van een IAM-gebruiker of principal (hier niet getoond): datalek minimise {} --by NAAM verwijdert die',
  ],
  // Messages.
  ['is missing: the queued message was deleted', 'ontbreekt: het klaargezette bericht is verwijderd'],
  ['does not match what the ledger recorded: the message was edited', 'komt niet overeen met wat het grootboek vastlegde: het bericht is gewijzigd'],
  [
    'is marked sent ({}) but the ledger records no sending: marking a page sent silences it',
    'staat als verzonden ({}) maar het grootboek legt geen verzending vast: een oproep als verzonden markeren legt hem het zwijgen op',
  ],
  ['was sent at {} but is marked not sent', 'is verzonden op {} maar staat als niet verzonden'],
  ['was sent at {} but is marked sent at {}', 'is verzonden op {} maar staat als verzonden op {}'],
  ['is not in the ledger: the message was inserted behind the pipeline', 'staat niet in het grootboek: het bericht is buiten de pipeline om ingevoegd'],
  [
    'is not sent, and not where the senders look for messages to send: it would never be sent',
    'is niet verzonden, en staat niet waar de verzenders te verzenden berichten zoeken: het zou nooit worden verzonden',
  ],
  [
    'is marked sent, yet still among the messages to send: an index entry the pipeline did not write',
    'staat als verzonden, maar nog tussen de te verzenden berichten: een indexregel die de pipeline niet schreef',
  ],
  [
    'is among the messages the senders send (index partition {}), but it is no message: an index entry the pipeline did not write',
    'staat tussen de berichten die de verzenders verzenden (indexpartitie {}), maar is geen bericht: een indexregel die de pipeline niet schreef',
  ],
  [
    'is among the incidents the sweep reads when due (index partition {}), but it is no incident record: an index entry the pipeline did not write',
    'staat tussen de incidenten die de sweep leest als er iets openstaat (indexpartitie {}), maar is geen incidentrecord: een indexregel die de pipeline niet schreef',
  ],
  [
    'is among the incidents status and the register list (index partition {}), but it is no incident record: an index entry the pipeline did not write',
    'staat tussen de incidenten die status en het register tonen (indexpartitie {}), maar is geen incidentrecord: een indexregel die de pipeline niet schreef',
  ],
  [
    "is claimed until {}, beyond any sender's lease ({} minutes): nobody may send it until then, which silences it",
    'is geclaimd tot {}, langer dan de lease van welke verzender ook ({} minuten): niemand mag het tot dan verzenden, en zo zwijgt het',
  ],
  // Claims on resources.
  [
    `${HOLDER} the store holds no such incident record: ${NOT_WRITTEN}; findings on this resource cannot be recorded`,
    `${HOLDER_NL} de opslag heeft zo'n incidentrecord niet: ${NOT_WRITTEN_NL}; bevindingen op deze resource kunnen niet worden vastgelegd`,
  ],
  [`${HOLDER} its record cannot be read: the claim cannot be checked`, `${HOLDER_NL} het record is niet te lezen: de claim is niet te controleren`],
  [
    `${HOLDER} it is closed and a closed incident holds nothing: ${NOT_WRITTEN}; findings on this resource cannot open an incident`,
    `${HOLDER_NL} het is gesloten en een gesloten incident houdt niets vast: ${NOT_WRITTEN_NL}; bevindingen op deze resource kunnen geen incident openen`,
  ],
  [
    `${HOLDER} its record does not list it: ${NOT_WRITTEN}; findings on this resource are captured by this incident or refused`,
    `${HOLDER_NL} het record noemt haar niet: ${NOT_WRITTEN_NL}; bevindingen op deze resource komen bij dit incident terecht of worden geweigerd`,
  ],
  [
    'the policy the sweep last set every due time under cannot be read ({}): it was changed behind the pipeline; due times are judged under the policy loaded, and the next sweep writes it anew',
    'het beleid waaronder de sweep voor het laatst elke vervaltijd zette is niet te lezen ({}): het is buiten de pipeline om gewijzigd; vervaltijden worden beoordeeld onder het geladen beleid, en de volgende sweep schrijft het opnieuw',
  ],
  [
    "the record lists this resource, as the records of other open incidents do ({}): open incidents {} hold it, where one holds a resource (an index or claim changed behind the pipeline let a finding on it open another); findings on it go to any of them, the breach's record split",
    'het record noemt deze resource, net als de records van andere open incidenten ({}): open incidenten {} houden haar vast, waar één incident een resource houdt (een index of claim die buiten de pipeline om is gewijzigd liet een bevinding erop een tweede openen); bevindingen erop gaan naar elk van hen, het dossier van het datalek raakt gesplitst',
  ],
  [
    'the record lists this resource, but no claim holds it: the claim was removed; a finding on it would open a second incident beside this one',
    'het record noemt deze resource, maar geen claim houdt haar vast: de claim is verwijderd; een bevinding erop zou een tweede incident naast dit openen',
  ],
  [
    'the record lists this resource, but the claim names incident {}: findings on it go there',
    'het record noemt deze resource, maar de claim noemt incident {}: bevindingen erop gaan daarheen',
  ],
  // The ledger.
  [
    'the incident has no ledger: it was not written by the pipeline, or its ledger was deleted',
    'het incident heeft geen grootboek: het is niet door de pipeline geschreven, of het grootboek is verwijderd',
  ],
  [
    'expected ledger entry {} here, found {}: ledger entries were removed or inserted',
    'hier werd grootboekregel {} verwacht, gevonden {}: er zijn grootboekregels verwijderd of ingevoegd',
  ],
  [
    'does not chain to the entry before it: an entry before it was removed, inserted or changed',
    'sluit niet aan op de regel ervoor: een regel ervoor is verwijderd, ingevoegd of gewijzigd',
  ],
  ['its content does not match its hash: the ledger entry was edited', 'de inhoud komt niet overeen met de hash: de grootboekregel is gewijzigd'],
  ['is not valid JSON: the ledger entry is damaged', 'is geen geldige JSON: de grootboekregel is beschadigd'],
  ['names another incident or position: the ledger entry was moved', 'noemt een ander incident of een andere plaats: de grootboekregel is verplaatst'],
  // The timeline.
  [
    'expected entry {} here, found entry {}: an entry was removed, inserted or reordered',
    'hier werd regel {} verwacht, gevonden regel {}: een regel is verwijderd, ingevoegd of van volgorde veranderd',
  ],
  ['its detail is not valid JSON: the entry is damaged', 'het detail is geen geldige JSON: de regel is beschadigd'],
  // A release as of an IAM user deleted (core/audit-released-as-deleted.ts, rel28).
  [
    'its containment action {} ({}) reads released as its IAM user deleted, but its timeline gives no such release: it was changed behind the pipeline, and drift no longer reads what a user renamed may still hold',
    "inperkingsactie {} ({}) staat als opgeheven omdat de IAM-gebruiker verwijderd is, maar de tijdlijn geeft zo'n opheffing niet: dit is buiten de pipeline om gewijzigd, en drift leest niet meer wat een hernoemde gebruiker nog kan hebben",
  ],
  ['its content does not match its hash: the entry was edited', 'de inhoud komt niet overeen met de hash: de regel is gewijzigd'],
  [
    'the ledger records {} entries but the timeline ends at {}: entries were removed from the end',
    'het grootboek legt {} regels vast maar de tijdlijn eindigt bij {}: er zijn regels aan het eind verwijderd',
  ],
  ['the ledger records {} entries: this one was inserted after them', 'het grootboek legt {} regels vast: deze is daarna ingevoegd'],
  ['is not the entry the ledger recorded: the timeline was rewritten', 'is niet de regel die het grootboek vastlegde: de tijdlijn is herschreven'],
  [
    "is not the entry ledger entry {} recorded as the timeline's head: the timeline was rewritten",
    'is niet de regel die grootboekregel {} als kop van de tijdlijn vastlegde: de tijdlijn is herschreven',
  ],
  [
    'records timeline entry {} with another hash than ledger entry {} did: the timeline was rewritten',
    'legt tijdlijnregel {} vast met een andere hash dan grootboekregel {}: de tijdlijn is herschreven',
  ],
  [
    'declares message {} queued again (ledger entry {} queued it): a message is queued once; declared anew, the message was rewritten',
    'legt bericht {} opnieuw vast als klaargezet (grootboekregel {} deed dat al): een bericht wordt één keer klaargezet; opnieuw vastgelegd is het bericht herschreven',
  ],
  [
    'declares message {} sent again (ledger entry {} did): a message is sent once; declared anew, its sending was rewritten',
    'legt bericht {} opnieuw vast als verzonden (grootboekregel {} deed dat al): een bericht wordt één keer verzonden; opnieuw vastgelegd is de verzending herschreven',
  ],
  [
    "its ledger head names entry {} with another hash than that entry's: it was altered, and every commit on this incident is refused (or chains to nothing) until it is put right",
    'de grootboekkop ervan noemt regel {} met een andere hash dan die van die regel: die is gewijzigd, en elke wijziging van dit incident wordt geweigerd (of sluit nergens op aan) tot dat is hersteld',
  ],
  [
    'its ledger head names entry {}, but the ledger ends at entry {}: it was altered, and every commit on this incident is refused (or chains to nothing) until it is put right',
    'de grootboekkop ervan noemt regel {}, maar het grootboek eindigt bij regel {}: die is gewijzigd, en elke wijziging van dit incident wordt geweigerd (of sluit nergens op aan) tot dat is hersteld',
  ],
  [
    'its recordHash is not the hash ledger entry {} recorded for the record: it was altered; a commit checks the record it writes over by it',
    'de recordHash ervan is niet de hash die grootboekregel {} voor het record vastlegde: die is gewijzigd; een wijziging toetst het record dat ze overschrijft daaraan',
  ],
  [
    "is not sent {} minutes after it was queued, and is claimed until {}: either its delivery keeps failing, a sender trying it now (the sweep's errors say why), or its claim is renewed behind the pipeline: no sender holds a message longer than a lease ({} minutes) at a time; claimed again and again, it is never sent",
    'is {} minuten nadat het werd klaargezet nog niet verzonden, en is geclaimd tot {}: óf de bezorging ervan mislukt steeds, en een verzender probeert het nu (de fouten van de sweep zeggen waarom), óf de claim wordt buiten de pipeline om vernieuwd: geen verzender houdt een bericht langer vast dan één lease ({} minuten); steeds opnieuw geclaimd wordt het nooit verzonden',
  ],
  [
    'wrote over a record of finding {} that is not the one the ledger recorded: the finding (evidence) was edited behind the pipeline before this commit, which carried the edit on',
    'schreef over een record van bevinding {} dat niet het record is dat het grootboek vastlegde: de bevinding (bewijs) is buiten de pipeline om gewijzigd vóór deze wijziging, die de wijziging overnam',
  ],
  [
    "wrote over a record of finding {} that is not the one incident {}'s ledger recorded last: the finding (evidence) was edited behind the pipeline before this commit, which carried the edit on",
    'schreef over een record van bevinding {} dat niet het record is dat het grootboek van incident {} het laatst vastlegde: de bevinding (bewijs) is buiten de pipeline om gewijzigd vóór deze wijziging, die de wijziging overnam',
  ],
  [
    'its recordHash is not the hash the ledger recorded for the record: it was altered; a commit checks the record it writes over by it',
    'de recordHash ervan is niet de hash die het grootboek voor het record vastlegde: die is gewijzigd; een wijziging toetst het record dat ze overschrijft daaraan',
  ],
  [
    'wrote over an incident record that is not the one ledger entry {} recorded: the record was edited behind the pipeline before this commit, which carried the edit on',
    'schreef over een incidentrecord dat niet het record is dat grootboekregel {} vastlegde: het record is buiten de pipeline om gewijzigd vóór deze wijziging, die de wijziging overnam',
  ],
  // The registry of incident ids.
  [
    'expected registry entry {} here: entries of the registry were removed or inserted',
    'hier werd regel {} van het incidentregister verwacht: er zijn regels van het register verwijderd of ingevoegd',
  ],
  [
    'the registry entry was edited, or one before it removed or changed',
    'de regel van het incidentregister is gewijzigd, of een regel ervoor is verwijderd of gewijzigd',
  ],
  [
    'the registry names this incident twice: it was deleted and opened again under the same id (its finding arrived again); what it recorded before is gone',
    'het incidentregister noemt dit incident twee keer: het is verwijderd en onder hetzelfde nummer opnieuw geopend (de bevinding kwam opnieuw binnen); wat het eerder vastlegde is weg',
  ],
  [
    'the registry names this incident but the store does not hold it: the incident was deleted',
    'het incidentregister noemt dit incident maar de opslag bevat het niet: het incident is verwijderd',
  ],
  ['no registry names this incident: it was inserted behind the pipeline', 'geen incidentregister noemt dit incident: het is buiten de pipeline om ingevoegd'],
  // The digests the store says it wrote (review7 K8).
  [
    'is the digest {} the store says it wrote last (hash {}), and it is not in {}: deleted, or the wrong location',
    'is de digest {} die de opslag als laatste schreef (hash {}), en die staat niet in {}: verwijderd, of de verkeerde plaats',
  ],
  ['is not the digest {} the store says it wrote (hash {}): it was replaced', 'is niet de digest {} die de opslag schreef (hash {}): die is vervangen'],
  // The pseudonym secret (core/pseudonym-audit.ts, fgpseud17).
  [
    'the pseudonym secret the store keeps ({}) is not 32 bytes in base64: edited or damaged; no pseudonym can be checked or made with it, and every finding naming such a principal fails to be recorded. Restore it from a backup of the store',
    'de pseudoniemsleutel van de opslag ({}) is geen 32 bytes in base64: gewijzigd of beschadigd; geen pseudoniem kan ermee worden gecontroleerd of gemaakt, en elke bevinding die zo iemand noemt wordt niet vastgelegd. Zet hem terug uit een back-up van de opslag',
  ],
  [
    'names a principal by a keyed pseudonym, but the store keeps no pseudonym secret ({}): deleted or lost; the next finding naming such a principal makes a new secret and opens a second incident beside this one instead of joining it. Restore the secret from a backup of the store before the next finding',
    'noemt een persoon (principal) met een pseudoniem met sleutel, maar de opslag heeft geen pseudoniemsleutel ({}): verwijderd of kwijt; de volgende bevinding over zo iemand maakt een nieuwe sleutel en opent een tweede incident naast dit in plaats van zich erbij te voegen. Zet de sleutel terug uit een back-up van de opslag vóór de volgende bevinding',
  ],
  [
    "names the principal of this finding by a pseudonym not made with the store's pseudonym secret ({}): the secret was replaced (lost and made again, or taken from another store); the principal's next finding opens a second incident beside this one instead of joining it. Restore the secret this incident was recorded with from a backup of the store",
    'noemt de persoon (principal) van deze bevinding met een pseudoniem dat niet met de pseudoniemsleutel van de opslag is gemaakt ({}): de sleutel is vervangen (kwijt en opnieuw gemaakt, of uit een andere opslag); de volgende bevinding over deze persoon opent een tweede incident naast dit in plaats van zich erbij te voegen. Zet de sleutel waarmee dit incident is vastgelegd terug uit een back-up van de opslag',
  ],
];

interface Compiled {
  pattern: RegExp;
  nl: string;
}

/** `{}` holds a value: matched as any text, put back unchanged where the Dutch has its `{}`. */
function compile(templates: Template[]): Compiled[] {
  return templates.map(([en, nl]) => ({
    pattern: new RegExp(
      `^${en
        .split('{}')
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('(.+?)')}$`,
    ),
    nl,
  }));
}

const entries = compile(ENTRIES);
const problems = compile(PROBLEMS);

/** The Dutch of one English text, or null when no template matches it. */
function translate(text: string, compiled: Compiled[]): string | null {
  for (const { pattern, nl } of compiled) {
    const m = pattern.exec(text);
    if (!m) continue;
    let i = 1;
    return nl.replace(/\{\}/g, () => m[i++] ?? '');
  }
  return null;
}

/** One problem as the Dutch verify page names it: as `describeProblem` does, in Dutch. */
export function describeProblemNl(p: AuditProblem): string {
  const entry = translate(p.entry, entries) ?? p.entry;
  const problem = translate(p.problem, problems) ?? `${p.problem} (Engelse tekst van datalek verify)`;
  return `incident ${p.incidentId}, ${entry}: ${problem}`;
}

/** The English templates, for the test that holds every problem the audit writes to a Dutch text. */
export const VERIFY_TEMPLATES = { entries: ENTRIES.map(([en]) => en), problems: PROBLEMS.map(([en]) => en) };
