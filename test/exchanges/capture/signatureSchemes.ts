/**
 * Each exchange's documented request-signing scheme, recomputed from a captured request: if
 * ccxt's signature matches, the request is signed the way the exchange checks it.
 * - OKX:     OK-ACCESS-SIGN = base64 HMAC-SHA256(ts + METHOD + path[?query] + body)
 *            https://www.okx.com/docs-v5/en/#overview-rest-authentication-signature
 * - Bybit:   X-BAPI-SIGN = hex HMAC-SHA256(ts + apiKey + recvWindow + (query | body))
 *            https://bybit-exchange.github.io/docs/v5/guide#authentication
 * - Gate:    SIGN = hex HMAC-SHA512(METHOD\npath\nquery\nhex SHA512(body)\nts)
 *            https://www.gate.io/docs/developers/apiv4/#authentication
 * - Bitget:  ACCESS-SIGN = base64 HMAC-SHA256(ts + METHOD + path[?query] + body)
 *            https://www.bitget.com/api-doc/common/signature
 * - KuCoin:  KC-API-SIGN = base64 HMAC-SHA256(ts + METHOD + path[?query] + body), and
 *            KC-API-PASSPHRASE = base64 HMAC-SHA256(passphrase) for key version 2
 *            https://www.kucoin.com/docs/basic-info/connection-method/authentication/signing-a-message
 * - Kraken:  API-Sign = base64 HMAC-SHA512(base64-decoded secret, path + SHA256(nonce + body))
 *            https://docs.kraken.com/api/docs/guides/spot-rest-auth
 * - Deribit: Authorization: deri-hmac-sha256 id=…,ts=…,sig=…,nonce=…, sig = hex
 *            HMAC-SHA256(ts\nnonce\nMETHOD\npath[?query]\nbody\n)
 *            https://docs.deribit.com/#authentication
 */
import { createHash, createHmac } from 'node:crypto';
import type { CapturedRequest } from './CaptureServer.js';
import { header } from './CaptureServer.js';

/** The keys a test hands to ccxt. */
export interface Credentials {
  readonly apiKey: string;
  readonly secret: string;
  readonly password?: string;
}

const hmac = (algo: 'sha256' | 'sha512', key: string | Buffer, data: string | Buffer): Buffer =>
  createHmac(algo, key).update(data).digest();

const pathWithQuery = (r: CapturedRequest): string => r.path + (r.query === '' ? '' : `?${r.query}`);

/** The signature the exchange expects for `r`, and the one ccxt sent. */
export type SignatureCheck = (
  r: CapturedRequest,
  c: Credentials,
) => { expected: string; sent: string | undefined };

export const SIGNATURE_SCHEMES: Readonly<Record<string, SignatureCheck>> = {
  okx: (r, c) => ({
    expected: hmac(
      'sha256',
      c.secret,
      `${header(r, 'OK-ACCESS-TIMESTAMP')}${r.method}${pathWithQuery(r)}${r.body}`,
    ).toString('base64'),
    sent: header(r, 'OK-ACCESS-SIGN'),
  }),
  bybit: (r, c) => ({
    expected: hmac(
      'sha256',
      c.secret,
      `${header(r, 'X-BAPI-TIMESTAMP')}${c.apiKey}${header(r, 'X-BAPI-RECV-WINDOW')}${r.method === 'GET' ? r.query : r.body}`,
    ).toString('hex'),
    sent: header(r, 'X-BAPI-SIGN'),
  }),
  gate: (r, c) => ({
    expected: hmac(
      'sha512',
      c.secret,
      [
        r.method,
        r.path,
        r.query,
        createHash('sha512').update(r.body).digest('hex'),
        header(r, 'Timestamp'),
      ].join('\n'),
    ).toString('hex'),
    sent: header(r, 'SIGN'),
  }),
  bitget: (r, c) => ({
    expected: hmac(
      'sha256',
      c.secret,
      `${header(r, 'ACCESS-TIMESTAMP')}${r.method}${pathWithQuery(r)}${r.body}`,
    ).toString('base64'),
    sent: header(r, 'ACCESS-SIGN'),
  }),
  kucoin: (r, c) => ({
    expected: hmac(
      'sha256',
      c.secret,
      `${header(r, 'KC-API-TIMESTAMP')}${r.method}${pathWithQuery(r)}${r.body}`,
    ).toString('base64'),
    sent: header(r, 'KC-API-SIGN'),
  }),
  kraken: (r, c) => {
    const nonce = new URLSearchParams(r.body).get('nonce') ?? '';
    const digest = createHash('sha256')
      .update(nonce + r.body)
      .digest();
    return {
      expected: hmac(
        'sha512',
        Buffer.from(c.secret, 'base64'),
        Buffer.concat([Buffer.from(r.path), digest]),
      ).toString('base64'),
      sent: header(r, 'API-Sign'),
    };
  },
  deribit: (r, c) => {
    const auth = header(r, 'Authorization') ?? '';
    const fields = Object.fromEntries(
      auth
        .replace(/^deri-hmac-sha256 /, '')
        .split(',')
        .map((kv) => kv.split('=') as [string, string]),
    );
    const data = `${fields['ts']}\n${fields['nonce']}\n${r.method}\n${pathWithQuery(r)}\n${r.body}\n`;
    return { expected: hmac('sha256', c.secret, data).toString('hex'), sent: fields['sig'] };
  },
};

/** KuCoin key version 2 sends the passphrase encrypted with the secret. */
export function kucoinPassphrase(c: Credentials): string {
  return hmac('sha256', c.secret, c.password ?? '').toString('base64');
}
