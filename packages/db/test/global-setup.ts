import { setupTestServer } from '../src/testing.js';

export default setupTestServer;
