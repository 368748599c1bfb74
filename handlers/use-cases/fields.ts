/**
 * The inputs of the use cases, declared once for both ways a person gives them: as flags on the
 * command line (`--risk high`) and as fields of a form on the web page (`risk=high`). A field's
 * name is the flag's name; its kind says how the text is read; a bad value is a `UsageError` whose
 * message names the flag, so the CLI prints it and the web page shows it beside the field, in the
 * same words. The labels are what the web page and the help show.
 */
import { MAX_LONGTEXT_CHARS, MAX_SENT_TEXT_BYTES, MAX_SENT_TEXT_CHARS } from '../core/commit-bounds.js';
import { UsageError } from '../core/errors.js';
import type { Incident } from '../core/incident.js';
import type { Policy } from '../core/policy.js';
import { blankText, showsNothing } from '../core/text.js';
import { InvalidTimeError, parseInstant } from '../core/time.js';

export type Lang = 'nl' | 'en';
export type Text = Record<Lang, string>;

/**
 * - `text`, `longtext`: free text (a long one gets a text area on the page);
 * - `choice`: one of `options`; `choices`: several of them, comma-separated;
 * - `list`: free comma-separated values;
 * - `time`: an ISO 8601 time with its zone (the page asks for a local time in the policy's zone);
 * - `count`: a whole number; `range`: `MIN-MAX` or one number; `flag`: on or off.
 */
export type FieldKind = 'text' | 'longtext' | 'choice' | 'choices' | 'list' | 'time' | 'count' | 'range' | 'flag';

export interface FieldSpec {
  /** The flag's name (`aware-at`) and the form field's name. */
  readonly name: string;
  readonly kind: FieldKind;
  /** The allowed values of a `choice` or `choices`. */
  readonly options?: readonly string[];
  /** How the page names each option; the option itself where absent. */
  readonly optionLabels?: Readonly<Record<string, Text>>;
  readonly label: Text;
  /** The label as the page draws it for this incident (a confirmation that names it); `label` elsewhere. */
  readonly labelFor?: (ctx: OfferContext) => Text;
  readonly hint?: Text;
  /** Required: `true` for the kind's own message, or the message when it is missing. */
  readonly required?: true | string;
  /** The value of a `choice` that is not given. */
  readonly fallback?: string;
  /** A heading the form puts above this field and those after it (the AP form's sections). */
  readonly group?: Text;
  /** Only on the command line (an older name of another flag): forms leave it out. */
  readonly cliOnly?: true;
  /** Whether a form offers it for this incident (a NIS2 decision only when the policy runs NIS2). */
  readonly offered?: (ctx: OfferContext) => boolean;
  /** The most characters of a text what reads it takes; a page's input allows no more (4000 where unset). */
  readonly maxChars?: number;
  /** The most bytes of the text as stored (UTF-8, in JSON), where characters alone do not bound it (the text of a communication). */
  readonly maxStoredBytes?: number;
  /**
   * What a refusal of a text over its bound advises instead of the case file (a pasted event is no
   * text for the case file: its own command reads it from a file).
   */
  readonly overBound?: Text;
}

/** What decides whether a form offers a field. */
export interface OfferContext {
  policy: Policy;
  incident: Incident;
  now: string;
  /**
   * When what the form records is entered: the machine's clock where the page's clock is stated
   * behind it (`serve --now`, core/change-incident.ts enteredAt); `now` where absent. Whether a
   * deadline had passed, and so the confirmation is asked, is judged by it (atk28 F16).
   */
  enteredAt?: string;
  /** The incident's finding types by name, past the most its record lists too (core/finding-types.ts), where the page read them. */
  findingTypes?: readonly string[];
}

/** What a field's text becomes. */
export type ValueOf<F extends FieldSpec> = F['kind'] extends 'choice'
  ? F extends { options: readonly (infer O)[] }
    ? O
    : string
  : F['kind'] extends 'choices'
    ? F extends { options: readonly (infer O)[] }
      ? O[]
      : string[]
    : F['kind'] extends 'list'
      ? string[]
      : F['kind'] extends 'count'
        ? number
        : F['kind'] extends 'range'
          ? { min: number; max: number }
          : F['kind'] extends 'flag'
            ? boolean
            : string;

type Given<F> = F extends { required: true | string } ? F : F extends { fallback: string } ? F : never;

/** The parsed values of a list of fields: required ones (and those with a fallback) always present. */
export type Values<Fs extends readonly FieldSpec[]> = { [F in Given<Fs[number]> as F['name']]: ValueOf<F> } & {
  [F in Exclude<Fs[number], Given<Fs[number]>> as F['name']]?: ValueOf<F>;
};

/** What the CLI's parser or a form gives for each name: text, or `true` for a boolean flag. */
export type RawValues = Readonly<Record<string, string | boolean | undefined>>;

export function oneOf<T extends string>(flag: string, value: unknown, allowed: readonly T[], fallback?: T): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}${value === undefined ? '' : `, got ${JSON.stringify(value)}`}`, {
      field: flag,
      page: { nl: 'Kies een van de mogelijkheden.', en: 'Choose one of the options.' },
    });
  }
  return value as T;
}

/** A time: a calendar-exact ISO 8601 time with a zone (core/time.ts's one parser), as ISO UTC. */
export function isoFlag(flag: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  try {
    return parseInstant(value);
  } catch (err) {
    if (!(err instanceof InvalidTimeError)) throw err;
    throw new UsageError(`--${flag} must be an ISO 8601 time with a zone such as 2026-11-28T09:30:00+01:00, got ${JSON.stringify(value)}: ${err.reason}`, {
      field: flag,
      page: { nl: 'Vul een bestaande datum en tijd in.', en: 'Enter a date and time that exist.' },
    });
  }
}

export function listFlag(value: unknown): string[] | undefined {
  return typeof value === 'string'
    ? value
        .split(',')
        .map((x) => x.trim())
        .filter((x) => !blankText(x))
    : undefined;
}

/**
 * The largest count kept exactly: a JavaScript number holds whole numbers up to 2^53 - 1; a larger
 * one would be rounded (and shown as 1e+23 in the AP draft), so it is refused.
 */
const MAX_COUNT = Number.MAX_SAFE_INTEGER;
const wholeNumber = (digits: string) => /^\d+$/.test(digits) && Number(digits) <= MAX_COUNT;

export function countFlag(flag: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !wholeNumber(value))
    throw new UsageError(`--${flag} must be a whole number from 0 to ${MAX_COUNT}, got ${JSON.stringify(value)}`, {
      field: flag,
      page: { nl: `Vul een heel getal in van 0 tot ${MAX_COUNT}, bijvoorbeeld 2500.`, en: `Enter a whole number from 0 to ${MAX_COUNT}, such as 2500.` },
    });
  return Number(value);
}

export function rangeFlag(flag: string, value: unknown): { min: number; max: number } | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)(?:-(\d+))?$/.exec(String(value));
  if (!m || !wholeNumber(m[1]) || (m[2] !== undefined && !wholeNumber(m[2])))
    throw new UsageError(`--${flag} must be MIN-MAX or a number, each a whole number from 0 to ${MAX_COUNT}, got ${JSON.stringify(value)}`, {
      field: flag,
      page: {
        nl: `Vul een aantal in, of een bereik zoals 120-2500 (hele getallen van 0 tot ${MAX_COUNT}).`,
        en: `Enter a number, or a range such as 120-2500 (whole numbers from 0 to ${MAX_COUNT}).`,
      },
    });
  return { min: Number(m[1]), max: Number(m[2] ?? m[1]) };
}

/**
 * Most characters a person's text keeps, by the field's kind: a name, a reference or a channel
 * (`text`, and the values of a `list` together), or a reason, a summary, a communication
 * (`longtext`). Everything a person enters is stored in the incident's record, whose room is
 * bounded (core/commit-bounds.ts MAX_PERSON_BYTES): a pasted log or document belongs in the case
 * file, and the record refers to it.
 */
export const MAX_TEXT_CHARS: Readonly<Record<'text' | 'longtext' | 'list', number>> = { text: 500, longtext: MAX_LONGTEXT_CHARS, list: 4000 };

export { MAX_SENT_TEXT_BYTES, MAX_SENT_TEXT_CHARS };

/** Refuses text over its kind's bound (characters as a person counts them, not UTF-16 units). */
function checkLength(field: FieldSpec, raw: string): void {
  // A field with a bound of its own (a pasted event: web/app.tsx OPEN_FINDING_FIELD) is read up to it; else its kind's.
  const limit = field.overBound && field.maxChars ? field.maxChars : MAX_TEXT_CHARS[field.kind as keyof typeof MAX_TEXT_CHARS];
  if (limit === undefined) return;
  const length = [...raw].length;
  const bytes = field.maxStoredBytes ? new TextEncoder().encode(JSON.stringify(raw)).length : 0;
  if (length <= limit && (!field.maxStoredBytes || bytes <= field.maxStoredBytes)) return;
  const instead = field.overBound ?? {
    nl: 'zet een langere tekst (een log, een document) in het dossier en verwijs er hier naar',
    en: 'put a longer text (a log, a document) in the case file and refer to it here',
  };
  if (length <= limit && field.maxStoredBytes) {
    throw new UsageError(`--${field.name} takes ${bytes} bytes as stored; it keeps at most ${field.maxStoredBytes}: ${instead.en}`, {
      field: field.name,
      page: {
        nl: `Deze tekst neemt opgeslagen ${bytes} bytes in; dit veld bewaart er hoogstens ${field.maxStoredBytes}: ${instead.nl}.`,
        en: `This text takes ${bytes} bytes as stored; this field keeps at most ${field.maxStoredBytes}: ${instead.en}.`,
      },
    });
  }
  throw new UsageError(`--${field.name} is ${length} characters long; it keeps at most ${limit}: ${instead.en}`, {
    field: field.name,
    page: {
      nl: `Deze tekst is ${length} tekens lang; dit veld bewaart er hoogstens ${limit}: ${instead.nl}.`,
      en: `This text is ${length} characters long; this field keeps at most ${limit}: ${instead.en}.`,
    },
  });
}

/** Reads one field; a bad or missing required value throws a `UsageError` naming it. */
export function parseField(field: FieldSpec, raw: string | boolean | undefined): unknown {
  const { name } = field;
  // A text of characters that show nothing (U+200B, a Hangul filler) is as empty as none (atk28 F10).
  const missing = raw === undefined || (typeof raw === 'string' && blankText(raw) && field.kind !== 'list');
  if (missing && field.required && field.fallback === undefined) {
    const page = { nl: 'Dit veld is verplicht.', en: 'This field is required.' };
    const invisible = typeof raw === 'string' && raw.trim() ? `: ${showsNothing(raw)}` : '';
    if (typeof field.required === 'string') throw new UsageError(`${field.required}${invisible}`, { field: name, page });
    if (field.kind !== 'choice') throw new UsageError(`--${name} is required${invisible}`, { field: name, page });
  }
  if (typeof raw === 'string') checkLength(field, raw);
  switch (field.kind) {
    case 'text':
    case 'longtext':
      // Given but showing nothing: empty, as the use case reads an empty text (its own rule names what it lacks).
      return typeof raw === 'string' ? (blankText(raw) ? '' : raw) : undefined;
    case 'choice':
      if (raw === undefined && !field.required && field.fallback === undefined) return undefined;
      return oneOf(name, raw, field.options ?? [], field.fallback);
    case 'choices': {
      const list = listFlag(raw);
      for (const v of list ?? []) oneOf(name, v, field.options ?? []);
      return list;
    }
    case 'list':
      return listFlag(raw);
    case 'time':
      return isoFlag(name, raw);
    case 'count':
      return countFlag(name, raw);
    case 'range':
      return rangeFlag(name, raw);
    case 'flag':
      return raw === true || raw === 'on' || raw === 'true' ? true : undefined;
  }
}

/** Reads every field, stopping at the first bad one (the command line: one line, exit 2). */
export function parseFields<const Fs extends readonly FieldSpec[]>(fields: Fs, raw: RawValues): Values<Fs> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = parseField(field, raw[field.name]);
    if (value !== undefined) out[field.name] = value;
  }
  return out as Values<Fs>;
}

/** Reads every field and collects each bad one (a form: every problem beside its field at once). */
export function parseFieldsAll<const Fs extends readonly FieldSpec[]>(
  fields: Fs,
  raw: RawValues,
): { values: Values<Fs>; errors: UsageError[] } | { values: null; errors: UsageError[] } {
  const out: Record<string, unknown> = {};
  const errors: UsageError[] = [];
  for (const field of fields) {
    try {
      const value = parseField(field, raw[field.name]);
      if (value !== undefined) out[field.name] = value;
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      errors.push(err);
    }
  }
  return errors.length ? { values: null, errors } : { values: out as Values<Fs>, errors };
}
