// A local S3 stand-in (the s3rver package) on 127.0.0.1, for the object-storage index: its
// objects live in a temporary folder, so it can be stopped ("the store goes away") and started
// again on the same port with everything still there.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

/** s3rver's fixed credentials: any other key is refused with InvalidAccessKeyId. */
export const S3RVER_KEY = 'S3RVER';

export interface FakeS3 {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  bucket: string;
  /** `s3://bucket/prefix` */
  uri(prefix: string): string;
  /** LanceDB storage options for this store (credentials overridable, to test refused ones). */
  storageOptions(overrides?: Record<string, string>): Record<string, string>;
  /** The environment of a papertalk using `s3://bucket/prefix` on this store. */
  env(prefix: string, overrides?: Record<string, string>): Record<string, string>;
  /** The store goes away (connections refused) until start(). */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeS3(bucket = 'papers'): Promise<FakeS3> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'papertalk-s3-'));
  let port = 0;
  let server: S3rver | undefined;
  const start = async () => {
    server = new S3rver({ address: '127.0.0.1', port, silent: true, directory, configureBuckets: [{ name: bucket }] });
    const address = await server.run();
    port = address.port;
  };
  await start();
  const endpoint = `http://127.0.0.1:${port}`;
  const storageOptions = (overrides: Record<string, string> = {}) => ({
    endpoint,
    allowHttp: 'true',
    region: 'us-east-1',
    awsAccessKeyId: S3RVER_KEY,
    awsSecretAccessKey: S3RVER_KEY,
    // A store that went away fails fast in tests.
    client_max_retries: '1',
    client_retry_timeout: '3',
    ...overrides,
  });
  const stop = async () => {
    const running = server;
    server = undefined;
    if (!running) return;
    const closed = running.close();
    // Clients keep connections alive (a server polls the store every second): cut them, as a
    // store that went away would, or close() would wait for them forever.
    running.httpServer?.closeAllConnections();
    await closed;
  };
  return {
    endpoint,
    bucket,
    uri: (prefix) => `s3://${bucket}/${prefix}`,
    storageOptions,
    env: (prefix, overrides) => ({
      PAPERTALK_INDEX_DIR: `s3://${bucket}/${prefix}`,
      PAPERTALK_STORAGE_OPTIONS: JSON.stringify(storageOptions(overrides)),
    }),
    stop,
    start,
    async close() {
      await stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
