/**
 * The name and one-line description of every top-level command, without
 * importing any command module: `cfreplay --help` lists them from here and
 * loads nothing else. Each command module spreads its entry (`...SUMMARIES.cat`).
 */
export const SUMMARIES = {
  record: {
    command: 'record',
    describe: 'Record traffic (HAR, live proxy, GoReplay, CloudFront logs, test events) into a corpus of CloudFront Functions events',
  },
  replay: {
    command: 'replay',
    describe: 'Replay a corpus through OLD and NEW versions of a function and report every behavioural difference and the latency change',
  },
  inspect: {
    command: 'inspect <corpus>',
    describe: 'Summarise a corpus: events by type, method, host, status, top URIs, size, format, and an integrity check',
  },
  cat: { command: 'cat <corpus>', describe: 'Print the events of a corpus as JSON lines, exactly as a function receives them' },
  run: { command: 'run <function>', describe: 'Run a CloudFront Function on one event, like TestFunction but local' },
  test: {
    command: 'test <function> [cases..]',
    describe: 'Run test cases (cftest {"event","output"} or partial {"event","expect"}) through a function, like a test runner',
  },
  show: { command: 'show <report> <event-id>', describe: 'Show one event of a replay report: the event, both outputs and a readable diff' },
  report: {
    command: 'report <report>',
    describe: 'Render a JSON replay report as HTML, Markdown (PR comment) and JUnit XML; Markdown to stdout when no output is named',
  },
  push: { command: 'push <file> <target>', describe: 'Copy a corpus file into Redis, chunk for chunk (same bytes, same checksums)' },
  pull: { command: 'pull <source> <file>', describe: 'Copy a corpus from Redis into a corpus file, chunk for chunk (same bytes, same checksums)' },
  ls: { command: 'ls <target>', describe: 'List the corpora stored in Redis (events, chunks, bytes, created)' },
  rm: { command: 'rm <target>', describe: 'Delete a corpus from Redis' },
  worker: {
    command: 'worker <target>',
    describe: 'Join distributed replays: take chunks from the runs queued in Redis, replay them in worker threads, write the results back',
  },
} as const;

export type CommandName = keyof typeof SUMMARIES;
