/**
 * Every CLI command as `datalek --help`, the flag parser and the checks made before anything is
 * opened know it, in the order `--help` lists them; what each does is in its own file, loaded with
 * a dynamic import only when it runs, so that the build (scripts/build.mjs) puts it in a chunk of
 * its own and `--help`, a bad flag or `status` load none of the others (test/unit/cli-build.test.ts).
 * A new command is one file and one entry here.
 *
 * Nothing here may import a command's implementation, the use cases or the store: only what a
 * check needs. Flags made from a use case's fields are written out here; the file exports them as
 * `fieldFlags`, and test/unit/cli-commands.test.ts holds the two the same.
 */
import type { Command } from '../context.js';
import { UsageError } from '../errors.js';
import { afterDays, DEFAULT_PORT, port } from './flag-values.js';

export const COMMANDS: Command[] = [
  {
    name: 'replay',
    section: 'main',
    usage: `  datalek replay [PATH...] [--policy FILE] [--enforce]
                                             record events (files or folders; default events/);
                                             --enforce (only with --target aws) carries out containment`,
    flags: { enforce: { type: 'boolean' } },
    positionals: 'many',
    check(flags, target) {
      // Local replay never enforces: the embedded store has no resources to touch.
      if (flags.enforce && target !== 'aws') throw new UsageError('--enforce only with --target aws: local replay never touches a resource');
    },
    load: async () => (await import('./replay.js')).replay,
  },
  {
    name: 'status',
    section: 'main',
    usage:
      '  datalek status                             open incidents (and closed ones with a duty reopened), most urgent first (by an internal AP target where the policy sets one)',
    flags: {},
    positionals: 'none',
    load: async () => (await import('./status.js')).status,
  },
  {
    name: 'show',
    section: 'main',
    usage: `  datalek show ID                            one incident and its timeline; with --target aws, also
                                             its containment read back from AWS against the record`,
    flags: {},
    positionals: 'one',
    load: async () => (await import('./show.js')).show,
  },
  {
    name: 'ack',
    section: 'main',
    usage: '  datalek ack ID [--by NAME] [--note TEXT]   on-call takes the incident (stops the escalation, not the AP clock)',
    flags: { by: { type: 'string' }, note: { type: 'string' } },
    positionals: 'one',
    load: async () => (await import('./ack.js')).ack,
  },
  {
    name: 'sweep',
    section: 'main',
    usage: `  datalek sweep [--reindex]                  send the reminders and escalation pages that are due;
                                             --reindex first writes again every incident (closed ones
                                             too) whose stored due time misses what is due now (a record
                                             stored before the code knew a reminder it owes): run once
                                             after an upgrade, on each store (--target aws too)`,
    flags: { reindex: { type: 'boolean' } },
    positionals: 'none',
    load: async () => (await import('./sweep.js')).runSweep,
  },
  {
    name: 'release',
    section: 'main',
    usage: `  datalek release ID --by NAME --reason TEXT [--reactivate-key] [--user-deleted] [--undo-for ID,…]
                                             undo containment from what was recorded (--target aws);
                                             --user-deleted: you know its IAM user was deleted (CloudTrail
                                             DeleteUser): where IAM does not find it now, what went with it
                                             is recorded released as deleted (a renamed user keeps it);
                                             --undo-for names each other incident holding the same
                                             resource contained (open, or closed and never released),
                                             whose record then says so`,
    flags: {
      by: { type: 'string' },
      reason: { type: 'string' },
      'reactivate-key': { type: 'boolean' },
      'user-deleted': { type: 'boolean' },
      'undo-for': { type: 'string' },
    },
    positionals: 'one',
    // --by is checked here (the web page acts as its signed-in person); the rest by the use case's fields.
    check(flags) {
      if (!flags.by || !flags.reason) throw new UsageError('release needs --by NAME and --reason TEXT');
    },
    load: async () => (await import('./release.js')).release,
  },
  {
    name: 'contain',
    section: 'main',
    usage: `  datalek contain ID --by NAME --reason TEXT [--enforce]
                                             carry out the incident's containment again from the record
                                             (--target aws): failed steps again, done steps never;
                                             --enforce also what the policy only planned`,
    flags: { by: { type: 'string' }, reason: { type: 'string' }, enforce: { type: 'boolean' } },
    positionals: 'one',
    check(flags, target) {
      if (!flags.by || !flags.reason) throw new UsageError('contain needs --by NAME and --reason TEXT');
      if (target !== 'aws') throw new UsageError('contain only with --target aws: the embedded store has no resources to touch');
    },
    load: async () => (await import('./contain.js')).contain,
  },
  {
    name: 'contained',
    section: 'fg',
    usage: `  datalek contained ID --action ID --what TEXT [--at ISO] [--by NAME] [--owner-key AKIA…[,AKIA…]]
                   [--interface ENI=SG[+SG…][,…]] [--key AKIA…[,AKIA…]]
                   (a planned containment action carried out by hand, e.g. a person's step or one the policy only
                    plans: it is then done, by hand; nothing automatic carries it out again, and a release leaves
                    it to a person, since datalek holds nothing to undo it by; --action as show lists its id;
                    --owner-key: a key action that failed naming another key of its user (OtherKeyActive), that key
                    confirmed as the owner's: show / verify --target aws read it as the owner's, confirmed by you;
                    on a key action datalek carried out: another key of its user verify named, the action left done;
                    checked first: with --target aws against the user's keys (one made after the key's sessions were
                    revoked, within 12 hours), locally only against the record, which seldom names it: else refused;
                    --interface: on an instance isolation failed TasksNeverRead, each interface the search found and
                    you isolated by hand, with its own groups: read first with --target aws (in the isolation group
                    only, else refused), then recorded as the isolation's: verify reads it, a release restores it;
                    --key: on deactivate-user-keys, each long-term key you deactivated: read Inactive first with
                    --target aws (else refused; the embedded store takes them as given and says so), then kept:
                    verify --target aws reads each back)`,
    flags: {
      action: { type: 'string' },
      what: { type: 'string' },
      at: { type: 'string' },
      'owner-key': { type: 'string' },
      interface: { type: 'string' },
      key: { type: 'string' },
      by: { type: 'string' },
    },
    positionals: 'one',
    load: async () => (await import('./contained.js')).contained,
  },
  {
    name: 'not-done',
    section: 'fg',
    usage: `  datalek not-done ID --action ID --reason TEXT [--by NAME]
                   (a planned containment step that will not be carried out: the resource was replaced, another
                    measure covers the risk; it is then neither planned nor done, and the AP draft and the register
                    give the reason; refused for a step the contain function is still to carry out, or a failed one)
  datalek not-done ID --action ID --withdraw --reason TEXT [--by NAME]
                   (takes the decision back: the step is planned again, and when a finding's rule enforces it, it is
                    carried out at once with --target aws, as the contain function would; the embedded store only
                    plans. The register and the AP draft keep both decisions)`,
    flags: { action: { type: 'string' }, reason: { type: 'string' }, by: { type: 'string' }, withdraw: { type: 'boolean' } },
    positionals: 'one',
    load: async () => (await import('./not-done.js')).notDone,
  },
  {
    name: 'messages',
    section: 'main',
    usage: '  datalek messages ID                        the FG and on-call messages of an incident, in full',
    flags: {},
    positionals: 'one',
    load: async () => (await import('./messages.js')).messages,
  },
  {
    name: 'verify',
    section: 'main',
    usage: `  datalek verify [ID] [--digests DIR|s3://BUCKET/PREFIX] [--key FILE]
                                             check the record against its ledger; with --digests, also
                                             that the store still holds what every digest anchored;
                                             with --target aws, also that the containment each record
                                             holds is still in effect on AWS (exit 1 when not, 3 when
                                             it could not be read)`,
    flags: { digests: { type: 'string' }, key: { type: 'string' } },
    positionals: 'optional-one',
    load: async () => (await import('./verify.js')).verify,
  },
  {
    name: 'anchor',
    section: 'main',
    usage: `  datalek anchor [--digests DIR|s3://BUCKET/PREFIX] [--key FILE] [--release ID|--release-shard N --by NAME --why TEXT]
                                             write a signed digest of the store's root outside the store;
                                             --release: give up the heads pinned for an incident put back
                                             from a copy, --release-shard: for a registry shard (signed,
                                             named by verify --digests)`,
    flags: {
      digests: { type: 'string' },
      key: { type: 'string' },
      release: { type: 'string' },
      'release-shard': { type: 'string' },
      by: { type: 'string' },
      why: { type: 'string' },
    },
    positionals: 'none',
    load: async () => (await import('./anchor.js')).anchor,
  },
  {
    name: 'drill',
    section: 'main',
    usage: `  datalek drill --from STORE [--store DIR]  a marked copy of STORE to practise on (in DIR, by default a new
                                             folder beside STORE): any --now goes, every message is marked [DRILL]`,
    flags: { from: { type: 'string' } },
    positionals: 'none',
    check(flags, target) {
      if (target !== 'local') throw new UsageError('drill copies the embedded store; practise AWS against an emulator (see README, On AWS)');
      if (typeof flags.from !== 'string' || !flags.from)
        throw new UsageError('drill needs --from STORE (the store to copy); --store DIR says where the copy goes');
    },
    load: async () => (await import('./drill.js')).drill,
  },
  {
    name: 'repair-indexes',
    section: 'main',
    usage: `  datalek repair-indexes --by NAME           rebuild the embedded store's indexes that SQLite's integrity
                                             check names, and make anew one whose definition is not the
                                             pipeline's (verify says when): no sqlite3 needed; recorded in
                                             the store with who and when; exit 1 when the check still finds
                                             something, 2 when SQLite refuses a rebuild (nothing rebuilt)`,
    flags: { by: { type: 'string' } },
    positionals: 'none',
    check(flags, target) {
      if (target !== 'local') throw new UsageError('repair-indexes rebuilds the embedded store (--target local): DynamoDB keeps its own indexes');
      if (typeof flags.by !== 'string' || !flags.by.trim())
        throw new UsageError('repair-indexes needs --by NAME: who rebuilt the indexes is kept in the store');
    },
    load: async () => (await import('./repair-indexes.js')).repairIndexes,
  },
  {
    name: 'adopt',
    section: 'main',
    usage: `  datalek adopt --by NAME                   enter a store written before the ledger into a ledger, vouching
                                             in NAME's name for every record as it is now (check it first)`,
    flags: { by: { type: 'string' } },
    positionals: 'none',
    check(flags, target) {
      if (target !== 'local') throw new UsageError('adopt is for the embedded store: the AWS store has had its ledger from the start');
      if (typeof flags.by !== 'string' || !flags.by.trim()) throw new UsageError('adopt needs --by NAME: the person who vouches for what the store holds now');
    },
    load: async () => (await import('./adopt.js')).adopt,
  },
  {
    name: 'serve',
    section: 'main',
    usage: `  datalek serve [--port N] [--by NAME] [--host ADDR]
                                             the web page for the FG and on-call, on a loopback address of its own (default port ${DEFAULT_PORT});
                                             prints the one URL that opens it (it holds a session token)`,
    flags: { port: { type: 'string' }, host: { type: 'string' }, by: { type: 'string' } },
    positionals: 'none',
    check(flags, target) {
      port(flags.port);
      if (flags.host !== undefined && !/^[\w.:-]+$/.test(String(flags.host)))
        throw new UsageError(`--host must be an IP address or a name, got ${JSON.stringify(flags.host)}`);
      if (target === 'aws' && flags.by !== undefined)
        throw new UsageError('--by cannot be used with --target aws: you act as the AWS identity whose credentials you use');
    },
    load: async () => (await import('./serve.js')).serve,
  },
  {
    name: 'setup',
    section: 'main',
    usage: '  datalek setup --target aws                 create the tables, topics and bus (for an emulator)',
    flags: {},
    positionals: 'none',
    check(_flags, target) {
      if (target !== 'aws') throw new UsageError('setup is for --target aws (the embedded store sets itself up)');
    },
    load: async () => (await import('./setup.js')).setup,
  },
  {
    name: 'coverage',
    section: 'main',
    usage: '  datalek coverage [--policy FILE]           what the policy does with each GuardDuty finding family (Markdown)',
    flags: {},
    positionals: 'none',
    load: async () => (await import('./coverage.js')).coverage,
  },
  {
    name: 'open',
    section: 'fg',
    usage: `  datalek open --what TEXT --aware-at ISO [--finding FILE [--aware-reason TEXT]] [--by NAME] [--new-store]
                   (a breach no GuardDuty finding opened: a letter to the wrong person, a lost laptop; or one a
                    finding the policy ignored shows, --finding FILE being its event as EventBridge delivered it;
                    the AP deadline runs from --aware-at, which needs --aware-reason more than 24 hours after the
                    finding; then assess, facts, … as for any incident; no containment; the FG is told;
                    --new-store: the store is made when there is none, the first breach an organisation records)`,
    flags: {
      what: { type: 'string' },
      'aware-at': { type: 'string' },
      finding: { type: 'string' },
      'aware-reason': { type: 'string' },
      by: { type: 'string' },
      'new-store': { type: 'boolean' },
    },
    positionals: 'none',
    load: async () => (await import('./open.js')).open,
  },
  {
    name: 'assess',
    section: 'fg',
    usage: `  datalek assess ID [--personal-data yes|no|unknown --risk none|risk|high] --reason TEXT [--by NAME]
                   [--aware-at ISO --aware-reason TEXT [--delay-reason TEXT] [--confirm-stated-time]]
                   [--confirm-special-categories --special-reason TEXT]
                   (--personal-data yes --risk none beside special categories or the BSN that the facts do not
                    record as unintelligible: the FG confirms it with its own reason; the register marks it)
                   [--acting-as controller|processor] [--confirm-stated-time]
                   (--confirm-stated-time: for an --aware-at before GuardDuty's detection (a customer's call: the record
                    marks it, and the clocks run from it); after the AP deadline had passed, for a move of awareness
                    that moves it later, or for "processor" or "not notifiable", which make the notification not needed)
                   [--nis2-significant yes|no] [--nis2-aware-at ISO] [--nis2-intermediate-due ISO]
                   (--nis2-aware-at: when the entity became aware of the significant incident, with --reason; the NIS2
                    deadlines run from it (default the detection); never after the significance decision nor after an
                    NIS2 report; before GuardDuty's detection with --confirm-stated-time; --aware-at never moves it)
                   [--seen TOKEN | --finding-types TYPE,…]
                   (with --personal-data/--risk: the finding types you were shown, as the token datalek show ID
                    prints, or named; refused when a finding of another type came since; an incident with one
                    finding type needs neither, one with more needs one of them)
                   [--after-close]
                   (on a closed incident only --personal-data and --risk, with --reason and --after-close, which says
                    the change is meant for that closed incident: the incident stays closed; with an assessment
                    that makes it notifiable also --aware-at, when the organisation became aware of that;
                    --nis2-significant yes (with --nis2-aware-at) when you learn after closing that it was significant:
                    its NIS2 early warning and notification then run, overdue when their deadlines passed;
                    --nis2-significant no to take back such a "yes" given after closing; --nis2-intermediate-due
                    when the CSIRT or authority asks a significant incident's intermediate report)`,
    flags: {
      'personal-data': { type: 'string' },
      risk: { type: 'string' },
      reason: { type: 'string' },
      'aware-at': { type: 'string' },
      'aware-reason': { type: 'string' },
      'confirm-stated-time': { type: 'boolean' },
      'delay-reason': { type: 'string' },
      'confirm-special-categories': { type: 'boolean' },
      'special-reason': { type: 'string' },
      'acting-as': { type: 'string' },
      'nis2-significant': { type: 'string' },
      'nis2-aware-at': { type: 'string' },
      'nis2-intermediate-due': { type: 'string' },
      'after-close': { type: 'boolean' },
      seen: { type: 'string' },
      'finding-types': { type: 'string' },
      by: { type: 'string' },
    },
    positionals: 'one',
    load: async () => (await import('./assess.js')).assess,
  },
  {
    name: 'facts',
    section: 'fg',
    usage: `  datalek facts ID [--summary TEXT] [--cause TEXT] [--type hacking-malware-phishing|device-lost-or-stolen|paper-lost-or-stolen|mail-lost-or-opened|sent-to-wrong-recipient|published-unintentionally|not-deleted|disclosed-verbally|other]
                   [--nature confidentiality,integrity,availability] [--started-at ISO [--started-reason TEXT]] [--ended-at ISO]
                   [--categories A,B] [--special A,B|none] [--subject-groups A,B] [--subjects MIN-MAX] [--records N]
                   [--consequences TEXT [--for confidentiality|integrity|availability --harm physical,material,immaterial
                    --harm-severity low|medium|high|very-high]]
                   [--measures-taken TEXT] [--measures-proposed TEXT] [--unintelligible yes|no|partly]
                   [--other-party NAME|none --role processor|controller|joint] [--cross-border yes|no]
                   [--lead-authority TEXT] [--other-authorities TEXT] [--complete [--unknown-reason TEXT]] [--reason TEXT] [--by NAME]
                   [--confirm-stated-time]
                   (--complete is refused while a required fact is missing, unless --unknown-reason says why
                    the facts still missing cannot be given; on a closed incident a corrected fact needs --reason;
                    --confirm-stated-time: a --started-at before GuardDuty's detection, which also needs --started-reason;
                    an --ended-at before it, after the begin (or the awareness) recorded before it;
                    a corrected --ended-at that moves an overdue NIS2 final report deadline later)`,
    flags: {
      summary: { type: 'string' },
      cause: { type: 'string' },
      type: { type: 'string' },
      nature: { type: 'string' },
      'started-at': { type: 'string' },
      'started-reason': { type: 'string' },
      'ended-at': { type: 'string' },
      categories: { type: 'string' },
      special: { type: 'string' },
      records: { type: 'string' },
      'subject-groups': { type: 'string' },
      subjects: { type: 'string' },
      consequences: { type: 'string' },
      for: { type: 'string' },
      harm: { type: 'string' },
      'harm-severity': { type: 'string' },
      'measures-taken': { type: 'string' },
      'measures-proposed': { type: 'string' },
      measures: { type: 'string' },
      unintelligible: { type: 'string' },
      'other-party': { type: 'string' },
      role: { type: 'string' },
      'cross-border': { type: 'string' },
      'lead-authority': { type: 'string' },
      'other-authorities': { type: 'string' },
      complete: { type: 'boolean' },
      'unknown-reason': { type: 'string' },
      'confirm-stated-time': { type: 'boolean' },
      reason: { type: 'string' },
      by: { type: 'string' },
    },
    positionals: 'one',
    load: async () => (await import('./facts.js')).facts,
  },
  {
    name: 'draft',
    section: 'fg',
    usage: '  datalek draft ID [--lang nl|en] [--format md|json]       the AP notification draft, missing facts first',
    flags: { lang: { type: 'string' }, format: { type: 'string' } },
    positionals: 'one',
    load: async () => (await import('./draft.js')).runDraft,
  },
  {
    name: 'notice',
    section: 'fg',
    usage: '  datalek notice ID [--lang nl|en] [--format md|json]      the Art. 34(2) notice to send; missing facts, warnings on stderr',
    flags: { lang: { type: 'string' }, format: { type: 'string' } },
    positionals: 'one',
    load: async () => (await import('./notice.js')).runNotice,
  },
  {
    name: 'reported',
    section: 'fg',
    usage: `  datalek reported ID --reference NUMBER [--at ISO [--confirm-stated-time]] [--delay-reason TEXT]
                   [--kind initial|follow-up|correction|withdrawal [--reason TEXT]] [--recipient ap|csirt|authority|controller] [--by NAME]
                   (a withdrawal needs --reason and an assessment of not notifiable; on a closed incident
                    a follow-up, correction or withdrawal to the AP is recorded with --reason, and the initial
                    report too (to the AP, or a processor's to its controller) when an assessment after closing
                    said notifiable)
                   (csirt, authority: --kind early-warning|notification|intermediate|progress|final)
                   (--at before GuardDuty's detection only after an awareness recorded before it, the NIS2 awareness for
                    csirt and authority, and with --confirm-stated-time: the record marks it so)`,
    flags: {
      reference: { type: 'string' },
      at: { type: 'string' },
      'delay-reason': { type: 'string' },
      'confirm-stated-time': { type: 'boolean' },
      recipient: { type: 'string' },
      kind: { type: 'string' },
      reason: { type: 'string' },
      'other-reference': { type: 'boolean' },
      by: { type: 'string' },
    },
    positionals: 'one',
    load: async () => (await import('./reported.js')).reported,
  },
  {
    name: 'subjects',
    section: 'fg',
    usage: `  datalek subjects ID --decision inform|exception|not-required --reason TEXT [--date ISO] [--channel TEXT] [--text TEXT]
                   [--exception encrypted|measures-taken|disproportionate-effort] [--audience data-subjects|subscribers]
                   [--other-nature-reason TEXT]   (with --exception encrypted when the facts name availability or
                    integrity besides confidentiality: why that part is no longer a high risk)
                   [--by NAME]   (Art. 34; subscribers: Telecommunicatiewet)
                   [--confirm-stated-time]   (a --date before GuardDuty's detection, after an awareness recorded before
                    it: the record marks it so)
                   (--decision inform needs --date, --channel and --text, what was sent, e.g. --text "$(datalek notice ID)";
                    one longer than the record keeps is kept there as its beginning, length and SHA-256, and whole
                    on the timeline)
                   [--after-close]   (on a closed incident, e.g. a communication the AP required (Art. 34(4)), with
                    --after-close, which says it is meant for that closed incident; the incident stays closed)`,
    flags: {
      audience: { type: 'string' },
      decision: { type: 'string' },
      reason: { type: 'string' },
      exception: { type: 'string' },
      date: { type: 'string' },
      channel: { type: 'string' },
      text: { type: 'string' },
      'ap-reference': { type: 'string' },
      'ap-agreed-at': { type: 'string' },
      'other-nature-reason': { type: 'string' },
      'confirm-stated-time': { type: 'boolean' },
      'after-close': { type: 'boolean' },
      by: { type: 'string' },
    },
    positionals: 'one',
    load: async () => (await import('./subjects.js')).subjects,
  },
  {
    name: 'close',
    section: 'fg',
    usage: `  datalek close ID --reason TEXT [--overdue-reason TEXT] [--containment-reason TEXT] [--reports-pending-reason TEXT] [--follow-up-reason TEXT] [--by NAME]
                   (--containment-reason: what was done by hand about enforced containment that failed or was
                    never carried out, or why it is left; closing is refused without it while there is such)
                   (--reports-pending-reason: why it is closed before a Telecommunicatiewet or NIS2 report whose
                    clock still runs; closing is refused without it, and the clock keeps running after closing)
                   (--follow-up-reason: why it is closed while the AP holds only the first phase of the notification,
                    made with the facts incomplete (Art. 33(4)); closing is refused without it, or the follow-up)
  datalek close ID --after-close --follow-up-reason TEXT [--by NAME]
                   (a closed incident whose AP notification, made after closing with the facts incomplete, still
                    owes the AP its follow-up (Art. 33(4)): why none follows; kept with who and when, in the register)`,
    flags: {
      reason: { type: 'string' },
      'overdue-reason': { type: 'string' },
      'containment-reason': { type: 'string' },
      'reports-pending-reason': { type: 'string' },
      'follow-up-reason': { type: 'string' },
      by: { type: 'string' },
      'after-close': { type: 'boolean' },
    },
    positionals: 'one',
    load: async () => (await import('./close.js')).close,
  },
  {
    name: 'register',
    section: 'fg',
    usage: '  datalek register [--format csv|json|md] [--from ISO] [--to ISO]',
    flags: { format: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
    positionals: 'none',
    load: async () => (await import('./register.js')).runRegister,
  },
  {
    name: 'report',
    section: 'fg',
    usage: '  datalek report ID --html FILE [--lang nl|en] [--force]   (--force replaces an existing FILE)',
    flags: { html: { type: 'string' }, lang: { type: 'string' }, force: { type: 'boolean' } },
    positionals: 'one',
    load: async () => (await import('./report.js')).runReport,
  },
  {
    name: 'minimise',
    section: 'fg',
    usage: `  datalek minimise [ID] --by NAME [--after-days N]
                   remove the personal data (IP addresses, user names, principal and access key ids,
                   user agents, domain names) from the stored findings of incidents closed more than
                   the policy's retention.findingDetailDays (default 180) ago, or N days; the register,
                   timeline and ledger are kept, and verify accepts what it removed. Never an open incident,
                   nor one with something recorded after closing within the period, nor one held.
  datalek minimise ID --hold --reason TEXT --by NAME | ID --release-hold --reason TEXT --by NAME
                   keep an incident's findings past the period (a legal hold, a claim under way), until released (and why)`,
    flags: {
      by: { type: 'string' },
      'after-days': { type: 'string' },
      hold: { type: 'boolean' },
      'release-hold': { type: 'boolean' },
      reason: { type: 'string' },
    },
    positionals: 'optional-one',
    // `check` is handed the flags and the target, not the positionals: the incident id is checked in `hold` (review10 K3).
    check(flags) {
      if (typeof flags.by !== 'string' || !flags.by.trim())
        throw new UsageError('minimise needs --by NAME: the person who decides the data is no longer needed');
      afterDays(flags['after-days'], 0);
      if (flags.hold && flags['release-hold']) throw new UsageError('give --hold or --release-hold, not both');
      if (flags.hold && (typeof flags.reason !== 'string' || !flags.reason.trim()))
        throw new UsageError('--hold needs --reason TEXT: why the findings are kept past the retention period (the register keeps it)');
      // Ending a hold lets the next run remove what it kept: a decision like placing it, with its own reason (fg20).
      if (flags['release-hold'] && (typeof flags.reason !== 'string' || !flags.reason.trim()))
        throw new UsageError('--release-hold needs --reason TEXT: why the findings kept for the hold may go now (the timeline keeps it)');
      if (flags.reason !== undefined && !flags.hold && !flags['release-hold']) throw new UsageError('--reason goes with --hold or --release-hold');
    },
    load: async () => (await import('./minimise.js')).minimise,
  },
];
