import { z } from 'zod';

/** API credentials of one exchange account, as ccxt takes them. */
export const ExchangeCredentialsSchema = z
  .object({
    exchange: z.string().regex(/^[a-z0-9_]{2,40}$/, 'exchange: a ccxt id such as binance'),
    apiKey: z.string().min(1, 'apiKey is empty'),
    secret: z.string().min(1, 'secret is empty'),
    /** Some venues (OKX, KuCoin, Coinbase) call it passphrase: ccxt's `password`. */
    password: z.string().min(1).optional(),
    uid: z.string().min(1).optional(),
    /** Keys of the exchange's testnet, not of the real account. */
    sandbox: z.boolean().optional(),
  })
  .strict();
export type ExchangeCredentials = z.infer<typeof ExchangeCredentialsSchema>;

/** What the encrypted file holds: one entry per exchange id. */
export const KeyFilePayloadSchema = z.object({ credentials: z.array(ExchangeCredentialsSchema) }).strict();
export type KeyFilePayload = z.infer<typeof KeyFilePayloadSchema>;

/** The secret strings of a credential, for a log scrubber. */
export function secretValues(c: ExchangeCredentials): string[] {
  return [c.apiKey, c.secret, c.password, c.uid].filter((v): v is string => v !== undefined);
}

/** "abcd…wxyz" for long values, "***" for short ones: enough to recognise a key, never to use it. */
export function maskSecret(value: string): string {
  return value.length >= 12 ? `${value.slice(0, 4)}…${value.slice(-4)}` : '***';
}

/** A credential with every secret masked, safe to print or log. */
export function maskedCredentials(c: ExchangeCredentials): Record<string, string | boolean> {
  return {
    exchange: c.exchange,
    apiKey: maskSecret(c.apiKey),
    secret: '***',
    ...(c.password === undefined ? {} : { password: '***' }),
    ...(c.uid === undefined ? {} : { uid: maskSecret(c.uid) }),
    ...(c.sandbox === undefined ? {} : { sandbox: c.sandbox }),
  };
}
