// What an object-store failure means to a user. LanceDB reports them as long IO errors (an
// HTTP status, an XML body, a Rust source location); papertalk says which setting to fix, or
// that the store cannot be reached right now (a 503 to HTTP clients, while the server keeps running).
import { PapertalkError, describeError } from '../../errors.js';
import { displayLocation } from '../storage.js';

const REFUSED = /InvalidAccessKeyId|SignatureDoesNotMatch|AccessDenied|ExpiredToken|InvalidToken|AuthorizationFailure|AuthenticationFailed|401 Unauthorized|403 Forbidden/;
const NO_BUCKET = /NoSuchBucket|ContainerNotFound|bucket does not exist/i;
const UNREACHABLE = /error sending request|connection refused|connect error|dns error|timed out|connection reset|broken pipe|Service Unavailable|503|SlowDown/i;

/** The S3/Azure error code in a failure's XML body, when there is one. */
function codeOf(message: string): string | undefined {
  return /<Code>(\w+)<\/Code>/.exec(message)?.[1];
}

/**
 * The typed error for a failure talking to the object store that holds `location`, or
 * undefined when the failure is something else (left to the caller's own message).
 */
export function storeFailure(location: string, error: unknown): PapertalkError | undefined {
  if (error instanceof PapertalkError) return error;
  const message = describeError(error);
  const where = displayLocation(location);
  const code = codeOf(message);
  if (REFUSED.test(message)) {
    return new PapertalkError(
      'config_invalid',
      `invalid configuration: the object store refused access to ${where}${code ? ` (${code})` : ''}; check the credentials in PAPERTALK_STORAGE_OPTIONS`,
      { field: 'PAPERTALK_STORAGE_OPTIONS', cause: error },
    );
  }
  if (NO_BUCKET.test(message)) {
    return new PapertalkError('config_invalid', `invalid configuration: the bucket of ${where} does not exist${code ? ` (${code})` : ''}; create it, or fix PAPERTALK_INDEX_DIR`, {
      field: 'PAPERTALK_INDEX_DIR',
      cause: error,
    });
  }
  if (UNREACHABLE.test(message)) {
    const endpoint = /(https?:\/\/[^/\s]+)/.exec(message)?.[1];
    return new PapertalkError(
      'index_unavailable',
      `cannot reach the object store holding ${where}${endpoint ? ` at ${endpoint}` : ''}; is it up? (the endpoint is in PAPERTALK_STORAGE_OPTIONS)`,
      { cause: error },
    );
  }
  return undefined;
}

/** Runs a read against the store, turning a store failure into its typed error. */
export async function guarded<T>(location: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw storeFailure(location, error) ?? error;
  }
}
