/**
 * GuardDuty's finding types, by family, with the resource each concerns and the shape of its
 * activity: what the coverage table (runbooks/coverage.md) is generated from, and what the tests
 * replay to prove every High and Critical family gets a containment or a person's step.
 *
 * From GuardDuty's published lists of active finding types (EC2, IAM, S3, EKS audit logs, Runtime
 * Monitoring, Malware Protection for EC2, S3 and AWS Backup, RDS, Lambda, attack sequences) and the
 * Security Hub mapping of them. A type GuardDuty adds later is still recorded and, at High, gets the
 * policy's fallback step: the catalogue is for the table and the tests, never a filter.
 */

/**
 * How the activity looks in the finding:
 * `out` an OUTBOUND connection (role ACTOR); `out-target` OUTBOUND with role TARGET (as GuardDuty
 * reports a Tor client); `in` an INBOUND connection to it (role TARGET); `in-actor` INBOUND with role
 * ACTOR (it serves, e.g. a Tor relay); `either` some findings of the type are one, some the other
 * (brute force from or against it); `dns` a DNS request; `probe` a port probe; `api` an API call;
 * `runtime` a process (Runtime Monitoring); `malware` a Malware Protection scan; `login` a database login.
 */
export type ActivityShape = 'out' | 'out-target' | 'in' | 'in-actor' | 'either' | 'dns' | 'probe' | 'api' | 'runtime' | 'malware' | 'login' | 'sequence';

export interface CatalogueEntry {
  type: string;
  /** The resource types findings of this type come with (Runtime Monitoring: instance, ECS task, EKS node). */
  resources: string[];
  shape: ActivityShape;
}

const RUNTIME_RESOURCES = ['Instance', 'ECSCluster', 'EKSCluster'];

type Row = [type: string, shape: ActivityShape, resources?: string[]];

const group = (prefix: string, resources: string[], rows: [string, ActivityShape][]): Row[] =>
  rows.map(([name, shape]) => [`${prefix}/${name}`, shape, resources]);

const ROWS: Row[] = [
  ...group(
    'Backdoor:EC2',
    ['Instance'],
    [
      ['C&CActivity.B', 'out'],
      ['C&CActivity.B!DNS', 'dns'],
      ['DenialOfService.Dns', 'out'],
      ['DenialOfService.Tcp', 'out'],
      ['DenialOfService.Udp', 'out'],
      ['DenialOfService.UdpOnTcpPorts', 'out'],
      ['DenialOfService.UnusualProtocol', 'out'],
      ['Spambot', 'out'],
    ],
  ),
  ...group(
    'Behavior:EC2',
    ['Instance'],
    [
      ['NetworkPortUnusual', 'either'],
      ['TrafficVolumeUnusual', 'either'],
    ],
  ),
  ...group(
    'CryptoCurrency:EC2',
    ['Instance'],
    [
      ['BitcoinTool.B', 'out'],
      ['BitcoinTool.B!DNS', 'dns'],
    ],
  ),
  ...group(
    'DefenseEvasion:EC2',
    ['Instance'],
    [
      ['UnusualDNSResolver', 'out'],
      ['UnusualDoHActivity', 'out'],
      ['UnusualDoTActivity', 'out'],
    ],
  ),
  ...group(
    'Impact:EC2',
    ['Instance'],
    [
      ['AbusedDomainRequest.Reputation', 'dns'],
      ['BitcoinDomainRequest.Reputation', 'dns'],
      ['MaliciousDomainRequest.Custom', 'dns'],
      ['MaliciousDomainRequest.Reputation', 'dns'],
      ['PortSweep', 'out'],
      ['SuspiciousDomainRequest.Reputation', 'dns'],
      ['WinRMBruteForce', 'either'],
    ],
  ),
  ...group(
    'Recon:EC2',
    ['Instance'],
    [
      ['PortProbeEMRUnprotectedPort', 'probe'],
      ['PortProbeUnprotectedPort', 'probe'],
      ['Portscan', 'out'],
    ],
  ),
  ...group(
    'Trojan:EC2',
    ['Instance'],
    [
      ['BlackholeTraffic', 'out'],
      ['BlackholeTraffic!DNS', 'dns'],
      ['DGADomainRequest.B', 'dns'],
      ['DGADomainRequest.C!DNS', 'dns'],
      ['DNSDataExfiltration', 'dns'],
      ['DriveBySourceTraffic!DNS', 'dns'],
      ['DropPoint', 'out'],
      ['DropPoint!DNS', 'dns'],
      ['PhishingDomainRequest!DNS', 'dns'],
    ],
  ),
  ...group(
    'UnauthorizedAccess:EC2',
    ['Instance'],
    [
      ['MaliciousIPCaller.Custom', 'either'],
      ['MetadataDNSRebind', 'dns'],
      ['RDPBruteForce', 'either'],
      ['SSHBruteForce', 'either'],
      ['TorClient', 'out-target'],
      ['TorIPCaller', 'in'],
      ['TorRelay', 'in-actor'],
    ],
  ),
  // Malware Protection for EC2: a scan of the instance's volumes, or of a container's.
  ...group(
    'Execution:EC2',
    ['Instance'],
    [
      ['MaliciousFile', 'malware'],
      ['SuspiciousFile', 'malware'],
    ],
  ),
  ...group(
    'Execution:ECS',
    ['ECSCluster'],
    [
      ['MaliciousFile', 'malware'],
      ['SuspiciousFile', 'malware'],
    ],
  ),
  ...group(
    'Execution:Container',
    ['Container'],
    [
      ['MaliciousFile', 'malware'],
      ['SuspiciousFile', 'malware'],
    ],
  ),
  // Malware Protection for AWS Backup.
  ['Execution:EC2/MaliciousFile!Snapshot', 'malware', ['EBSSnapshot']],
  ['Execution:EC2/MaliciousFile!AMI', 'malware', ['EC2Image']],
  ['Execution:EC2/MaliciousFile!RecoveryPoint', 'malware', ['RecoveryPoint']],
  ['Execution:S3/MaliciousFile!RecoveryPoint', 'malware', ['RecoveryPoint']],
  ...group('CredentialAccess:IAMUser', ['AccessKey'], [['AnomalousBehavior', 'api']]),
  ...group(
    'DefenseEvasion:IAMUser',
    ['AccessKey'],
    [
      ['AnomalousBehavior', 'api'],
      ['BedrockLoggingDisabled', 'api'],
    ],
  ),
  ...group('Discovery:IAMUser', ['AccessKey'], [['AnomalousBehavior', 'api']]),
  ...group('Exfiltration:IAMUser', ['AccessKey'], [['AnomalousBehavior', 'api']]),
  ...group('Impact:IAMUser', ['AccessKey'], [['AnomalousBehavior', 'api']]),
  ...group('InitialAccess:IAMUser', ['AccessKey'], [['AnomalousBehavior', 'api']]),
  ...group(
    'PenTest:IAMUser',
    ['AccessKey'],
    [
      ['KaliLinux', 'api'],
      ['ParrotLinux', 'api'],
      ['PentooLinux', 'api'],
    ],
  ),
  ...group('Persistence:IAMUser', ['AccessKey'], [['AnomalousBehavior', 'api']]),
  ...group(
    'Policy:IAMUser',
    ['AccessKey'],
    [
      ['RootCredentialUsage', 'api'],
      ['ShortTermRootCredentialUsage', 'api'],
    ],
  ),
  ...group('PrivilegeEscalation:IAMUser', ['AccessKey'], [['AnomalousBehavior', 'api']]),
  ...group(
    'Recon:IAMUser',
    ['AccessKey'],
    [
      ['MaliciousIPCaller', 'api'],
      ['MaliciousIPCaller.Custom', 'api'],
      ['TorIPCaller', 'api'],
    ],
  ),
  ...group(
    'Stealth:IAMUser',
    ['AccessKey'],
    [
      ['CloudTrailLoggingDisabled', 'api'],
      ['PasswordPolicyChange', 'api'],
    ],
  ),
  ...group(
    'UnauthorizedAccess:IAMUser',
    ['AccessKey'],
    [
      ['ConsoleLoginSuccess.B', 'api'],
      ['InstanceCredentialExfiltration.InsideAWS', 'api'],
      ['InstanceCredentialExfiltration.OutsideAWS', 'api'],
      ['MaliciousIPCaller', 'api'],
      ['MaliciousIPCaller.Custom', 'api'],
      ['ResourceCredentialExfiltration.InsideAWS', 'api'],
      ['ResourceCredentialExfiltration.OutsideAWS', 'api'],
      ['TorIPCaller', 'api'],
    ],
  ),
  ...group(
    'Discovery:S3',
    ['S3Bucket'],
    [
      ['AnomalousBehavior', 'api'],
      ['MaliciousIPCaller', 'api'],
      ['MaliciousIPCaller.Custom', 'api'],
      ['TorIPCaller', 'api'],
    ],
  ),
  ...group(
    'Exfiltration:S3',
    ['S3Bucket'],
    [
      ['AnomalousBehavior', 'api'],
      ['MaliciousIPCaller', 'api'],
    ],
  ),
  ...group(
    'Impact:S3',
    ['S3Bucket'],
    [
      ['AnomalousBehavior.Delete', 'api'],
      ['AnomalousBehavior.Permission', 'api'],
      ['AnomalousBehavior.Write', 'api'],
      ['MaliciousIPCaller', 'api'],
    ],
  ),
  ...group(
    'PenTest:S3',
    ['S3Bucket'],
    [
      ['KaliLinux', 'api'],
      ['ParrotLinux', 'api'],
      ['PentooLinux', 'api'],
    ],
  ),
  ...group(
    'Policy:S3',
    ['S3Bucket'],
    [
      ['AccountBlockPublicAccessDisabled', 'api'],
      ['BucketAnonymousAccessGranted', 'api'],
      ['BucketBlockPublicAccessDisabled', 'api'],
      ['BucketPublicAccessGranted', 'api'],
    ],
  ),
  ...group('Stealth:S3', ['S3Bucket'], [['ServerAccessLoggingDisabled', 'api']]),
  ...group(
    'UnauthorizedAccess:S3',
    ['S3Bucket'],
    [
      ['MaliciousIPCaller.Custom', 'api'],
      ['TorIPCaller', 'api'],
    ],
  ),
  ['Object:S3/MaliciousFile', 'malware', ['S3Object']],
  ...group(
    'CredentialAccess:Kubernetes',
    ['EKSCluster'],
    [
      ['AnomalousBehavior.SecretsAccessed', 'api'],
      ['MaliciousIPCaller', 'api'],
      ['MaliciousIPCaller.Custom', 'api'],
      ['SuccessfulAnonymousAccess', 'api'],
      ['TorIPCaller', 'api'],
    ],
  ),
  ...group(
    'DefenseEvasion:Kubernetes',
    ['EKSCluster'],
    [
      ['MaliciousIPCaller', 'api'],
      ['MaliciousIPCaller.Custom', 'api'],
      ['SuccessfulAnonymousAccess', 'api'],
      ['TorIPCaller', 'api'],
    ],
  ),
  ...group(
    'Discovery:Kubernetes',
    ['EKSCluster'],
    [
      ['AnomalousBehavior.PermissionChecked', 'api'],
      ['MaliciousIPCaller', 'api'],
      ['MaliciousIPCaller.Custom', 'api'],
      ['SuccessfulAnonymousAccess', 'api'],
      ['TorIPCaller', 'api'],
    ],
  ),
  ...group(
    'Execution:Kubernetes',
    ['EKSCluster'],
    [
      ['AnomalousBehavior.ExecInPod', 'api'],
      ['AnomalousBehavior.WorkloadDeployed', 'api'],
      ['ExecInKubeSystemPod', 'api'],
      ['MaliciousFile', 'malware'],
      ['SuspiciousFile', 'malware'],
    ],
  ),
  ...group(
    'Impact:Kubernetes',
    ['EKSCluster'],
    [
      ['MaliciousIPCaller', 'api'],
      ['MaliciousIPCaller.Custom', 'api'],
      ['SuccessfulAnonymousAccess', 'api'],
      ['TorIPCaller', 'api'],
    ],
  ),
  ...group(
    'Persistence:Kubernetes',
    ['EKSCluster'],
    [
      ['AnomalousBehavior.WorkloadDeployed!ContainerWithSensitiveMount', 'api'],
      ['ContainerWithSensitiveMount', 'api'],
      ['MaliciousIPCaller', 'api'],
      ['MaliciousIPCaller.Custom', 'api'],
      ['SuccessfulAnonymousAccess', 'api'],
      ['TorIPCaller', 'api'],
    ],
  ),
  ...group(
    'Policy:Kubernetes',
    ['EKSCluster'],
    [
      ['AdminAccessToDefaultServiceAccount', 'api'],
      ['AnonymousAccessGranted', 'api'],
      ['ExposedDashboard', 'api'],
      ['KubeflowDashboardExposed', 'api'],
    ],
  ),
  ...group(
    'PrivilegeEscalation:Kubernetes',
    ['EKSCluster'],
    [
      ['AnomalousBehavior.RoleBindingCreated', 'api'],
      ['AnomalousBehavior.RoleCreated', 'api'],
      ['AnomalousBehavior.WorkloadDeployed!PrivilegedContainer', 'api'],
      ['PrivilegedContainer', 'api'],
    ],
  ),
  ...group('Backdoor:Runtime', RUNTIME_RESOURCES, [
    ['C&CActivity.B', 'runtime'],
    ['C&CActivity.B!DNS', 'runtime'],
  ]),
  ...group('CryptoCurrency:Runtime', RUNTIME_RESOURCES, [
    ['BitcoinTool.B', 'runtime'],
    ['BitcoinTool.B!DNS', 'runtime'],
  ]),
  ...group('DefenseEvasion:Runtime', RUNTIME_RESOURCES, [
    ['FilelessExecution', 'runtime'],
    ['KernelModuleLoaded', 'runtime'],
    ['ProcessInjection.Proc', 'runtime'],
    ['ProcessInjection.Ptrace', 'runtime'],
    ['ProcessInjection.VirtualMemoryWrite', 'runtime'],
    ['PtraceAntiDebugging', 'runtime'],
    ['SensitiveFileModified', 'runtime'],
    ['SuspiciousCommand', 'runtime'],
  ]),
  ...group('Discovery:Runtime', RUNTIME_RESOURCES, [['SuspiciousCommand', 'runtime']]),
  ...group('Execution:Runtime', RUNTIME_RESOURCES, [
    ['MaliciousFileExecuted', 'runtime'],
    ['MaliciousFileExecuted.Custom', 'runtime'],
    ['NewBinaryExecuted', 'runtime'],
    ['NewLibraryLoaded', 'runtime'],
    ['ReverseShell', 'runtime'],
    ['SuspiciousCommand', 'runtime'],
    ['SuspiciousShellCreated', 'runtime'],
    ['SuspiciousTool', 'runtime'],
  ]),
  ...group('Impact:Runtime', RUNTIME_RESOURCES, [
    ['AbusedDomainRequest.Reputation', 'runtime'],
    ['BitcoinDomainRequest.Reputation', 'runtime'],
    ['CryptoMinerExecuted', 'runtime'],
    ['MaliciousDomainRequest.Reputation', 'runtime'],
    ['SuspiciousDomainRequest.Reputation', 'runtime'],
  ]),
  ...group('Persistence:Runtime', RUNTIME_RESOURCES, [
    ['SensitiveFileModified', 'runtime'],
    ['SuspiciousCommand', 'runtime'],
  ]),
  ...group('PrivilegeEscalation:Runtime', RUNTIME_RESOURCES, [
    ['CGroupsReleaseAgentModified', 'runtime'],
    ['ContainerMountsHostDirectory', 'runtime'],
    ['DockerSocketAccessed', 'runtime'],
    ['ElevationToRoot', 'runtime'],
    ['RuncContainerEscape', 'runtime'],
    ['SensitiveFileModified', 'runtime'],
    ['SuspiciousCommand', 'runtime'],
    ['UserfaultfdUsage', 'runtime'],
  ]),
  ...group('Trojan:Runtime', RUNTIME_RESOURCES, [
    ['BlackholeTraffic', 'runtime'],
    ['BlackholeTraffic!DNS', 'runtime'],
    ['DGADomainRequest.C!DNS', 'runtime'],
    ['DriveBySourceTraffic!DNS', 'runtime'],
    ['DropPoint', 'runtime'],
    ['DropPoint!DNS', 'runtime'],
    ['PhishingDomainRequest!DNS', 'runtime'],
  ]),
  ...group('UnauthorizedAccess:Runtime', RUNTIME_RESOURCES, [
    ['MetadataDNSRebind', 'runtime'],
    ['TorClient', 'runtime'],
    ['TorRelay', 'runtime'],
  ]),
  ...group('Backdoor:Lambda', ['Lambda'], [['C&CActivity.B', 'out']]),
  ...group('CryptoCurrency:Lambda', ['Lambda'], [['BitcoinTool.B', 'out']]),
  ...group(
    'Trojan:Lambda',
    ['Lambda'],
    [
      ['BlackholeTraffic', 'out'],
      ['DropPoint', 'out'],
    ],
  ),
  ...group(
    'UnauthorizedAccess:Lambda',
    ['Lambda'],
    [
      ['MaliciousIPCaller.Custom', 'out'],
      ['TorClient', 'out'],
      ['TorRelay', 'out'],
    ],
  ),
  ...group(
    'CredentialAccess:RDS',
    ['RDSDBInstance', 'RDSLimitlessDB'],
    [
      ['AnomalousBehavior.FailedLogin', 'login'],
      ['AnomalousBehavior.SuccessfulBruteForce', 'login'],
      ['AnomalousBehavior.SuccessfulLogin', 'login'],
      ['MaliciousIPCaller.FailedLogin', 'login'],
      ['MaliciousIPCaller.SuccessfulLogin', 'login'],
      ['TorIPCaller.FailedLogin', 'login'],
      ['TorIPCaller.SuccessfulLogin', 'login'],
    ],
  ),
  ...group(
    'Discovery:RDS',
    ['RDSDBInstance', 'RDSLimitlessDB'],
    [
      ['MaliciousIPCaller', 'login'],
      ['TorIPCaller', 'login'],
    ],
  ),
  // Extended Threat Detection: Critical, named resources under service.detection.sequence.
  ...group('AttackSequence:EC2', ['AttackSequence'], [['CompromisedInstanceGroup', 'sequence']]),
  ...group('AttackSequence:ECS', ['AttackSequence'], [['CompromisedCluster', 'sequence']]),
  ...group('AttackSequence:EKS', ['AttackSequence'], [['CompromisedCluster', 'sequence']]),
  ...group('AttackSequence:IAM', ['AttackSequence'], [['CompromisedCredentials', 'sequence']]),
  ...group('AttackSequence:S3', ['AttackSequence'], [['CompromisedData', 'sequence']]),
];

export const FINDING_CATALOGUE: CatalogueEntry[] = ROWS.map(([type, shape, resources = ['Instance']]) => ({ type, shape, resources }));

/** `Backdoor:EC2/C&CActivity.B!DNS` → `Backdoor:EC2`: threat purpose and resource type name. */
export function familyOf(type: string): string {
  return type.split('/')[0];
}
