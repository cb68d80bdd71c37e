import type http from 'node:http';
import type net from 'node:net';

/**
 * Connection hygiene for a public endpoint: a total cap (Node refuses sockets past
 * `maxConnections` at once), a cap per client address (a socket over it is destroyed before any
 * byte is read), and idle timeouts so silent sockets do not pile up. Behind our own proxy every
 * connection comes from the proxy, so the per-address cap is off there (the proxy caps clients).
 */
export function guardConnections(
  server: http.Server,
  options: { maxConnections: number; maxConnectionsPerAddress: number; idleTimeoutMs: number; trustProxy: boolean },
): { perAddress: Map<string, number> } {
  server.maxConnections = options.maxConnections;
  // A trickled body or header is cut off instead of holding a socket for minutes.
  server.headersTimeout = Math.min(10_000, options.idleTimeoutMs);
  server.requestTimeout = 15_000;
  server.keepAliveTimeout = 5_000;
  // A socket with no traffic at all (connected, then silent) is closed after this.
  server.timeout = options.idleTimeoutMs;
  server.on('timeout', (socket: net.Socket) => socket.destroy());
  const perAddress = new Map<string, number>();
  if (!options.trustProxy) {
    server.on('connection', (socket: net.Socket) => {
      const address = socket.remoteAddress ?? '';
      const open = (perAddress.get(address) ?? 0) + 1;
      if (open > options.maxConnectionsPerAddress) {
        socket.destroy();
        return;
      }
      perAddress.set(address, open);
      socket.once('close', () => {
        const left = (perAddress.get(address) ?? 1) - 1;
        if (left <= 0) perAddress.delete(address);
        else perAddress.set(address, left);
      });
    });
  }
  return { perAddress };
}
