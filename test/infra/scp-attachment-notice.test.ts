/**
 * fgsec17 Se: synth wrote two to four SCP documents and said so only when more than one, without the
 * limit: an account takes five SCPs attached directly, and a document that fails to attach leaves its
 * Denies unenforced. Synth now always prints the count beside the file names, with the limit and what
 * to do when over. Failed before: `scpAttachmentNotice` did not exist.
 */
import { describe, expect, it } from 'vitest';
import { deploymentScpFileName, SCPS_PER_TARGET, scpAttachmentNotice } from '../../infra/pipeline-scp.js';

describe("synth's word on the SCP documents (fgsec17 Se)", () => {
  it('names every document, their count, the five-SCP limit and the OU to use when over', () => {
    const notice = scpAttachmentNotice(2, 'cdk.out');
    expect(notice).toContain(`2 SCP documents here (${deploymentScpFileName(0)}, ${deploymentScpFileName(1)} in cdk.out)`);
    expect(SCPS_PER_TARGET).toBe(5);
    expect(notice).toContain('an account takes 5 attached directly');
    expect(notice).toContain('list-policies-for-target');
    expect(notice).toContain('an OU holding only the pipeline account');
    expect(scpAttachmentNotice(1, 'cdk.out')).toContain(`1 SCP document here (${deploymentScpFileName(0)} in cdk.out)`);
  });
});
