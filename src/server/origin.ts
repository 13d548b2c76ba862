// DNS-rebinding protection, which the MCP spec requires of Streamable HTTP servers: a page on
// evil.example that rebinds its name to 127.0.0.1 sends `Host: evil.example` and
// `Origin: http://evil.example`; both are refused here. Clients that are not browsers send no
// Origin and pass.
import type { MiddlewareHandler } from 'hono';
import type { Config } from '../config.js';
import { isLoopback } from '../config.js';
import { errorJson } from './http-errors.js';

/** Addresses that mean "every interface": any Host may reach them (the token guards those, see checkExposure). */
const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);

function hostnameOf(hostHeader: string): string {
  try {
    return new URL(`http://${hostHeader}`).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return '';
  }
}

/** Whether a Host header names this server: a loopback name, or the address it was told to bind. */
export function hostAllowed(hostHeader: string | undefined, config: Pick<Config, 'host'>): boolean {
  if (WILDCARDS.has(config.host)) return true;
  if (!hostHeader) return false;
  const name = hostnameOf(hostHeader);
  return isLoopback(name) || name === config.host.replace(/^\[|\]$/g, '').toLowerCase();
}

/** Whether a browser's Origin may call: none (not a browser), a loopback page, or this server itself. */
export function originAllowed(origin: string | undefined, hostHeader: string | undefined): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  const name = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return isLoopback(name) || (hostHeader !== undefined && url.host.toLowerCase() === hostHeader.toLowerCase());
}

/**
 * 403 for a request whose Host is not this server or whose Origin is a foreign web page.
 *
 * @example
 *   mcp.use('*', checkOriginAndHost(config));
 */
export function checkOriginAndHost(config: Pick<Config, 'host'>): MiddlewareHandler {
  return async function checkOriginAndHost(c, next) {
    const host = c.req.header('host');
    if (!hostAllowed(host, config)) {
      return errorJson(c, 403, 'forbidden', `host: "${host ?? ''}" is not this server (DNS rebinding protection)`, 'host');
    }
    const origin = c.req.header('origin');
    if (!originAllowed(origin, host)) {
      return errorJson(c, 403, 'forbidden', `origin: requests from ${origin} are not allowed`, 'origin');
    }
    return next();
  };
}
