/**
 * Who made a call, as a watch page says it (fgsec17 Sd). Not the caller's ARN: a session's ARN ends
 * in its session name, which for a person signed in through IAM Identity Center is their e-mail
 * address, and an IAM user's ARN is their user name; each page goes to e-mail and the pager's
 * provider. The identity's type and the role its session came from (an Identity Center permission
 * set's role, a function's role) tell on-call what kind of caller it was; the CloudTrail event id,
 * which every page gives, finds the person in CloudTrail. An IAM user, root or an AWS service has no
 * role there: the page says so and leaves the name to CloudTrail. A `FederatedUser` session's issuer
 * is the IAM user that made it (its ARN, so its name), and an input transformer has no condition to
 * leave it out for that type alone: datalek's SCP denies `sts:GetFederationToken` in the pipeline
 * account (deploy19, pipeline-scp.ts); a member account's such calls still name the user (README,
 * Personal data).
 */
import * as events from 'aws-cdk-lib/aws-events';

/** The paths a page reads for its caller: the identity's type and its session's role (empty where there is none). */
export const CALLER_PATHS = ['$.detail.userIdentity.type', '$.detail.userIdentity.sessionContext.sessionIssuer.arn'] as const;

/** The caller and the CloudTrail event id, for a page's text: `a caller of type <type> (role: <arn>; …), CloudTrail event <id>`. */
export function pageCaller(): string {
  const [type, role] = CALLER_PATHS.map((path) => events.EventField.fromPath(path));
  return `a caller of type ${type} (role: ${role}; none for an IAMUser or Root caller, whose name this message leaves out), CloudTrail event ${events.EventField.fromPath('$.detail.eventID')}`;
}
