import { redirect } from '@sveltejs/kit';
import { HOME } from '$lib/auth-routes';
import { currentUser } from '$lib/session';
import type { LayoutLoad } from './$types';

/** The login and signup pages: a logged-in user has nothing to do here. */
export const load: LayoutLoad = async () => {
  if (await currentUser()) redirect(307, HOME);
  return {};
};
