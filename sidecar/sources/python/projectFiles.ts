import type { PyPlace } from './pythonModel';

type Toml = typeof import('smol-toml');
type Dotenv = typeof import('dotenv');
let toml: Toml | undefined;
let dotenv: Dotenv | undefined;

/** The TOML parser, required on first use: only a Python project has a pyproject.toml. */
function tomlLibrary(): Toml {
  return (toml ??= require('smol-toml') as Toml);
}

/** A Python project's pyproject.toml, as far as pricing it needs. */
export interface Pyproject {
  /** `[project] name`. */
  name?: string;
  /** `[project] dependencies`: PEP 508 requirements as written. */
  dependencies: string[];
  /** The version of CrewAI the project requires: pinned (`crewai==x`) or its lower bound (`crewai[tools]>=x,<y`). */
  crewaiVersion?: string;
  /** The `[tool.crewai]` table (`type = "crew"` or `"flow"`). */
  toolCrewai?: Record<string, unknown>;
  /** Why the text is not TOML, and where; the other fields are then empty. */
  error?: PyPlace & { message: string };
}

/** A package name as PEP 503 compares them: lower case, runs of `-`, `_` and `.` one `-`. */
export function normalizedPackage(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/**
 * The version a list of PEP 508 requirements asks of a package: the one pinned (`==`, `===`), else the lower bound
 * (`>=`, `~=`); undefined for an unversioned requirement, a URL, an upper bound only, or no requirement at all.
 */
export function requiredVersion(requirements: readonly string[], pkg: string): string | undefined {
  for (const requirement of requirements) {
    const match = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;]*)/.exec(requirement);
    if (!match || normalizedPackage(match[1]!) !== normalizedPackage(pkg)) continue;
    const specifiers = match[2]!
      .trim()
      .replace(/^\((.*)\)$/, '$1')
      .split(',')
      .map((s) => /^\s*(===|==|~=|>=|<=|!=|>|<)\s*(\S+)\s*$/.exec(s));
    const pinned = specifiers.find((s) => s?.[1] === '==' || s?.[1] === '===');
    const lower = specifiers.find((s) => s?.[1] === '>=' || s?.[1] === '~=');
    const version = (pinned ?? lower)?.[2];
    return version?.replace(/\.\*$/, '');
  }
  return undefined;
}

/** Reads pyproject.toml; malformed TOML gives `error` with its place, never an exception. */
export function readPyproject(text: string): Pyproject {
  let data: Record<string, unknown>;
  try {
    data = tomlLibrary().parse(text) as Record<string, unknown>;
  } catch (error) {
    return { dependencies: [], error: tomlError(text, error) };
  }
  const project = table(data.project);
  const dependencies = Array.isArray(project?.dependencies) ? project.dependencies.filter((d): d is string => typeof d === 'string') : [];
  const result: Pyproject = { dependencies };
  if (typeof project?.name === 'string') result.name = project.name;
  const crewaiVersion = requiredVersion(dependencies, 'crewai');
  if (crewaiVersion) result.crewaiVersion = crewaiVersion;
  const toolCrewai = table(table(data.tool)?.crewai);
  if (toolCrewai) result.toolCrewai = toolCrewai;
  return result;
}

/** The version uv.lock pins for a package; undefined when it has none, or the text is not TOML. */
export function lockedVersion(uvLockText: string, pkg: string): string | undefined {
  let data: Record<string, unknown>;
  try {
    data = tomlLibrary().parse(uvLockText) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const packages = Array.isArray(data.package) ? data.package.map(table) : [];
  const entry = packages.find((p) => typeof p?.name === 'string' && normalizedPackage(p.name) === normalizedPackage(pkg));
  return typeof entry?.version === 'string' ? entry.version : undefined;
}

/**
 * The variables of a `.env` file, as dotenv parses it (`KEY=value`, quotes, `export`, comments, multi-line quoted
 * values). `${OTHER}` stays as written: python-dotenv expands it, with the process environment at hand.
 */
export function readDotenv(text: string): Map<string, string> {
  const parsed = (dotenv ??= require('dotenv') as Dotenv).parse(text);
  return new Map(Object.entries(parsed));
}

function table(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** smol-toml's error as a place and a one-line message (its own message adds the line, quoted, and a caret). */
function tomlError(text: string, error: unknown): PyPlace & { message: string } {
  const { line = 1, column = 1, message: raw = String(error) } = error as { line?: number; column?: number; message?: string };
  let offset = 0;
  for (let l = 1, next = 0; l < line && (next = text.indexOf('\n', offset)) >= 0; l++) offset = next + 1;
  const message = (raw.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '');
  return { message: `malformed TOML: ${message}`, offset: Math.min(text.length, offset + column - 1), length: 0, line, column };
}
