// Where an index lives: a local folder, or an object-store URI (s3://bucket/prefix and the other
// schemes LanceDB opens). Only the LanceDB backend can use object storage; a URI is never a path.

/** The schemes LanceDB 0.31 opens besides local paths (s3+ddb: S3 with a DynamoDB commit table). */
export const OBJECT_STORE_SCHEMES = ['s3', 's3+ddb', 'gs', 'az', 'abfss'] as const;
export type StorageKind = 'local' | (typeof OBJECT_STORE_SCHEMES)[number];

const URI = /^([a-z][a-z0-9+.-]*):\/\//i;

/** The scheme of a URI-looking value (`s3` for `s3://b/p`), or null for a path. */
export function uriScheme(location: string): string | null {
  return URI.exec(location)?.[1]?.toLowerCase() ?? null;
}

export function isObjectStoreUri(location: string): boolean {
  const scheme = uriScheme(location);
  return scheme !== null && (OBJECT_STORE_SCHEMES as readonly string[]).includes(scheme);
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
