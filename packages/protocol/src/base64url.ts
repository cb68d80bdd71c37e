/** The one canonical spelling of base64url, as page tokens and secret keys use it. */

export const BASE64URL_ALPHABET =
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]*$/;

/**
 * Decodes base64url, refusing anything but the one canonical spelling. Node's decoder skips
 * invalid characters and ignores the unused low bits of the last character, so without this
 * check a token whose last MAC character was changed could still verify.
 */
export function decodeCanonicalBase64url(text: string): Buffer | undefined {
  const rest = text.length % 4;
  if (text.length === 0 || rest === 1 || !BASE64URL_PATTERN.test(text)) return undefined;
  if (rest !== 0) {
    // 2 trailing characters carry 1 byte (4 spare bits), 3 carry 2 bytes (2 spare bits): the
    // spare bits of the last character must be zero.
    const last = BASE64URL_ALPHABET.indexOf(text.charAt(text.length - 1));
    if ((last & (rest === 2 ? 0x0f : 0x03)) !== 0) return undefined;
  }
  return Buffer.from(text, 'base64url');
}
