export {
  COLLECT_PATH,
  MAX_BODY_BYTES,
  PAYLOAD_VERSION,
  PUBLISHABLE_KEY_PATTERN,
  CHECK_ID_PATTERN,
  checkResultSchema,
  timingSchema,
  collectPayloadSchema,
  type CheckResult,
  type CollectTiming,
  type CollectPayload,
} from './payload.js';
export {
  BEACON_ERROR_CODES,
  type BeaconErrorCode,
  type ErrorBody,
  type CollectAccepted,
} from './errors.js';
