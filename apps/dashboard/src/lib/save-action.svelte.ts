import { invalidate } from '$app/navigation';
import { FormAction } from './form-action.svelte';

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
  /** The request part (clear the error, run, the API's message on failure) is FormAction's. */
  readonly #form: FormAction;

  saved = $state(false);

  constructor(run: () => Promise<unknown>, options: { invalidates?: string } = {}) {
    this.#form = new FormAction(async () => {
      this.saved = false;
      await run();
      if (options.invalidates !== undefined) await invalidate(options.invalidates);
      this.saved = true;
    });
  }

  get error(): string | null {
    return this.#form.error;
  }

  /** The form's submit handler (an arrow, so `onsubmit={save.submit}` keeps `this`). */
  submit = (event: SubmitEvent): Promise<void> => this.#form.submit(event);
}
