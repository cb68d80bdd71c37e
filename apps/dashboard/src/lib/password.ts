/**
 * The shortest password the API accepts (`PASSWORD_MIN_LENGTH` of @tagward/auth, which the
 * dashboard cannot import: it hashes with node:crypto). The API checks it; the forms say it up
 * front and let the browser refuse a shorter one before a request.
 */
export const PASSWORD_MIN_LENGTH = 10;
