/** How a request's URL and headers are handed to node:http: worked out once per URL. */

/** Where a URL's requests go, as node:http takes it. */
export interface Target {
  protocol: string;
  hostname: string;
  port: number | undefined;
  path: string;
  /** The Host header: the host and a port other than the scheme's. */
  host: string;
  href: string;
}

const targets = new WeakMap<URL, Target>();

/**
 * A URL taken apart once, not at every request to it (a job's status URL is asked for at every
 * poll): node:http given a URL takes it apart each time, through getters that each cut a piece
 * of its text. Kept with the URL object it came from, and made again if that object has changed
 * since. A user and password in the URL are never sent: the URLs a user gives cannot have them,
 * and those of a redirect are no credential the user gave.
 */
export function targetOf(url: URL): Target {
  const kept = targets.get(url);
  if (kept && kept.href === url.href) return kept;
  const { hostname, port } = url;
  const target = {
    protocol: url.protocol,
    // node:http takes an IPv6 address without its brackets.
    hostname: hostname.startsWith('[') ? hostname.slice(1, -1) : hostname,
    port: port === '' ? undefined : Number(port),
    path: `${url.pathname}${url.search}`,
    host: url.host,
    href: url.href,
  };
  targets.set(url, target);
  return target;
}

/**
 * The request's headers as the name, value list node:http takes without building its own table
 * of them, with the Host header it adds to an object of headers (unless the caller set one).
 * node:http checks each name and value as it does an object's.
 */
export function headerList(headers: Record<string, string>, host: string): string[] {
  const list: string[] = [];
  let hasHost = false;
  for (const name in headers) {
    if (name.length === 4 && name.toLowerCase() === 'host') hasHost = true;
    list.push(name, headers[name] as string);
  }
  if (!hasHost) list.push('host', host);
  return list;
}
