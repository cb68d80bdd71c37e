/** `npm run check:config`: the API's effective configuration, secrets masked, and what production refuses. */
import { formatConfig, isProduction, maskSecret, maskUri } from '@tagward/config';
import { apiProductionProblems, readApiConfig } from '../src/config.js';

let config;
try {
  config = readApiConfig(process.env);
} catch (error) {
  // Unreadable (TAGWARD_MASTER_KEY missing or malformed): say so and stop.
  console.log(`api — the configuration does not load:\n  ${(error as Error).message.replace(/\n/g, '\n  ')}`);
  process.exit(1);
}
const problems = apiProductionProblems(config, process.env);
const masked: Array<[string, unknown]> = Object.entries({
  ...config,
  mongodbUri: config.mongodbUri ? maskUri(config.mongodbUri) : '(not set: embedded development server)',
  masterKey: maskSecret(config.masterKey),
});
console.log(formatConfig('api', masked, problems, isProduction(process.env)));
if (isProduction(process.env) && problems.length > 0) process.exitCode = 1;
