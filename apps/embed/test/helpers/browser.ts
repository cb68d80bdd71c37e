// Debian's Chromium driven by playwright-core (packages/chromium). One persistent context per
// test file; each test opens its own page.
export { CHROMIUM_ARGS, launchChromium, type LaunchedChromium as Browser } from '@tagward/chromium';
