/**
 * Between a submitted form and a use case's fields: the form's text becomes the same raw values
 * the command line gives (a local time in the policy's zone becomes an ISO time with its offset),
 * and an error goes back beside the field it names, in the CLI's words.
 */
import { ActedNotRecordedError, type DatalekError, RefusedError, UsageError } from '../core/errors.js';
import type { FieldSpec, Lang, RawValues } from '../use-cases/fields.js';

/** One form as the page draws it again after a refusal: what was entered and what was wrong. */
export interface FormState {
  action: string;
  values: Record<string, string | string[] | boolean>;
  /** Messages by field name; `''` holds those that belong to no one field. */
  errors: Record<string, string[]>;
  /** What the form was first drawn from (`_base`), kept when it is drawn again after a refusal. */
  base?: string;
  /** Carried out in AWS and not (all) recorded (`ActedNotRecordedError`): the problem box never says nothing was recorded. */
  acted?: boolean;
  /** The SHA-256 of a text recorded as sent that the page warned about before recording (law27 item 6): its confirmation box carries it. */
  confirmText?: string;
}

const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** The zone's offset from UTC at an instant, in minutes (Europe/Amsterdam: 60 or 120). */
function offsetMinutes(ms: number, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  const asUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/**
 * A wall-clock time in a zone (what `<input type="datetime-local">` sends) as ISO 8601 with its
 * offset: `2026-11-28T09:30` in Europe/Amsterdam is `2026-11-28T09:30:00+01:00`. A time the zone
 * skips (the hour lost in March) is refused, and so is one in the hour that repeats in October
 * (review7 G8): taking either instant silently could turn a report made after a deadline into one
 * made before it, and a `datetime-local` input cannot say which; the CLI takes the offset.
 */
export function localToIso(local: string, timeZone: string, field: string): string {
  const m = LOCAL_TIME.exec(local);
  if (!m) return local;
  const [, y, mo, d, h, mi, s = '00'] = m;
  const wall = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  // Try the offsets in force just before and after; the earliest instant that shows this wall time wins.
  const candidates = [...new Set([offsetMinutes(wall - 86_400_000, timeZone), offsetMinutes(wall + 86_400_000, timeZone), offsetMinutes(wall, timeZone)])]
    .map((off) => wall - off * 60_000)
    .filter((ms) => wall - offsetMinutes(ms, timeZone) * 60_000 === ms)
    .sort((a, b) => a - b);
  if (candidates.length === 0)
    throw new UsageError(`--${field}: ${local} does not exist in ${timeZone} (the clocks moved forward)`, {
      field,
      page: {
        nl: `${local.replace('T', ' ')} bestaat niet in ${timeZone}: de klok werd toen een uur vooruitgezet.`,
        en: `${local.replace('T', ' ')} does not exist in ${timeZone}: the clocks moved forward.`,
      },
    });
  const offsets = candidates.map((ms) => offsetText(offsetMinutes(ms, timeZone)));
  if (offsets.length > 1) {
    const shown = local.replace('T', ' ');
    const both = offsets.map((o) => `${y}-${mo}-${d}T${h}:${mi}:${s}${o}`);
    throw new UsageError(`--${field}: ${local} happens twice in ${timeZone} (the clocks moved back): give the offset, ${both.join(' or ')}`, {
      field,
      page: {
        nl: `${shown} komt twee keer voor in ${timeZone}: de klok werd toen een uur teruggezet (eerst ${offsets[0]}, dan ${offsets[1]}). Dit formulier kan niet zeggen welke: leg het vast met de opdrachtregel, met de offset erbij (${both.join(' of ')}).`,
        en: `${shown} happens twice in ${timeZone}: the clocks moved back (first ${offsets[0]}, then ${offsets[1]}). This form cannot say which: record it with the command line, with the offset (${both.join(' or ')}).`,
      },
    });
  }
  return `${y}-${mo}-${d}T${h}:${mi}:${s}${offsets[0]}`;
}

/** An offset in minutes as ISO 8601 writes it: `+01:00`. */
function offsetText(off: number): string {
  const abs = Math.abs(off);
  return `${off < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** An ISO time as the value of a `datetime-local` input in the zone. */
export function isoToLocal(iso: string, timeZone: string): string {
  const ms = Date.parse(iso);
  const local = new Date(ms + offsetMinutes(ms, timeZone) * 60_000).toISOString();
  return local.slice(0, 16);
}

/** What the form submitted, by name: one text, or several for a group of checkboxes. */
export type Submitted = Record<string, string | string[]>;

/**
 * The raw values the fields read, from a submitted form. An empty field is "not given", as a flag
 * left off the command line, except a list, where an empty box clears it. A local time the zone
 * does not have, or has twice, is an error of its field, unless it is the time the page showed from
 * the record (`shown`, as ISO): a time in October's repeated hour entered with the CLI's offset
 * (review7 G8) is sent back as the page drew it, and stands for the recorded instant.
 */
export function rawFromForm(
  fields: readonly FieldSpec[],
  form: Submitted,
  timeZone: string,
  shown: Record<string, unknown> = {},
): { raw: RawValues; errors: UsageError[] } {
  const raw: Record<string, string | boolean | undefined> = {};
  const errors: UsageError[] = [];
  for (const field of fields) {
    const value = form[field.name];
    const text = Array.isArray(value) ? value.join(',') : value;
    if (field.kind === 'flag') raw[field.name] = text === 'on' ? true : undefined;
    else if (field.kind === 'list' || field.kind === 'choices') raw[field.name] = text ?? (field.kind === 'choices' ? '' : undefined);
    else if (text === undefined || !text.trim()) raw[field.name] = undefined;
    else if (field.kind !== 'time') raw[field.name] = text;
    else {
      try {
        raw[field.name] = localToIso(text.trim(), timeZone, field.name);
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        const recorded = shown[field.name];
        if (typeof recorded === 'string' && isoToLocal(recorded, timeZone) === text.trim()) raw[field.name] = recorded;
        else errors.push(err);
      }
    }
  }
  return { raw, errors };
}

/** Parsed values as a form shows them again: lists with commas, a range as MIN-MAX, a time in the zone. */
export function formValues(fields: readonly FieldSpec[], values: Record<string, unknown>, timeZone: string): FormState['values'] {
  const out: FormState['values'] = {};
  for (const field of fields) {
    const v = values[field.name];
    if (v === undefined || v === null) continue;
    if (field.kind === 'choices') out[field.name] = v as string[];
    else if (Array.isArray(v)) out[field.name] = v.join(', ');
    else if (field.kind === 'range') {
      const { min, max } = v as { min: number; max: number };
      out[field.name] = min === max ? String(min) : `${min}-${max}`;
    } else if (field.kind === 'time') out[field.name] = isoToLocal(String(v), timeZone);
    else if (typeof v === 'boolean') out[field.name] = v;
    else out[field.name] = String(v);
  }
  return out;
}

/**
 * Puts an error beside its field: a `UsageError` names it; a refusal from the core names the flag
 * in its text (`(--delay-reason)`), the first one that is a field of this form. Anything else
 * belongs to the form as a whole.
 */
export function fieldOf(err: DatalekError, fields: readonly FieldSpec[]): string {
  const names = new Set(fields.map((f) => f.name));
  if (err instanceof UsageError && err.field && names.has(err.field)) return err.field;
  if (err instanceof ActedNotRecordedError) return '';
  for (const m of err.message.matchAll(/--([a-z][a-z-]*)/g)) if (names.has(m[1])) return m[1];
  return '';
}

/**
 * A refusal in the words of the page: its own words in the page's language where the use case gave
 * them, else the command line's message with each flag of the form named by its field's label.
 * The person on the page reads the form's fields, never a flag.
 */
export function pageMessage(err: DatalekError, lang: Lang, fields: readonly FieldSpec[]): string {
  const page = err instanceof UsageError || err instanceof RefusedError || err instanceof ActedNotRecordedError ? err.page : undefined;
  const own = page?.[lang];
  if (own) return own;
  const labels = new Map(fields.map((f) => [f.name, f.label[lang]]));
  return err.message.replace(/--([a-z][a-z-]*)/g, (flag, name: string) => (labels.has(name) ? `"${labels.get(name)}"` : flag));
}

/**
 * The Art. 34 forms' confirmation that the text is as sent (law27 item 6): its box's id is
 * `f-<form>-confirm-text`, and its problem is kept under this name, so the problem list links to it.
 */
export const CONFIRM_TEXT_FIELD = 'confirm-text';

export function addError(state: FormState, field: string, message: string): void {
  state.errors[field] = [...(state.errors[field] ?? []), message];
}
