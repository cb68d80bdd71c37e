import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import type { AppRouter, RouterInputs, RouterOutputs } from '@tagward/api';

export type { RouterInputs, RouterOutputs };

/**
 * The API client. Same origin (the API serves the dashboard, or Vite proxies to it), so the
 * session cookie goes along and the API's Origin check passes. Calls made together are sent as
 * one batched request.
 */
let unauthorizedHandler: () => void = () => undefined;

/** Called when the API says the session is gone (expired, logged out elsewhere). */
export function onUnauthorized(handler: () => void): void {
  unauthorizedHandler = handler;
}

export const api = createTRPCClient<AppRouter>({
  links: [
    httpBatchLink({
      url: '/trpc',
      fetch: async (url, init) => {
        const response = await fetch(url, { ...(init as RequestInit), credentials: 'same-origin' });
        // A 401 from anything but the login form itself means the session ended: let the app
        // send the user to the login page instead of showing "Please log in" in every card.
        if (response.status === 401 && !String(url).includes('auth.logIn')) unauthorizedHandler();
        return response;
      },
    }),
  ],
});

/** The message to show for a failed call: the API's own (written for people), or a generic one. */
export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const data = error.data as { zodError?: { fieldErrors?: Record<string, string[] | undefined>; formErrors?: string[] } | null } | undefined;
    const zod = data?.zodError;
    if (zod) {
      const first = [...(zod.formErrors ?? []), ...Object.values(zod.fieldErrors ?? {}).flat()].find(Boolean);
      if (first) return first;
    }
    return error.message;
  }
  return 'Something went wrong. Check your connection and try again.';
}

export function errorCode(error: unknown): string | null {
  if (error instanceof TRPCClientError) return (error.data as { code?: string } | undefined)?.code ?? null;
  return null;
}

/** The API's stable reason beside the code (`reauth_required`, `email_unverified`, …), if any. */
export function errorAppCode(error: unknown): string | null {
  if (error instanceof TRPCClientError) return (error.data as { appCode?: string | null } | undefined)?.appCode ?? null;
  return null;
}
