import { error } from '@sveltejs/kit';
import type { LayoutLoad } from './$types';

/**
 * Platform admins only. The API refuses every moderation call to anyone else anyway; this says so
 * kindly, before any of the section's loads asks the API.
 */
export const load: LayoutLoad = async ({ parent }) => {
  const { user } = await parent();
  if (user.role !== 'admin') error(403, { title: 'Moderation', message: 'This section is for platform administrators.' });
  if (!user.twoFactor) error(403, { title: 'Moderation', message: 'Platform administrators must turn on two-factor authentication first: Account → Set up two-factor.' });
  return {};
};
