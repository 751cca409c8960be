/**
 * Redis targets and connections shared by the Redis corpus, the distributed
 * coordinator and the workers.
 *
 * A target is `redis://[user:password@]host[:port][/db][#name]` (or
 * `rediss://` for TLS). The fragment names a corpus. The password never
 * appears in a message: `display` replaces it with `***`.
 *
 * Connection failures become one-line user-facing errors: wrong password,
 * nothing listening, unknown host, lost connection. Commands never wait in
 * an offline queue forever: after the configured reconnect attempts they
 * fail with RedisUnavailableError.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { maskPassword } from './url.js';
import { UserError } from '../../util/user-error.js';

export { isRedisUrl, maskPassword } from './url.js';

export class RedisTargetError extends UserError {
  override name = 'RedisTargetError';
}

/** Redis cannot be reached or went away. */
export class RedisUnavailableError extends UserError {
  override name = 'RedisUnavailableError';
}

/** Redis answered a command with an error (not a connection problem). */
export class RedisCommandError extends UserError {
  override name = 'RedisCommandError';
}

/** The server refused the credentials. */
export class RedisAuthError extends UserError {
  override name = 'RedisAuthError';
}

export interface RedisTarget {
  /** The URL as given, without the fragment (contains the password: never print it). */
  url: string;
  /** The URL with the password replaced by *** (and the fragment, if any). */
  display: string;
  /** The URL without the password and without the fragment. */
  server: string;
  host: string;
  port: number;
  db: number;
  tls: boolean;
  username?: string;
  password?: string;
  /** Corpus name from the fragment. */
  name?: string;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@+=-]{0,199}$/;


/** Check a corpus name (used in keys: no spaces, colons or braces). */
export function checkCorpusName(name: string, where: string): string {
  if (!NAME_RE.test(name)) {
    throw new RedisTargetError(`${where}: "${name}" is not a usable corpus name (letters, digits and . _ - @ + =, starting with a letter or digit, at most 200)`);
  }
  return name;
}

export function parseRedisTarget(text: string): RedisTarget {
  const hash = text.indexOf('#');
  const base = hash >= 0 ? text.slice(0, hash) : text;
  const fragment = hash >= 0 ? text.slice(hash + 1) : undefined;
  let u: URL;
  try {
    u = new URL(base);
  } catch {
    throw new RedisTargetError(`${maskPassword(text)}: not a Redis URL (expected redis://[user:password@]host[:port][/db][#name])`);
  }
  const tls = u.protocol === 'rediss:';
  if (u.protocol !== 'redis:' && !tls) throw new RedisTargetError(`${maskPassword(text)}: not a Redis URL (use redis:// or rediss://)`);
  if (u.hostname === '') throw new RedisTargetError(`${maskPassword(text)}: no host in the Redis URL`);
  const port = u.port === '' ? 6379 : Number(u.port);
  const dbText = u.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d{1,5}$/.test(dbText)) {
    throw new RedisTargetError(`${maskPassword(text)}: "/${dbText}" is not a database number (e.g. /0); name the corpus after #, e.g. ${maskPassword(base)}#prod`);
  }
  const db = dbText === '' ? 0 : Number(dbText);
  const decode = (part: string, what: string): string => {
    try {
      return decodeURIComponent(part);
    } catch {
      throw new RedisTargetError(
        `${maskPassword(text)}: the ${what} in the Redis URL has a "%" that is not a %XX escape: write "%" as %25 (or give the password in the REDISCLI_AUTH environment variable)`,
      );
    }
  };
  const username = u.username !== '' ? decode(u.username, 'user name') : undefined;
  // No password in the URL: REDISCLI_AUTH, as redis-cli reads it (keeps it out of argv, where ps shows it).
  const envPassword = process.env['REDISCLI_AUTH'];
  const password = u.password !== '' ? decode(u.password, 'password') : envPassword !== undefined && envPassword !== '' ? envPassword : undefined;
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const masked = `${tls ? 'rediss' : 'redis'}://${username !== undefined ? encodeURIComponent(username) : ''}${password !== undefined ? ':***' : ''}${username !== undefined || password !== undefined ? '@' : ''}${u.host}/${db}`;
  let name: string | undefined;
  if (fragment !== undefined && fragment !== '') name = checkCorpusName(decodeURIComponent(fragment), masked);
  return {
    url: base,
    display: name !== undefined ? `${masked}#${name}` : masked,
    server: masked,
    host,
    port,
    db,
    tls,
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(name !== undefined ? { name } : {}),
  };
}

/** The same target naming another corpus. */
export function withName(target: RedisTarget, name: string): RedisTarget {
  checkCorpusName(name, target.server);
  return { ...target, name, display: `${target.server}#${name}` };
}


export interface ConnectOptions {
  /**
   * Reconnect attempts after the connection drops before commands fail
   * (default 3, about 1.5 s). Infinity: keep trying (workers).
   */
  reconnectAttempts?: number;
  /** Connection name shown by CLIENT LIST. */
  connectionName?: string;
  connectTimeoutMs?: number;
}

/** Turn an ioredis / socket error into a one-line message about `target`. */
export function describeRedisError(target: RedisTarget, err: unknown): Error {
  if (err instanceof RedisAuthError || err instanceof RedisUnavailableError || err instanceof RedisTargetError || err instanceof RedisCommandError) return err;
  const e = err as (Error & { code?: string }) | undefined;
  const msg = e?.message ?? String(err);
  if (/WRONGPASS|invalid (username-)?password|invalid password/i.test(msg)) {
    return new RedisAuthError(`${target.server}: authentication failed: wrong ${target.username !== undefined ? 'user name or password' : 'password'} (the password is not shown)`);
  }
  if (/NOAUTH|Authentication required/i.test(msg)) {
    return new RedisAuthError(`${target.server}: the server requires a password; give it in the URL: redis://[user]:PASSWORD@${target.host}:${target.port}/${target.db}`);
  }
  if (/without any password configured/i.test(msg)) {
    return new RedisAuthError(`${target.server}: a password was given but the server has none configured for this user (remove it from the URL)`);
  }
  if (/NOPERM/i.test(msg)) return new RedisAuthError(`${target.server}: this user may not run the commands cfreplay needs (${msg.split('\n')[0]})`);
  const code = e?.code ?? /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|EPIPE)\b/.exec(msg)?.[1];
  if (code === 'ECONNREFUSED') return new RedisUnavailableError(`${target.server}: cannot connect to Redis (connection refused: is redis-server running on ${target.host}:${target.port}?)`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new RedisUnavailableError(`${target.server}: cannot connect to Redis (unknown host ${target.host})`);
  if (code !== undefined) return new RedisUnavailableError(`${target.server}: cannot reach Redis (${code})`);
  if (/Connection is closed|MaxRetriesPerRequest|Stream isn't writeable|connect ETIMEDOUT|Reached the max retries/i.test(msg)) {
    return new RedisUnavailableError(`${target.server}: lost the connection to Redis`);
  }
  if (/LOADING/.test(msg)) return new RedisUnavailableError(`${target.server}: Redis is loading its data set, try again in a moment`);
  if (/OOM command not allowed/.test(msg)) return new RedisUnavailableError(`${target.server}: Redis is out of memory (maxmemory reached)`);
  if (/READONLY/.test(msg)) return new RedisUnavailableError(`${target.server}: this Redis is a read-only replica; point cfreplay at the primary`);
  if (e instanceof Error && e.name === 'ReplyError') return new RedisCommandError(`${target.server}: Redis refused a command: ${maskPassword(msg.split('\n')[0] ?? msg)}`);
  return e instanceof Error ? e : new Error(String(err));
}

/** True for errors meaning "Redis is not reachable right now" (not a bug, not bad credentials). */
export function isConnectionError(err: unknown): boolean {
  return err instanceof RedisUnavailableError;
}

/**
 * Connect and check the credentials. Resolves once the server answered; a
 * wrong password, an unknown host or a refused connection reject with a
 * one-line user-facing error (never the password).
 */
export async function connectRedis(target: RedisTarget, options: ConnectOptions = {}): Promise<Redis> {
  const attempts = options.reconnectAttempts ?? 3;
  let lastError: Error | undefined;
  let ready = false;
  const redisOptions: RedisOptions = {
    host: target.host,
    port: target.port,
    db: target.db,
    ...(target.username !== undefined ? { username: target.username } : {}),
    ...(target.password !== undefined ? { password: target.password } : {}),
    ...(target.tls ? { tls: { servername: target.host } } : {}),
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    maxRetriesPerRequest: 1,
    enableReadyCheck: true,
    ...(options.connectionName !== undefined ? { connectionName: options.connectionName } : {}),
    retryStrategy: (times: number) => {
      if (!ready) return null; // the first connection fails fast
      if (lastError instanceof RedisAuthError) return null;
      return times > attempts ? null : Math.min(100 * 2 ** Math.min(times, 4), 1000);
    },
    reconnectOnError: () => false,
  };
  const redis = new Redis(redisOptions);
  redis.on('error', (err: Error) => {
    lastError = describeRedisError(target, err);
  });
  try {
    await redis.connect();
    await redis.ping();
    // ioredis selects the database on connect but does not fail when the server refuses it: ask.
    if (target.db !== 0) await redis.select(target.db);
  } catch (e) {
    redis.disconnect();
    const msg = (e as Error | undefined)?.message ?? '';
    if (/DB index is out of range|invalid DB index/i.test(msg)) {
      throw new RedisTargetError(`${target.server}: database ${target.db} does not exist on this server (out of range; the default configuration has 0 to 15)`);
    }
    throw lastError instanceof RedisAuthError ? lastError : describeRedisError(target, lastError ?? e);
  }
  ready = true;
  return redis;
}

/** Run a Redis call, turning connection/auth failures into one-line errors. */
export async function quit(redis: Redis): Promise<void> {
  try {
    if (redis.status === 'ready') await redis.quit();
    else redis.disconnect();
  } catch {
    redis.disconnect();
  }
}
