import { getContext, setContext } from 'svelte';
import type { RouterOutputs } from './trpc.js';

export type SiteDto = RouterOutputs['sites']['get'];

/** The site the pages under /sites/[siteId] work on, loaded once by their layout. */
export class SiteState {
  site = $state<SiteDto | null>(null);
  error = $state<string | null>(null);

  get isOwner(): boolean {
    return this.site?.role === 'owner';
  }
}

const KEY = Symbol('site');

export function provideSite(state: SiteState): void {
  setContext(KEY, state);
}

export function useSite(): SiteState {
  const state = getContext<SiteState | undefined>(KEY);
  if (!state) throw new Error('useSite() outside /sites/[siteId]');
  return state;
}
