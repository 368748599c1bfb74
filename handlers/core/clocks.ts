/**
 * Every legal clock of an incident, computed in UTC from its times and reports: the AP's 72 hours
 * (Art. 33(1)), and those a policy switches on (NIS2, Telecommunicatiewet, processor to
 * controller), plus the Art. 34 decision. Each says when it started, when it is due, when it was
 * met and whether in time; status, show, the reminders and the register all read it from here.
 */
import { clockRunning, type Incident, initialReport, type ReportRecord } from './incident.js';
import type { Policy } from './policy.js';
import { addHours } from './time.js';

export type ClockName = 'ap' | 'nis2-early-warning' | 'nis2-notification' | 'nis2-final' | 'telecom-initial' | 'telecom-complete' | 'processor' | 'subjects';

export interface ClockStatus {
  name: ClockName;
  label: { nl: string; en: string };
  startsAt: string | null;
  dueAt: string | null;
  doneAt: string | null;
  /** running, met (in time), late (done after the deadline), overdue (not done, deadline passed), not-needed. */
  status: 'running' | 'met' | 'late' | 'overdue' | 'not-needed';
  note?: string;
}

const LABELS: Record<ClockName, { nl: string; en: string }> = {
  ap: { nl: 'Melding AP (72 uur, AVG art. 33)', en: 'AP notification (72 hours, GDPR Art. 33)' },
  'nis2-early-warning': { nl: 'NIS2 vroegtijdige waarschuwing (24 uur)', en: 'NIS2 early warning (24 hours)' },
  'nis2-notification': { nl: 'NIS2 incidentmelding (72 uur)', en: 'NIS2 incident notification (72 hours)' },
  'nis2-final': { nl: 'NIS2 eindverslag (1 maand na melding)', en: 'NIS2 final report (1 month after notification)' },
  'telecom-initial': { nl: 'Telecommunicatiewet melding AP (24 uur)', en: 'Telecommunications Act notification (24 hours)' },
  'telecom-complete': { nl: 'Telecommunicatiewet volledige melding (3 dagen)', en: 'Telecommunications Act complete notification (3 days)' },
  processor: { nl: 'Verwerker aan verwerkingsverantwoordelijke (art. 33(2))', en: 'Processor to controller (Art. 33(2))' },
  subjects: { nl: 'Besluit informeren betrokkenen (art. 34)', en: 'Decision on informing data subjects (Art. 34)' },
};

function firstReport(incident: Incident, match: (r: ReportRecord) => boolean): ReportRecord | undefined {
  return (incident.reports ?? []).filter(match).sort((a, b) => a.at.localeCompare(b.at))[0];
}

function status(dueAt: string | null, doneAt: string | null, now: string, needed: boolean): ClockStatus['status'] {
  if (!needed) return 'not-needed';
  if (doneAt) return dueAt && doneAt > dueAt ? 'late' : 'met';
  if (dueAt && now > dueAt) return 'overdue';
  return 'running';
}

function clock(
  name: ClockName,
  startsAt: string | null,
  dueAt: string | null,
  doneAt: string | null,
  now: string,
  needed: boolean,
  note?: string,
): ClockStatus {
  return { name, label: LABELS[name], startsAt, dueAt, doneAt, status: status(dueAt, doneAt, now, needed), ...(note ? { note } : {}) };
}

export function addMonths(iso: string, months: number): string {
  const d = new Date(iso);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d.toISOString();
}

/** Whether Art. 34 asks for a decision: high risk, and not a financial undertaking (UAVG art. 42). */
export function subjectsDecisionNeeded(incident: Incident, policy: Policy): boolean {
  return incident.assessment?.risk === 'high' && incident.assessment.notifiable && !policy.organisation.financialUndertaking;
}

export function clocksOf(incident: Incident, policy: Policy, now: string): ClockStatus[] {
  if (incident.sample || !incident.awareAt) return [];
  const out: ClockStatus[] = [];
  const notNotifiable = incident.assessment?.notifiable === false;
  const initial = initialReport(incident);
  out.push(
    clock('ap', incident.awareAt, incident.deadline, initial?.at ?? null, now, !notNotifiable, notNotifiable ? 'not notifiable (FG decision)' : undefined),
  );
  const aware = incident.awareAt;
  if (policy.clocks.nis2) {
    const warning = firstReport(incident, (r) => r.to === 'csirt' && r.kind === 'early-warning');
    const notification = firstReport(incident, (r) => r.to === 'csirt' && r.kind === 'notification');
    const final = firstReport(incident, (r) => r.to === 'csirt' && r.kind === 'final');
    out.push(clock('nis2-early-warning', aware, addHours(aware, 24), warning?.at ?? null, now, true));
    out.push(clock('nis2-notification', aware, addHours(aware, 72), notification?.at ?? null, now, true));
    out.push(clock('nis2-final', notification?.at ?? null, notification ? addMonths(notification.at, 1) : null, final?.at ?? null, now, true));
  }
  if (policy.clocks.telecom) {
    const first = firstReport(incident, (r) => r.to === 'ap');
    const complete = firstReport(incident, (r) => r.to === 'ap' && r.kind !== 'withdrawal' && incident.facts?.complete === true);
    out.push(clock('telecom-initial', incident.detectedAt, addHours(incident.detectedAt, 24), first?.at ?? null, now, true));
    out.push(clock('telecom-complete', incident.detectedAt, addHours(incident.detectedAt, 72), complete?.at ?? null, now, true));
  }
  if (policy.clocks.processorToControllerHours !== null) {
    const told = firstReport(incident, (r) => r.to === 'controller');
    out.push(clock('processor', aware, addHours(aware, policy.clocks.processorToControllerHours), told?.at ?? null, now, true));
  }
  if (incident.assessment?.risk === 'high') {
    const exempt = policy.organisation.financialUndertaking;
    out.push(
      clock(
        'subjects',
        incident.assessment.at,
        null,
        incident.subjects?.at ?? null,
        now,
        !exempt,
        exempt ? 'exempt: financial undertaking (UAVG art. 42)' : undefined,
      ),
    );
  }
  return out;
}

/** Clocks other than the AP's that are still running, with a deadline: the sweep reminds of them. */
export function runningOtherClocks(incident: Incident, policy: Policy, now: string): ClockStatus[] {
  if (incident.state === 'closed') return [];
  return clocksOf(incident, policy, now).filter((c) => c.name !== 'ap' && c.name !== 'subjects' && c.dueAt && !c.doneAt && c.status !== 'not-needed');
}

export { clockRunning };
