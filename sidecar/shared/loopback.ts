/**
 * Whether a host is this machine only: `localhost`, an IPv4 loopback address (127.x), or IPv6's `::1` (as a server
 * names it, or bracketed, as a URL's hostname has it).
 */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}
