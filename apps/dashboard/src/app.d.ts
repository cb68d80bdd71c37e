// See https://svelte.dev/docs/kit/types#app.d.ts
declare global {
  namespace App {
    interface Error {
      message: string;
      /** The error page's heading, when the status alone would not say enough ("Site not found"). */
      title?: string;
    }
  }
}

export {};
