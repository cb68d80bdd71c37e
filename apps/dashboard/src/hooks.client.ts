import type { ClientInit, HandleClientError } from '@sveltejs/kit';
import { invalidateAll } from '$app/navigation';
import { navigating } from '$app/state';
import { forgetCurrentUser } from '$lib/session';
import { onUnauthorized } from '$lib/trpc';

export const init: ClientInit = () => {
  // The API said the session ended (it expired, or the user logged out elsewhere). During a
  // navigation the load that got the 401 redirects to the login page itself, remembering where it
  // was going. Otherwise (a form, a "load more") run the current page's loads again: their session
  // guard sends the user to the login page instead of every card saying "Please log in".
  onUnauthorized(() => {
    forgetCurrentUser();
    if (!navigating.to) void invalidateAll();
  });
};

/** Errors no load expected (a bug, a lost chunk after a deploy): logged, and a plain message shown. */
export const handleError: HandleClientError = ({ error, status }) => {
  // An unknown address is not a failure of the app: the 404 page says so.
  if (status === 404) return { message: 'There is nothing at this address.' };
  console.error(error);
  return { message: 'Something went wrong. Reload the page to try again.' };
};
