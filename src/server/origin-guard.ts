// Keeps web pages the user happens to visit away from the index. Two attacks, one middleware,
// mounted app-wide before every route (present and future: /api, /v1, /mcp…):
//
// - DNS rebinding: a page on evil.example re-points its name to 127.0.0.1 and then talks to
//   papertalk as "its own" origin, reading and writing freely. The browser still sends
//   `Host: evil.example`, so only Host names papertalk answers to are accepted.
// - Cross-site requests (CSRF): a page can POST `text/plain` to 127.0.0.1 without a preflight.
//   Browsers say where a request comes from (`Origin`, `Sec-Fetch-Site`); anything not from
//   papertalk's own origin or a page served from this machine (a local tool such as the MCP
//   inspector or a chat UI on another localhost port) is refused. Clients that send neither
//   (curl, scripts, the CLI) are not browsers and pass.
import { isIP } from 'node:net';
import type { MiddlewareHandler } from 'hono';
import { errorJson } from './http-errors.js';

export interface OriginGuardOptions {
  /**
   * Host names accepted besides IP addresses, `localhost` and `*.localhost`: exact names
   * (`papers.example.org`), a leading dot for a domain and its subdomains (`.example.org`),
   * or `*` for any (behind a proxy that checks Host itself).
   */
  allowedHosts?: readonly string[];
}

/** Methods that change nothing: they may come from anywhere (links, bookmarks). */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The host name of a Host header value, lowercased, without port, brackets or a final dot. */
export function hostnameOf(host: string): string | undefined {
  try {
    const { hostname } = new URL(`http://${host}`);
    if (!hostname) return undefined;
    return hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  } catch {
    return undefined;
  }
}

/**
 * Whether papertalk answers to this Host name. An IP address cannot be rebound (the browser
 * shows and enforces that very address as the origin), nor can `localhost` (browsers resolve it
 * and its subdomains to loopback themselves); any other name must be allowed by configuration.
 */
export function isHostAllowed(hostname: string, allowedHosts: readonly string[] = []): boolean {
  if (isIP(hostname) || hostname === 'localhost' || hostname.endsWith('.localhost')) return true;
  return allowedHosts.some((allowed) => {
    const entry = allowed.trim().toLowerCase().replace(/\.$/, '');
    if (entry === '*') return true;
    if (entry.startsWith('.')) return hostname === entry.slice(1) || hostname.endsWith(entry);
    return hostname === entry;
  });
}

/** Whether `origin` (an Origin header) is a page served from this machine: a loopback host. */
export function isLoopbackOrigin(origin: string): boolean {
  try {
    const name = new URL(origin).hostname.replace(/^\[(.*)\]$/, '$1');
    return name === 'localhost' || name.endsWith('.localhost') || name === '::1' || (isIP(name) === 4 && name.startsWith('127.'));
  } catch {
    return false;
  }
}

/** Whether `origin` (an Origin header) is the origin the request was sent to (its Host). */
export function isSameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined || origin === 'null') return false;
  try {
    const from = new URL(origin);
    // Parsed with the origin's scheme, so default ports compare equal (`http://x` vs `x:80`).
    return from.host === new URL(`${from.protocol}//${host}`).host;
  } catch {
    return false;
  }
}

/**
 * Refuses, with a 403 and a JSON error (code `forbidden`, field `host` or `origin`), requests
 * for a Host name papertalk does not answer to and browser requests from a foreign page: any
 * request whose `Origin` is neither papertalk itself nor a loopback page, and any write without
 * Origin that a browser marks as not same-origin (`Sec-Fetch-Site`).
 *
 * @example
 * app.use('*', originGuard({ allowedHosts: config.allowedHosts }));
 */
export function originGuard(options: OriginGuardOptions = {}): MiddlewareHandler {
  const allowedHosts = options.allowedHosts ?? [];
  return async function originGuardMiddleware(c, next) {
    const host = c.req.header('host');
    // No Host at all (HTTP/1.0 clients) is not a browser: nothing was rebound.
    if (host !== undefined) {
      const hostname = hostnameOf(host);
      if (hostname === undefined || !isHostAllowed(hostname, allowedHosts)) {
        return errorJson(
          c,
          403,
          'forbidden',
          `host: "${host.slice(0, 100)}" is not a name this server answers to (IP addresses and localhost are); add it to PAPERTALK_ALLOWED_HOSTS`,
          'host',
        );
      }
    }
    const origin = c.req.header('origin');
    const site = c.req.header('sec-fetch-site');
    const foreignOrigin = origin !== undefined && !isSameOrigin(origin, host) && !isLoopbackOrigin(origin);
    // Browsers send Origin on every write; without one, Sec-Fetch-Site still tells a cross-site page.
    const crossSite = origin === undefined && !SAFE_METHODS.has(c.req.method) && site !== undefined && site !== 'same-origin' && site !== 'none';
    if (foreignOrigin || crossSite) {
      const from = origin ?? `a ${site} page`;
      return errorJson(c, 403, 'forbidden', `origin: requests from ${from.slice(0, 100)} are refused; only papertalk's own page, pages on this machine and non-browser clients may call it`, 'origin');
    }
    return next();
  };
}
