/** Helpers for the tests that replay findings in several orders and compare what was recorded. */
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import type { Incident } from '../../handlers/core/incident.js';

/** The live incidents as sets of findings with their clocks and actions: what must not depend on arrival order. */
export async function normalisedIncidents(store: SqliteIncidentStore) {
  const rows = store.database.prepare('SELECT finding_id, incident_id FROM findings').all() as { finding_id: string; incident_id: string }[];
  const live = new Map<string, string[]>();
  for (const row of rows) {
    let incident = (await store.getIncident(row.incident_id)) as Incident;
    while (incident.mergedInto) incident = (await store.getIncident(incident.mergedInto)) as Incident;
    live.set(incident.id, [...(live.get(incident.id) ?? []), row.finding_id].sort());
  }
  const out = [];
  for (const [id, findings] of live) {
    const i = (await store.getIncident(id)) as Incident;
    out.push({
      findings,
      detectedAt: i.detectedAt,
      awareAt: i.awareAt,
      deadline: i.deadline,
      severity: i.severity,
      findingType: i.findingType,
      actions: i.actions.map((a) => a.id).sort(),
    });
  }
  return out.sort((a, b) => a.findings[0].localeCompare(b.findings[0]));
}

/** A deterministic shuffle (a seeded linear congruential generator), so a failure can be replayed. */
export function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let x = seed;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
