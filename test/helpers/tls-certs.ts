/**
 * Certificates made with openssl for the TLS tests (a real handshake on
 * loopback, never a mock): CAs, certificates signed by them, self-signed
 * ones, each with its key, as PEM files in a test's temporary directory.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CertFactory {
  /** Run openssl in the directory; its stdout. */
  openssl(args: string[]): string;
  /** A CA, or a certificate signed by `ca` (self-signed without one), with its key; returns the file stem. */
  makeCert(name: string, subject: string, ca?: string, extra?: string[]): string;
  /** A CA certificate (basicConstraints CA:TRUE, keyCertSign). */
  makeCa(name: string, subject: string): string;
  pem(stem: string): string;
  keyOf(stem: string): string;
}

export function certFactory(dir: () => string): CertFactory {
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const makeCert = (name: string, subject: string, ca?: string, extra: string[] = []) => {
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}-key.pem`, '-out', `${name}-self.pem`, '-subj', subject, '-days', '30', ...extra]);
    if (ca === undefined) {
      writeFileSync(join(dir(), `${name}.pem`), readFileSync(join(dir(), `${name}-self.pem`)));
      return name;
    }
    openssl(['req', '-new', '-key', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', subject]);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}-key.pem`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '30']);
    return name;
  };
  return {
    openssl,
    makeCert,
    makeCa: (name, subject) => makeCert(name, subject, undefined, ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']),
    pem: (stem) => readFileSync(join(dir(), `${stem}.pem`), 'utf8'),
    keyOf: (stem) => readFileSync(join(dir(), `${stem}-key.pem`), 'utf8'),
  };
}
