import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

/** One message as the fake server accepted it. */
export interface SmtpMessage {
  readonly from: string;
  readonly to: readonly string[];
  /** The raw message (headers and body) after dot-unstuffing. */
  readonly data: string;
  /** The user who authenticated, if any. */
  readonly user: string | undefined;
}

export interface FakeSmtpOptions {
  /** When set, AUTH PLAIN/LOGIN must present these, and MAIL FROM before AUTH is refused. */
  readonly auth?: { readonly user: string; readonly pass: string };
}

/**
 * A minimal SMTP server (RFC 5321) for tests: EHLO/HELO, AUTH PLAIN and LOGIN, MAIL, RCPT,
 * DATA, RSET, NOOP, QUIT — enough for nodemailer without TLS. It captures the messages and
 * can answer the next transactions with a scripted reply code (4xx transient, 5xx final).
 */
export class FakeSmtp {
  readonly messages: SmtpMessage[] = [];
  /** Transactions attempted (MAIL commands), failed ones included. */
  transactions = 0;
  /** Failed AUTH attempts. */
  authFailures = 0;
  private failures: number[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly opts: FakeSmtpOptions,
  ) {}

  static async start(opts: FakeSmtpOptions = {}): Promise<FakeSmtp> {
    const ref: { fake?: FakeSmtp } = {};
    const server = createServer((socket) => ref.fake?.session(socket));
    const fake = new FakeSmtp(server, opts);
    ref.fake = fake;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The next transactions are refused at MAIL FROM with these reply codes, in order. */
  failNext(...codes: number[]): void {
    this.failures.push(...codes);
  }

  private session(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    const send = (line: string): void => {
      if (!socket.destroyed) socket.write(`${line}\r\n`);
    };
    let buffer = '';
    let inData = false;
    let dataLines: string[] = [];
    let from: string | undefined;
    let to: string[] = [];
    let user: string | undefined;
    let pendingLogin: { stage: 'user' | 'pass'; user?: string } | undefined;
    const authOk = (u: string, p: string): void => {
      if (this.opts.auth === undefined || (u === this.opts.auth.user && p === this.opts.auth.pass)) {
        user = u;
        send('235 2.7.0 Authentication successful');
      } else {
        this.authFailures++;
        send('535 5.7.8 Authentication credentials invalid');
      }
    };
    const command = (line: string): void => {
      if (pendingLogin !== undefined) {
        const value = Buffer.from(line, 'base64').toString('utf8');
        if (pendingLogin.stage === 'user') {
          pendingLogin = { stage: 'pass', user: value };
          send('334 UGFzc3dvcmQ6');
        } else {
          const u = pendingLogin.user ?? '';
          pendingLogin = undefined;
          authOk(u, value);
        }
        return;
      }
      const verb = (line.split(' ')[0] ?? '').toUpperCase();
      const arg = line.slice(verb.length).trim();
      switch (verb) {
        case 'EHLO':
          send('250-fake-smtp.local greets you');
          if (this.opts.auth) send('250-AUTH PLAIN LOGIN');
          send('250-8BITMIME');
          send('250 SMTPUTF8');
          return;
        case 'HELO':
          return send('250 fake-smtp.local');
        case 'AUTH': {
          const [mech, initial] = arg.split(' ');
          if (mech?.toUpperCase() === 'PLAIN' && initial) {
            const [, u = '', p = ''] = Buffer.from(initial, 'base64').toString('utf8').split('\u0000');
            return authOk(u, p);
          }
          if (mech?.toUpperCase() === 'LOGIN') {
            pendingLogin = { stage: 'user' };
            return send('334 VXNlcm5hbWU6');
          }
          return send('504 5.5.4 Unrecognized authentication type');
        }
        case 'MAIL': {
          this.transactions++;
          if (this.opts.auth && user === undefined) return send('530 5.7.0 Authentication required');
          const code = this.failures.shift();
          if (code !== undefined)
            return send(`${code} ${code >= 500 ? '5.7.1 Rejected by policy' : '4.3.0 Try again later'}`);
          from = /<([^>]*)>/.exec(arg)?.[1] ?? '';
          to = [];
          return send('250 2.1.0 OK');
        }
        case 'RCPT': {
          if (from === undefined) return send('503 5.5.1 MAIL first');
          to.push(/<([^>]*)>/.exec(arg)?.[1] ?? '');
          return send('250 2.1.5 OK');
        }
        case 'DATA':
          if (from === undefined || to.length === 0) return send('503 5.5.1 RCPT first');
          inData = true;
          dataLines = [];
          return send('354 End data with <CR><LF>.<CR><LF>');
        case 'RSET':
          from = undefined;
          to = [];
          return send('250 2.0.0 OK');
        case 'NOOP':
          return send('250 2.0.0 OK');
        case 'QUIT':
          send('221 2.0.0 Bye');
          socket.end();
          return;
        default:
          return send('502 5.5.2 Command not implemented');
      }
    };
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let i: number;
      while ((i = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            this.messages.push({ from: from ?? '', to, data: dataLines.join('\r\n'), user });
            from = undefined;
            to = [];
            send('250 2.0.0 OK: queued');
          } else dataLines.push(line.startsWith('..') ? line.slice(1) : line);
        } else command(line);
      }
    });
    send('220 fake-smtp.local ESMTP ready');
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
