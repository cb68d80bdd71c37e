// Which known header a raw header name is, without allocating a lower-case copy (this runs for
// every header of every beacon), and the casing tests the request-shape signals use.

// Header identities. Names are matched case-insensitively without allocating a lower-case copy
// (this runs for every header of every beacon): candidates are looked up by length, then
// compared character by character.
export const H_OTHER = 0;
export const H_HOST = 1;
export const H_ORIGIN = 2;
export const H_REFERER = 3;
export const H_USER_AGENT = 4;
export const H_CONTENT_TYPE = 5;
export const H_CONTENT_LENGTH = 6;
export const H_SEC_FETCH_SITE = 7;
export const H_SEC_FETCH_MODE = 8;
export const H_SEC_FETCH_DEST = 9;
export const H_SEC_FETCH_USER = 10;
export const H_SEC_CH_UA = 11;
export const H_SEC_CH_UA_MOBILE = 12;
export const H_SEC_CH_UA_PLATFORM = 13;
export const H_ACCEPT = 14;
export const H_ACCEPT_ENCODING = 15;
export const H_ACCEPT_LANGUAGE = 16;
export const H_CONNECTION = 17;
export const H_EXPECT = 18;
/** Ids up to here are headers a browser sends at most once. */
export const LAST_SINGLETON = H_ACCEPT_LANGUAGE;

const KNOWN: Array<[string, number]> = [
  ['host', H_HOST],
  ['origin', H_ORIGIN],
  ['referer', H_REFERER],
  ['user-agent', H_USER_AGENT],
  ['content-type', H_CONTENT_TYPE],
  ['content-length', H_CONTENT_LENGTH],
  ['sec-fetch-site', H_SEC_FETCH_SITE],
  ['sec-fetch-mode', H_SEC_FETCH_MODE],
  ['sec-fetch-dest', H_SEC_FETCH_DEST],
  ['sec-fetch-user', H_SEC_FETCH_USER],
  ['sec-ch-ua', H_SEC_CH_UA],
  ['sec-ch-ua-mobile', H_SEC_CH_UA_MOBILE],
  ['sec-ch-ua-platform', H_SEC_CH_UA_PLATFORM],
  ['accept', H_ACCEPT],
  ['accept-encoding', H_ACCEPT_ENCODING],
  ['accept-language', H_ACCEPT_LANGUAGE],
  ['connection', H_CONNECTION],
  ['expect', H_EXPECT],
];
export const NAME_OF: string[] = [];
for (const [name, id] of KNOWN) NAME_OF[id] = name;

/** `name` equals the lower-case ASCII `lower` (letters, digits, '-') ignoring case, from `from`. */
export function sameIgnoringCase(name: string, lower: string, from: number, to: number): boolean {
  for (let i = from; i < to; i += 1) {
    // OR-ing 0x20 lower-cases ASCII letters and leaves '-' and digits as they are; header names
    // cannot hold the control characters that would collide.
    if ((name.charCodeAt(i) | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Lower-cased ASCII code of `name[i]` (letters only change; see sameIgnoringCase). */
function lowerAt(name: string, i: number): number {
  return name.charCodeAt(i) | 0x20;
}

interface Known {
  id: number;
  lower: string;
  title: string;
}

const known = (lower: string, id: number): Known => ({
  id,
  lower,
  title: lower.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase()),
});
const K_HOST = known('host', H_HOST);
const K_ORIGIN = known('origin', H_ORIGIN);
const K_ACCEPT = known('accept', H_ACCEPT);
const K_EXPECT = known('expect', H_EXPECT);
const K_REFERER = known('referer', H_REFERER);
const K_SEC_CH_UA = known('sec-ch-ua', H_SEC_CH_UA);
const K_USER_AGENT = known('user-agent', H_USER_AGENT);
const K_CONNECTION = known('connection', H_CONNECTION);
const K_CONTENT_TYPE = known('content-type', H_CONTENT_TYPE);
const K_CONTENT_LENGTH = known('content-length', H_CONTENT_LENGTH);
const K_SEC_FETCH_SITE = known('sec-fetch-site', H_SEC_FETCH_SITE);
const K_SEC_FETCH_MODE = known('sec-fetch-mode', H_SEC_FETCH_MODE);
const K_SEC_FETCH_DEST = known('sec-fetch-dest', H_SEC_FETCH_DEST);
const K_SEC_FETCH_USER = known('sec-fetch-user', H_SEC_FETCH_USER);
const K_ACCEPT_ENCODING = known('accept-encoding', H_ACCEPT_ENCODING);
const K_ACCEPT_LANGUAGE = known('accept-language', H_ACCEPT_LANGUAGE);
const K_SEC_CH_UA_MOBILE = known('sec-ch-ua-mobile', H_SEC_CH_UA_MOBILE);
const K_SEC_CH_UA_PLATFORM = known('sec-ch-ua-platform', H_SEC_CH_UA_PLATFORM);

/** The one known header a name can be, judged from its length and a character or two. */
function candidate(name: string): Known | null {
  switch (name.length) {
    case 4:
      return K_HOST;
    case 6: {
      const c = lowerAt(name, 0);
      return c === 111 /* o */
        ? K_ORIGIN
        : c === 97 /* a */
          ? K_ACCEPT
          : c === 101 /* e */
            ? K_EXPECT
            : null;
    }
    case 7:
      return K_REFERER;
    case 9:
      return K_SEC_CH_UA;
    case 10: {
      const c = lowerAt(name, 0);
      return c === 117 /* u */ ? K_USER_AGENT : c === 99 /* c */ ? K_CONNECTION : null;
    }
    case 12:
      return K_CONTENT_TYPE;
    case 14: {
      if (lowerAt(name, 0) === 99 /* c */) return K_CONTENT_LENGTH;
      const d = lowerAt(name, 10);
      return d === 115 /* s */
        ? K_SEC_FETCH_SITE
        : d === 109 /* m */
          ? K_SEC_FETCH_MODE
          : d === 100 /* d */
            ? K_SEC_FETCH_DEST
            : d === 117 /* u */
              ? K_SEC_FETCH_USER
              : null;
    }
    case 15: {
      const c = lowerAt(name, 7);
      return c === 101 /* e */ ? K_ACCEPT_ENCODING : c === 108 /* l */ ? K_ACCEPT_LANGUAGE : null;
    }
    case 16:
      return K_SEC_CH_UA_MOBILE;
    case 18:
      return K_SEC_CH_UA_PLATFORM;
    default:
      return null;
  }
}

/**
 * Which known header a name is. A candidate is picked from the length and a character or two,
 * then confirmed: first against the two spellings clients actually use (a native string
 * comparison), then character by character. A Map lookup would hash the name, and every
 * request brings fresh strings.
 */
export function identify(name: string): number {
  const k = candidate(name);
  if (k === null) return H_OTHER;
  return name === k.title || name === k.lower || sameIgnoringCase(name, k.lower, 0, k.lower.length)
    ? k.id
    : H_OTHER;
}

export const SEC_CH = 'sec-ch-';
export const SEC_FETCH = 'sec-fetch-';

export function isTitleCase(name: string): boolean {
  let upper = true;
  for (let i = 0; i < name.length; i += 1) {
    const c = name.charCodeAt(i);
    if (c === 45 /* - */) {
      upper = true;
      continue;
    }
    const isUpper = c >= 65 && c <= 90;
    const isLower = c >= 97 && c <= 122;
    if (upper ? isLower : isUpper) return false;
    upper = false;
  }
  return true;
}

export function isLowerCase(name: string): boolean {
  for (let i = 0; i < name.length; i += 1) {
    const c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) return false;
  }
  return true;
}
