import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

/**
 * Fills `env` from a dotenv file without overriding what the real environment sets (a
 * deployment's variables win over a developer's file; an empty one sets nothing). Returns the names it set. Kept apart
 * from the engine's bootstrap so a command that only needs the settings (`qts audit`) does
 * not load the whole engine to read them.
 */
export function loadDotEnv(path = '.env', env: NodeJS.ProcessEnv = process.env): string[] {
  const set: string[] = [];
  for (const [name, value] of Object.entries(readDotEnv(path))) {
    // An exported empty variable (`export DB_PATH=`) counts as unset, as it does everywhere the
    // settings are read: it must not hide the file's value.
    if (value === undefined || (env[name] !== undefined && env[name] !== '')) continue;
    env[name] = value;
    set.push(name);
  }
  return set;
}

/** The variables a dotenv file sets (none when there is no file), without applying them. */
export function readDotEnv(path = '.env'): NodeJS.ProcessEnv {
  return existsSync(path) ? parseEnv(readFileSync(path, 'utf8')) : {};
}
