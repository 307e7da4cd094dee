/**
 * The overlay URLs to print for a bind address. A wildcard bind (0.0.0.0, ::) is reached
 * on loopback from this machine and on the machine's network addresses from others, so
 * both are printed; "0.0.0.0" itself works nowhere else. Pure: the interface list is passed in.
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

export interface OverlayUrls {
  /** Works on this machine. */
  local: string;
  /** Work from other machines on the network (empty for a loopback bind). */
  remote: string[];
  /** Other machines may reach the server. */
  exposed: boolean;
}

type Interfaces = Record<string, NetworkInterfaceInfo[] | undefined>;

export function overlayUrls(host: string, port: number, token: string, interfaces: Interfaces = networkInterfaces()): OverlayUrls {
  const url = (h: string) => `http://${bracket(h)}:${port}/overlay?token=${encodeURIComponent(token)}`;
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (isLoopback(bare)) return { local: url(bare), remote: [], exposed: false };
  if (bare === '' || bare === '0.0.0.0' || bare === '::' || bare === '0:0:0:0:0:0:0:0') {
    const all = Object.values(interfaces).flatMap((list) => list ?? []).filter((i) => !i.internal);
    const v4 = all.filter((i) => i.family === 'IPv4').map((i) => i.address);
    // A "::" bind also accepts IPv4 on dual-stack systems; IPv6 link-local needs a zone, so it is left out.
    const v6 = bare.includes(':') ? all.filter((i) => i.family === 'IPv6' && !/^fe80:/i.test(i.address)).map((i) => i.address) : [];
    return { local: url(bare.includes(':') ? '::1' : '127.0.0.1'), remote: [...v4, ...v6].map(url), exposed: true };
  }
  return { local: url(bare), remote: [url(bare)], exposed: true };
}

function isLoopback(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost') || host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  const v4 = host.startsWith('::ffff:') ? host.slice(7) : host;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

function bracket(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
