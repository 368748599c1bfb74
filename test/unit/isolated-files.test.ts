/**
 * The test runner runs a file in a worker shared with other files unless it needs a process of its
 * own (vitest.config.ts, test/support/isolated-files.ts). A file missed here would see another
 * file's Lambda clients or module mocks; one listed needlessly only costs time.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, it } from 'vitest';
import { filesNeedingOwnProcess } from '../support/isolated-files.js';

// Written from parts, so that this file's own text imports none of the paths it names.
const staticImport = (name: string, path: string) => `import { ${name} } from '${path}';`;
const dynamicImport = (path: string) => `const m = await import('${path}');`;
const mock = (path: string) => `vi.${'mock'}('${path}');`;

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'datalek-isolated-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

it('lists a file that imports a Lambda entry point, directly or through a test module, or mocks a module; not one that does neither', () => {
  const root = tree({
    'handlers/record-finding.ts': 'export const handler = 1;',
    'handlers/lambda/record.ts': 'export const createRecordHandler = 1;',
    'handlers/cli.ts': 'export const main = 1;',
    'handlers/core/finding.ts': 'export const x = 1;',
    'handlers/anchor.ts': 'export const y = 1;',
    'test/support/pipeline.ts': `${staticImport('handler', '../../handlers/record-finding.js')}\nexport { handler };`,
    'test/support/plain.ts': `${staticImport('x', '../../handlers/core/finding.js')}\nexport { x };`,
    'test/integration/direct.test.ts': staticImport('handler', '../../handlers/record-finding.js'),
    // A handler factory and the CLI build nothing when imported.
    'test/integration/factory.test.ts': staticImport('createRecordHandler', '../../handlers/lambda/record.js'),
    'test/integration/cli.test.ts': staticImport('main', '../../handlers/cli.js'),
    'test/integration/through-support.test.ts': staticImport('handler', '../support/pipeline.js'),
    'test/integration/signer.test.ts': dynamicImport('../../handlers/anchor.js'),
    'test/unit/mocked.test.ts': `import { vi } from 'vitest';\n${mock('../../handlers/core/finding.js')}`,
    'test/unit/plain.test.ts': `${staticImport('x', '../support/plain.js')}\nimport { vi } from 'vitest';\nvi.spyOn(console, 'log');`,
  });
  expect(filesNeedingOwnProcess(root)).toEqual([
    'test/integration/direct.test.ts',
    'test/integration/signer.test.ts',
    'test/integration/through-support.test.ts',
    'test/unit/mocked.test.ts',
  ]);
});

it('finds, in this repository, the files that import the Lambda handlers and the ones that mock modules', () => {
  const listed = filesNeedingOwnProcess(join(import.meta.dirname, '../..'));
  expect(listed).toContain('test/integration/link-aws.test.ts');
  expect(listed).not.toContain('test/integration/aws-pipeline.test.ts');
  expect(listed).toContain('test/unit/replay-store-refusal.test.ts');
  expect(listed).not.toContain('test/unit/isolated-files.test.ts');
});
