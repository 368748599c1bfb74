/**
 * The template of datalek's own CDK bootstrap (infra/bootstrap-template.ts; deploy's "Still left" 5):
 * the CLI's, its staging bucket sending S3's events to EventBridge, where `datalek-watch-changes`
 * pages on every object written there (rule-patterns.test.ts, fixtures 166-168).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CDK_BOOTSTRAP_TEMPLATE, datalekBootstrapTemplate } from '../../infra/bootstrap-template.js';

const cli = readFileSync(CDK_BOOTSTRAP_TEMPLATE, 'utf8');
const cfnLintFound = spawnSync('sh', ['-c', 'command -v cfn-lint'], { encoding: 'utf8' }).status === 0;

describe("datalek's CDK bootstrap template", () => {
  it("is the CLI's, its staging bucket alone sending S3's events to EventBridge", () => {
    const ours = datalekBootstrapTemplate().split('\n');
    expect(ours.length).toBe(cli.split('\n').length + 3);
    const at = ours.indexOf('      NotificationConfiguration:');
    expect(ours.slice(at, at + 3)).toEqual(['      NotificationConfiguration:', '        EventBridgeConfiguration:', '          EventBridgeEnabled: true']);
    expect([...ours.slice(0, at), ...ours.slice(at + 3)]).toEqual(cli.split('\n'));
    // In the StagingBucket's properties, beside its versioning.
    expect(ours.slice(ours.indexOf('  StagingBucket:'), at).join('\n')).toMatch(/Type: AWS::S3::Bucket[\s\S]*VersioningConfiguration:\n {8}Status: Enabled$/);
  });

  it("refuses a CLI template whose staging bucket it does not recognise, naming the file (a new CDK's)", () => {
    expect(() => datalekBootstrapTemplate(cli.replace('  StagingBucket:\n', '  AssetsBucket:\n'))).toThrow(/bootstrap-template\.yaml.*StagingBucket/);
    expect(() => datalekBootstrapTemplate(datalekBootstrapTemplate())).toThrow(/no NotificationConfiguration/);
  });

  it.skipIf(!cfnLintFound)(
    'passes cfn-lint',
    () => {
      const file = join(mkdtempSync(join(tmpdir(), 'datalek-bootstrap-')), 'template.yaml');
      writeFileSync(file, datalekBootstrapTemplate());
      // The CLI's own template warns of these two (an unused parameter, the bucket's AccessControl): nothing else.
      const cliOwn = ['--ignore-checks', 'W2001', 'W3045'];
      const lint = spawnSync('cfn-lint', ['--config-file', join(import.meta.dirname, '../../.cfnlintrc.yaml'), ...cliOwn, '--', file], { encoding: 'utf8' });
      expect(lint.stdout + lint.stderr).toBe('');
      expect(lint.status).toBe(0);
    },
    180_000,
  );
});
