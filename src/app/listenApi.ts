import type { FastifyInstance } from 'fastify';
import { QtsError } from '../core/QtsError.js';

/**
 * Binds the REST API. A port already taken (most often a second engine started by mistake)
 * or an address the host does not have is a setting to fix, so it ends the start with
 * ERR_API_LISTEN naming the address and the setting, not a socket stack trace.
 */
export async function listenApi(http: FastifyInstance, host: string, port: number): Promise<void> {
  try {
    await http.listen({ host, port });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) throw e;
    throw new QtsError(
      'ERR_API_LISTEN',
      `API cannot listen on ${host}:${port}: ${code} (set api.port / API_PORT, or api.host / API_HOST)`,
      { host, port, code },
    );
  }
}
