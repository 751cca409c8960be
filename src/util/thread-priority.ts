/**
 * Lower the scheduling priority of the calling thread only (Linux).
 *
 * Used by background threads that share the machine with latency-critical
 * work in the same process (the recording proxy's recording worker): with a
 * higher nice value the kernel runs the proxy's event loop first whenever
 * both want a core, and the recorder catches up in the gaps. Linux applies
 * setpriority(PRIO_PROCESS, tid) to one thread, and `/proc/thread-self` names
 * the calling thread's id, so this changes this thread and nothing else.
 * Elsewhere (or when not permitted) it does nothing: priority is an
 * optimisation, never a requirement.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** Returns the thread id whose priority was lowered, or undefined when it could not be. */
export function lowerThisThreadPriority(nice: number): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return undefined;
    setPriority(tid, nice);
    return tid;
  } catch {
    return undefined;
  }
}
