/**
 * Replaying one record: the event it gives for a replay, the options a call of
 * OLD or NEW gets (the record's frozen clock, its raw query), the noise run of
 * OLD (another clock and seed), and all three runs for one record. The chunk
 * processor and `cfreplay show` both use these, so an event shown again runs
 * exactly as it ran in the replay.
 */
import { completeConnectionEvent, isRecordedConnection, type CorpusRecord, type ReplayEventType } from '../event/connection.js';
import { toEvent, viewerResponseSkipReason } from '../event/views.js';
import type { RunResult } from '../runtime/types.js';

/** How far the noise run moves the clock: not a round number, so time-of-day logic moves too. */
export const NOISE_CLOCK_SHIFT_MS = 3 * 3_600_000 + 17 * 60_000 + 3_301;
/** The noise run's seed is its clock xor this salt (another salt makes another independent run, see engine-check.ts). */
export const NOISE_SEED_SALT = 0x5deece66d;

export const SKIP_CONNECTION_RECORD = 'connection (mTLS) event: replayed only with connection functions';
export const SKIP_EXCHANGE_FOR_CONNECTION = 'HTTP exchange: a connection function runs only on connection events';

/** The event a record gives for this replay, or the reason it gives none. */
export function eventOf(record: CorpusRecord, eventType: ReplayEventType): object | string {
  if (isRecordedConnection(record)) return eventType === 'connection' ? completeConnectionEvent(record.event) : SKIP_CONNECTION_RECORD;
  if (eventType === 'connection') return SKIP_EXCHANGE_FOR_CONNECTION;
  return toEvent(record, eventType) ?? `viewer-response not run: ${viewerResponseSkipReason(record) ?? 'not eligible'}`;
}

/** What a call on a record gets: the record's clock (moved by `shift` ms, with a seed of its own, for the noise run) and raw query. */
export interface CallOptions {
  now: number;
  seed?: number;
  rawQuery?: string;
  /** The other version's result on the same event (InvokeOptions.twin): set for the second call of a pair only. */
  twin?: RunResult;
}

export function callOptions(record: CorpusRecord, shift: number, seedSalt = NOISE_SEED_SALT): CallOptions {
  const now = record.time + shift;
  const rawQuery = isRecordedConnection(record) ? undefined : record.rawQuery;
  return shift === 0 && seedSalt === NOISE_SEED_SALT ? { now, rawQuery, twin: undefined } : { now, seed: now ^ seedSalt, rawQuery };
}

/** A function ready to run events: a LoadedFunction in this thread, or a sandbox worker. */
export interface EventRunner {
  invoke(event: unknown, opts: CallOptions): RunResult | Promise<RunResult>;
}

export interface EventReplay {
  event: object;
  old: RunResult;
  new: RunResult;
  /** OLD again with the noise clock and seed (absent with `noise: false`). */
  rerun?: RunResult;
}

/** Replay one record through OLD and NEW (and OLD again for noise); a string is the reason the record gives no event. */
export async function replayRecord(
  record: CorpusRecord,
  eventType: ReplayEventType,
  fns: { old: EventRunner; new: EventRunner },
  options: { noise?: boolean } = {},
): Promise<EventReplay | string> {
  const event = eventOf(record, eventType);
  if (typeof event === 'string') return event;
  const same = callOptions(record, 0);
  const old = await fns.old.invoke(event, same);
  const neu = await fns.new.invoke(event, same);
  const out: EventReplay = { event, old, new: neu };
  if (options.noise !== false) out.rerun = await fns.old.invoke(event, callOptions(record, NOISE_CLOCK_SHIFT_MS));
  return out;
}
