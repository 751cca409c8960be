// Function-running worker threads compile optimized code on their own thread (runtime/worker-jit.ts):
// a worker started through newWorker (the one way the replay pool and the sandbox start theirs)
// compiles synchronously, as V8's --trace-opt reports it, while the main thread, already running,
// keeps compiling in the background.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../helpers/tmp.js';

const SUPERVISED = new URL('../../dist/runtime/supervised-worker.js', import.meta.url).href;

// A loop hot enough for TurboFan, in a function with a name to find in the trace.
const hot = (name: string): string => `
function ${name}(x) { return (x * 31 + 7) % 1009; }
let sum = 0;
for (let i = 0; i < 2e6; i++) sum += ${name}(i);`;

const dir = useTempDir();

describe('worker JIT', () => {
  it('a worker from newWorker compiles TurboFan code on its own thread; the main thread still in the background', () => {
    const worker = join(dir.path, 'worker.mjs');
    writeFileSync(worker, `import { parentPort } from 'node:worker_threads';\n${hot('workerHot')}\nparentPort.postMessage(sum);\n`);
    const main = join(dir.path, 'main.mjs');
    writeFileSync(main, `import { newWorker } from ${JSON.stringify(SUPERVISED)};
const w = newWorker({ script: new URL(${JSON.stringify(`file://${worker}`)}), resourceLimits: {} }, null);
w.once('message', () => {
  ${hot('mainHot')}
  w.terminate();
});
`);
    const run = spawnSync(process.execPath, ['--trace-opt', main], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    const modes = (name: string): string[] =>
      run.stdout
        .split('\n')
        .filter((l) => l.startsWith('[compiling method') && l.includes(`<JSFunction ${name} `))
        .map((l) => /mode: ConcurrencyMode::(\w+)/.exec(l)?.[1] ?? '?');
    expect(modes('workerHot').length).toBeGreaterThan(0);
    expect(new Set(modes('workerHot'))).toEqual(new Set(['kSynchronous']));
    expect(new Set(modes('mainHot'))).toEqual(new Set(['kConcurrent']));
  });
});
