import { BREACH_TYPES } from '../../core/incident.js';
import { factsAction } from '../../use-cases/actions.js';
import type { Command } from '../context.js';
import { flagsOf, recordAction } from './fg-common.js';

export const factsCommand: Command = {
  name: 'facts',
  section: 'fg',
  usage: `  datalek facts ID [--summary TEXT] [--cause TEXT] [--type ${BREACH_TYPES.join('|')}]
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
  flags: flagsOf(factsAction.fields),
  positionals: 'one',
  run: (ctx) =>
    recordAction(ctx, factsAction, (incident) =>
      incident.state === 'closed'
        ? 'Facts corrected after closing; the incident stays closed and the register shows the correction.'
        : `Facts recorded${incident.facts?.complete ? ' and marked complete' : ''}.`,
    ),
};
