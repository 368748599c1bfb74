/** A finding that names a person in every way GuardDuty can, for the minimisation tests (core/minimise.ts). */
import { accessKeyResource, findingEvent } from './events.js';

/** What the finding says of a person: none of it may be left after minimising. */
export const PERSONAL = ['203.0.113.45', 'jan.jansen', 'AKIAJANJANSEN0000001', 'AIDAEXAMPLE', 'Mozilla/5.0 (jan)', 'Utrecht', 'evil-jan.example'];

/** A credential finding naming a person: the caller's address, city, user agent, the user and key, a domain. */
export function personalEvent(id: string) {
  const event = findingEvent({
    id,
    type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
    createdAt: '2026-01-10T09:00:00Z',
    resource: accessKeyResource('AKIAJANJANSEN0000001', 'IAMUser', 'jan.jansen'),
    service: {
      action: {
        actionType: 'AWS_API_CALL',
        awsApiCallAction: {
          api: 'GetObject',
          serviceName: 's3.amazonaws.com',
          callerType: 'Remote IP',
          userAgent: { fullUserAgent: 'Mozilla/5.0 (jan)', userAgentCategory: 'BROWSER' },
          domainDetails: { domain: 'evil-jan.example' },
          remoteIpDetails: {
            ipAddressV4: '203.0.113.45',
            city: { cityName: 'Utrecht' },
            country: { countryName: 'Netherlands' },
            geoLocation: { lat: 52.09, lon: 5.12 },
            organization: { asn: '64500', asnOrg: 'EXAMPLE-NET', isp: 'Example ISP', org: 'Example ISP' },
          },
        },
      },
    },
  });
  event.detail.title = 'Credentials of jan.jansen used from 203.0.113.45';
  event.detail.description = 'Credentials for user jan.jansen (AKIAJANJANSEN0000001) were used from 203.0.113.45 outside AWS.';
  return event;
}

/**
 * An SSH brute-force finding on instance `instanceId` whose only personal data is the attacker's
 * IPv4 address `address` (in the connection and the title): minimising it removes that one value,
 * so the record before differs from the minimised one in that address alone.
 */
export function addressOnlyEvent(id: string, instanceId: string, address: string) {
  const event = findingEvent({
    id,
    type: 'UnauthorizedAccess:EC2/SSHBruteForce',
    instanceId,
    createdAt: '2026-01-10T09:00:00Z',
    resourceRole: 'TARGET',
    service: {
      action: {
        actionType: 'NETWORK_CONNECTION',
        networkConnectionAction: {
          connectionDirection: 'INBOUND',
          protocol: 'TCP',
          blocked: false,
          localPortDetails: { port: 22, portName: 'SSH' },
          remoteIpDetails: { ipAddressV4: address, country: { countryName: 'Netherlands' }, organization: { asn: '64500', asnOrg: 'EXAMPLE-NET' } },
        },
      },
    },
  });
  event.detail.title = `${address} is performing SSH brute force attacks against ${instanceId}.`;
  return event;
}
