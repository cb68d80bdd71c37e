// Replaced by esbuild `define` at build time (scripts/build.ts).

/** Origin of the beacon, e.g. "https://t.example.com"; '' = the origin the script came from. */
declare const __TAGWARD_ENDPOINT__: string;
/** Path of the lazily loaded attestation module, relative to the script's origin. */
declare const __TAGWARD_ATTEST_PATH__: string;
/** true in the `spa` variant: history API navigations count as page views. */
declare const __TAGWARD_SPA__: boolean;
