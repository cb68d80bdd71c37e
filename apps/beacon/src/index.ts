export { ListenError, startBeacon, type RunningBeacon } from './start.js';
export { createBeacon, type Beacon, type BeaconDeps } from './server.js';
export { beaconConfigSchema, loadBeaconConfig, type BeaconConfig } from './config.js';
