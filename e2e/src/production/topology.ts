/**
 * The production topology, started from the production bundles on this machine: two beacon
 * processes and two API processes (`node dist/main.js`, NODE_ENV=production) on one
 * MongoDB-protocol server, behind Debian's nginx with TLS (a self-signed certificate made here),
 * rendered from deploy/nginx/tagward.conf.template.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { findRepoRoot } from '@tagward/db';

export const ROOT = findRepoRoot();
export const HOSTS = { app: 'app.tagward.test', beacon: 'beacon.tagward.test', shop: 'shop.tagward.test' } as const;

export interface AppProcess {
  name: string;
  port: number;
  metricsPort?: number;
  child: ChildProcess;
  output: () => string;
}

export interface Topology {
  dir: string;
  nginxPort: number;
  cert: string;
  key: string;
  beacons: AppProcess[];
  apis: AppProcess[];
  url(host: keyof typeof HOSTS, pathname?: string): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** `npm run build` for what the topology runs (turbo's cache makes a repeat cheap). */
export function buildBundles(): void {
  const filters = ['@tagward/api', '@tagward/beacon', '@tagward/embed', '@tagward/dashboard'].flatMap((f) => ['--filter', f]);
  const result = spawnSync('npx', ['turbo', 'run', 'build', ...filters, '--output-logs=errors-only'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } });
  if (result.status !== 0) throw new Error(`build failed:\n${result.stdout}\n${result.stderr}`);
}

function makeCertificate(dir: string): { cert: string; key: string } {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  const san = `subjectAltName=${Object.values(HOSTS).map((h) => `DNS:${h}`).join(',')}`;
  const result = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=tagward.test', '-addext', san], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl failed: ${result.stderr}`);
  return { cert, key };
}

function startProcess(name: string, script: string, env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [script], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (ready.test(output)) {
        clearInterval(timer);
        resolve({ child, output: () => output });
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`${name} exited (${code}):\n${output}`));
    });
  });
}

async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

function renderNginx(dir: string, vars: Record<string, string>): string {
  const template = fs.readFileSync(path.join(ROOT, 'deploy/nginx/tagward.conf.template'), 'utf8');
  const site = template.replace(/\$\{(TAGWARD_[A-Z0-9_]+)\}/g, (_, name: string) => {
    if (!(name in vars)) throw new Error(`the template needs ${name}`);
    return vars[name]!;
  });
  fs.writeFileSync(path.join(dir, 'tagward.conf'), site);
  // The main file a distribution provides, here pointed at private folders.
  const main = `user root;
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/tagward.conf;
}
`;
  const file = path.join(dir, 'nginx.conf');
  fs.writeFileSync(file, main);
  return file;
}

export async function startTopology(options: { mongodbUri: string; dbName: string; masterKey: string; smtpUrl: string; beaconEnv?: Record<string, string> }): Promise<Topology> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tagward-production-'));
  const { cert, key } = makeCertificate(dir);
  const nginxPort = await freePort();
  const common = { NODE_ENV: 'production', MONGODB_URI: options.mongodbUri, TAGWARD_DB_NAME: options.dbName, TAGWARD_MASTER_KEY: options.masterKey, LOG_LEVEL: 'info' };
  const processes: AppProcess[] = [];
  const stopAll = async () => {
    await Promise.all(processes.map((p) => stopProcess(p.child)));
  };
  try {
    for (const name of ['beacon-1', 'beacon-2']) {
      const port = await freePort();
      const metricsPort = await freePort();
      const started = await startProcess(name, 'apps/beacon/dist/main.js', { ...common, BEACON_PORT: String(port), BEACON_METRICS_PORT: String(metricsPort), BEACON_TRUST_PROXY: 'true', ...options.beaconEnv }, /beacon listening/);
      processes.push({ name, port, metricsPort, ...started });
    }
    for (const name of ['api-1', 'api-2']) {
      const port = await freePort();
      const started = await startProcess(
        name,
        'apps/api/dist/main.js',
        {
          ...common,
          API_PORT: String(port),
          API_TRUST_PROXY: 'true',
          COOKIE_SECURE: 'always',
          TAGWARD_PUBLIC_BEACON_URL: `https://${HOSTS.beacon}:${nginxPort}`,
          // Production mails through a real SMTP server, with links to the dashboard's https URL.
          SMTP_URL: options.smtpUrl,
          TAGWARD_DASHBOARD_URL: `https://${HOSTS.app}:${nginxPort}`,
          TAGWARD_EMBED_DIR: path.join(ROOT, 'apps/embed/dist'),
        },
        /api listening/,
      );
      processes.push({ name, port, ...started });
    }
    const conf = renderNginx(dir, {
      TAGWARD_LISTEN: `127.0.0.1:${nginxPort}`,
      TAGWARD_APP_HOST: HOSTS.app,
      TAGWARD_BEACON_HOST: HOSTS.beacon,
      TAGWARD_TLS_CERT: cert,
      TAGWARD_TLS_KEY: key,
      TAGWARD_EMBED_DIR: path.join(ROOT, 'apps/embed/dist'),
      TAGWARD_BEACON_1: `127.0.0.1:${processes[0]!.port}`,
      TAGWARD_BEACON_2: `127.0.0.1:${processes[1]!.port}`,
      TAGWARD_API_1: `127.0.0.1:${processes[2]!.port}`,
      TAGWARD_API_2: `127.0.0.1:${processes[3]!.port}`,
    });
    const nginx = spawn('nginx', ['-c', conf, '-p', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let nginxOutput = '';
    nginx.stderr!.on('data', (c: Buffer) => (nginxOutput += c.toString()));
    processes.push({ name: 'nginx', port: nginxPort, child: nginx, output: () => nginxOutput + fs.readFileSync(path.join(dir, 'error.log'), 'utf8') });
    await waitForPort(nginxPort);
  } catch (error) {
    await stopAll();
    throw error;
  }
  return {
    dir,
    nginxPort,
    cert,
    key,
    beacons: processes.slice(0, 2),
    apis: processes.slice(2, 4),
    url: (host, pathname = '/') => `https://${HOSTS[host]}:${nginxPort}${pathname}`,
    stop: stopAll,
  };
}
