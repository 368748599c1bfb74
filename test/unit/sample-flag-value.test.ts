/**
 * GuardDuty's API and console form of a sample finding carries the flag only inside
 * `additionalInfo.value`, a JSON string (`{"value":"{\"sample\":true}","type":"default"}`): read there too
 * (atk29 A1). A finding pasted from the console into `open --finding` opened a real incident with a clock.
 */
import { describe, expect, it } from 'vitest';
import { parseEvent } from '../../handlers/core/finding.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { findingEvent } from '../support/events.js';
import { recordingStore } from '../support/recording.js';

const NOW = '2026-11-28T03:00:00.000Z';

function withAdditionalInfo(additionalInfo: unknown) {
  const event = findingEvent({ id: 'smp', instanceId: 'i-99999999' });
  (event.detail.service as Record<string, unknown>).additionalInfo = additionalInfo;
  return event;
}

const sampleOf = (additionalInfo: unknown) => {
  const parsed = parseEvent(withAdditionalInfo(additionalInfo), { now: NOW });
  return parsed.kind === 'finding' ? parsed.finding.sample : null;
};

describe("the sample flag in additionalInfo.value, the API's JSON-string form (atk29 A1)", () => {
  const rec = recordingStore(NOW);

  it('is read there as well as flat', () => {
    expect(sampleOf({ value: '{"sample":true}', type: 'default' })).toBe(true);
    expect(sampleOf({ value: '{"sample":"true"}', type: 'default' })).toBe(true);
    expect(sampleOf({ sample: true })).toBe(true);
  });

  it('is no sample when the value says none, is no JSON, or is no object', () => {
    expect(sampleOf({ value: '{"sample":false}', type: 'default' })).toBe(false);
    expect(sampleOf({ value: '{"threatListName":"x"}', type: 'default' })).toBe(false);
    expect(sampleOf({ value: '{not json', type: 'default' })).toBe(false);
    expect(sampleOf({ value: 'true', type: 'default' })).toBe(false);
    expect(sampleOf({ value: '[{"sample":true}]', type: 'default' })).toBe(false);
  });

  it('records such a finding as a test: no clock, containment skipped', async () => {
    const result = await recordEvent(rec.deps(), withAdditionalInfo({ value: '{"sample":true}', type: 'default' }));
    expect(result).toMatchObject({ outcome: 'opened', deadline: null });
    expect(await rec.store().getIncident(result.incidentId as string)).toMatchObject({ sample: true, deadline: null });
  });
});
