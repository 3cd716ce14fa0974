import nodemailer, { type Transporter } from 'nodemailer';
import { simpleParser } from 'mailparser';
import type { Db } from '../db/client.js';
import { recordSandboxMessage } from './store.js';

/**
 * The outbound SMTP relay played in-process: a nodemailer transport that
 * keeps each built mail (the real MIME the relay would get) in Postgres for
 * the /sandbox mail client instead of handing it to a server.
 */
export function sandboxMailTransport(db: Db): Transporter {
  return nodemailer.createTransport({
    name: 'switchboard-sandbox',
    version: '1',
    send(mail, callback) {
      mail.message.build((buildErr, raw) => {
        if (buildErr) return callback(buildErr, undefined);
        simpleParser(raw)
          .then(async (parsed) => {
            const envelope = mail.message.getEnvelope();
            const messageId = parsed.messageId ?? mail.message.messageId();
            const from = parsed.from?.value[0]?.address ?? String(envelope.from);
            for (const to of envelope.to) {
              await recordSandboxMessage(db, {
                channel: 'email',
                direction: 'outbound',
                contact: to.toLowerCase(),
                inbox: from.toLowerCase(),
                body: parsed.text ?? '',
                subject: parsed.subject ?? null,
                externalId: messageId,
                status: 'delivered',
                metadata: { inReplyTo: parsed.inReplyTo ?? null, fromName: parsed.from?.value[0]?.name ?? null },
              });
            }
            callback(null, { envelope, messageId });
          })
          .catch((err: Error) => callback(err, undefined as never));
      });
    },
  });
}
