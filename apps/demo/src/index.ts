export { startStack, type Stack } from './stack.js';
export { demoConfigSchema, loadDemoConfig, type DemoConfig } from './config.js';
export { DEMO_PAGES } from './site.js';
