import { api, type RouterOutputs } from './trpc';

export type User = NonNullable<RouterOutputs['auth']['me']['user']>;

/**
 * Who is logged in, asked of the API once and then kept until the session changes (log in, log
 * out, or a 401 from the API). Module state is safe here because the dashboard never renders on a
 * server (`ssr = false`): this module lives in one browser tab, for one user.
 */
let known: Promise<User | null> | null = null;

export function currentUser(): Promise<User | null> {
  known ??= api.auth.me.query().then(
    (result) => result.user,
    () => null,
  );
  return known;
}

/** After logging in or out: the answer is known, no need to ask the API. */
export function setCurrentUser(user: User | null): void {
  known = Promise.resolve(user);
}

/** The API said the session is gone: ask again at the next navigation. */
export function forgetCurrentUser(): void {
  known = null;
}
