import { QtsError } from '../core/QtsError.js';
import type { ExchangeCredentials } from './ExchangeCredentials.js';
import { ExchangeCredentialsSchema } from './ExchangeCredentials.js';
import { SecurityErrorCode } from './SecurityErrorCode.js';

function validate(raw: unknown, where: string): ExchangeCredentials {
  const parsed = ExchangeCredentialsSchema.safeParse(raw);
  if (!parsed.success)
    // Messages name the field, never its value: the value may be a secret.
    throw new QtsError(
      SecurityErrorCode.KeysInput,
      `${where}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

/**
 * Credentials from EXCHANGE_API_KEY / EXCHANGE_API_SECRET (and EXCHANGE_API_PASSWORD,
 * EXCHANGE_API_UID), or undefined when neither key nor secret is set.
 */
export function credentialsFromEnv(
  env: NodeJS.ProcessEnv,
  exchange: string,
  sandbox: boolean,
): ExchangeCredentials | undefined {
  const apiKey = env['EXCHANGE_API_KEY'];
  const secret = env['EXCHANGE_API_SECRET'];
  if (!apiKey && !secret) return undefined;
  if (!apiKey || !secret)
    throw new QtsError(
      SecurityErrorCode.KeysInput,
      'set both EXCHANGE_API_KEY and EXCHANGE_API_SECRET (EXCHANGE_API_PASSWORD and EXCHANGE_API_UID when the exchange needs them)',
    );
  const password = env['EXCHANGE_API_PASSWORD'];
  const uid = env['EXCHANGE_API_UID'];
  return validate(
    {
      exchange,
      apiKey,
      secret,
      ...(password ? { password } : {}),
      ...(uid ? { uid } : {}),
      ...(sandbox ? { sandbox } : {}),
    },
    'environment',
  );
}

/**
 * Credentials as JSON (from stdin): one object or an array of them; `exchange` defaults
 * to `defaultExchange` and `sandbox` to the flag.
 */
export function credentialsFromJson(
  text: string,
  defaultExchange: string,
  sandbox: boolean,
): ExchangeCredentials[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new QtsError(
      SecurityErrorCode.KeysInput,
      'stdin: not valid JSON (expected {"apiKey": …, "secret": …})',
    );
  }
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw new QtsError(SecurityErrorCode.KeysInput, 'stdin: no credentials');
  return list.map((item, i) => {
    const obj = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
    return validate(
      { exchange: defaultExchange, ...(sandbox ? { sandbox } : {}), ...obj },
      Array.isArray(raw) ? `stdin[${i}]` : 'stdin',
    );
  });
}

/** Reads a line from a terminal without echoing it (the secret never reaches the screen or a scrollback). */
export function promptHidden(
  question: string,
  input: NodeJS.ReadStream,
  output: NodeJS.WritableStream,
): Promise<string> {
  return new Promise((resolve, reject) => {
    output.write(question);
    const wasRaw = input.isRaw;
    input.setRawMode(true);
    input.resume();
    let value = '';
    const done = (err?: Error): void => {
      input.setRawMode(wasRaw);
      input.pause();
      input.removeListener('data', onData);
      output.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new QtsError(SecurityErrorCode.KeysInput, 'canceled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    input.on('data', onData);
  });
}
