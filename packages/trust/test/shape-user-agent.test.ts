// Request shape: what the User-Agent claims, and the client hints that must agree with it.
import { describe, expect, test } from 'vitest';
import { classifyUserAgent, deriveSignals, type ReasonCode, type UaFamily } from '../src/index.js';
import * as F from '../fixtures/index.js';
import { firing, beacon } from './support/shape.js';

describe('client hints against the User-Agent', () => {
  test.each<[string, Record<string, string | null>, ReasonCode[]]>([
    ['consistent hints', {}, []],
    [
      'missing on Chromium 131',
      { 'sec-ch-ua': null, 'sec-ch-ua-mobile': null, 'sec-ch-ua-platform': null },
      ['client_hints_missing'],
    ],
    [
      'brand version differs from the UA',
      { 'sec-ch-ua': '"Chromium";v="120", "Google Chrome";v="120"' },
      ['client_hints_mismatch'],
    ],
    [
      'platform differs from the UA',
      { 'sec-ch-ua-platform': '"macOS"' },
      ['client_hints_mismatch'],
    ],
    ['mobile flag on a desktop UA', { 'sec-ch-ua-mobile': '?1' }, ['client_hints_mismatch']],
    ['an unparsable brand list', { 'sec-ch-ua': 'Chrome 131' }, ['client_hints_mismatch']],
    ['an unparsable mobile flag', { 'sec-ch-ua-mobile': 'yes' }, ['client_hints_mismatch']],
    ['an unknown platform value is not judged', { 'sec-ch-ua-platform': '"Fuchsia"' }, []],
  ])('%s', (_name, changes, expected) => {
    expect(firing(beacon(changes))).toEqual(expected);
  });

  test('Edge, Opera and Brave carry their own brand next to Chromium', () => {
    const edgeUa = `${F.CHROME_UA} Edg/131.0.0.0`;
    expect(
      firing(
        beacon({
          'User-Agent': edgeUa,
          'sec-ch-ua': '"Microsoft Edge";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
        }),
      ),
    ).toEqual([]);
    const operaUa = `${F.CHROME_UA} OPR/116.0.0.0`;
    expect(
      firing(
        beacon({
          'User-Agent': operaUa,
          'sec-ch-ua': '"Opera";v="116", "Chromium";v="131", "Not_A Brand";v="24"',
        }),
      ),
    ).toEqual([]);
  });

  test('Android "request desktop site" keeps the Android platform hint: not a contradiction', () => {
    const desktopUa =
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
    const headers = F.withHeaders(F.CHROME_ANDROID_SEND_BEACON, {
      'User-Agent': desktopUa,
      'sec-ch-ua-mobile': '?0',
    });
    expect(firing({ headers })).toEqual([]);
  });

  test('Firefox sending client hints contradicts its UA', () => {
    const headers = F.appendHeaders(F.FIREFOX_SEND_BEACON, [['Sec-CH-UA', F.CHROME_BRANDS]]);
    expect(firing({ headers })).toEqual(expect.arrayContaining(['client_hints_mismatch']));
  });

  test('Android WebView is not expected to send hints', () => {
    const webview =
      'Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230805.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/131.0.6778.81 Mobile Safari/537.36';
    const headers = F.withHeaders(F.CHROME_ANDROID_SEND_BEACON, {
      'User-Agent': webview,
      'sec-ch-ua': null,
      'sec-ch-ua-mobile': null,
      'sec-ch-ua-platform': null,
    });
    expect(firing({ headers })).toEqual([]);
  });
});

describe('User-Agent claims', () => {
  test.each<[string, UaFamily, string | null]>([
    [F.CHROME_UA, 'chromium', null],
    [F.CHROME_ANDROID_UA, 'chromium', null],
    [F.FIREFOX_UA, 'firefox', null],
    [F.SAFARI_UA, 'webkit', null],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1',
      'webkit',
      null,
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      'webkit',
      null,
    ],
    ['curl/8.5.0', 'library', 'curl'],
    ['python-requests/2.32.3', 'library', 'python-requests'],
    ['Python/3.12 aiohttp/3.9.5', 'library', 'python'],
    ['Go-http-client/1.1', 'library', 'go-http-client'],
    ['Go-http-client/2.0', 'library', 'go-http-client'],
    ['node', 'library', 'node'],
    ['undici', 'library', 'undici'],
    ['axios/1.7.2', 'library', 'axios'],
    ['okhttp/4.12.0', 'library', 'okhttp'],
    ['Wget/1.21.3', 'library', 'wget'],
    ['Java/17.0.2', 'library', 'java'],
    ['PostmanRuntime/7.39.0', 'library', 'postmanruntime'],
    [
      'Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.22621.2506',
      'library',
      'powershell',
    ],
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36',
      'automation',
      'headlesschrome',
    ],
    [
      'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      'automation',
      'googlebot',
    ],
    [
      'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)',
      'automation',
      'gptbot',
    ],
    [
      'Mozilla/5.0 (Linux; Android 12; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
      'chromium',
      null,
    ],
    ['Opera/9.80 (Windows NT 6.1) Presto/2.12.388 Version/12.16', 'other', null],
    ['my-scraper', 'other', null],
    ['', 'none', null],
  ])('%s is %s', (ua, family, tool) => {
    const claim = classifyUserAgent(ua);
    expect(claim.family).toBe(family);
    expect(claim.tool).toBe(tool);
  });

  test.each<[string, Record<string, string | null>, ReasonCode[]]>([
    ['no User-Agent', { 'User-Agent': null }, ['ua_missing']],
    ['an unknown agent', { 'User-Agent': 'my-scraper/0.1' }, ['ua_not_browser']],
    ['a library agent', { 'User-Agent': 'axios/1.7.2' }, ['ua_http_library']],
  ])('%s', (_name, changes, expected) => {
    // Client hints are removed too, so that only the UA reason is left to see.
    expect(
      firing(
        beacon({
          ...changes,
          'sec-ch-ua': null,
          'sec-ch-ua-mobile': null,
          'sec-ch-ua-platform': null,
        }),
      ),
    ).toEqual(expected);
  });

  test('stores at most 256 characters of the User-Agent', () => {
    const long = `${F.CHROME_UA} ${'x'.repeat(1000)}`;
    expect(deriveSignals(F.facts(beacon({ 'User-Agent': long }))).shape.ua).toHaveLength(256);
  });
});
