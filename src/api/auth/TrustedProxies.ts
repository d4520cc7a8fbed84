import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { QtsError } from '../../core/QtsError.js';

const CIDR = /^([^/]+)(?:\/(\d{1,3}))?$/;

/**
 * The proxies whose `X-Forwarded-For` is believed (`api.trustedProxies`,
 * `dashboard.trustedProxies`): IP addresses and CIDR ranges. A client's address decides
 * whose failed logins lock whom out and whose requests share a rate limit, so it is read
 * from the header only as far as the chain is vouched for: walking from the socket's peer
 * toward the browser, every hop up to the first untrusted one is a proxy of ours; that
 * first untrusted hop is the client. Whatever an untrusted peer writes in the header is
 * ignored, so a direct client cannot name itself someone else. This is the rule of
 * fastify's `trustProxy` (proxy-addr), which the REST API is given as a function of this
 * class, so REST, the push port and the dashboard's forwarding agree on every client.
 */
export class TrustedProxies {
  /** The shipped setup: the dashboard (or an nginx) on the same host as the engine. */
  static readonly LOOPBACK: readonly string[] = ['127.0.0.1', '::1'];

  private readonly list = new BlockList();
  /** False for an empty list: the header is never read. */
  readonly any: boolean;

  /** Throws ERR_CONFIG_TRUSTED_PROXY for an entry that is not an address or a range. */
  constructor(readonly entries: readonly string[]) {
    for (const entry of entries) {
      const e = parseEntry(entry);
      if (typeof e === 'string') throw new QtsError('ERR_CONFIG_TRUSTED_PROXY', e, { entry });
      if (e.bits === undefined) this.list.addAddress(e.ip, e.family);
      else this.list.addSubnet(e.ip, e.bits, e.family);
    }
    this.any = entries.length > 0;
  }

  /**
   * Why `entry` is not a trusted-proxy entry, or undefined when it is one: `10.0.0.5`,
   * `10.0.0.0/8`, `::1`, `fd00::/8`. Host names are refused: a name resolves to addresses
   * that can change under the running engine.
   */
  static entryError(entry: string): string | undefined {
    const e = parseEntry(entry);
    return typeof e === 'string' ? e : undefined;
  }

  /** Whether `address` (an IPv4-mapped IPv6 address counts as its IPv4 one) is a proxy of ours. */
  trusts(address: string | undefined): boolean {
    if (!this.any || address === undefined) return false;
    const family = isIP(address);
    if (family === 0) return false;
    return this.list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }

  /** The client of a request: the first untrusted hop from the socket back along X-Forwarded-For. */
  clientOf(req: IncomingMessage): string {
    const hops = [req.socket.remoteAddress ?? '', ...chainOf(req).reverse()];
    for (let i = 0; i < hops.length - 1; i++) if (!this.trusts(hops[i])) return hops[i] ?? '';
    return hops[hops.length - 1] ?? '';
  }

  /**
   * The X-Forwarded-For a proxy sends on for `req`: the chain it got with its peer appended
   * when that peer is a proxy of ours, else its peer alone — a browser that writes the
   * header itself is not believed by the engine behind us either.
   */
  forwardedFor(req: IncomingMessage): string {
    const peer = req.socket.remoteAddress ?? '';
    const chain = chainOf(req);
    return this.trusts(peer) && chain.length > 0 ? [...chain, peer].join(', ') : peer;
  }
}

/** An address or range of `api.trustedProxies`, or why it is not one. */
function parseEntry(
  entry: string,
): { ip: string; bits: number | undefined; family: 'ipv4' | 'ipv6' } | string {
  const m = CIDR.exec(entry.trim());
  const ip = m?.[1] ?? '';
  const family = isIP(ip);
  const bits = m?.[2] === undefined ? undefined : Number(m[2]);
  if (family === 0 || (bits !== undefined && bits > (family === 4 ? 32 : 128)))
    return `${JSON.stringify(entry)} is not an IP address or CIDR range (e.g. 10.0.0.5, 10.0.0.0/8, ::1, fd00::/8)`;
  return { ip, bits, family: family === 4 ? 'ipv4' : 'ipv6' };
}

/** The entries of every X-Forwarded-For header of a request, client first. */
function chainOf(req: IncomingMessage): string[] {
  const h = req.headers['x-forwarded-for'];
  const text = Array.isArray(h) ? h.join(',') : (h ?? '');
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
