import { accessSync, constants, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { advise } from '../advice/advise';
import type { AdviceRecords } from '../advice/adviceFacts';
import { appliedOf } from '../contract/advice';
import type { Advice, AdviceApplied, AdviceReport } from '../contract/advice';
import { UserError } from '../contract/errors';
import type { ConfigProblem } from '../protocol';
import { applyAdvice } from '../shared/adviceEdit';
import { readConfigFile } from '../shared/configLocation';
import type { SqliteStore } from '../store/sqliteStore';
import { editorProblems } from './configService';
import { learningOf } from './estimateService';
import type { OpenTexts, ValidConfig, Workspace } from './workspace';

/** What the advisor reads of a store: its ledger, stored results and applied advice. */
function recordsOf(store: SqliteStore | undefined): AdviceRecords | undefined {
  return store && { ledger: store.ledger, results: store.results, applied: store.applied };
}

/** Every change that would cut the bill, per agent, priced per month and ranked (see advice/advise.ts). */
export function adviceReport(ws: Workspace, loaded: ValidConfig): AdviceReport {
  return advise(loaded.config, loaded.prices, { learning: learningOf(ws, loaded.config), records: recordsOf(ws.storeIfExists()), editable: loaded.editable });
}

/** The advice for a configuration with an editor's unsaved texts, and its problems. */
export function editorAdvice(ws: Workspace, texts: OpenTexts): { report: AdviceReport | null; problems: ConfigProblem[] } {
  const loaded = ws.load(texts);
  if (!loaded.config) return { report: null, problems: editorProblems(loaded) };
  return { report: adviceReport(ws, loaded as ValidConfig), problems: editorProblems(loaded) };
}

/**
 * Writes advice `rank`'s edit into partycost.json and records it as applied (in the workspace's database, created if
 * need be), so a later report measures it on the runs after it.
 */
export function applyAdviceRank(ws: Workspace, loaded: ValidConfig, rank: number): Advice {
  const report = adviceReport(ws, loaded);
  const chosen = report.advice.find((a) => a.rank === rank);
  if (!chosen) throw new UserError(`there is no advice ${rank} (${report.advice.length} listed)`);
  if (!chosen.edit)
    throw new UserError(`advice ${rank} (${chosen.change}) is ${loaded.editable ? 'an edit of the prompts' : "an edit of the crew's YAML"}: make it by hand`);
  const file = ws.configFile();
  // Read again as any configuration is (bounded, a regular file): it may have changed since it was loaded.
  const text = readConfigFile(file, path.basename(file));
  if (text === undefined) throw new UserError(`${path.basename(file)} is gone; nothing was changed`);
  const edited = applyAdvice(text, chosen.edit);
  try {
    // A read-only configuration stays as it is; a writable one is replaced whole (a file beside it, renamed over it,
    // keeping its mode), so a full disk mid-write never leaves it cut short.
    accessSync(file, constants.W_OK);
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, edited, { mode: statSync(file).mode & 0o777 });
    renameSync(partial, file);
  } catch (error) {
    rmSync(`${file}.${process.pid}.partial`, { force: true });
    throw unwritable(error, ws.display(file));
  }
  recordApplied(ws, appliedOf(chosen));
  return chosen;
}

/** A configuration that cannot be written, in the user's words (nothing was changed); anything else as it is. */
function unwritable(error: unknown, name: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return new UserError(`cannot write ${name}: permission denied; nothing was changed`);
  if (code === 'EROFS') return new UserError(`cannot write ${name}: the file system is read-only; nothing was changed`);
  if (code === 'ENOSPC' || code === 'EFBIG') return new UserError(`cannot write ${name}: the disk is full; nothing was changed`);
  return error;
}

/** Records advice applied elsewhere (a quick fix, the panel's Apply), now. */
export function recordApplied(ws: Workspace, applied: AdviceApplied): void {
  ws.store().applied.record({ ...applied, appliedAt: new Date().toISOString() });
}
