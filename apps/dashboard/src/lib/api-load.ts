import { error, redirect } from '@sveltejs/kit';
import { TRPCClientError } from '@trpc/client';
import { loginHref } from './auth-routes';
import { forgetCurrentUser } from './session';
import { errorCode, errorMessage } from './trpc';

/**
 * How the dashboard's `load` functions call the API: the tRPC client, with every failure turned
 * into what SvelteKit knows how to show.
 *
 *   export const load: PageLoad = async ({ params, url, parent }) => {
 *     await parent(); // the (app) layout's session guard runs first
 *     return { install: await fromApi(url, api.sites.install.query({ siteId: params.siteId })) };
 *   };
 *
 * - 401: the session ended. Forget it and redirect to the login page, which comes back here.
 * - a 404 (or a 400 for an id that does not parse) with `notFound` given: that error page.
 * - anything else: an error page with the API's message (written for people) and its status.
 */
export async function fromApi<T>(url: URL, call: Promise<T>, options: { notFound?: App.Error } = {}): Promise<T> {
  try {
    return await call;
  } catch (e) {
    failLoad(e, url, options.notFound);
  }
}

/**
 * For loads whose input the user typed (filters, a custom range): a 400 is shown beside the form
 * that caused it, so it can be corrected there; every other failure is `failLoad`'s.
 */
export async function fromApiOrInvalid<T>(url: URL, call: Promise<T>): Promise<{ value: T; invalid: null } | { value: null; invalid: string }> {
  try {
    return { value: await call, invalid: null };
  } catch (e) {
    if (errorCode(e) === 'BAD_REQUEST') return { value: null, invalid: errorMessage(e) };
    failLoad(e, url);
  }
}

export function failLoad(e: unknown, url: URL, notFound?: App.Error): never {
  const code = errorCode(e);
  if (code === 'UNAUTHORIZED') {
    forgetCurrentUser();
    redirect(307, loginHref(url));
  }
  if (notFound && (code === 'NOT_FOUND' || code === 'BAD_REQUEST')) error(404, notFound);
  error(httpStatusOf(e), { message: errorMessage(e) });
}

function httpStatusOf(e: unknown): number {
  const status = e instanceof TRPCClientError ? (e.data as { httpStatus?: unknown } | undefined)?.httpStatus : undefined;
  // Kit accepts 400-599 only; a failed fetch has no status and is the server's (or network's) fault.
  return typeof status === 'number' && status >= 400 && status <= 599 ? status : 503;
}
