import type { UaFamily } from './types.js';

/**
 * What a User-Agent string claims, and which headers that claim implies. Only the claim: the
 * point of the request-shape signals is to check it against what actually arrived.
 */
export interface UaClaim {
  readonly family: UaFamily;
  readonly major: number | null;
  readonly tool: string | null;
  readonly platform: Platform | null;
  readonly mobile: boolean;
  /** Sec-Fetch-Site/Mode/Dest are always sent by this browser version. */
  readonly secFetchExpected: boolean;
  /** Sec-CH-UA, -Mobile and -Platform are sent by default to HTTPS (and localhost) URLs. */
  readonly hintsExpected: boolean;
}

export type Platform = 'windows' | 'macos' | 'linux' | 'android' | 'chromeos' | 'ios';

// HTTP clients and tools, by the token they start their User-Agent with. `node` is Node's
// built-in fetch (undici) since Node 18. PowerShell's Invoke-WebRequest dresses up as Mozilla,
// hence its own test.
const LIBRARY =
  /^(curl|wget|python-requests|python-urllib|python-httpx|python|aiohttp|go-http-client|node-fetch|undici|node|axios|okhttp|java|apache-httpclient|libwww-perl|lwp-trivial|ruby|faraday|postmanruntime|insomnia|httpie|dart|reqwest|scrapy|got|guzzlehttp|php|deno|bun|rust|hyper|http\.rb|restsharp|winhttp|cfnetwork)(?=[/\s(;]|$)/i;
const POWERSHELL = /WindowsPowerShell\//;
// Headless browsers, automation frameworks and well-known crawlers that declare themselves.
const AUTOMATION =
  /(HeadlessChrome|PhantomJS|Electron|Chrome-Lighthouse|Playwright|Puppeteer|Selenium|Cypress|Googlebot|bingbot|YandexBot|DuckDuckBot|Baiduspider|AhrefsBot|SemrushBot|MJ12bot|PetalBot|Applebot|GPTBot|ClaudeBot|PerplexityBot|Bytespider|facebookexternalhit|Slurp)|\b(crawler|spider|headless)\b/i;
const CHROME = /(?:Chrome|Chromium)\/(\d+)/;
const FIREFOX = /Firefox\/(\d+)/;
const IOS_APP = /(?:CriOS|FxiOS|EdgiOS|OPiOS)\/\d+/;
const SAFARI_VERSION = /Version\/(\d+)/;
const IOS_VERSION = /(?:iPhone|iPad|iPod).*? OS (\d+)_/;
// Chromium builds that are known not to send client hints by default (Android WebView until
// recently, and some vendor browsers): do not expect them there.
const NO_HINTS = /; wv\)|SamsungBrowser|UCBrowser|YaBrowser|HuaweiBrowser|MiuiBrowser|Puffin/;

/** Chromium shipped Sec-Fetch-* in 76 and UA client hints by default in 89; margins added. */
const CHROMIUM_SEC_FETCH = 80;
const CHROMIUM_HINTS = 90;
const FIREFOX_SEC_FETCH = 90;
/** Safari 16.4 added Sec-Fetch-*; 17 is the first major where every build has them. */
const WEBKIT_SEC_FETCH = 17;

function platformOf(ua: string): Platform | null {
  if (ua.includes('Windows NT')) return 'windows';
  if (ua.includes('Android')) return 'android';
  if (ua.includes('CrOS')) return 'chromeos';
  if (/iPhone|iPad|iPod/.test(ua)) return 'ios';
  if (ua.includes('Macintosh')) return 'macos';
  if (ua.includes('Linux') || ua.includes('X11')) return 'linux';
  return null;
}

function claim(
  family: UaFamily,
  ua: string,
  major: number | null = null,
  tool: string | null = null,
  secFetchExpected = false,
  hintsExpected = false,
): UaClaim {
  return {
    family,
    major,
    tool,
    platform: family === 'none' ? null : platformOf(ua),
    mobile: ua.includes(' Mobile'),
    secFetchExpected,
    hintsExpected,
  };
}

/**
 * Classifies a User-Agent string by what it claims to be.
 *
 * @example
 * classifyUserAgent('curl/8.5.0').family; // 'library'
 * classifyUserAgent('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36').hintsExpected; // true
 */
export function classifyUserAgent(ua: string): UaClaim {
  const hit = claims.get(ua);
  if (hit !== undefined) return hit;
  const result = Object.freeze(classify(ua));
  // Real traffic repeats a few thousand User-Agent strings: memoise them (bounded, so a flood
  // of random strings costs memory once and then just clears the table).
  if (claims.size >= MAX_CACHED_CLAIMS) claims.clear();
  claims.set(ua, result);
  return result;
}

const MAX_CACHED_CLAIMS = 10_000;
const claims = new Map<string, UaClaim>();

function classify(ua: string): UaClaim {
  if (ua === '') return claim('none', ua);
  const lib = LIBRARY.exec(ua);
  if (lib !== null) return claim('library', ua, null, (lib[1] as string).toLowerCase());
  if (POWERSHELL.test(ua)) return claim('library', ua, null, 'powershell');
  const bot = AUTOMATION.exec(ua);
  if (bot !== null)
    return claim('automation', ua, null, ((bot[1] ?? bot[2]) as string).toLowerCase());
  if (!ua.startsWith('Mozilla/5.0')) return claim('other', ua);
  if (IOS_APP.test(ua)) {
    // Chrome, Firefox and Edge on iOS are WebKit underneath: Safari's headers, no client hints.
    const ios = IOS_VERSION.exec(ua);
    const major = ios === null ? null : Number(ios[1]);
    return claim('webkit', ua, major, null, major !== null && major >= WEBKIT_SEC_FETCH);
  }
  const chrome = CHROME.exec(ua);
  if (chrome !== null) {
    const major = Number(chrome[1]);
    return claim(
      'chromium',
      ua,
      major,
      null,
      major >= CHROMIUM_SEC_FETCH,
      major >= CHROMIUM_HINTS && !NO_HINTS.test(ua),
    );
  }
  const firefox = FIREFOX.exec(ua);
  if (firefox !== null) {
    const major = Number(firefox[1]);
    return claim('firefox', ua, major, null, major >= FIREFOX_SEC_FETCH);
  }
  if (ua.includes('AppleWebKit/')) {
    const version = SAFARI_VERSION.exec(ua) ?? IOS_VERSION.exec(ua);
    const major = version === null ? null : Number(version[1]);
    return claim('webkit', ua, major, null, major !== null && major >= WEBKIT_SEC_FETCH);
  }
  return claim('other', ua);
}

const HINT_PLATFORMS: Record<string, Platform> = {
  '"Windows"': 'windows',
  '"macOS"': 'macos',
  '"Linux"': 'linux',
  '"Android"': 'android',
  '"Chrome OS"': 'chromeos',
  '"Chromium OS"': 'chromeos',
  '"iOS"': 'ios',
};

/** The major version given for one brand in Sec-CH-UA (`"Chromium";v="131"`), or null. */
function brandVersion(secChUa: string, prefix: string): number | null {
  const at = secChUa.indexOf(prefix);
  if (at === -1) return null;
  let value = 0;
  let digits = 0;
  for (let i = at + prefix.length; i < secChUa.length; i += 1) {
    const c = secChUa.charCodeAt(i);
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
    digits += 1;
  }
  return digits === 0 || digits > 6 ? null : value;
}

/**
 * Compares the low-entropy client hints with the User-Agent claim and lists what disagrees:
 * `non_chromium` (hints from a browser that has none), `malformed` (Sec-CH-UA unparsable),
 * `brand_version` (Chromium brand major != UA major), `platform`, `mobile`.
 *
 * @example
 * hintMismatches(classifyUserAgent(chromeOnWindowsUa), '"Chromium";v="131"', '?0', '"macOS"'); // ['platform']
 */
export function hintMismatches(
  claimed: UaClaim,
  secChUa: string | null,
  secChUaMobile: string | null,
  secChUaPlatform: string | null,
): string[] {
  const out: string[] = [];
  // Firefox and Safari have no UA client hints at all. Libraries, crawlers and unknown agents
  // claim nothing to compare with (their own reasons already fire).
  if (claimed.family === 'firefox' || claimed.family === 'webkit') {
    out.push('non_chromium');
    return out;
  }
  if (claimed.family !== 'chromium') return out;
  if (secChUa !== null) {
    if (!secChUa.includes(';v="')) out.push('malformed');
    const brandMajor =
      brandVersion(secChUa, '"Chromium";v="') ??
      brandVersion(secChUa, '"Google Chrome";v="') ??
      brandVersion(secChUa, '"Microsoft Edge";v="');
    if (brandMajor !== null && claimed.major !== null && brandMajor !== claimed.major)
      out.push('brand_version');
  }
  if (secChUaPlatform !== null && claimed.platform !== null) {
    const hinted = HINT_PLATFORMS[secChUaPlatform];
    // Android's "request desktop site" swaps the UA for a Linux desktop one but keeps the
    // platform hint at "Android" with ?0: a real browser, not a contradiction.
    const desktopMode =
      hinted === 'android' && claimed.platform === 'linux' && secChUaMobile === '?0';
    if (hinted !== undefined && hinted !== claimed.platform && !desktopMode) out.push('platform');
  }
  if (secChUaMobile === '?1' || secChUaMobile === '?0') {
    if ((secChUaMobile === '?1') !== claimed.mobile) out.push('mobile');
  } else if (secChUaMobile !== null && !out.includes('malformed')) {
    out.push('malformed');
  }
  return out;
}
