import { errorMessage } from './trpc';

interface Options {
  /** A problem the page sees before asking the API (two passwords that differ): shown, nothing sent. */
  check?: () => string | null;
}

/**
 * The submit of a form that asks the API for one thing (log in, sign up, create a key): `busy`
 * while the request runs, so its button is disabled, and the API's message in `error` when it
 * fails. A new attempt clears the last error first. What success does is the page's (`run`).
 *
 * @example
 * const form = new FormAction(() => api.auth.requestPasswordReset.mutate({ email }));
 * // <form onsubmit={form.submit}> … <FormError message={form.error} /> <button disabled={form.busy}>
 */
export class FormAction {
  readonly #run: () => Promise<unknown>;
  readonly #check: (() => string | null) | undefined;

  busy = $state(false);
  error = $state<string | null>(null);

  constructor(run: () => Promise<unknown>, options: Options = {}) {
    this.#run = run;
    this.#check = options.check;
  }

  /** The form's submit handler (an arrow, so `onsubmit={form.submit}` keeps `this`). */
  submit = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    const problem = this.#check?.() ?? null;
    if (problem !== null) {
      this.error = problem;
      return;
    }
    this.busy = true;
    this.error = null;
    try {
      await this.#run();
    } catch (e) {
      this.error = errorMessage(e);
    } finally {
      this.busy = false;
    }
  };
}
