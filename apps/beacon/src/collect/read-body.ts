import type { IncomingMessage } from 'node:http';
import { BeaconError } from '../errors.js';

/** Past the cap we keep reading (and discarding) up to this much, so the client sees our 413 rather than a reset connection; beyond it we hang up. */
const DISCARD_LIMIT = 4 * 1024 * 1024;

/**
 * Reads at most `limit` bytes. A body over the cap is refused with 413 once the client has
 * finished sending it (discarded, up to 4 MiB; bigger uploads are cut off), and a body trickled
 * slower than `timeoutMs` overall is refused with 408.
 */
export function readBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const declared = Number(req.headers['content-length'] ?? NaN);
    let tooLarge = Number.isFinite(declared) && declared > limit;
    const timer = setTimeout(() => {
      cleanup();
      reject(new BeaconError('request_timeout', `body not received within ${timeoutMs} ms`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (tooLarge) {
        chunks.length = 0;
        if (size > DISCARD_LIMIT) {
          cleanup();
          reject(new BeaconError('body_too_large', `body over ${limit} bytes`));
          req.destroy();
        }
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      if (tooLarge) reject(new BeaconError('body_too_large', `body over ${limit} bytes`));
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new BeaconError('malformed_body', `request stream failed: ${error.message}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
