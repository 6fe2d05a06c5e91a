// Minimal typings for the xmpp.js packages and ltx: they ship no .d.ts and have no @types package.
// Each module is declared under its real name with only what Stanzagate and its test bed call;
// widen them when new calls are needed.

declare module "ltx" {
  export type Node = Element | string;
  export class Element {
    constructor(name: string, attrs?: Record<string, string | undefined>);
    name: string;
    attrs: Record<string, string | undefined>;
    children: Node[];
    parent: Element | null;
    is(name: string, xmlns?: string): boolean;
    getName(): string;
    getNS(): string | undefined;
    getAttr(name: string): string | undefined;
    getChild(name: string, xmlns?: string): Element | undefined;
    getChildren(name: string, xmlns?: string): Element[];
    getChildElements(): Element[];
    getText(): string;
    getChildText(name: string, xmlns?: string): string | null;
    c(name: string, attrs?: Record<string, string | undefined>): Element;
    cnode(child: Element): Element;
    append(...nodes: Node[]): Element;
    t(text: string): Element;
    up(): Element;
    root(): Element;
    clone(): Element;
    toString(): string;
  }
  export function parse(data: string): Element;
  export function escapeXML(s: string): string;
  export function escapeXMLText(s: string): string;
}

declare module "@xmpp/xml" {
  import type { Element, Node } from "ltx";
  type Children = Array<Node | Element | null | undefined | false>;
  function xml(name: string, attrs?: Record<string, string | undefined> | null, ...children: Children): Element;
  namespace xml {
    /** ltx/lib's Element: a copy of ltx's, a class of its own. */
    export const Element: { prototype: Element };
    export function escapeXML(s: string): string;
  }
  export default xml;
}

declare module "@xmpp/component-core" {
  import type { Element } from "ltx";
  /** The XEP-0114 entity under the gateway's link (src/xmpp/link.ts drives these members only). */
  export class Component {
    constructor(options: { service: string; domain: string });
    connect(service: string): Promise<void>;
    open(options: { domain: string }): Promise<Element>;
    /** XEP-0114 §3 handshake. */
    authenticate(id: string, password: string): Promise<void>;
    write(s: string): Promise<void>;
    stop(): Promise<void>;
    /** Closes the socket without closing the stream first (a stream that stalled). */
    disconnect(timeout?: number): Promise<void>;
    /** ms to wait for a stream header or a handshake answer (xmpp.js's default: 2000). */
    timeout: number;
    on(event: "stanza", listener: (el: Element) => void): this;
    on(event: "open", listener: (header: Element) => void): this;
    on(event: "online" | "disconnect", listener: () => void): this;
    on(event: "error", listener: (err: Error & { condition?: string }) => void): this;
  }
}

declare module "@xmpp/client" {
  import type { Element } from "ltx";
  /** A client or component built by the xmpp.js factories (test bed, demo and benchmark). */
  export interface Entity {
    status: string;
    jid: { toString(): string } | null;
    start(): Promise<unknown>;
    stop(): Promise<void>;
    send(el: Element): Promise<void>;
    /** "send": every element written to the stream (the test bed's transcript). */
    on(event: "stanza" | "send", listener: (el: Element) => void): this;
    on(event: "error", listener: (err: Error) => void): this;
    /** The socket closed (xmpp.js's "disconnect" status). */
    on(event: "disconnect", listener: () => void): this;
    removeListener(event: "stanza", listener: (el: Element) => void): this;
    reconnect: { stop(): void };
    iqCaller: { request(el: Element, timeout?: number): Promise<Element> };
    iqCallee: { get(ns: string, name: string, handler: () => Element): void };
  }
  export function client(options: {
    service: string;
    domain: string;
    resource?: string;
    username?: string;
    password?: string;
    /** ms to wait for each stream open/close (default 2000). */
    timeout?: number;
    credentials?: unknown;
  }): Entity;
  export { default as xml } from "@xmpp/xml";
}

declare module "@xmpp/component" {
  import type { Entity } from "@xmpp/client";
  export function component(options: { service: string; domain: string; password: string }): Entity;
}
