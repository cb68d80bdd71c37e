import { redirect } from '@sveltejs/kit';
import { HOME } from '$lib/auth-routes';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent }) => {
  await parent();
  redirect(307, HOME);
};
