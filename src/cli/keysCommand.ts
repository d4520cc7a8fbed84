import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../config/loadConfig.js';
import { loadDotEnv } from '../config/loadDotEnv.js';
import { QtsError } from '../core/QtsError.js';
import type { ExchangeCredentials, KeyFilePayload } from '../security/ExchangeCredentials.js';
import { maskSecret, maskedCredentials } from '../security/ExchangeCredentials.js';
import type { ScryptParams } from '../security/KeyFile.js';
import { DEFAULT_SCRYPT } from '../security/KeyFile.js';
import { readKeyFile, writeKeyFile } from '../security/KeyStore.js';
import { checkMasterKeyStrength, readMasterKey } from '../security/masterKey.js';
import { credentialsFromEnv, credentialsFromJson, promptHidden } from '../security/readCredentialsInput.js';
import { SecurityErrorCode } from '../security/SecurityErrorCode.js';
import { plainNumber } from './plainNumber.js';

interface KeysOptions {
  file?: string;
  config?: string;
  exchange?: string;
  sandbox?: boolean;
  stdin?: boolean;
  showSecrets?: boolean;
  scryptLogN?: string;
}

function keysFile(opts: KeysOptions): string {
  if (opts.file !== undefined) return opts.file;
  return loadConfig(opts.config === undefined ? {} : { file: opts.config }).security.keysFile;
}

function scryptParams(opts: KeysOptions): ScryptParams {
  if (opts.scryptLogN === undefined) return DEFAULT_SCRYPT;
  const n = plainNumber(opts.scryptLogN);
  if (!Number.isInteger(n) || n < 14 || n > 20)
    throw new QtsError(
      SecurityErrorCode.KeysInput,
      `--scrypt-log-n must be an integer 14..20, got ${opts.scryptLogN}`,
    );
  return { ...DEFAULT_SCRYPT, N: 2 ** n };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Secrets come from stdin JSON, the environment (`.env` included) or a hidden prompt — never
 * from argv (shell history, ps). Keys taken from `.env` were lying on disk in clear: once they
 * are encrypted, the user is told to delete them there.
 */
async function inputCredentials(
  opts: KeysOptions,
  exchange: string,
  sandbox: boolean,
  fromDotEnv: readonly string[],
): Promise<ExchangeCredentials[]> {
  if (opts.stdin) return credentialsFromJson(await readStdin(), exchange, sandbox);
  const fromEnv = credentialsFromEnv(process.env, exchange, sandbox);
  if (fromEnv) {
    const inDotEnv = fromDotEnv.filter((name) => name.startsWith('EXCHANGE_API_'));
    if (inDotEnv.length > 0)
      process.stderr.write(
        `note: ${inDotEnv.join(', ')} came from .env: once encrypted, delete ${inDotEnv.length === 1 ? 'it' : 'them'} from .env (exchange keys in clear on disk are what the keys file avoids)\n`,
      );
    return [fromEnv];
  }
  if (!process.stdin.isTTY)
    throw new QtsError(
      SecurityErrorCode.KeysInput,
      'no credentials given: set EXCHANGE_API_KEY and EXCHANGE_API_SECRET, pipe JSON with --stdin, or run in a terminal to be prompted',
    );
  const ask = (q: string) => promptHidden(q, process.stdin, process.stderr);
  const apiKey = await ask(`${exchange} API key: `);
  const secret = await ask(`${exchange} API secret: `);
  const password = await ask(`${exchange} API password/passphrase (empty if none): `);
  return credentialsFromJson(
    JSON.stringify({ apiKey, secret, ...(password ? { password } : {}) }),
    exchange,
    sandbox,
  );
}

function describe(payload: KeyFilePayload): string {
  return payload.credentials
    .map((c) => `${c.exchange}${c.sandbox ? ' (testnet)' : ''}: apiKey ${maskSecret(c.apiKey)}`)
    .join(', ');
}

const log2 = (n: number) => Math.log2(n);

/**
 * `qts keys encrypt|decrypt|verify|rotate`: exchange credentials encrypted at rest with a
 * key derived from MASTER_KEY (scrypt + AES-256-GCM), file mode 0600.
 *
 * `.env` of the working folder is read first, as `qts live` and `npm start` read it (a
 * variable of the real environment wins): the MASTER_KEY, KEYS_FILE and EXCHANGE there are
 * the ones the engine will open the file with, so a key encrypted here is a key it finds.
 */
export function registerKeysCommand(program: Command): void {
  let fromDotEnv: readonly string[] = [];
  const keys = program
    .command('keys')
    .description(
      'exchange API keys encrypted with MASTER_KEY (scrypt + AES-256-GCM); secrets never go on the command line; reads .env like qts live',
    )
    .hook('preAction', () => {
      fromDotEnv = loadDotEnv();
    });
  const withFile = (c: Command) =>
    c
      .option('--file <path>', 'the keys file (default: security.keysFile, secrets/exchange-keys.enc.json)')
      .option('--config <file>', 'configuration file (default config/qts.json)');

  withFile(keys.command('encrypt'))
    .description(
      'add or replace the credentials of an exchange, from EXCHANGE_API_KEY/EXCHANGE_API_SECRET[/EXCHANGE_API_PASSWORD/EXCHANGE_API_UID], --stdin JSON or a hidden prompt',
    )
    .option('--exchange <id>', 'ccxt exchange id (default: exchange.id of the configuration)')
    .option('--sandbox', 'these are testnet keys (default: exchange.sandbox of the configuration)')
    .option('--no-sandbox', 'these are main-net keys, whatever the configuration says')
    .option(
      '--stdin',
      'read {"apiKey","secret","password"?,"uid"?,"exchange"?} (or an array) as JSON from stdin',
    )
    .option('--scrypt-log-n <n>', 'scrypt cost as log2(N), 14..20', String(log2(DEFAULT_SCRYPT.N)))
    .action(async (opts: KeysOptions) => {
      const file = keysFile(opts);
      const masterKey = readMasterKey(process.env, 'MASTER_KEY', 'to encrypt the exchange keys');
      checkMasterKeyStrength(masterKey);
      const params = scryptParams(opts);
      // An existing file is opened first: its other exchanges are kept, and a wrong key never overwrites it.
      const existing = existsSync(file) ? (await readKeyFile(file, masterKey)).credentials : [];
      // Like the exchange, testnet or not follows the configuration (EXCHANGE_SANDBOX included)
      // unless said: keys stored for the other network are keys `qts live` never finds.
      const configured = () => loadConfig(opts.config === undefined ? {} : { file: opts.config }).exchange;
      const exchange = opts.exchange ?? configured().id;
      const sandbox = opts.sandbox ?? configured().sandbox;
      const added = await inputCredentials(opts, exchange, sandbox, fromDotEnv);
      const ids = new Set(added.map((c) => c.exchange));
      const payload = { credentials: [...existing.filter((c) => !ids.has(c.exchange)), ...added] };
      await writeKeyFile(file, payload, masterKey, params);
      process.stdout.write(
        `encrypted ${added.map((c) => `${c.exchange}${c.sandbox ? ' testnet' : ''} (apiKey ${maskSecret(c.apiKey)})`).join(', ')} into ${file} (mode 0600, scrypt N=2^${log2(params.N)}); it holds: ${[...payload.credentials.map((c) => c.exchange)].join(', ')}\n`,
      );
    });

  withFile(keys.command('decrypt'))
    .description('show the stored credentials, masked; --show-secrets prints them in clear as JSON')
    .option('--show-secrets', 'print the secrets in clear to stdout (mind your terminal scrollback)')
    .action(async (opts: KeysOptions) => {
      const file = keysFile(opts);
      const payload = await readKeyFile(file, readMasterKey(process.env, 'MASTER_KEY', `to decrypt ${file}`));
      if (opts.showSecrets) process.stdout.write(`${JSON.stringify(payload, null, 2)}\n`);
      else
        process.stdout.write(
          `${JSON.stringify({ credentials: payload.credentials.map(maskedCredentials) }, null, 2)}\n`,
        );
    });

  withFile(keys.command('verify'))
    .description(
      'check that MASTER_KEY opens the file and that it is intact (exit code 0), without showing anything secret',
    )
    .option('--exchange <id>', 'also require credentials for this exchange')
    .action(async (opts: KeysOptions) => {
      const file = keysFile(opts);
      const payload = await readKeyFile(file, readMasterKey(process.env, 'MASTER_KEY', `to verify ${file}`));
      if (opts.exchange !== undefined && !payload.credentials.some((c) => c.exchange === opts.exchange))
        throw new QtsError(
          SecurityErrorCode.KeysMissing,
          `${file} holds no credentials for ${opts.exchange}`,
        );
      process.stdout.write(`OK: ${file} is intact and MASTER_KEY opens it; ${describe(payload)}\n`);
    });

  withFile(keys.command('rotate'))
    .description(
      're-encrypt the file: decrypt with MASTER_KEY, encrypt with NEW_MASTER_KEY (fresh salt and nonce)',
    )
    .option('--scrypt-log-n <n>', 'scrypt cost as log2(N), 14..20', String(log2(DEFAULT_SCRYPT.N)))
    .action(async (opts: KeysOptions) => {
      const file = keysFile(opts);
      const oldKey = readMasterKey(process.env, 'MASTER_KEY', `to decrypt ${file}`);
      const newKey = readMasterKey(process.env, 'NEW_MASTER_KEY', `to re-encrypt ${file}`);
      checkMasterKeyStrength(newKey, 'NEW_MASTER_KEY');
      if (newKey === oldKey)
        throw new QtsError(
          SecurityErrorCode.MasterKeyWeak,
          'NEW_MASTER_KEY equals MASTER_KEY: nothing would rotate',
        );
      const payload = await readKeyFile(file, oldKey);
      await writeKeyFile(file, payload, newKey, scryptParams(opts));
      process.stdout.write(
        `rotated ${file} to NEW_MASTER_KEY (${payload.credentials.length} credentials); set MASTER_KEY to the new key wherever the engine runs\n`,
      );
    });
}
