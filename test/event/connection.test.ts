// The connection event's pieces made from a peer certificate, and the population key replay groups by.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { clientNetwork, completeConnectionEvent, connectionEventOf, distinguishedName, leafOf, populationOf, subjectPattern } from '../../src/event/connection.js';

describe('connection events', () => {
  it('distinguished names keep the certificate order, repeat multi-valued attributes and escape RFC 4514 specials', () => {
    expect(distinguishedName({ CN: 'device-1', O: 'Acme', C: 'US' })).toBe('CN=device-1,O=Acme,C=US');
    expect(distinguishedName({ OU: ['a', 'b'], CN: 'x' })).toBe('OU=a,OU=b,CN=x');
    expect(distinguishedName({ O: 'Acme, Inc.', CN: ' lead+trail ' })).toBe('O=Acme\\, Inc.,CN=\\ lead\\+trail\\ ');
    expect(distinguishedName({ CN: '#tag' })).toBe('CN=\\#tag');
    expect(distinguishedName(undefined)).toBe('');
  });

  it('the leaf: upper-case serial, ISO validity, fingerprint of the DER bytes (or node fingerprint256 without them)', () => {
    const raw = Buffer.from('not really DER, but hashed all the same');
    const leaf = leafOf({ serialNumber: '0a1b', issuer: { CN: 'CA' }, subject: { CN: 'c' }, valid_from: 'Jan  1 00:00:00 2026 GMT', valid_to: 'Feb 28 12:30:00 2027 GMT', raw });
    expect(leaf).toEqual({
      serialNumber: '0A1B',
      issuer: 'CN=CA',
      subject: 'CN=c',
      validity: { notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2027-02-28T12:30:00.000Z' },
      // What `openssl x509 -fingerprint -sha256` prints, without colons, in lower case: SHA-256 of the DER bytes.
      sha256Fingerprint: createHash('sha256').update(raw).digest('hex'),
    });
    expect(leafOf({ fingerprint256: 'AB:CD:EF' }).sha256Fingerprint).toBe('abcdef');
    const ev = connectionEventOf({ serialNumber: '01' }, { clientIp: '203.0.113.9', endpoint: 'e', distributionId: 'D', connectionId: 'c' });
    expect(Object.keys(ev)).toEqual(['clientCertificate', 'clientCertInfo', 'clientIp', 'endpoint', 'distributionId', 'connectionId']);
  });

  it('client networks: IPv4 /24 (also IPv4-mapped), IPv6 /48 with :: expanded', () => {
    expect(clientNetwork('203.0.113.77')).toBe('203.0.113.0/24');
    expect(clientNetwork('::ffff:10.1.2.3')).toBe('10.1.2.0/24');
    expect(clientNetwork('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::/48');
    expect(clientNetwork('2001:db8::1')).toBe('2001:db8:0::/48');
    expect(clientNetwork('::1')).toBe('0:0:0::/48');
    expect(clientNetwork('')).toBe('(no client ip)');
  });

  it('subject patterns fold numbers and long hex ids; the population names issuer, pattern and network', () => {
    expect(subjectPattern('CN=device-0042,O=Acme')).toBe('CN=device-*,O=Acme');
    expect(subjectPattern('CN=3f2a9c81d0e4b5a6,O=Acme')).toBe('CN=*,O=Acme');
    expect(populationOf({ clientIp: '198.51.100.4', endpoint: 'e', distributionId: 'D', connectionId: 'c' })).toBe('issuer (no issuer) | subject (no certificate) | net 198.51.100.0/24');
    const ev = connectionEventOf({ issuer: { CN: 'CA' }, subject: { CN: 'device-7' } }, { clientIp: '198.51.100.4', endpoint: 'e', distributionId: 'D', connectionId: 'c' });
    expect(populationOf(ev)).toBe('issuer CN=CA | subject CN=device-* | net 198.51.100.0/24');
  });

  it('the certificate is in both documented places: clientCertificate.certificates.leaf and clientCertInfo (AWS tutorial)', () => {
    const event = connectionEventOf(
      { serialNumber: '0a1b', issuer: { CN: 'CA' }, subject: { CN: 'c' }, valid_from: 'Jan  1 00:00:00 2026 GMT', valid_to: 'Feb 28 12:30:00 2027 GMT', raw: Buffer.from('x') },
      { clientIp: '203.0.113.9', endpoint: 'd111111abcdef8.cloudfront.net', distributionId: 'E1', connectionId: 'c-1' },
    );
    expect(event.clientCertInfo).toEqual(event.clientCertificate!.certificates.leaf);
    expect(event.clientCertInfo).not.toBe(event.clientCertificate!.certificates.leaf); // a copy: a function changing one does not change the other
    expect(completeConnectionEvent(event)).toBe(event); // already complete
  });

  it('completes events that have only one of the two (older corpora, hand-written test events), changing nothing else', () => {
    const leaf = { serialNumber: 'ABC123DEF456', issuer: 'CN=CA', subject: 'CN=dev', validity: { notBefore: 'a', notAfter: 'b' }, sha256Fingerprint: 'ff' };
    const old = { clientCertificate: { certificates: { leaf } }, clientIp: '198.51.100.1', endpoint: 'e', distributionId: 'D', connectionId: 'x', extra: { kept: true } };
    const done = completeConnectionEvent(old);
    expect(done).toEqual({ ...old, clientCertInfo: leaf });
    expect(old).not.toHaveProperty('clientCertInfo'); // the stored event is not changed
    const tutorial = { clientCertInfo: leaf, clientIp: '198.51.100.1', connectionId: 'y' };
    expect(completeConnectionEvent(tutorial)).toEqual({ ...tutorial, clientCertificate: { certificates: { leaf } } });
    // Without any certificate, or with a clientCertificate of another shape, the event is left as written.
    const none = { clientIp: '198.51.100.1', connectionId: 'z' };
    expect(completeConnectionEvent(none)).toBe(none);
    const odd = { clientCertificate: 'pem text', clientCertInfo: leaf, clientIp: '1.2.3.4' };
    expect(completeConnectionEvent(odd)).toBe(odd);
    expect(populationOf(tutorial)).toBe('issuer CN=CA | subject CN=dev | net 198.51.100.0/24');
  });
});
