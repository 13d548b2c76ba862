// Where an index lives: a local folder, or an object-store URI (s3://bucket/prefix and the other
// schemes LanceDB opens). Only the LanceDB backend can use object storage; a URI is never a path.
// (Which values are URIs is config's to say: it validates PAPERTALK_INDEX_DIR.)
import { OBJECT_STORE_SCHEMES, isObjectStoreUri, uriScheme } from '../config.js';

export { isObjectStoreUri };

export type StorageKind = 'local' | (typeof OBJECT_STORE_SCHEMES)[number];

/** How to reach an object store, from config. */
export interface StoreSettings {
  /** LanceDB storage options (endpoint, credentials, region…): passed through, never logged. */
  storageOptions: Record<string, string>;
  /** Object storage: how long a writer's lease lasts without renewal. */
  writeLeaseMs: number;
}


export function storageKind(location: string): StorageKind {
  return isObjectStoreUri(location) ? (uriScheme(location) as StorageKind) : 'local';
}

/** The location as it may be shown (logs, health): credentials written into a URI are hidden. */
export function displayLocation(location: string): string {
  return location.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@');
}

/** `location` joined with a name below it: a path on disk, a key prefix in a bucket. */
export function joinLocation(location: string, name: string): string {
  return `${location.replace(/\/+$/, '')}/${name}`;
}
