/**
 * review15 Sa: an assumed role's session name (for an IAM Identity Center user, the person's e-mail
 * address) is the part of `principalId` after the colon. minimise removed `principalId` and the
 * role name (`userName`) wherever the finding repeats them whole, and any IPv4 address in the title
 * and description, but the session name repeated on its own in the title and description stayed:
 * the person's e-mail address was kept past the retention period while verify stayed green.
 * (review15's repro, fgsec-minimise-session-name; on the embedded store, with verify after it, and
 * the messages built at opening checked for the session name too.)
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { findingEvent } from '../support/events.js';
import { openCase } from '../support/fg-case.js';

const SESSION = 'alice.jansen@zorggroep.nl';

describe('minimise and an assumed role session named by an e-mail address', () => {
  it('leaves no copy of the session name in the minimised finding, and verify passes', async () => {
    const event = findingEvent({
      id: 'sess-1',
      createdAt: '2025-11-27T21:00:00Z',
      type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
      resource: {
        resourceType: 'AccessKey',
        accessKeyDetails: {
          accessKeyId: 'ASIAEXAMPLEEXFIL0009',
          principalId: `AROAEXAMPLEROLEID0001:${SESSION}`,
          userType: 'AssumedRole',
          userName: 'AWSReservedSSO_Developer_0123456789abcdef',
        },
      },
    });
    (event.detail as Record<string, unknown>).title = `Credentials for ${SESSION} used from 198.51.100.23`;
    (event.detail as Record<string, unknown>).description = `Session ${SESSION} of role AWSReservedSSO_Developer_0123456789abcdef was used.`;
    const c = await openCase({ events: [event] });
    const ok = async (args: string[], now: string) => {
      const r = await c.cli(args, now);
      expect(r.code, r.stderr).toBe(0);
      return r;
    };
    const rows = (table: string) => {
      const db = new Database(join(c.dir, 'store', 'datalek.sqlite'), { readonly: true });
      try {
        return JSON.stringify(db.prepare(`SELECT * FROM ${table}`).all());
      } finally {
        db.close();
      }
    };
    // The messages built from the finding (the FG's, on-call's page) leave its title, description and the session name out.
    const messages = rows('outbox');
    expect(messages).toContain(c.id);
    expect(messages).not.toContain(SESSION);
    expect(messages).not.toContain('alice.jansen');

    await ok(['assess', c.id, '--personal-data', 'no', '--risk', 'none', '--reason', 'test', '--by', 'FG'], '2025-11-28T00:00:00Z');
    await ok(['close', c.id, '--reason', 'klaar', '--by', 'FG'], '2025-11-28T00:10:00Z');
    await ok(['minimise', '--after-days', '0', '--by', 'FG'], '2025-11-28T00:20:00Z');
    const findings = rows('findings');
    expect(findings).toContain('(minimised)');
    expect(findings).not.toContain(SESSION);
    expect(findings).not.toContain('alice.jansen');
    await ok(['verify'], '2025-11-28T00:30:00Z');
  });
});
