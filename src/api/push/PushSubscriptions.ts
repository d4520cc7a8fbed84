import type { Logger } from 'pino';
import { QtsError } from '../../core/QtsError.js';
import { roleAllows } from '../auth/Identity.js';
import type { ChannelSpec, Serializer } from './PushChannel.js';
import { PushChannel } from './PushChannel.js';
import type { PushClient } from './PushClient.js';
import type { ClientMessage } from './pushProtocol.js';
import { PushCloseCode, PushErrorCode } from './pushProtocol.js';
import { sendPushError } from './sendPushError.js';

/** The messages that name a channel: subscribe, unsubscribe and resume. */
export type ChannelMessage = Extract<ClientMessage, { channel: string }>;

/**
 * The channels a push server declares and who is subscribed to each: a subscription starts
 * with a snapshot, or — when a reconnecting client's gap is still kept in this epoch — with
 * exactly the events it missed, so the client's state never silently diverges.
 */
export class PushSubscriptions {
  private readonly channels = new Map<string, PushChannel>();

  constructor(
    /** The server's epoch: a resume from another one gets a snapshot, its numbers mean nothing here. */
    private readonly epoch: string,
    private readonly serialize: Serializer | undefined,
    private readonly log: Logger | undefined,
  ) {}

  /** Declares a channel; its source publishes through the returned object. */
  declare(spec: ChannelSpec): PushChannel {
    if (this.channels.has(spec.name))
      throw new QtsError('ERR_PUSH_DUPLICATE_CHANNEL', `push channel ${spec.name} declared twice`);
    const ch = new PushChannel(spec, this.serialize);
    this.channels.set(spec.name, ch);
    return ch;
  }

  names(): string[] {
    return [...this.channels.keys()];
  }

  /** Subscribes, unsubscribes or resumes; only an authenticated client whose role may read the channel. */
  onChannelMessage(client: PushClient, msg: ChannelMessage): void {
    if (client.identity === undefined) {
      sendPushError(
        client,
        PushErrorCode.Unauthenticated,
        'authenticate first: {"op":"auth","token":…}, ?token= or the bearer.<token> sub-protocol',
        msg.id,
      );
      client.ws.close(PushCloseCode.Unauthenticated, 'unauthenticated');
      return;
    }
    const ch = this.channels.get(msg.channel);
    if (ch === undefined) {
      sendPushError(
        client,
        PushErrorCode.UnknownChannel,
        `unknown channel ${JSON.stringify(msg.channel)}; channels: ${this.names().join(', ')}`,
        msg.id,
      );
      return;
    }
    if (!roleAllows(client.identity.role, ch.role)) {
      sendPushError(client, PushErrorCode.Forbidden, `channel ${ch.name} needs the ${ch.role} role`, msg.id);
      return;
    }
    if (msg.op === 'unsubscribe') {
      ch.remove(client);
      client.channels.delete(ch);
      client.sendJson({ op: 'unsubscribed', channel: ch.name, id: msg.id });
      return;
    }
    if (msg.op === 'resume' && (msg.epoch === undefined || msg.epoch === this.epoch)) {
      const missed = ch.replaySince(msg.lastSeq);
      if (missed !== undefined) {
        // Added before replaying: nothing can be published in between (one thread), so no gap.
        ch.add(client);
        client.channels.add(ch);
        for (const payload of missed) client.deliver(payload);
        client.sendJson({
          op: 'resumed',
          channel: ch.name,
          seq: ch.seq,
          replayed: missed.length,
          id: msg.id,
        });
        return;
      }
    }
    let data: unknown;
    try {
      data = ch.snapshot();
    } catch (e) {
      this.log?.warn({ err: e, channel: ch.name }, 'push snapshot failed');
      sendPushError(
        client,
        PushErrorCode.SnapshotFailed,
        `no snapshot of ${ch.name}: ${(e as Error).message}`,
        msg.id,
      );
      return;
    }
    ch.add(client);
    client.channels.add(ch);
    client.sendJson({ op: 'snapshot', channel: ch.name, seq: ch.seq, epoch: this.epoch, data, id: msg.id });
  }

  /** A client gone: no channel may keep delivering to it. */
  forget(client: PushClient): void {
    for (const ch of client.channels) ch.remove(client);
    client.channels.clear();
  }
}
