/**
 * GuardDuty severity bands, by numeric range. Severity is a JSON number and can be fractional
 * (7.2, 8.5): bands are ranges, never lists of exact values. Critical (9.0–10.0) is used by attack
 * sequences; rules written from older docs that called this range "reserved" miss them.
 */
export type SeverityBand = 'Low' | 'Medium' | 'High' | 'Critical';

export const SEVERITY_BANDS: readonly { band: SeverityBand; from: number }[] = [
  { band: 'Critical', from: 9.0 },
  { band: 'High', from: 7.0 },
  { band: 'Medium', from: 4.0 },
  { band: 'Low', from: 0 },
];

export function severityBand(severity: number): SeverityBand {
  for (const { band, from } of SEVERITY_BANDS) {
    if (severity >= from) return band;
  }
  return 'Low';
}

/** "8.5 (High)": the way people read a severity. */
export function describeSeverity(severity: number): string {
  return `${formatSeverity(severity)} (${severityBand(severity)})`;
}

export function formatSeverity(severity: number): string {
  return Number.isInteger(severity) ? severity.toFixed(1) : String(severity);
}
