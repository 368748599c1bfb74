/**
 * The affected resource's own labels of what it holds (atk29 A3): the tags of the keys the policy names
 * (`personalDataTags`), read from the finding's resource block at opening and kept with the incident, so
 * the FG sees them (show, the page, the FG's message) and "no personal data" against them asks a
 * confirmation. Other tags are counted only: their values are free text (a name, an owner) and stay in
 * the stored finding, as the README's personal-data rules keep free text out of messages.
 */
import type { Incident } from './incident.js';
import type { Policy } from './policy.js';
import { oneLine } from './text.js';

/** A tag value longer than this is cut: a label is short, and a message line stays one line. */
const MAX_VALUE = 64;

const objects = (v: unknown): Record<string, unknown>[] =>
  (Array.isArray(v) ? v : [v]).filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x));

/** Every `{key, value}` tag of the finding's resource blocks (instanceDetails.tags, s3BucketDetails[].tags, …). */
function tagsOf(detail: unknown): { key: string; value: string }[] {
  const resource = objects((detail as { resource?: unknown } | null)?.resource)[0];
  if (!resource) return [];
  const out: { key: string; value: string }[] = [];
  for (const block of Object.values(resource)) {
    for (const b of objects(block)) {
      for (const t of objects(b.tags)) if (typeof t.key === 'string' && t.key) out.push({ key: t.key, value: typeof t.value === 'string' ? t.value : '' });
    }
  }
  return out;
}

/** The resource's tags the policy names, each marked when it labels personal data, and how many others it has. */
export function classificationTags(
  detail: unknown,
  policy: Pick<Policy, 'personalDataTags'>,
): { tags: NonNullable<Incident['resourceTags']>; leftOut: number } {
  const tags: NonNullable<Incident['resourceTags']> = [];
  let leftOut = 0;
  for (const t of tagsOf(detail)) {
    const rule = policy.personalDataTags.find((r) => r.key.toLowerCase() === t.key.toLowerCase());
    if (!rule) {
      leftOut += 1;
      continue;
    }
    const value = oneLine(t.value).slice(0, MAX_VALUE);
    tags.push({ key: oneLine(t.key), value, personal: rule.values.some((v) => v.toLowerCase() === t.value.trim().toLowerCase()) });
  }
  return { tags, leftOut };
}

/** The tags as the FG reads them, with what is left out; null when the resource has none. */
export function resourceTagsText(incident: Pick<Incident, 'resourceTags' | 'resourceTagsLeftOut'>, lang: 'nl' | 'en'): string | null {
  const tags = incident.resourceTags ?? [];
  const left = incident.resourceTagsLeftOut ?? 0;
  if (!tags.length && !left) return null;
  const nl = lang === 'nl';
  const shown = tags.map(
    (t) =>
      `${t.key}=${t.value}${t.personal ? (nl ? ' (gelabeld als houder van persoonsgegevens: beleid personalDataTags)' : ' (labelled as holding personal data: policy personalDataTags)') : ''}`,
  );
  const more = left
    ? nl
      ? `${left} andere tag(s), waarden weggelaten (vrije tekst; zie de bevinding)`
      : `${left} other tag(s), values left out (free text; see the finding)`
    : '';
  return [...shown, more].filter(Boolean).join('; ');
}
