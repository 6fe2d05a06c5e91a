/**
 * The registered features (src/features/index.ts lists them), looked up by what routes.yaml
 * writes: a section's key, the key that selects a kind of route (`plugin:`, `preset:`), a route's
 * checked kind, an auth scheme's `kind:`. Two features claiming the same name are refused here,
 * when the gateway starts, as two plugins claiming one error code are.
 */
import type { AuthKindShape, FeatureShape, RouteBase, RouteKind, SectionDefinition } from "./feature-shape.ts";

export class FeatureRegistry<F extends FeatureShape = FeatureShape> {
  readonly sections: ReadonlyArray<SectionDefinition<unknown> & { feature: string }>;
  private readonly byKey = new Map<string, RouteKind>();
  private readonly byKind = new Map<string, { kind: RouteKind; feature: F }>();
  private readonly auths = new Map<string, AuthOf<F>>();
  private readonly fallback: RouteKind;

  constructor(readonly features: readonly F[]) {
    this.sections = features.flatMap((f) => (f.section ? [{ ...(f.section as SectionDefinition<unknown>), feature: f.name }] : []));
    unique(
      "section",
      this.sections.map((s) => s.key),
    );
    const kinds = features.flatMap((feature) => (feature.routeKinds ?? []).map((kind) => ({ kind, feature })));
    for (const { kind, feature } of kinds) {
      if (kind.key) this.byKey.set(selector(kind.key, kind.value), kind);
      if (kind.kind) this.byKind.set(kind.kind, { kind, feature });
    }
    unique(
      "route key",
      kinds.flatMap(({ kind }) => (kind.key ? [selector(kind.key, kind.value)] : [])),
    );
    unique(
      "route kind",
      kinds.flatMap(({ kind }) => (kind.kind ? [kind.kind] : [])),
    );
    const defaults = kinds.filter(({ kind }) => !kind.key);
    if (defaults.length !== 1) throw new Error(`exactly one route kind must be selected by no key, found ${defaults.length}`);
    this.fallback = (defaults[0] as { kind: RouteKind }).kind;
    const auths = features.flatMap((f) => (f.authKinds ?? []) as ReadonlyArray<AuthOf<F>>);
    unique(
      "auth kind",
      auths.map((a) => a.kind),
    );
    for (const a of auths) this.auths.set(a.kind, a);
  }

  /**
   * The kind a routes[] entry is: by the first registered key it has, the kind registered for its
   * value (`preset: ntfy`) before the one taking every other value (the YAML presets); the
   * default kind for an entry with none.
   */
  routeKindOf(raw: Record<string, unknown>): RouteKind {
    for (const kind of this.byKey.values()) {
      const key = kind.key as string;
      if (!(key in raw)) continue;
      const value = raw[key];
      return (typeof value === "string" ? this.byKey.get(selector(key, value)) : undefined) ?? this.byKey.get(key) ?? kind;
    }
    return this.fallback;
  }

  /** The values of `key` that select a kind of their own, for the messages that list what is known. */
  selectable(key: string): string[] {
    return this.routeKinds.flatMap((k) => (k.key === key && k.value !== undefined ? [k.value] : []));
  }

  /** The kind that compiled a checked route, with its feature. */
  compiled(route: RouteBase): { kind: RouteKind; feature: F } {
    const found = this.byKind.get(route.kind);
    if (!found) throw new Error(`no feature compiles routes of kind ${route.kind}`);
    return found;
  }

  get routeKinds(): RouteKind[] {
    return this.features.flatMap((f) => f.routeKinds ?? []);
  }

  /** A feature's checked section in a loaded configuration (the loader put it under its key); undefined without one. */
  partOf(config: object, feature: F): unknown {
    return feature.section ? this.section(config, feature.section.key) : undefined;
  }

  /** The checked section `key` of a loaded configuration. */
  section(config: object, key: string): unknown {
    return (config as Record<string, unknown>)[key];
  }

  authKind(kind: string): AuthOf<F> | undefined {
    return this.auths.get(kind);
  }

  get authKinds(): Array<AuthOf<F>> {
    return [...this.auths.values()];
  }
}

/** The auth kinds the registered features declare, with whatever their type adds (feature-api.ts: their checks). */
type AuthOf<F extends FeatureShape> = F["authKinds"] extends readonly (infer A)[] | undefined ? A & AuthKindShape : AuthKindShape;

const selector = (key: string, value: string | undefined) => (value === undefined ? key : `${key}=${value}`);

function unique(what: string, names: readonly string[]): void {
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new Error(`two features register the ${what} ${JSON.stringify(twice)}`);
}
