import { pino } from 'pino';
import { loadDemoConfig } from './config.js';
import { StartError, startStack } from './stack.js';

let config;
try {
  config = loadDemoConfig();
} catch (error) {
  process.stderr.write(`\n${(error as Error).message}\n`);
  process.exit(1);
}
const log = pino({ level: config.logLevel });
let stack;
try {
  stack = await startStack(config, log, process.env);
} catch (error) {
  // What was started is stopped again by startStack; say what went wrong in one line.
  process.stderr.write(`\nTagward could not start: ${error instanceof StartError ? error.message : String((error as Error).stack ?? error)}\n`);
  process.exit(1);
}

const line = '─'.repeat(64);
process.stdout.write(`
${line}
 Tagward is running
   Dashboard        ${stack.urls.dashboard}
   Demo client site ${stack.urls.site}
   Demo single-page app ${stack.urls.site}/app/   (page tokens required)
   Beacon           ${stack.urls.beacon}   (/healthz /readyz)
   Beacon metrics   ${stack.urls.beaconMetrics ?? 'off'}
   Mail inbox       ${stack.urls.mailInbox ?? 'off (SMTP_URL is set: mail goes to that server)'}
   Demo login       ${stack.login.email} / ${stack.login.password}
   Admin login      ${stack.admin.email} / ${stack.admin.password}
   Admin 2FA key    ${stack.admin.totpKey}   (add it to an authenticator app)
   Demo traffic     ${config.traffic ? 'on (TAGWARD_DEMO_TRAFFIC=off to stop it)' : 'off'}
 Ctrl-C stops everything.
${line}
`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await stack.stop();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
