// Preloaded (node -r) into the proxies of bench/proxy-bench.mjs: the event
// loop's delay over the measured run only. SIGUSR2 starts a measurement; the
// next SIGUSR2 prints `EVENT-LOOP <p50> <p99> <max>` (ms) on stderr. It tells
// the proxy's own stalls (GC, JavaScript work) from what the machine's
// scheduling adds to every process.
const { monitorEventLoopDelay } = require('node:perf_hooks');
const h = monitorEventLoopDelay({ resolution: 1 });
let on = false;
process.on('SIGUSR2', () => {
  if (!on) {
    h.reset();
    h.enable();
    on = true;
    return;
  }
  h.disable();
  on = false;
  const ms = (ns) => (ns / 1e6).toFixed(3);
  process.stderr.write(`EVENT-LOOP ${ms(h.percentile(50))} ${ms(h.percentile(99))} ${ms(h.max)}\n`);
});
