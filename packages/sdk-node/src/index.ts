/**
 * @tagward/sdk-node: for your backend. Mint page tokens (no network call) and ask the verify API
 * what Tagward recorded for a beacon.
 */
export { TagwardError, type TagwardErrorCode } from './errors.js';
export {
  DEFAULT_TOKEN_TTL_S,
  MAX_TOKEN_TTL_S,
  mintPageToken,
  type MintPageTokenOptions,
} from './mint.js';
export {
  createVerifyClient,
  type BeaconRecord,
  type VerifyClient,
  type VerifyClientOptions,
} from './verify-client.js';
export { renderEmbedTag, type EmbedTagOptions } from './snippet.js';
export { verifyWebhook, type WebhookEvent, type VerifyWebhookOptions } from './webhooks.js';
