/**
 * The breach register (Art. 33(5)): every incident, notified or not, with the facts, the effects,
 * the decision and its reasoning, the clocks and whether each was met, the AP reference numbers
 * and the measures taken. One row per incident; CSV, JSON or Markdown.
 */
import { clocksOf } from './clocks.js';
import { measuresTaken } from './draft.js';
import type { Incident } from './incident.js';
import type { Policy } from './policy.js';

export interface RegisterRow {
  incidentId: string;
  state: string;
  sample: boolean;
  detectedAt: string;
  awareAt: string | null;
  awareReason: string | null;
  findingType: string;
  severity: number;
  resource: string;
  account: string;
  personalData: string | null;
  risk: string | null;
  notifiable: boolean | null;
  decisionReason: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  apDeadline: string | null;
  apClock: string | null;
  apReportedAt: string | null;
  references: string;
  delayReason: string | null;
  subjectsDecision: string | null;
  otherClocks: string;
  nature: string;
  categories: string;
  specialCategories: string;
  dataSubjects: string | null;
  records: number | null;
  consequences: string | null;
  measuresTaken: string;
  measuresProposed: string | null;
  closedAt: string | null;
  closeReason: string | null;
}

export function registerRow(incident: Incident, policy: Policy, now: string): RegisterRow {
  const a = incident.assessment;
  const f = incident.facts;
  const clocks = clocksOf(incident, policy, now);
  const ap = clocks.find((c) => c.name === 'ap');
  const reports = incident.reports ?? [];
  const initial = reports.find((r) => r.to === 'ap' && r.kind === 'initial');
  const s = incident.subjects;
  return {
    incidentId: incident.id,
    state: incident.state,
    sample: incident.sample,
    detectedAt: incident.detectedAt,
    awareAt: incident.awareAt,
    awareReason: incident.awareReason ?? null,
    findingType: incident.findingType,
    severity: incident.severity,
    resource: `${incident.resource.resourceType} ${incident.resource.id}`,
    account: `${incident.accountId}/${incident.region}`,
    personalData: a?.personalData ?? null,
    risk: a?.risk ?? null,
    notifiable: a ? a.notifiable : null,
    decisionReason: a?.reason ?? null,
    decidedBy: a?.by ?? null,
    decidedAt: a?.at ?? null,
    apDeadline: incident.deadline,
    apClock: ap ? `${ap.status}${ap.note ? ` (${ap.note})` : ''}` : incident.sample ? 'none (sample)' : null,
    apReportedAt: initial?.at ?? null,
    references: reports.map((r) => `${r.to}:${r.kind}:${r.reference}@${r.at}`).join('; '),
    delayReason: initial?.delayReason ?? null,
    subjectsDecision: s
      ? `${s.decision}${s.exception ? ` (${s.exception})` : ''}${s.date ? ` ${s.date}` : ''}${s.channel ? ` via ${s.channel}` : ''}: ${s.reason}`
      : null,
    otherClocks: clocks
      .filter((c) => c.name !== 'ap')
      .map((c) => `${c.name}: ${c.status}`)
      .join('; '),
    nature: f?.nature.join(', ') ?? '',
    categories: f?.categories.join(', ') ?? '',
    specialCategories: f?.specialCategories.join(', ') ?? '',
    dataSubjects: f?.subjectsMin != null && f.subjectsMax != null ? `${f.subjectsMin}-${f.subjectsMax}` : null,
    records: f?.records ?? null,
    consequences: f?.consequences ?? null,
    measuresTaken: measuresTaken(incident).join('; '),
    measuresProposed: f?.measuresProposed ?? null,
    closedAt: incident.closedAt,
    closeReason: incident.closeReason ?? null,
  };
}

export function registerCsv(rows: RegisterRow[]): string {
  const columns = REGISTER_COLUMNS;
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    // Quote always; a leading =, +, - or @ would be a formula in a spreadsheet, and so would one
    // after a leading TAB or CR, which spreadsheets skip (OWASP CSV injection): prefix it.
    const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
    return `"${safe.replace(/"/g, '""')}"`;
  };
  return [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n');
}

export function registerMarkdown(rows: RegisterRow[]): string {
  const columns: (keyof RegisterRow)[] = [
    'incidentId',
    'detectedAt',
    'findingType',
    'personalData',
    'risk',
    'notifiable',
    'decisionReason',
    'apClock',
    'references',
    'measuresTaken',
    'state',
  ];
  const esc = (v: unknown) => (v === null || v === undefined ? '' : String(v)).replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [`| ${columns.join(' | ')} |`, `|${columns.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${columns.map((c) => esc(r[c])).join(' | ')} |`)].join(
    '\n',
  );
}

export const REGISTER_COLUMNS: (keyof RegisterRow)[] = [
  'incidentId',
  'state',
  'sample',
  'detectedAt',
  'awareAt',
  'awareReason',
  'findingType',
  'severity',
  'resource',
  'account',
  'personalData',
  'risk',
  'notifiable',
  'decisionReason',
  'decidedBy',
  'decidedAt',
  'apDeadline',
  'apClock',
  'apReportedAt',
  'references',
  'delayReason',
  'subjectsDecision',
  'otherClocks',
  'nature',
  'categories',
  'specialCategories',
  'dataSubjects',
  'records',
  'consequences',
  'measuresTaken',
  'measuresProposed',
  'closedAt',
  'closeReason',
];
