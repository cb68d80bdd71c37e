export { StartError, startStack, type Stack } from './stack.js';
export { apiConfigFor, beaconConfigFor } from './app-configs.js';
export { demoConfigSchema, developmentAttestKeyFile, loadDemoConfig, type DemoConfig } from './config.js';
export { DEMO_PAGES } from './site.js';
