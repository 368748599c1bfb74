/**
 * The containment scenario on moto: an instance with two network interfaces (each with its own
 * group), in an Auto Scaling group and a load-balancer target group, with a volume.
 */
import { CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  AttachNetworkInterfaceCommand,
  CreateLaunchTemplateCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  EC2Client,
  ModifyInstanceAttributeCommand,
} from '@aws-sdk/client-ec2';
import { CreateTargetGroupCommand, RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';

export interface Scenario {
  vpcId: string;
  instanceId: string;
  enis: { id: string; groups: string[] }[];
  asgName: string;
  targetGroupArn: string;
}

let counter = 0;

/**
 * Makes moto show each attached network interface's own groups, as AWS does. moto lists them with
 * the instance's launch-time groups added (on AWS those are simply the primary interface's) until
 * a ModifyInstanceAttribute call empties its instance-level list, which setting the shutdown
 * behaviour does. It is set to "stop", EC2's default, so on AWS nothing would change. (Containment
 * used to set it before the swaps, so reads during a containment showed the truth by accident;
 * it now sets it after the cut.)
 */
export async function showOwnInterfaceGroups(ec2: EC2Client, instanceIds: string[]): Promise<void> {
  for (const InstanceId of instanceIds) {
    await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId, InstanceInitiatedShutdownBehavior: { Value: 'stop' } }));
  }
}

/** The image `anImageId` found, by region, for this process: moto loads the same default images into every account (and again after a reset). */
const IMAGES_KEY = Symbol.for('datalek.test.moto-image');
const held = globalThis as unknown as Record<symbol, Map<string, string> | undefined>;
held[IMAGES_KEY] ??= new Map<string, string>();
const images = held[IMAGES_KEY];

/**
 * An image moto can launch instances of: the first it lists (one of the default images it loads
 * into every account and region), listed once per process and region, then asked for by id.
 * Listed without a filter, moto answers with every image it knows: over a megabyte of XML, two
 * seconds of moto's CPU and more for the SDK to parse, which every scenario paid (with the first
 * EC2 call's loading of moto's EC2 code, 46 of the 105 CPU seconds of
 * test/integration/containment.test.ts on 30 November). The one listing goes through a client of
 * its own without the containment clients' 8-second request timeout, which a loaded machine passed
 * (in CI, a scenario's listing timed out and the test failed).
 */
export async function anImageId(ec2: EC2Client): Promise<string> {
  const region = await ec2.config.region();
  const known = images.get(region);
  if (known) {
    // Still there (a test may deregister an image): moto answers an unknown id with an error.
    const listed = await ec2.send(new DescribeImagesCommand({ ImageIds: [known] })).catch(() => undefined);
    if (listed?.Images?.some((image) => image.ImageId === known && image.State === 'available')) return known;
  }
  const patient = new EC2Client({ region, endpoint: ec2.config.endpoint, credentials: ec2.config.credentials });
  try {
    const first = (await patient.send(new DescribeImagesCommand({}))).Images?.[0]?.ImageId;
    if (!first) throw new Error(`moto lists no image in ${region} to launch an instance of`);
    images.set(region, first);
    return first;
  } finally {
    patient.destroy();
  }
}

/**
 * A VPC with one subnet. The image lookup comes first: a fresh moto loads its EC2 code at the first
 * EC2 call (two seconds of CPU, on a loaded machine past the 8-second request timeout of the
 * clients a test passes), and the lookup's own client waits for it.
 */
export async function buildVpc(c: ContainmentClients) {
  await anImageId(c.ec2);
  const vpc = await c.ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }));
  const vpcId = vpc.Vpc?.VpcId as string;
  const subnet = await c.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.20.1.0/24', AvailabilityZone: 'eu-west-1a' }));
  return { vpcId, subnetId: subnet.Subnet?.SubnetId as string };
}

export async function buildScenario(c: ContainmentClients, vpc?: { vpcId: string; subnetId: string }): Promise<Scenario> {
  counter += 1;
  const { vpcId, subnetId } = vpc ?? (await buildVpc(c));
  const group = async (name: string) =>
    (await c.ec2.send(new CreateSecurityGroupCommand({ GroupName: `${name}-${counter}`, Description: name, VpcId: vpcId }))).GroupId as string;
  const app = await group('app');
  const db = await group('db');
  const imageId = await anImageId(c.ec2);
  const template = `web-${counter}-${Date.now()}`;
  await c.ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: template,
      LaunchTemplateData: { ImageId: imageId, InstanceType: 't3.micro', SecurityGroupIds: [app] },
    }),
  );
  const asgName = `web-asg-${counter}-${Date.now()}`;
  await c.autoscaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: asgName,
      LaunchTemplate: { LaunchTemplateName: template, Version: '$Latest' },
      MinSize: 1,
      MaxSize: 3,
      DesiredCapacity: 1,
      VPCZoneIdentifier: subnetId,
    }),
  );
  const asg = await c.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [asgName] }));
  const instanceId = asg.AutoScalingGroups?.[0]?.Instances?.[0]?.InstanceId as string;
  const eni = await c.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: [db] }));
  const secondEni = eni.NetworkInterface?.NetworkInterfaceId as string;
  await c.ec2.send(new AttachNetworkInterfaceCommand({ InstanceId: instanceId, NetworkInterfaceId: secondEni, DeviceIndex: 1 }));
  await showOwnInterfaceGroups(c.ec2, [instanceId]);
  const tg = await c.elbv2.send(new CreateTargetGroupCommand({ Name: `web-tg-${counter}`, Protocol: 'HTTP', Port: 80, VpcId: vpcId, TargetType: 'instance' }));
  const targetGroupArn = tg.TargetGroups?.[0]?.TargetGroupArn as string;
  await c.elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: [{ Id: instanceId, Port: 80 }] }));
  return {
    vpcId,
    instanceId,
    enis: [
      { id: '', groups: [app] },
      { id: secondEni, groups: [db] },
    ],
    asgName,
    targetGroupArn,
  };
}
