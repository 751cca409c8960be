// A recording proxy on a free loopback port, recording into memory, for the
// proxy tests; the caller's `closers` stops it (and waits for the recording).
import { MemorySink, runRecording, type RecordSummary } from '../../src/record/index.js';
import { startProxySource, type ProxyOptions, type ProxySource } from '../../src/record/proxy/proxy-source.js';

export interface ProxyRecording {
  proxy: ProxySource;
  /** http://127.0.0.1:<port> */
  base: string;
  sink: MemorySink;
  done: Promise<RecordSummary>;
}

export async function recordThroughProxy(target: URL, options: Partial<ProxyOptions>, closers: (() => Promise<void>)[]): Promise<ProxyRecording> {
  const proxy = await startProxySource({ listen: { host: '127.0.0.1', port: 0 }, target, handleSignals: false, ...options });
  const sink = new MemorySink();
  const done = runRecording([proxy], sink);
  closers.push(async () => {
    proxy.stop('test end', 100);
    await done.catch(() => undefined);
  });
  return { proxy, base: `http://127.0.0.1:${proxy.port}`, sink, done };
}
