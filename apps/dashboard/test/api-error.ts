import { TRPCClientError } from '@trpc/client';

/** An error as the tRPC client raises it for an API answer with this code and HTTP status. */
export function apiError(code: string, httpStatus: number, message = `${code} from the API`): TRPCClientError<never> {
  return TRPCClientError.from({ error: { code: -32000, message, data: { code, httpStatus } } });
}
