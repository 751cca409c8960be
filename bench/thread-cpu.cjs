// Preloaded by bench/replay-phases.mjs (node -r): at exit, writes the CPU time of every thread
// still alive in this process (Linux /proc/self/task/*/schedstat): `cfreplay-threads main=<ms> helpers=<ms>`.
// The helpers are V8's platform threads (background JIT compilation, GC helpers) and libuv's
// pool; worker threads have exited by then (their CPU is the process's minus these two).
const { readFileSync, readdirSync } = require('node:fs');

process.on('exit', () => {
  let main = 0;
  let helpers = 0;
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const ms = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
      if (Number(tid) === process.pid) main = ms;
      else helpers += ms;
    }
  } catch {
    return;
  }
  process.stderr.write(`cfreplay-threads main=${main.toFixed(1)} helpers=${helpers.toFixed(1)}\n`);
});
