import type { ClientInit } from '@sveltejs/kit';
import { invalidateAll } from '$app/navigation';
import { forgetCurrentUser } from '$lib/session';
import { onUnauthorized } from '$lib/trpc';

export const init: ClientInit = () => {
  // The API said the session ended (it expired, or the user logged out elsewhere) during a form
  // submission or a "load more": run the current page's loads again, whose session guard then
  // sends the user to the login page instead of every card saying "Please log in".
  onUnauthorized(() => {
    forgetCurrentUser();
    void invalidateAll();
  });
};
