// Minimal typings for the xmpp.js packages and ltx, which ship none.
// Only what Stanzagate uses is declared; widen them when new calls are needed.

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
    export { Element };
    export function escapeXML(s: string): string;
  }
  export default xml;
}

declare module "@xmpp/jid" {
  export class JID {
    local: string;
    domain: string;
    resource: string;
    bare(): JID;
    toString(): string;
    equals(other: JID): boolean;
  }
  function jid(address: string): JID;
  function jid(local: string | null, domain: string, resource?: string): JID;
  export default jid;
}

declare module "xmpp-entity" {
  import type { Element } from "ltx";
  /** The part of an xmpp.js entity (client or component) that Stanzagate drives. */
  export interface Entity {
    status: string;
    jid: { toString(): string } | null;
    options: { service: string; domain: string };
    start(): Promise<unknown>;
    stop(): Promise<void>;
    connect(service: string): Promise<void>;
    open(options: { domain: string }): Promise<Element>;
    send(el: Element): Promise<void>;
    write(s: string): Promise<void>;
    on(event: "stanza", listener: (el: Element) => void): this;
    on(event: "element", listener: (el: Element) => void): this;
    on(event: "online", listener: (jid: unknown) => void): this;
    on(event: "offline" | "disconnect" | "connect" | "open", listener: (...args: unknown[]) => void): this;
    on(event: "error", listener: (err: Error) => void): this;
    on(event: "status", listener: (status: string) => void): this;
    removeListener(event: string, listener: (...args: never[]) => void): this;
    removeAllListeners(event?: string): this;
    reconnect: { stop(): void; delay: number };
    /** Components only (XEP-0114 §3 handshake). */
    authenticate?(id: string, password: string): Promise<void>;
    iqCaller: { request(el: Element, timeout?: number): Promise<Element> };
  }
}

declare module "@xmpp/component" {
  import type { Entity } from "xmpp-entity";
  export function component(options: { service: string; domain: string; password: string }): Entity;
}

declare module "@xmpp/client" {
  import type { Entity } from "xmpp-entity";
  export function client(options: {
    service: string;
    domain: string;
    resource?: string;
    username?: string;
    password?: string;
    credentials?: unknown;
  }): Entity;
  export { default as xml } from "@xmpp/xml";
}

declare module "@xmpp/component-core" {
  import type { Entity } from "xmpp-entity";
  export class Component {
    constructor(options: { service: string; domain: string });
    authenticate(id: string, password: string): Promise<void>;
  }
  export interface Component extends Entity {}
}
