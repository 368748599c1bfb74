/**
 * The IAM user name containment keeps out of targets and details must not come back through an
 * AWS error message (review2 S5), on moto: revoke-user-sessions for a user PutUserPolicy cannot
 * reach fails with "The user with name jan.jansen cannot be found."; the record, the timeline, the
 * FG and on-call messages, the contain function's log and its error keep the code and the message
 * with the name left out, and say so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContainmentClientFactory } from '../../handlers/adapters/aws/containment/clients.js';
import { AwsContainment } from '../../handlers/adapters/aws/containment/index.js';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { redactErrorMessage } from '../../handlers/core/error-text.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { createContainHandler } from '../../handlers/lambda/contain.js';
import { accessKeyResource, findingEvent } from '../support/events.js';
import { capturingLogger } from '../support/logs.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';

const ACCOUNT = '123456789012';
const DISABLE = parsePolicy({ containment: { rules: [{ action: 'disable-credentials', findingTypes: ['*:IAMUser/*'], mode: 'enforce' }] } });

describe('error text without personal data', () => {
  it('leaves out user names, the user and session parts of ARNs and e-mail addresses, and says so', () => {
    expect(redactErrorMessage('The user with name jan.jansen cannot be found.')).toBe('The user with name [user name left out] cannot be found.');
    expect(
      redactErrorMessage(
        'User: arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_1a2b/jan@example.nl is not authorized to perform: iam:PutUserPolicy on resource: arn:aws:iam::123456789012:user/staff/jan.jansen because no identity-based policy allows the iam:PutUserPolicy action',
      ),
    ).toBe(
      'User: arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_1a2b/[session name left out] is not authorized to perform: iam:PutUserPolicy on resource: arn:aws:iam::123456789012:user/[user name left out] because no identity-based policy allows the iam:PutUserPolicy action',
    );
    expect(redactErrorMessage('on resource: user jan.jansen')).toBe('on resource: user [user name left out]');
    expect(redactErrorMessage('mail piet@example.com failed')).toBe('mail [e-mail address left out] failed');
    expect(redactErrorMessage('key AKIAEXAMPLE for pietje not found', ['pietje'])).toBe('key AKIAEXAMPLE for [user name left out] not found');
    // Passing twice changes nothing more (the adapter and the use case both pass a failure through it).
    const once = redactErrorMessage('The user with name jan.jansen cannot be found (user name: jan.jansen).');
    expect(redactErrorMessage(once)).toBe(once);
    // Role names and resource ids are not personal: they stay.
    expect(redactErrorMessage('Role datalek-x with arn:aws:iam::123456789012:role/web not found')).toBe(
      'Role datalek-x with arn:aws:iam::123456789012:role/web not found',
    );
  });
});

describe.skipIf(!MOTO_AVAILABLE)('a failed revocation on moto', () => {
  let moto: Moto;
  let store: DynamoDbIncidentStore;

  beforeAll(async () => {
    moto = await startMoto();
    Object.assign(process.env, moto.env);
    await setupAwsResources(moto.clients);
    store = new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-incidents');
  });
  afterAll(async () => moto?.stop());

  it('keeps the user name out of the reason, the timeline, the messages, the log and the error', async () => {
    const now = () => new Date().toISOString();
    const recorded = await recordEvent(
      { store, policy: DISABLE, now, canEnforce: true },
      findingEvent({
        id: `leak-${Date.now()}`,
        accountId: ACCOUNT,
        type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller',
        resource: accessKeyResource('ASIAUSERSESSION00009', 'IAMUser', 'jan.jansen'),
      }),
    );
    const id = recorded.incidentId as string;
    const lines: string[] = [];
    const contain = createContainHandler({
      store,
      notifier: { deliver: async () => {} },
      publisher: { publish: async () => {} },
      policy: DISABLE,
      logger: capturingLogger(lines),
      now,
      containment: new AwsContainment(new ContainmentClientFactory('eu-west-1', 'datalek-containment')),
    });
    // moto has no user jan.jansen: PutUserPolicy fails with NoSuchEntity, naming the user.
    const error = await contain({ id: 'evt-leak', detail: { incidentId: id } }).catch((err: Error) => err);
    expect(error).toBeInstanceOf(Error);

    const incident = (await store.getIncident(id)) as Incident;
    const [action] = incident.actions;
    expect(action).toMatchObject({ type: 'revoke-user-sessions', status: 'failed' });
    expect(action.reason).toBe('revoke-user-sessions failed (NoSuchEntity): The user with name [user name left out] cannot be found.');
    // The name is kept where containment needs it (params), and nowhere in words.
    const words = [
      action.reason,
      ...(action.steps ?? []).map((s) => s.detail),
      JSON.stringify(await store.getTimeline(id)),
      JSON.stringify(await store.listMessages(id)),
      lines.join('\n'),
      (error as Error).message,
    ];
    expect(lines.join('\n')).toContain('NoSuchEntity');
    for (const text of words) expect(text).not.toContain('jan.jansen');
    expect(JSON.stringify(await store.listMessages(id))).toContain('[user name left out]');
  });
});
