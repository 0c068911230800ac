import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from '@20minutes/s3rver';

// An S3-compatible server on loopback that checks SigV4 signatures (a wrong secret gets 403
// SignatureDoesNotMatch), its objects kept under `directory`.
export const ACCESS_KEY = 'AKIAEXPORTSTATUSTEST';
export const SECRET_KEY = 'test-secret-key-0f3a9c71';

const require = createRequire(import.meta.url);
const { DUMMY_ACCOUNT } = require('@20minutes/s3rver/lib/models/account') as {
  DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void };
};
DUMMY_ACCOUNT.createKeyPair(ACCESS_KEY, SECRET_KEY);

export interface S3Server {
  endpoint: string;
  directory: string;
  close(): Promise<void>;
}

export async function startS3(buckets: readonly string[]): Promise<S3Server> {
  const directory = mkdtempSync(join(tmpdir(), 'export-status-s3-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = (await server.run()) as { port: number };
  return { endpoint: `http://127.0.0.1:${port}`, directory, close: () => server.close() };
}
