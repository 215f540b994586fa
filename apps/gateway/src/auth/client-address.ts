import ipaddr from 'ipaddr.js';

/**
 * The unit a per-client budget is kept by: the IPv4 address (also when written IPv4-mapped, in any form), or the
 * /64 network of an IPv6 address, zone id dropped (one host is usually given a whole /64, and could otherwise
 * take a fresh address for every request). Anything that is not an address is its own bucket.
 */
export function clientBucket(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const network = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `${network.join(':')}::/64`;
}
