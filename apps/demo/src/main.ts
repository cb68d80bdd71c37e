import { pino } from 'pino';
import { loadDemoConfig } from './config.js';
import { startStack } from './stack.js';

const config = loadDemoConfig();
const log = pino({ level: config.logLevel });
const stack = await startStack(config, log);

const line = '─'.repeat(64);
process.stdout.write(`
${line}
 Tagward is running
   Dashboard        ${stack.urls.dashboard}
   Demo client site ${stack.urls.site}
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
