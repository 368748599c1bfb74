/**
 * An incident's own pseudonyms (pseud21). A principal named by a name a person chose is looked up by
 * its pseudonym under the store's secret (finding-resources.ts `principalPseudonym`): the same in
 * every incident, so the principal's next finding finds its open incident. That secret lies in the
 * same store, so whoever holds the store recomputes it from a name they suspect. The store-wide
 * pseudonym therefore stays only where minimise can take it out again: the incident's record and its
 * join index (SQLite `incidents.resource_key` and `incident_keys`, DynamoDB `resourceKey` and the
 * `RES#` locks). What cannot be rewritten (the hash-chained timeline, the messages, ledgered and sent)
 * names it by the incident's own pseudonym, an HMAC of the store-wide one under a secret the incident
 * record keeps (`Incident.pseudonymKey`). Minimising the incident (core/minimise.ts `unlinkPseudonyms`)
 * names it so in its record and index too and deletes that secret: what is left in the store is a
 * name that no secret the store keeps makes again.
 */
import { createHmac } from 'node:crypto';
import type { IncidentStore } from '../ports/incident-store.js';
import type { ActionRecord, Incident } from './incident.js';
import type { Lang } from './labels.js';
import { randomText } from './random.js';

/** How many random bytes an incident's pseudonym secret is. */
const INCIDENT_KEY_BYTES = 32;

/** A new incident's pseudonym secret (`Incident.pseudonymKey`), base64. */
export function newIncidentPseudonymKey(): string {
  return randomText(INCIDENT_KEY_BYTES, 'base64');
}

/** A store-wide pseudonym (`principalPseudonym`) where it stands in a text: its kind and its 16 hex digits. */
export const STORE_WIDE_PSEUDONYMS = /\b(federated-user|role-session|iam-user):([0-9a-f]{16})(?![0-9a-f])/g;

/** An incident's own pseudonym (`ownPseudonym`) where it stands in a text. */
export const OWN_PSEUDONYM = /\b(federated-user|role-session|iam-user):~[0-9a-f]{16}(?![0-9a-f])/;

/** Whether `text` holds a store-wide pseudonym (`principalPseudonym`), one that the store's own secret makes from a name. */
export function holdsStoreWidePseudonym(text: string): boolean {
  return mayNameOne(text) && STORE_WIDE_PSEUDONYM.test(text);
}

/** `STORE_WIDE_PSEUDONYMS` without its `g` flag: a test that keeps no position between calls. */
const STORE_WIDE_PSEUDONYM = new RegExp(STORE_WIDE_PSEUDONYMS.source);

/**
 * Whether `text` holds `user:` or `session:`, as every store-wide pseudonym does (`federated-user:`,
 * `iam-user:`, `role-session:`): a search for a few characters, cheaper than the pattern.
 */
function mayNameOne(text: string): boolean {
  return text.includes('user:') || text.includes('session:');
}

/**
 * Whether some string of `value` (a key or a value) holds `user:` or `session:` (`mayNameOne`),
 * or `value` is anything but plain JSON data (or nested deeper than JSON needs): when not, its JSON
 * text holds no store-wide pseudonym either. (Both searches find their characters there only where
 * a string holds them: `:` and the letters around it are never part of an escape JSON writes, and
 * its `:` after a key follows a quote.) Testing each string where it stands costs less than
 * writing the value as JSON first, which a replay did for each of its messages (some 2.4 KB) and
 * each timeline entry it chains.
 */
function mayHoldOne(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
      return mayNameOne(value);
    case 'object': {
      if (value === null) return false;
      if (depth > MAX_DEPTH) return true;
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype || Object.hasOwn(value, 'toJSON')) return true;
        for (let i = 0; i < value.length; i++) if (mayHoldOne(value[i], depth + 1)) return true;
        return false;
      }
      const proto = Object.getPrototypeOf(value);
      if ((proto !== Object.prototype && proto !== null) || Object.hasOwn(value, 'toJSON')) return true;
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) if (mayNameOne(key) || mayHoldOne(record[key], depth + 1)) return true;
      return false;
    }
    case 'bigint':
      // JSON.stringify throws on it, as it did.
      return true;
    default:
      // Numbers, booleans and what JSON leaves out (undefined, functions, symbols).
      return false;
  }
}

/** Deeper than any record nests: a value this deep is written as JSON and searched there, as before. */
const MAX_DEPTH = 64;

/**
 * The incident's own pseudonym of the store-wide pseudonym `kind:hex`: `kind:~` and 16 hex digits of
 * an HMAC-SHA256 of it under the incident's secret. The `~` tells the two apart, so a text named
 * under it once is never named again.
 */
function ownPseudonym(secret: Buffer, kind: string, digits: string): string {
  return `${kind}:~${createHmac('sha256', secret).update(`datalek-incident-pseudonym\n${kind}:${digits}`).digest('hex').slice(0, 16)}`;
}

/** `text` with each store-wide pseudonym in it named by the incident's own under `key` (`Incident.pseudonymKey`); unchanged without a key. */
export function ownPseudonyms(key: string | undefined, text: string): string {
  if (!key) return text;
  const secret = Buffer.from(key, 'base64');
  return text.replace(STORE_WIDE_PSEUDONYMS, (_, kind: string, digits: string) => ownPseudonym(secret, kind, digits));
}

/** `value` with every string in it (keys of objects too) passed through `ownPseudonyms`; the same value without a key or a pseudonym. */
export function withOwnPseudonyms<T>(key: string | undefined, value: T): T {
  if (!key || !mayHoldOne(value, 0)) return value;
  const text = JSON.stringify(value);
  if (text === undefined || !holdsStoreWidePseudonym(text)) return value;
  // A pseudonym holds no character JSON escapes, so it is named in the JSON text as in the strings.
  return JSON.parse(ownPseudonyms(key, text)) as T;
}

/**
 * An AWS access key id in a text: `AKIA` (a long-term key, an IAM user's) or `ASIA` (temporary
 * credentials, STS), and 16 more capitals and digits.
 */
const ACCESS_KEY_IDS = /\b(AKIA|ASIA)[A-Z0-9]{16}\b/g;

/**
 * `text` with each access key id in it named by the kind of credential and the incident's own
 * pseudonym of it under `key`: `long-term-key:~` or `temporary-key:~` and 16 hex digits of an
 * HMAC-SHA256 (withheld without a key). For what leaves the organisation (the AP draft's sections,
 * the notice): the AP needs the kind of credential, not the id that names the person's key (fg26
 * item 5); `show` gives the pseudonym beside the id, so the FG can match them.
 */
export function keyPseudonyms(key: string | undefined, text: string): string {
  const secret = key ? Buffer.from(key, 'base64') : undefined;
  return text.replace(ACCESS_KEY_IDS, (id: string, prefix: string) => {
    const kind = prefix === 'AKIA' ? 'long-term-key' : 'temporary-key';
    if (!secret) return `${kind}:${WITHHELD}`;
    return `${kind}:~${createHmac('sha256', secret).update(`datalek-incident-key-pseudonym\n${id}`).digest('hex').slice(0, 16)}`;
  });
}

/**
 * `value` with every string in it passed through `keyPseudonyms`: the register's row as the draft
 * names a key (fg28 item 7). An access key id holds no character JSON escapes, so it is named in the
 * JSON text as in the strings; the same value when it names none.
 */
export function withKeyPseudonyms<T>(key: string | undefined, value: T): T {
  const text = JSON.stringify(value);
  if (text === undefined || !ACCESS_KEY_ID.test(text)) return value;
  return JSON.parse(keyPseudonyms(key, text)) as T;
}

/** `ACCESS_KEY_IDS` without its `g` flag: a test that keeps no position between calls. */
const ACCESS_KEY_ID = new RegExp(ACCESS_KEY_IDS.source);

/** An access key's kind in a letter to the people affected, in its language: `AKIA` long-term, `ASIA` temporary. */
const KEY_KINDS: Record<Lang, Record<'AKIA' | 'ASIA', string>> = {
  nl: { AKIA: '(vaste sleutel)', ASIA: '(tijdelijke sleutel)' },
  en: { AKIA: '(long-term key)', ASIA: '(temporary key)' },
};

/**
 * `text` with each access key id in it named by its kind alone, for the notice to the people affected
 * (fg27): they need to know a key was deactivated, and of which kind, not the id of a person's
 * credential; a pseudonym tells them nothing (the AP draft's sections carry `keyPseudonyms`).
 */
export function keyKinds(lang: Lang, text: string): string {
  return text.replace(ACCESS_KEY_IDS, (_id: string, prefix: 'AKIA' | 'ASIA') => KEY_KINDS[lang][prefix]);
}

/** A principal's kind in a letter to the people affected, in its language, its name left out. */
const PRINCIPAL_KINDS: Record<Lang, Record<string, string>> = {
  nl: {
    'iam-user': '(IAM-gebruiker, naam gepseudonimiseerd)',
    'role-session': '(rolsessie, naam gepseudonimiseerd)',
    'federated-user': '(gefedereerde gebruiker, naam gepseudonimiseerd)',
  },
  en: {
    'iam-user': '(IAM user, name pseudonymised)',
    'role-session': '(role session, name pseudonymised)',
    'federated-user': '(federated user, name pseudonymised)',
  },
};

/** Either pseudonym of a principal, the store-wide or the incident's own (`~`), where it stands in a text. */
const ANY_PRINCIPAL_PSEUDONYMS = /\b(federated-user|role-session|iam-user):~?[0-9a-f]{16}(?![0-9a-f])/g;

/**
 * `text` with each principal's pseudonym in it, store-wide or the incident's own, named in words by
 * its kind, for the notice to the people affected (fg28 item 4): "iam-user:~16371978f8735ae6" is the
 * pseudonym's internal form and tells them nothing, as an access key's pseudonym does not (`keyKinds`).
 */
export function principalKinds(lang: Lang, text: string): string {
  return text.replace(ANY_PRINCIPAL_PSEUDONYMS, (found: string, kind: string) => PRINCIPAL_KINDS[lang][kind] ?? found);
}

/**
 * `text` as a log line, an error a function throws (Lambda logs it) or a command's stderr says it of
 * an incident: each store-wide pseudonym in it named by the incident's own under `key`
 * (`Incident.pseudonymKey`), as its timeline and messages name it. Those texts outlive minimise
 * (CloudWatch keeps a function's log `logRetentionDays`, 365 by default; cron keeps a command's
 * mail): by the store-wide pseudonym, such a line and the store's secret found an incident minimise
 * had unlinked (readA21). Without a key (the record cannot be read, the text names another
 * incident's resource, a record from before pseud21 or one unlinked already) the pseudonym is
 * withheld: the incident's id says which it is, and `datalek show` names it.
 */
export function toldOutside(key: string | undefined, text: string): string {
  if (key) return ownPseudonyms(key, text);
  return text.replace(STORE_WIDE_PSEUDONYMS, (_, kind: string) => `${kind}:${WITHHELD}`);
}

/**
 * `err` as a function throws it, `toldOutside` in its message, its stack and a store's own words
 * (`StuckConflictError.storeText`): Lambda logs what a function throws, message and stack, and an
 * event's dead-letter queue keeps the message. A store's refusal can name a resource (a claim's key,
 * a principal's store-wide pseudonym). Returns `err`, changed in place: its class stays what callers test.
 */
export function errorToldOutside(err: unknown, key: string | undefined): unknown {
  if (!(err instanceof Error)) return err;
  err.message = toldOutside(key, err.message);
  if (err.stack) err.stack = toldOutside(key, err.stack);
  const words = err as Error & { storeText?: unknown; page?: unknown };
  if (typeof words.storeText === 'string') words.storeText = toldOutside(key, words.storeText);
  // A refusal's words for the web page (RefusedError.page), shown as the message is.
  if (words.page && typeof words.page === 'object') {
    const page = words.page as Record<string, unknown>;
    words.page = Object.fromEntries(Object.entries(page).map(([lang, text]) => [lang, typeof text === 'string' ? toldOutside(key, text) : text]));
  }
  return err;
}

/**
 * The pseudonym secret of incident `id` (`Incident.pseudonymKey`), for `toldOutside` on an error
 * path: undefined when the incident holds none or cannot be read now, so that the pseudonym is
 * withheld rather than told as the store's words came (fail closed: the refusal is said all the same).
 */
export async function pseudonymKeyOf(store: Pick<IncidentStore, 'getIncident'>, id: string): Promise<string | undefined> {
  try {
    return (await store.getIncident(id))?.pseudonymKey;
  } catch {
    return undefined;
  }
}

/** What stands for a store-wide pseudonym `toldOutside` cannot name by the incident's own. */
export const WITHHELD = '(pseudonym withheld)';

/** The incident's pseudonym secret in its stored record's text (`RawIncident.record.data`), if the record reads and keeps one. */
export function pseudonymKeyOfRecord(data: string | undefined): string | undefined {
  try {
    const key = (JSON.parse(data ?? 'null') as { pseudonymKey?: unknown } | null)?.pseudonymKey;
    return typeof key === 'string' ? key : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether releasing the step (release.ts) still needs what its parameters and target keep (a user's
 * name, the pseudonym the store's secret makes of it): not released, and carried out by datalek, or
 * a step of it done (a run that failed after one, a step a person finished by hand). One carried out
 * by hand only is not: datalek touched nothing and has nothing to undo it by (release refuses it,
 * "undo it by hand"), so it kept the person's name, and the incident its store-wide pseudonym, for
 * good (readA21).
 */
export function releaseNeedsItsNames(action: ActionRecord): boolean {
  if (action.released) return false;
  return (action.status === 'done' && !action.byHand) || (action.steps ?? []).some((s) => s.status === 'done');
}

/** A store-wide pseudonym, and an incident's own, as a whole id (a resource's, a step's target). */
const STORE_WIDE_ID = /^(federated-user|role-session|iam-user):[0-9a-f]{16}$/;
const OWN_ID = /^(federated-user|role-session|iam-user):~[0-9a-f]{16}$/;

/**
 * What a minimised incident's record says of who it concerned, when it names a person by a keyed
 * pseudonym (finding-resources.ts `principalPseudonym`). Since pseud21 minimise names the principal
 * by the incident's own pseudonym everywhere and deletes that pseudonym's secret
 * (core/incident-pseudonyms.ts): nothing the store keeps makes it from a name, and the register
 * says so. One recorded before still names it by the store-wide pseudonym, in its record and its
 * hash-chained timeline, which minimise does not rewrite, under a secret the same store keeps:
 * pseudonymised, not anonymous (AVG/GDPR recital 26), whoever holds the store can confirm a
 * guessed name (fgpseud17 item 3). So does one minimise did not unlink yet: a step still in effect,
 * a retention hold (`untilText` says which), until the next minimise after it ends.
 */
export function pseudonymText(incident: Pick<Incident, 'resource' | 'resources' | 'actions' | 'pseudonymKey' | 'retentionHold'>, nl: boolean): string {
  const state = pseudonymState(incident);
  if (state === 'store-wide') return nl ? PSEUDONYMISED_NL : PSEUDONYMISED_EN;
  if (state === 'until-released') return untilText(incident, nl);
  return state === 'own' ? (nl ? UNLINKED_NL : UNLINKED_EN) : '';
}

/**
 * What keeps a minimised incident's record under the store-wide pseudonym, its own secret kept
 * (`until-released`), as its record shows it (fg22: it said "its step in effect" of every such
 * incident): a step whose release needs the person's name (`releaseNeedsItsNames`), a retention hold
 * on the incident itself, or, when neither, what minimise found last and the record does not name (a
 * retention hold on an incident its findings went with, an incident linked to it still handled, or a
 * step released since minimise last ran): each until minimise runs again.
 */
function untilText(incident: Pick<Incident, 'actions' | 'retentionHold'>, nl: boolean): string {
  const step = incident.actions.some(releaseNeedsItsNames);
  const hold = incident.retentionHold;
  const why = nl
    ? [...(step ? ['de inperking die nog geldt is opgeheven'] : []), ...(hold ? [`het langer bewaren (${hold.by}) is opgeheven`] : [])]
    : [...(step ? ['its step in effect is released'] : []), ...(hold ? [`its retention hold (${hold.by}) is released`] : [])];
  const until = why.length
    ? `${nl ? 'tot' : 'until'} ${why.join(nl ? ' en ' : ' and ')} ${nl ? 'en minimise opnieuw draait' : 'and minimise runs again'}`
    : nl
      ? 'tot minimise opnieuw draait zonder dat iets de bevindingen houdt (langer bewaren van een incident waar ze mee meegingen, een gekoppeld incident dat nog loopt)'
      : 'until minimise runs again with nothing keeping its findings (a retention hold on an incident they went with, an incident linked to it still handled)';
  return nl
    ? `; wie het betrof staat in het record nog als pseudoniem met de sleutel van de opslag, ${until}: gepseudonimiseerd, niet anoniem, want de opslag bewaart de sleutel van het pseudoniem`
    : `; who it concerned is still named in its record by a keyed pseudonym made with the store's secret, ${until}: pseudonymised, not anonymous, as the store keeps the pseudonym's secret`;
}

/**
 * How the record names a principal it names by a pseudonym: `store-wide` (recorded before pseud21,
 * no secret of its own: its chain holds the store-wide one too), `until-released` (its own secret
 * kept while a step is in effect or a retention hold keeps its findings: `untilText`), `own` (the incident's own pseudonym, its secret deleted), or null
 * (no pseudonym, or its own secret still kept: not minimised yet).
 */
export function pseudonymState(
  incident: Pick<Incident, 'resource' | 'resources' | 'actions' | 'pseudonymKey'>,
): 'store-wide' | 'until-released' | 'own' | null {
  const ids = [incident.resource.id, ...(incident.resources ?? []).map((r) => r.id), ...incident.actions.map((a) => a.target)];
  if (ids.some((id) => STORE_WIDE_ID.test(id))) return incident.pseudonymKey ? 'until-released' : 'store-wide';
  return ids.some((id) => OWN_ID.test(id)) && !incident.pseudonymKey ? 'own' : null;
}

const PSEUDONYMISED_EN =
  "; who it concerned is still named by a keyed pseudonym made with the store's secret (record and timeline: recorded before incidents had a pseudonym secret of their own): pseudonymised, not anonymous, as the store keeps the pseudonym's secret";
const PSEUDONYMISED_NL =
  '; wie het betrof staat nog als pseudoniem met de sleutel van de opslag in record en tijdlijn (vastgelegd voordat een incident een eigen pseudoniemsleutel had): gepseudonimiseerd, niet anoniem, want de opslag bewaart de sleutel van het pseudoniem';
const UNLINKED_EN =
  "; who it concerned is named only by this incident's own pseudonym, whose secret minimise deleted: nothing the store keeps makes it from a name";
const UNLINKED_NL =
  '; wie het betrof staat er alleen als eigen pseudoniem van dit incident, waarvan minimise de sleutel heeft verwijderd: niets in de opslag maakt het uit een naam';
