/**
 * The pipeline's own domain events, so that each handler reacts to an event rather than calling
 * the next one. Details carry identifiers only: never the finding, never personal data.
 */
export type DomainEventType =
  | 'Incident Opened'
  | 'Incident Updated'
  | 'Incident Acknowledged'
  | 'Containment Done'
  | 'Containment Failed'
  | 'Containment Left'
  | 'Reminder Due';

export interface DomainEvent {
  type: DomainEventType;
  incidentId: string;
  /** The incident revision the event describes: consumers can tell a repeat from news. */
  revision: number;
  detail?: Record<string, string | number | boolean | null>;
}

export interface EventPublisher {
  /** Publishes the events; throws when any of them was not accepted. */
  publish(events: DomainEvent[]): Promise<void>;
}
