export { startStack, type Stack } from './stack.js';
export { demoConfigSchema, developmentAttestKeyFile, loadDemoConfig, type DemoConfig } from './config.js';
export { DEMO_PAGES } from './site.js';
