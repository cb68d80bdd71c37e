import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium as launch, type LaunchedChromium } from '@tagward/chromium';

export const ARTIFACTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../artifacts');

/** Chromium with a desktop-sized window for dashboard screenshots. */
export function launchChromium(): Promise<LaunchedChromium> {
  return launch({ viewport: { width: 1280, height: 900 } });
}

export function artifactPath(name: string): string {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return path.join(ARTIFACTS_DIR, name);
}
