/** URL helpers without the Redis client (cheap to import from any command). */

export function isRedisUrl(s: string): boolean {
  return /^rediss?:\/\//i.test(s);
}

/**
 * Hide the password of anything that looks like a URL with credentials, also
 * a mistyped one (`redis:/:pw@host`, `http://user:pw@host`, `:pw@host`): the
 * text between the first ':' of the user part and the last '@' of the token
 * is masked (an unencoded '@' in a password is masked too, at worst more).
 */
export function maskPassword(text: string): string {
  // "PASSWORD" is the placeholder of cfreplay's own hints (redis://[user]:PASSWORD@host), not a secret.
  return text.replace(/(^|[\s=("'])((?:[a-z][a-z0-9+.-]*:\/{0,3})?)([^\s:@/]*):(\S*)@/gi, (m, pre: string, scheme: string, user: string, pw: string) =>
    pw === 'PASSWORD' ? m : `${pre}${scheme}${user}:***@`,
  );
}
