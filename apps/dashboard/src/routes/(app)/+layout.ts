import { redirect } from '@sveltejs/kit';
import { loginHref } from '$lib/auth-routes';
import { currentUser } from '$lib/session';
import type { LayoutLoad } from './$types';

/**
 * Every page but login and signup: logged-out visitors go to the login page (and come back
 * afterwards). `url` is read only then, so this load does not run again on every navigation.
 */
export const load: LayoutLoad = async ({ url }) => {
  const user = await currentUser();
  if (!user) redirect(307, loginHref(url));
  return { user };
};
