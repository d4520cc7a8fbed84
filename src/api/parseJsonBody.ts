import type { FastifyRequest } from 'fastify';
import { QtsError } from '../core/QtsError.js';

/**
 * The first key that, copied into an object by assignment, would reach the prototype of every
 * object. Walked with a stack of its own, not recursion: a body nested 100 000 deep is valid
 * JSON and must not overflow the call stack.
 */
function poisonedKey(root: unknown): string | undefined {
  const stack: unknown[] = [root];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (typeof node !== 'object' || node === null) continue;
    for (const [key, value] of Object.entries(node) as [string, unknown][]) {
      if (key === '__proto__') return key;
      if (
        key === 'constructor' &&
        typeof value === 'object' &&
        value !== null &&
        Object.hasOwn(value, 'prototype')
      )
        return key;
      stack.push(value);
    }
  }
  return undefined;
}

/**
 * The API's JSON body parser. An empty body is no body: a command whose fields are all
 * optional runs with its defaults when a client (`curl -H 'content-type: application/json'`)
 * sends the header without a body, as the docs promise; a command that needs fields still
 * gets a 400 naming the body. A `__proto__` or `constructor.prototype` key is refused by
 * name (as fastify's own parser does, but it answers "not valid JSON", which misleads).
 */
export function parseJsonBody(
  _req: FastifyRequest,
  body: string | Buffer,
  done: (err: Error | null, value?: unknown) => void,
): void {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (text.trim() === '') {
    done(null, null);
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    done(new QtsError('ERR_BAD_REQUEST', 'body is not valid JSON'));
    return;
  }
  const poisoned = poisonedKey(value);
  if (poisoned !== undefined) {
    done(
      new QtsError(
        'ERR_BAD_REQUEST',
        `body: a key named __proto__ or constructor.prototype is refused (found "${poisoned}")`,
      ),
    );
    return;
  }
  done(null, value);
}
