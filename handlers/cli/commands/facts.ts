import { recordFacts } from '../../core/fg-workflow.js';
import { BREACH_TYPES, type Harm, type Nature, type OtherParty } from '../../core/incident.js';
import { type Command, type Context, countFlag, isoFlag, listFlag, oneOf } from '../context.js';
import { UsageError } from '../errors.js';
import { fgActor, recordFg, textFlag } from './fg-common.js';

const NATURES = ['confidentiality', 'integrity', 'availability'] as const;

export const factsCommand: Command = {
  name: 'facts',
  section: 'fg',
  usage: `  datalek facts ID [--summary TEXT] [--cause TEXT] [--type ${BREACH_TYPES.join('|')}]
                   [--nature confidentiality,integrity,availability] [--ended-at ISO]
                   [--categories A,B] [--special A,B|none] [--subject-groups A,B] [--subjects MIN-MAX] [--records N]
                   [--consequences TEXT [--for confidentiality|integrity|availability --harm physical,material,immaterial
                    --harm-severity low|medium|high|very-high]]
                   [--measures-taken TEXT] [--measures-proposed TEXT] [--unintelligible yes|no|partly]
                   [--other-party NAME|none --role processor|controller|joint] [--cross-border yes|no]
                   [--lead-authority TEXT] [--other-authorities TEXT] [--complete] [--by NAME]`,
  flags: {
    summary: { type: 'string' },
    cause: { type: 'string' },
    type: { type: 'string' },
    nature: { type: 'string' },
    'ended-at': { type: 'string' },
    categories: { type: 'string' },
    special: { type: 'string' },
    'subject-groups': { type: 'string' },
    subjects: { type: 'string' },
    records: { type: 'string' },
    consequences: { type: 'string' },
    for: { type: 'string' },
    harm: { type: 'string' },
    'harm-severity': { type: 'string' },
    measures: { type: 'string' },
    'measures-taken': { type: 'string' },
    'measures-proposed': { type: 'string' },
    unintelligible: { type: 'string' },
    'other-party': { type: 'string' },
    role: { type: 'string' },
    'cross-border': { type: 'string' },
    'lead-authority': { type: 'string' },
    'other-authorities': { type: 'string' },
    complete: { type: 'boolean' },
    by: { type: 'string' },
  },
  positionals: 'one',
  run: runFacts,
};

async function runFacts(ctx: Context): Promise<number> {
  const f = ctx.flags;
  const nature = listFlag(f.nature)?.map((n) => oneOf('nature', n, NATURES));
  let subjectsMin: number | undefined;
  let subjectsMax: number | undefined;
  if (f.subjects !== undefined) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(String(f.subjects));
    if (!m) throw new UsageError(`--subjects must be MIN-MAX or a number, got ${JSON.stringify(f.subjects)}`);
    subjectsMin = Number(m[1]);
    subjectsMax = Number(m[2] ?? m[1]);
  }
  if (f.measures !== undefined && f['measures-proposed'] !== undefined) {
    throw new UsageError('--measures is the older name of --measures-proposed: give one of them');
  }
  const special = listFlag(f.special);
  const party = textFlag(f['other-party'])?.trim();
  if (f.role !== undefined && party === undefined) throw new UsageError('--role is the role of the organisation named with --other-party');
  let otherParty: OtherParty | 'none' | undefined;
  if (party !== undefined) {
    if (!party) throw new UsageError('--other-party needs the name of the organisation, or none');
    if (party === 'none' || party === 'geen') {
      if (f.role !== undefined) throw new UsageError('--other-party none takes no --role');
      otherParty = 'none';
    } else {
      otherParty = { name: party, role: oneOf('role', f.role, ['processor', 'controller', 'joint'] as const) };
    }
  }
  const input = {
    incidentId: ctx.positionals[0],
    by: fgActor(ctx),
    summary: textFlag(f.summary),
    cause: textFlag(f.cause),
    breachType: f.type === undefined ? undefined : oneOf('type', f.type, BREACH_TYPES),
    nature: nature as Nature[] | undefined,
    endedAt: isoFlag('ended-at', f['ended-at']),
    categories: listFlag(f.categories),
    // `--special none` states that there are none; until stated, the draft says "unknown".
    specialCategories: special && special.length === 1 && (special[0] === 'none' || special[0] === 'geen') ? [] : special,
    subjectGroups: listFlag(f['subject-groups']),
    subjectsMin,
    subjectsMax,
    records: countFlag('records', f.records),
    consequences: textFlag(f.consequences),
    consequencesFor: f.for === undefined ? undefined : oneOf('for', f.for, NATURES),
    harm: listFlag(f.harm)?.map((h) => oneOf('harm', h, ['physical', 'material', 'immaterial'] as const)) as Harm[] | undefined,
    harmSeverity: f['harm-severity'] === undefined ? undefined : oneOf('harm-severity', f['harm-severity'], ['low', 'medium', 'high', 'very-high'] as const),
    measuresTaken: textFlag(f['measures-taken']),
    measuresProposed: textFlag(f['measures-proposed']) ?? textFlag(f.measures),
    unintelligible: f.unintelligible === undefined ? undefined : oneOf('unintelligible', f.unintelligible, ['yes', 'no', 'partly'] as const),
    crossBorder: f['cross-border'] === undefined ? undefined : oneOf('cross-border', f['cross-border'], ['yes', 'no'] as const) === 'yes',
    leadAuthority: textFlag(f['lead-authority']),
    otherAuthorities: textFlag(f['other-authorities']),
    otherParty,
    complete: f.complete === true ? true : undefined,
  };
  return recordFg(
    ctx,
    (deps) => recordFacts(deps, input),
    (incident) => `Facts recorded${incident.facts?.complete ? ' and marked complete' : ''}.`,
  );
}
