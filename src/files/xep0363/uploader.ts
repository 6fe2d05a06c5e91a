/**
 * `attachments.upload: xep0363`: the XMPP server's upload service (XEP-0363) keeps the files the
 * gateway sends, so they live on the server. The component asks as itself (its bare domain is the
 * slot's owner): Prosody's mod_http_file_share and ejabberd's mod_http_upload grant it a slot only
 * where their access settings name it (docs/files-xep0363.md). The store has the bytes already
 * (size, sniffed type and hash known), so the slot asks for the exact size §6 checks.
 */
import xml from "@xmpp/xml";
import type { Element } from "ltx";
import type { Logger } from "../../log.ts";
import { GatewayError } from "../../plugin-api/errors.ts";
import type { Uploader, UploadSource } from "../uploader.ts";
import { discoverUploadService, type UploadService } from "./discover.ts";
import { putFile } from "./put.ts";
import { readSlot, refusalOf, serviceGone, slotRequest } from "./slot.ts";

/** What the uploader needs of the component's link (XmppPort has it). */
export interface UploadLink {
  /** The component's domain: the requests' `from`, the slot's owner. */
  readonly component: string;
  /** The server's user domain, whose disco#items list its upload service. */
  readonly host: string;
  /** Sends an iq; resolves with the result, rejects with XmppStanzaError or IqTimeoutError. */
  request(iq: Element, timeoutMs?: number): Promise<Element>;
}

export interface Xep0363Options {
  fetch?: typeof fetch;
  log?: Logger;
  /** The PUT's whole time, in ms; default 120 s (15 MB on a slow uplink). */
  putTimeoutMs?: number;
}

const DEFAULT_PUT_TIMEOUT_MS = 120_000;

/** An Uploader over the server's XEP-0363 service; every failure is a GatewayError UPLOAD_FAILED with a sentence saying why. */
export function createXep0363Uploader(link: UploadLink, options: Xep0363Options = {}): Uploader {
  const fetcher = options.fetch ?? fetch;
  const putTimeoutMs = options.putTimeoutMs ?? DEFAULT_PUT_TIMEOUT_MS;
  const ask = (to: string, child: Element) => link.request(xml("iq", { type: "get", from: link.component, to }, child));
  // Found once and kept: the service rarely moves; a refusal saying it is gone clears it.
  let found: Promise<UploadService> | undefined;
  const service = (): Promise<UploadService> => {
    if (found) return found;
    const finding = discoverUploadService(ask, link.host).then(
      (s) => s ?? Promise.reject(new Error(noService(link.host))),
      (err: unknown) =>
        Promise.reject(new Error(`the XMPP server ${link.host} could not be asked for its upload service: ${reasonOf(err)}`)),
    );
    finding.catch(() => found === finding && (found = undefined));
    found = finding;
    return finding;
  };

  const upload = async (file: UploadSource): Promise<string> => {
    const upTo = await service();
    if (upTo.maxFileBytes !== undefined && file.size > upTo.maxFileBytes)
      throw new Error(`the upload service ${upTo.jid} takes files up to ${upTo.maxFileBytes} bytes; this one has ${file.size}`);
    const slot = await ask(upTo.jid, slotRequest({ name: file.name || "file", size: file.size, type: file.type })).then(readSlot, (err) => {
      if (serviceGone(err)) found = undefined;
      throw new Error(refusalOf(err, upTo.jid));
    });
    await putFile(fetcher, slot, file, putTimeoutMs);
    options.log?.debug("file uploaded to the XMPP server's upload service", { service: upTo.jid, bytes: file.size, type: file.type });
    return slot.get;
  };

  return {
    async upload(file) {
      try {
        return await upload(file);
      } catch (err) {
        const reason = reasonOf(err);
        options.log?.warn("XEP-0363 upload failed", { reason, bytes: file.size });
        throw new GatewayError("UPLOAD_FAILED", `The XMPP server's upload service did not take the file: ${reason}`, {
          details: { reason },
        });
      }
    },
  };
}

const reasonOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function noService(host: string): string {
  return `the XMPP server ${host} offers no upload service: neither it nor its disco#items list urn:xmpp:http:upload:0 (load mod_http_file_share or mod_http_upload, docs/files-xep0363.md)`;
}
