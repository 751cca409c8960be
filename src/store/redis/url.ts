/** URL helpers without the Redis client (cheap to import from any command). */

export function isRedisUrl(s: string): boolean {
  return /^rediss?:\/\//i.test(s);
}

/** Hide the password of anything that looks like a Redis URL with credentials. */
export function maskPassword(text: string): string {
  return text.replace(/(rediss?:\/\/[^:/@#\s]*):[^@/#\s]*@/gi, '$1:***@');
}
