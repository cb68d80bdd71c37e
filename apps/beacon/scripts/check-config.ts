/** `npm run check:config`: the beacon's effective configuration, secrets masked, and what production refuses. */
import { formatConfig, isProduction, maskSecret, maskUri } from '@tagward/config';
import { beaconProductionProblems, readBeaconConfig } from '../src/config.js';

const config = readBeaconConfig(process.env);
const problems = beaconProductionProblems(config, process.env);
const masked: Array<[string, unknown]> = Object.entries({
  ...config,
  mongodbUri: config.mongodbUri ? maskUri(config.mongodbUri) : '(not set: embedded development server)',
  masterKey: maskSecret(config.masterKey),
  attestSecret: maskSecret(config.attestSecret),
  metricsToken: maskSecret(config.metricsToken),
});
console.log(formatConfig('beacon', masked, problems, isProduction(process.env)));
if (isProduction(process.env) && problems.length > 0) process.exitCode = 1;
