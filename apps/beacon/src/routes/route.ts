import type http from 'node:http';

/** An extra route of the beacon's server (verify API, attestation issuer), mounted before the 404. */
export interface Route {
  method: string;
  match: (pathname: string) => boolean;
  handle: http.RequestListener;
}
