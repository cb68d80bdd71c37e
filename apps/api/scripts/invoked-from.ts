/**
 * The folder the user typed `npm run …` in: the root script passes it down as
 * TAGWARD_INVOKED_FROM (turbo and the workspace's own npm run the script in apps/api, and each npm
 * sets INIT_CWD again), so a relative path on the command line means what the user meant.
 */
export function invokedFrom(env: NodeJS.ProcessEnv = process.env): string {
  return env.TAGWARD_INVOKED_FROM || env.INIT_CWD || process.cwd();
}
