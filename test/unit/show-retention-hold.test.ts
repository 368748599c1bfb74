/**
 * small11 item 1: a retention hold (`datalek minimise ID --hold`) was on the page, in the register
 * and in the report, but `datalek show ID --json` and the text `show` left it out: a script or the FG
 * reading the record there saw findings past the retention period with no reason for keeping them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { showObject, showText, statusObject } from '../../handlers/cli/views.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { holdFindings, releaseHold } from '../../handlers/core/retention-hold.js';
import { formatLocal } from '../../handlers/core/time.js';
import { personalEvent } from '../support/personal-finding.js';
import { tempSqliteStore } from '../support/store.js';

const HELD_AT = '2026-03-01T09:00:00.000Z';
const NOW = '2026-09-01T09:00:00.000Z';
const REASON = 'claim van betrokkene bij de rechtbank';

describe('show names a retention hold', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let id: string;
  beforeEach(async () => {
    t = tempSqliteStore();
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => '2026-01-10T09:05:00.000Z', canEnforce: false };
    id = (await recordEvent(deps, personalEvent('f0000000000000000000000000000003'))).incidentId as string;
    await assess(deps, { incidentId: id, personalData: 'no', risk: 'none', reason: 'geen persoonsgegevens geraakt', by: 'FG' });
    await closeIncident(deps, { incidentId: id, reason: 'afgehandeld', by: 'FG' });
    await holdFindings({ store: t.store, policy: DEFAULT_POLICY, now: () => HELD_AT }, id, { by: 'FG Anna', reason: REASON });
  });
  afterEach(async () => t.cleanup());

  it('in --json (who, when, why) and in the text, and neither once released', async () => {
    const incident = (await t.store.getIncident(id)) as Incident;
    const timeline = await t.store.getTimeline(id);
    expect(showObject(incident, timeline, DEFAULT_POLICY, NOW).retentionHold).toEqual({ at: HELD_AT, by: 'FG Anna', reason: REASON });
    expect(showText(incident, timeline, DEFAULT_POLICY, NOW)).toContain(
      `  held           findings kept past the retention period by FG Anna since ${formatLocal(HELD_AT, DEFAULT_POLICY.timeZone)}: ${REASON}; minimise leaves them until: datalek minimise ${id} --release-hold --reason TEXT --by NAME`,
    );
    await releaseHold({ store: t.store, policy: DEFAULT_POLICY, now: () => NOW }, id, { by: 'FG Bert', reason: 'klacht afgehandeld' });
    const released = (await t.store.getIncident(id)) as Incident;
    expect('retentionHold' in statusObject(released, DEFAULT_POLICY, NOW)).toBe(false);
    expect(showText(released, [], DEFAULT_POLICY, NOW)).not.toContain('kept past the retention period');
  });
});
