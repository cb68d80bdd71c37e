import { invalidate } from '$app/navigation';
import { errorMessage } from './trpc';

/**
 * The Save button of a settings card: runs the save, reloads the loads that depend on what it
 * changed, then says "Saved." (`saved`) or shows why not (`error`). Every card behaves the same:
 * a new attempt clears both first, and a failed reload counts as a failed save (the page would
 * show the old value).
 *
 * @example
 * const save = new SaveAction(() => api.sites.rename.mutate({ siteId, name }), { invalidates: SITE });
 * // <form onsubmit={save.submit}> … {#if save.saved}Saved.{/if} <FormError message={save.error} />
 */
export class SaveAction {
  readonly #run: () => Promise<unknown>;
  readonly #invalidates: string | undefined;

  error = $state<string | null>(null);
  saved = $state(false);

  constructor(run: () => Promise<unknown>, options: { invalidates?: string } = {}) {
    this.#run = run;
    this.#invalidates = options.invalidates;
  }

  /** The form's submit handler (an arrow, so `onsubmit={save.submit}` keeps `this`). */
  submit = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    this.error = null;
    this.saved = false;
    try {
      await this.#run();
      if (this.#invalidates !== undefined) await invalidate(this.#invalidates);
      this.saved = true;
    } catch (e) {
      this.error = errorMessage(e);
    }
  };
}
