// The native engine's reports for a list of files, one JSON report per file in order
// (examples/report_json.rs), for the suites that check wasm == native.
import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function nativeReports(files) {
  const output = execFileSync('cargo', ['run', '--quiet', '--example', 'report_json', '--', ...files], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return output.trim().split('\n').map((line) => JSON.parse(line));
}
