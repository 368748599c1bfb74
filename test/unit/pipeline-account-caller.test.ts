/**
 * sec (session 26): containment run from the command line takes the pipeline's account from the
 * caller the backend asked STS for once per run (`backend.caller`), not from an STS call of its own
 * (contain, not-done --withdraw and replay --enforce made a second one). No network here: on main
 * `withPipelineAccount` asked STS itself.
 */
import { describe, expect, it } from 'vitest';
import { withPipelineAccount } from '../../handlers/cli/aws-caller.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';

const CALLER = 'arn:aws:sts::111122223333:assumed-role/datalek-on-call/bob';

describe("the pipeline's account from the run's caller", () => {
  it("takes the caller's account, and refuses a policy or variable naming another", async () => {
    expect((await withPipelineAccount(DEFAULT_POLICY, {}, CALLER)).containment.pipelineAccount).toBe('111122223333');
    await expect(withPipelineAccount(DEFAULT_POLICY, { DATALEK_PIPELINE_ACCOUNT: '444455556666' }, CALLER)).rejects.toThrow(
      'DATALEK_PIPELINE_ACCOUNT is 444455556666, but these credentials are of account 111122223333',
    );
  });

  it('is refused without a caller: the embedded store acts on no account', async () => {
    await expect(withPipelineAccount(DEFAULT_POLICY, {}, null)).rejects.toThrow('acts on AWS only');
  });
});
