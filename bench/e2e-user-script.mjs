// The script a user writes in ten minutes instead of cfreplay (issue 19's yardstick): read
// the events as JSON lines, run both handlers in a `vm` context, compare the JSON.stringify
// of their outputs. No fidelity at all (no CloudFront runtime, no validation, no isolation
// between events, no time limit, no latency figures), one thread.
// Usage: node bench/e2e-user-script.mjs old.js new.js events.jsonl
// Prints one JSON line: events, changed, and the time of its loop only (wall and CPU).
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import vm from 'node:vm';

const [oldPath, newPath, eventsPath] = process.argv.slice(2);

function load(path) {
  const context = vm.createContext({ console });
  vm.runInContext(readFileSync(path, 'utf8'), context, { filename: path });
  return context.handler;
}

const oldHandler = load(oldPath);
const newHandler = load(newPath);
let events = 0;
let changed = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for await (const line of createInterface({ input: createReadStream(eventsPath), crlfDelay: Infinity })) {
  if (line === '') continue;
  // Each handler gets its own copy: handlers change the event they are given.
  const a = JSON.stringify(oldHandler(JSON.parse(line)));
  const b = JSON.stringify(newHandler(JSON.parse(line)));
  if (a !== b) changed++;
  events++;
}
const loopMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({ events, changed, loopMs, cpuMs: (cpu.user + cpu.system) / 1000 }));
