import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planContainment } from '../../handlers/core/containment.js';
import { parseEvent } from '../../handlers/core/finding.js';
import { RUNBOOKS } from '../../handlers/core/messages.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { headingSlug } from '../../handlers/web/markdown.js';
import { accessKeyResource, bucketResource, findingEvent } from '../support/events.js';

const ROOT = join(import.meta.dirname, '../..');

describe('runbooks', () => {
  it('exist for every runbook a message names', () => {
    for (const runbook of [...Object.values(RUNBOOKS), 'runbooks/triage.md', 'runbooks/fg-assessment.md', 'runbooks/release.md']) {
      // A runbook may be named with the section to read (`file.md#heading`): the file, and a heading of that slug in it.
      const [file, section] = runbook.split('#');
      expect(existsSync(join(ROOT, file)), runbook).toBe(true);
      if (section === undefined) continue;
      const slugs = readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .filter((line) => /^#{1,6} /.test(line))
        .map((line) => headingSlug(line.replace(/^#+ /, '')));
      expect(slugs, runbook).toContain(section);
    }
  });

  it('exist for every containment the default policy can plan', () => {
    const examples = [
      findingEvent({ type: 'Backdoor:EC2/C&CActivity.B' }),
      findingEvent({ type: 'CredentialAccess:IAMUser/AnomalousBehavior', resource: accessKeyResource('AKIA1') }),
      findingEvent({ type: 'CredentialAccess:IAMUser/AnomalousBehavior', resource: accessKeyResource('ASIA1', 'AssumedRole', 'r') }),
      findingEvent({ type: 'CredentialAccess:IAMUser/AnomalousBehavior', resource: accessKeyResource('ASIA2', 'Root', 'Root') }),
      findingEvent({ type: 'Policy:S3/BucketAnonymousAccessGranted', resource: bucketResource('b') }),
    ];
    const types = new Set<string>();
    for (const event of examples) {
      const parsed = parseEvent(event);
      if (parsed.kind !== 'finding') throw new Error('example is not a finding');
      for (const a of planContainment(parsed.finding, DEFAULT_POLICY, [], { canEnforce: false, now: '2026-11-28T00:00:00Z' })) types.add(a.type);
    }
    expect(types.size).toBe(5);
    for (const type of types) expect(RUNBOOKS[type], type).toBeDefined();
  });

  it("revoke-user-sessions' Undo says removing the deny lets sessions not yet expired work again, not that they stay revoked", () => {
    const undo = readFileSync(join(ROOT, 'runbooks/revoke-user-sessions.md'), 'utf8').split('## Undo')[1].split('\n## ')[0];
    expect(undo).not.toMatch(/stay revoked/);
    expect(undo).toMatch(/not yet expired works again/);
  });
});
