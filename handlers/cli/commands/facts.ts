import { recordFacts } from '../../core/fg-workflow.js';
import { type Command, type Context, countFlag, listFlag, oneOf } from '../context.js';
import { UsageError } from '../errors.js';
import { fgActor, recordFg } from './fg-common.js';

export const factsCommand: Command = {
  name: 'facts',
  section: 'fg',
  usage: `  datalek facts ID [--nature confidentiality,integrity,availability] [--categories A,B] [--special A,B]
                   [--subject-groups A,B] [--subjects MIN-MAX] [--records N] [--consequences TEXT]
                   [--measures TEXT] [--unintelligible yes|no|partly] [--cross-border yes|no] [--complete] [--by NAME]`,
  flags: {
    nature: { type: 'string' },
    categories: { type: 'string' },
    special: { type: 'string' },
    'subject-groups': { type: 'string' },
    subjects: { type: 'string' },
    records: { type: 'string' },
    consequences: { type: 'string' },
    measures: { type: 'string' },
    unintelligible: { type: 'string' },
    'cross-border': { type: 'string' },
    complete: { type: 'boolean' },
    by: { type: 'string' },
  },
  positionals: 'one',
  run: runFacts,
};

async function runFacts(ctx: Context): Promise<number> {
  const f = ctx.flags;
  const nature = listFlag(f.nature);
  for (const n of nature ?? []) oneOf('nature', n, ['confidentiality', 'integrity', 'availability'] as const);
  let subjectsMin: number | undefined;
  let subjectsMax: number | undefined;
  if (f.subjects !== undefined) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(String(f.subjects));
    if (!m) throw new UsageError(`--subjects must be MIN-MAX or a number, got ${JSON.stringify(f.subjects)}`);
    subjectsMin = Number(m[1]);
    subjectsMax = Number(m[2] ?? m[1]);
  }
  const input = {
    incidentId: ctx.positionals[0],
    by: fgActor(ctx),
    nature: nature as ('confidentiality' | 'integrity' | 'availability')[] | undefined,
    categories: listFlag(f.categories),
    specialCategories: listFlag(f.special),
    subjectGroups: listFlag(f['subject-groups']),
    subjectsMin,
    subjectsMax,
    records: countFlag('records', f.records),
    consequences: f.consequences as string | undefined,
    measuresProposed: f.measures as string | undefined,
    unintelligible: f.unintelligible === undefined ? undefined : oneOf('unintelligible', f.unintelligible, ['yes', 'no', 'partly'] as const),
    crossBorder: f['cross-border'] === undefined ? undefined : oneOf('cross-border', f['cross-border'], ['yes', 'no'] as const) === 'yes',
    complete: f.complete === true ? true : undefined,
  };
  return recordFg(
    ctx,
    (deps) => recordFacts(deps, input),
    (incident) => `Facts recorded${incident.facts?.complete ? ' and marked complete' : ''}.`,
  );
}
