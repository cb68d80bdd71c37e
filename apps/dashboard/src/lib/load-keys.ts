/**
 * Custom dependencies of `load` functions (`depends(KEY)`): after a mutation, `invalidate(KEY)`
 * runs those loads again, so the page shows what the API now has.
 */
export const SITES = 'app:sites';
export const SITE = 'app:site';
export const RULES = 'app:rules';
export const WEBHOOK_LOG = 'app:webhook-log';
