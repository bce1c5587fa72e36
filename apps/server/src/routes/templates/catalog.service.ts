import {
  AgentrtError,
  CORE_API_VERSION,
  ErrorCode,
  isAgentrtError,
  isTemplatePackage,
  parseTemplateManifest,
  TEMPLATE_KEYWORD,
} from "@agentrt/core";

export interface CatalogOptions {
  /** Base URL of the npm registry, e.g. https://registry.npmjs.org */
  registry: string;
  /** Deadline for one catalog search: the search and every manifest it reads. */
  timeoutMs: number;
  coreApiVersion?: string;
  /** How long a package version's manifest is remembered. */
  manifestTtlMs?: number;
}

export interface CatalogEntry {
  packageName: string;
  version: string;
  description: string | null;
  coreApi: string | null;
  compatible: boolean;
  code:
    | typeof ErrorCode.TEMPLATE_INCOMPATIBLE
    | typeof ErrorCode.TEMPLATE_INVALID
    | typeof ErrorCode.TEMPLATE_NOT_FOUND
    | typeof ErrorCode.UPSTREAM_ERROR
    | null;
  reason: string | null;
}

export interface Catalog {
  search(query: string | undefined, limit: number): Promise<CatalogEntry[]>;
}

interface SearchPackage {
  name?: unknown;
  version?: unknown;
  "dist-tags"?: { latest?: unknown };
  description?: unknown;
  keywords?: unknown;
}

interface SearchAnswer {
  objects?: { package?: SearchPackage }[];
}

interface PublishedManifest {
  version?: unknown;
  keywords?: unknown;
  agentrt?: { coreApi?: unknown };
}

interface Found {
  name: string;
  /** undefined: the search did not say; the `latest` manifest is read. */
  version: string | undefined;
  description: string | null;
}

const MAX_CACHED_MANIFESTS = 1000;

/** npm's URL form of a package name: the scope's slash is encoded. */
const packagePath = (name: string) => name.replace("/", "%2f");

/**
 * Searches an npm registry for template packages and marks each compatible or not with this core,
 * from the `agentrt.coreApi` of the version the search returned. A failed search or a missed
 * deadline is an UPSTREAM_ERROR (502) naming the registry; a manifest the registry refuses marks
 * only its entry (`code` UPSTREAM_ERROR). Nothing is retried.
 */
export function createCatalog(options: CatalogOptions): Catalog {
  const base = options.registry.endsWith("/") ? options.registry : `${options.registry}/`;
  const coreApiVersion = options.coreApiVersion ?? CORE_API_VERSION;
  const ttl = options.manifestTtlMs ?? 60_000;
  const manifests = new Map<string, { expires: number; manifest: PublishedManifest | undefined }>();

  /** GETs JSON; `undefined` for 404. */
  async function getJson<T>(path: string, signal: AbortSignal): Promise<T | undefined> {
    const url = new URL(path, base);
    let res: Response;
    try {
      res = await fetch(url, { headers: { accept: "application/json" }, signal });
    } catch (error) {
      const timedOut = signal.aborted;
      throw new AgentrtError(
        ErrorCode.UPSTREAM_ERROR,
        timedOut
          ? `the npm registry ${options.registry} did not answer within ${options.timeoutMs} ms`
          : `the npm registry ${options.registry} is unreachable: ${error instanceof Error ? error.message : String(error)}`,
        { details: { registry: options.registry } },
      );
    }
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new AgentrtError(
        ErrorCode.UPSTREAM_ERROR,
        `the npm registry ${options.registry} answered ${res.status} for ${url.pathname}`,
        { details: { registry: options.registry, status: res.status } },
      );
    }
    try {
      return (await res.json()) as T;
    } catch (error) {
      throw new AgentrtError(
        ErrorCode.UPSTREAM_ERROR,
        signal.aborted
          ? `the npm registry ${options.registry} did not answer within ${options.timeoutMs} ms`
          : `the npm registry ${options.registry} sent invalid JSON for ${url.pathname}`,
        { details: { registry: options.registry }, cause: error },
      );
    }
  }

  async function manifestOf(name: string, version: string, signal: AbortSignal) {
    const key = `${name}@${version}`;
    const cached = manifests.get(key);
    if (cached && cached.expires > Date.now()) return cached.manifest;
    const manifest = await getJson<PublishedManifest>(
      `${packagePath(name)}/${encodeURIComponent(version)}`,
      signal,
    );
    manifests.delete(key);
    if (manifests.size >= MAX_CACHED_MANIFESTS) manifests.delete(manifests.keys().next().value!);
    manifests.set(key, { expires: Date.now() + ttl, manifest });
    return manifest;
  }

  function verdict(name: string, version: string, manifest: PublishedManifest | undefined) {
    if (!manifest) {
      return {
        coreApi: null,
        compatible: false,
        code: ErrorCode.TEMPLATE_NOT_FOUND,
        reason: `the registry has no manifest for ${name}@${version}`,
      } as const;
    }
    const coreApi = manifest.agentrt?.coreApi;
    try {
      // The rule discovery applies once the package is installed, applied to the registry's copy.
      parseTemplateManifest({ ...manifest, name, version }, coreApiVersion);
      return { coreApi: coreApi as string, compatible: true, code: null, reason: null } as const;
    } catch (error) {
      if (!isAgentrtError(error)) throw error;
      return {
        coreApi: typeof coreApi === "string" ? coreApi : null,
        compatible: false,
        code: error.code as typeof ErrorCode.TEMPLATE_INCOMPATIBLE | typeof ErrorCode.TEMPLATE_INVALID,
        reason: error.message,
      };
    }
  }

  return {
    async search(query, limit) {
      const signal = AbortSignal.timeout(options.timeoutMs);
      const words = query?.trim() ?? "";
      const search = async (text: string) =>
        (
          await getJson<SearchAnswer>(
            `-/v1/search?text=${encodeURIComponent(text.trim())}&size=${limit}`,
            signal,
          )
        )?.objects ?? [];
      // npm's `keywords:` qualifier; registries without it (verdaccio) find nothing, so search the
      // keyword as text there and keep only packages that carry it.
      let objects = await search(`keywords:${TEMPLATE_KEYWORD} ${words}`);
      if (objects.length === 0) objects = await search(`${TEMPLATE_KEYWORD} ${words}`);
      const found = objects.flatMap(({ package: p }): Found[] => {
        if (typeof p?.name !== "string") return [];
        if (Array.isArray(p.keywords) && !p.keywords.includes(TEMPLATE_KEYWORD)) return [];
        const version = p.version ?? p["dist-tags"]?.latest;
        return [
          {
            name: p.name,
            version: typeof version === "string" ? version : undefined,
            description: typeof p.description === "string" ? p.description : null,
          },
        ];
      });
      const entries = await Promise.all(
        found.map(async (p) => {
          let manifest: PublishedManifest | undefined;
          try {
            manifest = await manifestOf(p.name, p.version ?? "latest", signal);
          } catch (error) {
            // One manifest the registry refuses (a private package's 401) marks that entry only.
            if (!isAgentrtError(error) || error.code !== ErrorCode.UPSTREAM_ERROR) throw error;
            return {
              packageName: p.name,
              version: p.version ?? "latest",
              description: p.description,
              coreApi: null,
              compatible: false,
              code: ErrorCode.UPSTREAM_ERROR,
              reason: error.message,
            } satisfies CatalogEntry;
          }
          if (manifest && !isTemplatePackage(manifest)) return undefined;
          const version = p.version ?? (typeof manifest?.version === "string" ? manifest.version : "latest");
          return {
            packageName: p.name,
            version,
            description: p.description,
            ...verdict(p.name, version, manifest),
          } satisfies CatalogEntry;
        }),
      );
      return entries.filter((e) => e !== undefined);
    },
  };
}
