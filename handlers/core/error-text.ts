/**
 * What of a provider's error message may go into the record, the FG and on-call messages and the
 * logs. AWS's messages name the principal they are about: "The user with name jan.jansen cannot
 * be found.", "… on resource: arn:aws:iam::111122223333:user/jan.jansen", an assumed role's
 * session name (often the person's e-mail address). Containment keeps IAM user names out of
 * targets and details (personal data), so a failed step keeps the error code and this text: the
 * message with user names, the user and session parts of ARNs and e-mail-like strings replaced by
 * a mark saying what was left out. The raw message is kept nowhere.
 */

const USER_NAME = '[user name left out]';
const SESSION_NAME = '[session name left out]';
const EMAIL = '[e-mail address left out]';

/** IAM's name characters (`[\w+=,.@-]`), with a path before them. */
const NAME = String.raw`[\w+=,.@/-]+`;

const PATTERNS: [RegExp, string][] = [
  // ARNs: a user's or federated user's name, an assumed role's session (the role is kept).
  [new RegExp(String.raw`(arn:[\w-]+:(?:iam|sts)::\d*:(?:user|federated-user)/)${NAME}`, 'g'), `$1${USER_NAME}`],
  [new RegExp(String.raw`(arn:[\w-]+:sts::\d*:assumed-role/[\w+=,.@-]+/)${NAME}`, 'g'), `$1${SESSION_NAME}`],
  // Prose: "user with name X", "user name X", "UserName: X", "resource: user X", "User: X".
  // (Not inside a mark: the text may pass through here twice.)
  [new RegExp(String.raw`(?<!\[)\b((?:user|group) with name|user ?name[:=]?|resource: user|User:)\s+(?!arn:)${NAME}`, 'gi'), `$1 ${USER_NAME}`],
  [/[^\s@'"()<>[\]]+@[^\s@'"()<>[\]]+\.[A-Za-z]{2,}/g, EMAIL],
];

/**
 * The message with personal identifiers replaced by marks naming what was left out; `known`
 * values (the user name of the action, when the caller has it) are replaced wherever they appear.
 */
export function redactErrorMessage(message: string, known: readonly (string | undefined)[] = []): string {
  let text = message;
  for (const value of known) {
    if (value && value.length >= 2) text = text.split(value).join(USER_NAME);
  }
  for (const [pattern, replacement] of PATTERNS) text = text.replace(pattern, replacement);
  return text;
}
