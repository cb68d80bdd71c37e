import type { ReasonInfo } from './reason-info.js';

/**
 * Reason codes of the request shape signal group.
 * The HTTP request itself: headers, their order and casing, the user agent.
 */
export const REQUEST_SHAPE_CODES = {
  sec_fetch_missing: {
    group: 'request_shape',
    kind: 'penalty',
    title: 'No Sec-Fetch headers',
    description:
      'The user agent claims a browser that always sends Sec-Fetch-Site/Mode/Dest (Chromium 80+, Firefox 90+, Safari 17+), and none came.',
    forgery: 'Add the three headers with browser values.',
  },
  sec_fetch_inconsistent: {
    group: 'request_shape',
    kind: 'penalty',
    title: 'Sec-Fetch headers not those of a beacon',
    description:
      'Sec-Fetch-* values that sendBeacon or fetch(keepalive) never produce: a navigation (mode navigate, dest document, Sec-Fetch-User), site none, or only some of the three headers.',
    forgery: 'Send site cross-site, mode no-cors or cors, dest empty.',
  },
  client_hints_missing: {
    group: 'request_shape',
    kind: 'penalty',
    title: 'No client hints from a Chromium browser',
    description:
      'The user agent claims Chromium 90+, which sends Sec-CH-UA, Sec-CH-UA-Mobile and Sec-CH-UA-Platform on every request to an HTTPS beacon; they are missing.',
    forgery: 'Add client-hint headers matching the user agent.',
  },
  client_hints_mismatch: {
    group: 'request_shape',
    kind: 'penalty',
    title: 'Client hints contradict the user agent',
    description:
      'Sec-CH-UA brand version, platform or mobile flag disagree with the User-Agent string, or hints come from a non-Chromium user agent.',
    forgery: 'Keep the user agent and the hints consistent.',
  },
  ua_missing: {
    group: 'request_shape',
    kind: 'penalty',
    title: 'No User-Agent',
    description: 'Browsers always send a User-Agent.',
    forgery: 'Send a browser user agent.',
  },
  ua_http_library: {
    group: 'request_shape',
    kind: 'penalty',
    title: 'HTTP library user agent',
    description:
      'The User-Agent is that of an HTTP library or command-line tool (curl, python-requests, Go, Node, Java…), not a browser.',
    forgery: 'Send a browser user agent.',
  },
  ua_automation: {
    group: 'request_shape',
    kind: 'penalty',
    title: 'Automation or crawler user agent',
    description:
      'The User-Agent declares a headless browser, an automation framework or a crawler. Honest bots, and end-to-end tests, look like this.',
    forgery: 'Override the user agent of the headless browser.',
  },
  ua_not_browser: {
    group: 'request_shape',
    kind: 'penalty',
    title: 'Unrecognised user agent',
    description: 'The User-Agent resembles no browser and no known library.',
    forgery: 'Send a common browser user agent.',
  },
  headers_library_fingerprint: {
    group: 'request_shape',
    kind: 'penalty',
    title: 'Header order of an HTTP library',
    description:
      'The raw header order and casing match what curl, python-requests, Node fetch (undici) or Go net/http send, whatever the User-Agent says. Assumes the beacon sees the client header block as sent (see the deployment note).',
    forgery: 'Reproduce a browser header block byte for byte, or drive a real browser.',
  },
  header_casing_atypical: {
    group: 'request_shape',
    kind: 'penalty',
    title: 'Header casing unlike the claimed browser',
    description:
      'Over HTTP/1.1 browsers write Sec-Fetch-* in title case and Chromium writes sec-ch-ua* in lower case; hand-built requests often get this wrong.',
    forgery: 'Copy the exact casing.',
  },
  browser_headers_missing: {
    group: 'request_shape',
    kind: 'penalty',
    title: 'Browser headers missing',
    description:
      'The user agent claims a browser but Accept, Accept-Encoding or Accept-Language is missing; browsers always send them.',
    forgery: 'Add the headers.',
  },
  content_type_atypical: {
    group: 'request_shape',
    kind: 'penalty',
    title: 'Unusual Content-Type',
    description:
      'Browsers send exactly "text/plain;charset=UTF-8" for a string body; anything else was typed by hand.',
    forgery: 'Copy the exact value.',
  },
  header_duplicated: {
    group: 'request_shape',
    kind: 'penalty',
    title: 'Duplicated header',
    description:
      'A header a browser sends once (Origin, User-Agent, Content-Type, Sec-Fetch-*…) appears twice.',
    forgery: 'Send each header once.',
  },
} as const satisfies Record<string, ReasonInfo>;
