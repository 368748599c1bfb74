/**
 * The service control policy that closes review8 F3: in the pipeline account any principal whose
 * own policy allows `lambda:InvokeFunction` on a datalek function can hand it an event it wrote (a
 * forged finding, an acknowledgement in someone's name). A function's own policy cannot deny a
 * caller of its own account, and a direct call is a CloudTrail data event no watch rule sees, so
 * the stack cannot close it: the organisation attaches this policy to the pipeline account.
 *
 * It denies invoking the response stack's functions (their names begin with the stack's: CDK sets
 * no function name, CloudFormation makes `DatalekResponse-<id>-<suffix>`) except through a function
 * URL (on-call's signed acknowledgement; the public link URL is anonymous and no SCP reaches it),
 * and except by the link function's role (it forwards to link-apply) and the break-glass role.
 * EventBridge invokes the functions as a service, which an SCP does not reach.
 *
 * `BoolIfExists` on `lambda:InvokedViaFunctionUrl`: a direct invocation carries no such key, and a
 * plain `Bool … false` never matches a missing key, so the Deny would never apply (review8 last read
 * B). Not confirmed on real AWS: try it on a test account first (README, What remains).
 *
 * `infra/scp/deny-direct-invoke.json` is this policy with SCP_PLACEHOLDERS for the account and the
 * break-glass role; test/infra/direct-invoke-scp.test.ts keeps the two equal and checks the pattern
 * against the synthesized functions and their callers.
 */
import { functionRoleName } from './constructs/response-function.js';

/** The placeholders of the shipped JSON file: replace them before attaching it. */
export const SCP_PLACEHOLDERS = { account: '<PIPELINE_ACCOUNT_ID>', breakGlassRole: '<BREAK_GLASS_ROLE_NAME>' } as const;

/** The roles that may still invoke the functions directly: the link function's (it invokes link-apply). The break-glass role is added by name. */
export const DIRECT_INVOKERS = [functionRoleName('link')];

export interface DirectInvokeScpProps {
  /** The pipeline account's id. */
  account: string;
  /** The break-glass role's name (config `breakGlassRole`). */
  breakGlassRole: string;
  /** The response stack's name (its functions' names begin with it and a dash). */
  stackName: string;
}

/** The service control policy document (IAM JSON). */
export function directInvokeScp(props: DirectInvokeScpProps): Record<string, unknown> {
  const functions = `arn:*:lambda:*:${props.account}:function:${props.stackName}-*`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DatalekFunctionsOnlyThroughTheirUrlsOrTheirOwnCallers',
        Effect: 'Deny',
        Action: ['lambda:InvokeFunction', 'lambda:InvokeAsync'],
        // A qualified name (a version or an alias) too.
        Resource: [functions, `${functions}:*`],
        Condition: {
          BoolIfExists: { 'lambda:InvokedViaFunctionUrl': 'false' },
          ArnNotLike: {
            'aws:PrincipalArn': [...DIRECT_INVOKERS, props.breakGlassRole].map((role) => `arn:*:iam::${props.account}:role/${role}`),
          },
        },
      },
    ],
  };
}
