import { createHash } from "node:crypto";
import { type BigIntStats, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ManifestCache, ManifestVerdict } from "./discovery.js";

/**
 * Bump when the manifest checks change in a way the other inputs below would not reveal. The
 * verdicts are also keyed by the core API version and by this core build's module file, so an
 * upgraded or rebuilt core never reuses verdicts made by another one.
 */
const CACHE_FORMAT = 1;

/**
 * A file changed this close to the moment it was read may change again within the same timestamp
 * tick on coarse file systems ("racily clean" in git's terms): such entries are confirmed by hash.
 */
const RACY_WINDOW_MS = 3000;

interface ManifestStat {
  dev: string;
  ino: string;
  size: string;
  mtimeNs: string;
  ctimeNs: string;
}

interface CacheEntry {
  /** The checker that made the verdict: cache format, core API version, core build. */
  checker: string;
  stat: ManifestStat;
  /** True when the manifest was changed within RACY_WINDOW_MS of being read. */
  racy: boolean;
  sha256: string;
  verdict: ManifestVerdict;
}

interface CacheFile {
  format: number;
  entries: Record<string, CacheEntry>;
}

export interface DiscoveryCacheStats {
  /** Verdicts reused because the manifest's stat matched. */
  hits: number;
  /** Verdicts reused after the stat changed but the content hash matched. */
  rehashed: number;
  /** Manifests checked afresh. */
  misses: number;
}

export interface DiscoveryCache extends ManifestCache {
  readonly file: string;
  stats(): DiscoveryCacheStats;
  /**
   * Writes the cache (atomically, via rename) when anything changed, keeping only the packages
   * looked up since it was loaded, so removed dependencies drop out.
   */
  save(): void;
}

function statOf(stats: BigIntStats): ManifestStat {
  return {
    dev: String(stats.dev),
    ino: String(stats.ino),
    size: String(stats.size),
    mtimeNs: String(stats.mtimeNs),
    ctimeNs: String(stats.ctimeNs),
  };
}

function sameStat(a: ManifestStat, b: ManifestStat): boolean {
  return (
    a.dev === b.dev &&
    a.ino === b.ino &&
    a.size === b.size &&
    a.mtimeNs === b.mtimeNs &&
    a.ctimeNs === b.ctimeNs
  );
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** Identifies this core build: a rebuilt or upgraded core has a different module file. */
function coreBuildId(): string {
  try {
    const stats = statSync(fileURLToPath(import.meta.url), { bigint: true });
    return `${stats.size}:${stats.mtimeNs}`;
  } catch {
    return "unknown";
  }
}

function readCacheFile(file: string): Record<string, CacheEntry> {
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as CacheFile;
    if (parsed.format === CACHE_FORMAT && typeof parsed.entries === "object" && parsed.entries !== null)
      return parsed.entries;
  } catch {
    // Missing or unreadable: start empty; the cache only ever saves work.
  }
  return {};
}

/**
 * Loads the discovery metadata cache kept in `file` (created on `save`). Pass it to
 * `discoverTemplates({ cache })`: a package's manifest verdict (not a template / checked manifest /
 * rejection with its code) is reused only while its package.json has the same device, inode, size,
 * mtime and ctime as when the verdict was made, and was checked by the same core; otherwise the
 * manifest is read again (and a matching content hash still saves the check). Modules are always
 * imported afresh: only the manifest work is cached.
 */
export function loadDiscoveryCache(file: string, options: { racyWindowMs?: number } = {}): DiscoveryCache {
  const racyWindowMs = options.racyWindowMs ?? RACY_WINDOW_MS;
  let previous = readCacheFile(file);
  const next: Record<string, CacheEntry> = {};
  const build = coreBuildId();
  const counts: DiscoveryCacheStats = { hits: 0, rehashed: 0, misses: 0 };
  let dirty = false;

  return {
    file,
    stats: () => ({ ...counts }),
    verdict(packageDir, coreApiVersion, check) {
      const manifestPath = join(packageDir, "package.json");
      const checker = `${CACHE_FORMAT}:${coreApiVersion}:${build}`;
      // Stat before reading: if the file changes after this, its new stat will not match next time.
      const stats = statSync(manifestPath, { bigint: true });
      const stat = statOf(stats);
      const cached = previous[packageDir];
      const usable = cached?.checker === checker ? cached : undefined;
      if (usable && !usable.racy && sameStat(usable.stat, stat)) {
        counts.hits++;
        next[packageDir] = usable;
        return usable.verdict;
      }
      const text = readFileSync(manifestPath, "utf8");
      const hash = sha256(text);
      const racy = Date.now() - Number(stats.ctimeMs) < racyWindowMs;
      let verdict: ManifestVerdict;
      if (usable && usable.sha256 === hash) {
        counts.rehashed++;
        verdict = usable.verdict;
      } else {
        counts.misses++;
        verdict = check(text);
      }
      next[packageDir] = { checker, stat, racy, sha256: hash, verdict };
      dirty = true;
      return verdict;
    },
    save() {
      const dropped = Object.keys(previous).some((dir) => !(dir in next));
      if (!dirty && !dropped) return;
      mkdirSync(dirname(file), { recursive: true });
      const temp = `${file}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify({ format: CACHE_FORMAT, entries: next } satisfies CacheFile));
      renameSync(temp, file);
      previous = { ...next };
      dirty = false;
    },
  };
}
