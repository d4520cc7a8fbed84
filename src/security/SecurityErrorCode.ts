/** The error codes of the key store, carried by QtsError so the CLI and live mode can branch on them. */
export const SecurityErrorCode = {
  /** MASTER_KEY (or NEW_MASTER_KEY) is not set. */
  MasterKeyMissing: 'ERR_MASTER_KEY_MISSING',
  /** The master key does not open the file. */
  MasterKeyWrong: 'ERR_MASTER_KEY_WRONG',
  /** A new master key is too weak to protect exchange keys. */
  MasterKeyWeak: 'ERR_MASTER_KEY_WEAK',
  /** The keys file, or the credentials of the wanted exchange, do not exist. */
  KeysMissing: 'ERR_KEYS_MISSING',
  /** The file was altered or damaged: never decrypted, never guessed around. */
  KeysTampered: 'ERR_KEYS_TAMPERED',
  /** The file was written by a newer format than this build knows. */
  KeysVersion: 'ERR_KEYS_VERSION',
  /** The file is readable or writable by group or others. */
  KeysPermissions: 'ERR_KEYS_PERMISSIONS',
  /** Credentials given to `keys encrypt` are missing or malformed. */
  KeysInput: 'ERR_KEYS_INPUT',
  /** The keys file's folder cannot be created or written (security.keysFile, --file). */
  KeysWrite: 'ERR_KEYS_WRITE',
  /** The key derivation (scrypt) failed, typically for want of the memory its cost asks for. */
  KeysKdf: 'ERR_KEYS_KDF',
} as const;
/** One of the SecurityErrorCode values. */
export type SecurityErrorCode = (typeof SecurityErrorCode)[keyof typeof SecurityErrorCode];
