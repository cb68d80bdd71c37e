import { setupTestServer } from '@tagward/db/testing';

export default setupTestServer;
