import { errorAppCode } from './trpc';

/**
 * Re-authentication for sensitive actions. The API answers `reauth_required` when the session
 * has not proved its owner recently; `withReauth` then opens the dialog (ReauthDialog.svelte, in
 * the app shell), waits for the password or code, and runs the action again once. Module state is
 * fine here: the dashboard never renders on a server (`ssr = false`).
 */
export const reauth = $state<{ open: boolean; resolve: ((ok: boolean) => void) | null }>({ open: false, resolve: null });

/** Opens the dialog; resolves true once the owner has re-authenticated, false if they cancel. */
export function askForReauth(): Promise<boolean> {
  reauth.resolve?.(false);
  return new Promise((resolve) => {
    reauth.open = true;
    reauth.resolve = resolve;
  });
}

export function closeReauth(ok: boolean): void {
  const resolve = reauth.resolve;
  reauth.open = false;
  reauth.resolve = null;
  resolve?.(ok);
}

/** Runs `action`; if the API wants re-authentication, asks for it and runs it once more. */
export async function withReauth<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (e) {
    if (errorAppCode(e) !== 'reauth_required') throw e;
    if (!(await askForReauth())) throw e;
    return action();
  }
}
