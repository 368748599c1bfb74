import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DatalekError } from '../../core/errors.js';
import type { DomainEvent, EventPublisher } from '../../ports/event-publisher.js';
import { DOMAIN_EVENT_SOURCE } from './table-schema.js';

/** Publishes domain events on the pipeline's custom bus, ten per PutEvents call (the API's limit). */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: DomainEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += 10) {
      const batch = events.slice(i, i + 10);
      const out = await this.client.send(
        new PutEventsCommand({
          Entries: batch.map((e) => ({
            EventBusName: this.busName,
            Source: DOMAIN_EVENT_SOURCE,
            DetailType: e.type,
            Detail: JSON.stringify({ incidentId: e.incidentId, revision: e.revision, ...e.detail }),
          })),
        }),
      );
      // PutEvents answers 200 with per-entry failures: a failed entry must not pass as published.
      if ((out.FailedEntryCount ?? 0) > 0) {
        const failed = (out.Entries ?? []).filter((e) => e.ErrorCode).map((e) => `${e.ErrorCode}: ${e.ErrorMessage}`);
        throw new DatalekError(`EventBridge refused ${out.FailedEntryCount} of ${batch.length} events on bus ${this.busName}: ${failed.join('; ')}`);
      }
    }
  }
}
