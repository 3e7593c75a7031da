import { createMessageConnection, ErrorCodes, ResponseError, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { FrameReader } from './frameReader';
import type { CancellationToken, MessageConnection, RequestHandler, ResponseMessage } from 'vscode-jsonrpc/node';
import { paramsProblem } from '../contract/paramsProblem';
import { keysIn, redact } from '../shared/redact';
import type { CheckedRequest } from '../contract/checked';
import { RunCancelledError, RunFailedError } from '../service/runner';
import { withCrewAgents } from '../sources/crew/crewAgents';
import { CatalogueUpdateError, loadCatalogue, updateCatalogue } from '../cost/catalogueUpdate';
import { estimate } from '../cost/estimate';
import { PricingError } from '../contract/pricing';
import { rightSize } from '../cost/rightSize';
import { countText } from '../cost/tokens';
import { RequestError } from '../service/partyService';
import * as protocol from '../protocol';
import { databaseFailure, StoreError } from '../store/database';
import { holderText } from '../store/leases';
import { health } from './health';
import { UnknownPartyError } from '../store/partyStore';
import { agentNodes, observations } from './insights';
import { accuracyReport } from '../ledger/accuracy';
import { partyImpacts } from '../impact/impact';
import { impactReport } from '../impact/impactReport';
import { storedResults } from '../impact/storedResults';
import { impactSummary } from '../contract/impact';
import { advise } from '../advice/advise';
import { recordApplied } from '../advice/ledgerFacts';
import { problemsOf, SessionError, SidecarSession, withText } from './session';
import type { PartyConfig } from '../config/schema';
import type { Learning } from '../contract/cost';

declare const PARTYCOST_VERSION: string;

/** JSON-RPC error code for a request the sidecar understood but could not carry out; the message is for the user. */
export const requestFailed = -32001;

/** Logs go to stderr (stdout carries only JSON-RPC), through the redactor: no API key in them. */
function log(message: string): void {
  process.stderr.write(`[${new Date().toISOString()}] ${clean(message)}\n`);
}

function clean(text: string): string {
  return redact(text, keysIn(process.env));
}

/** Known failures become JSON-RPC errors with the user's sentence; anything else is logged with its stack. */
function failure(error: unknown): ResponseError<void> {
  const known = [SessionError, RequestError, UnknownPartyError, StoreError, RunFailedError, RunCancelledError, PricingError, CatalogueUpdateError];
  if (known.some((type) => error instanceof type)) return new ResponseError(requestFailed, clean((error as Error).message));
  const database = databaseFailure(error);
  if (database) return new ResponseError(requestFailed, clean(database));
  log(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return new ResponseError(requestFailed, clean(`internal error: ${error instanceof Error ? error.message : String(error)}`));
}

/** Serves the protocol on stdin/stdout until the client goes away. */
export function serve(): Promise<void> {
  // V8 runs with its defaults: --optimize-for-size (once set here to hold RSS flat over a long soak) slowed every
  // request and tripled the tail of a hover's estimate (p95 20 ms against 9); the soak's RSS returns to where it
  // started without it (bench: reliability).
  const writer = new StreamMessageWriter(process.stdout);
  // A frame that is not JSON gets a parse error with a null id, as JSON-RPC wants; bytes that are not a frame are
  // skipped up to the next header; a stream that cannot be read any more ends the process (the extension restarts it).
  const reader = new FrameReader(process.stdin, {
    log,
    parseError: (detail) => void writer.write({ jsonrpc: '2.0', id: null, error: { code: ErrorCodes.ParseError, message: `parse error: ${detail}` } } as ResponseMessage),
    lost: (reason) => {
      log(`giving up the connection: ${reason}; exiting so the extension starts a new sidecar`);
      process.exit(2);
    },
  });
  reader.onError((error) => log(`cannot read stdin: ${error.message}`));
  const connection = createMessageConnection(reader, writer);
  let session: SidecarSession | undefined;
  /** Settles once the price catalogue is in force (see session/initialize). */
  let catalogueLoaded: Promise<void> = Promise.resolve();
  const current = (): SidecarSession => {
    if (!session) throw new SessionError('the sidecar was not initialised (session/initialize first)');
    return session;
  };
  const handle = <P, R>(type: CheckedRequest<P, R>, work: (params: P, token: CancellationToken) => Promise<R> | R): void => {
    const handler = async (params: P, token: CancellationToken): Promise<R> => {
      // Nothing ill-typed reaches the engine: params that do not fit the contract's schema are answered here.
      const problem = paramsProblem(type.params, params);
      if (problem) throw new ResponseError(ErrorCodes.InvalidParams, `invalid params of ${type.method}: ${problem}`);
      try {
        await catalogueLoaded;
        return await work(params, token);
      } catch (error) {
        throw failure(error); // a thrown ResponseError becomes the JSON-RPC error response
      }
    };
    // vscode-jsonrpc's handler type is conditional on R, which TypeScript cannot resolve for a generic R.
    connection.onRequest(type, handler as RequestHandler<P, R, void>);
  };

  handle(protocol.initializeRequest, async (params) => {
    session = new SidecarSession(params);
    // The price catalogue (the workspace's stored prices, else the bundled ones; about 70 ms to load) and then the
    // tokenizer (0.1–0.3 s) load soon, so the first hover is not the one that waits for them, but after this answer
    // and the ready notification are written: vscode-jsonrpc writes each message from a setImmediate of its own, one
    // after the other, so a load queued sooner would hold them back. Every later request waits for the catalogue.
    catalogueLoaded = new Promise((resolve) => setTimeout(resolve, 20))
      .then(() => loadCatalogue(params.workspace))
      .then(
        (catalogue) => void (catalogue.problem && log(catalogue.problem)),
        (error: unknown) => log(`cannot load the price catalogue: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => setTimeout(() => countText('', 'o200k_base'), 0));
    log(`serving ${params.workspace} (database ${params.dbPath ?? 'default'}, redis ${params.redisUrl ? 'on' : 'off'})`);
    connection.sendNotification(protocol.statusNotification, { state: 'ready', message: 'ready' });
    return { version: typeof PARTYCOST_VERSION === 'string' ? PARTYCOST_VERSION : 'dev', pid: process.pid, node: process.version };
  });
  handle(protocol.healthRequest, () => health());
  handle(protocol.validateRequest, ({ text, file, texts }) => ({ problems: current().validate(text, file, texts) }));
  handle(protocol.estimateRequest, ({ text, file, texts, pricing }) => {
    const s = current();
    const loaded = s.load(withText(texts, file ?? s.configPath, text));
    if (!loaded.config) return { estimate: null, rightSizing: [], problems: problemsOf(loaded) };
    const learning = learningOf(s, loaded.config);
    const estimated = withCrewAgents(estimate(loaded.config, loaded.prices, pricing, learning), loaded.crew);
    const rightSizing = rightSize(loaded.config, loaded.prices, { atListPrices: pricing ? undefined : estimated, learning });
    return { estimate: estimated, rightSizing, problems: problemsOf(loaded) };
  });
  handle(protocol.agentGraphRequest, () => ({ agents: agentNodes(current().parties().config) }));
  handle(protocol.listPartiesRequest, () => ({ parties: current().parties().list() }));
  handle(protocol.createPartyRequest, ({ name, inputs }) => {
    const created = current().parties().create(name, inputs ?? []);
    changed(connection, created.party.id);
    return { party: created.party.id, name: created.party.name, inputs: created.inputs };
  });
  handle(protocol.getPartyRequest, ({ party }) => {
    const state = current().parties().store.load(party);
    const results = Object.values(state.results).map((r) => ({ agent: r.agent, completedAt: r.completedAt, costUsd: r.costUsd }));
    return { id: state.id, name: state.name, status: state.status, inputs: state.inputs, results };
  });
  handle(protocol.addInputRequest, ({ party, text }) => withChange(connection, party, () => current().parties().addInput(party, text)));
  handle(protocol.removeInputRequest, ({ party, input }) => withChange(connection, party, () => current().parties().removeInput(party, input)));
  handle(protocol.planRequest, ({ party, force }) => current().parties().plan(party, force ?? []));
  handle(protocol.runRequest, async ({ party, force, runId }, token) => {
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    try {
      return await current().parties().run(party, {
        force,
        signal: controller.signal,
        onWait: (holder) => connection.sendNotification(protocol.runWaitingNotification, { runId, party, holder: holderText(holder) }),
        onProgress: (progress) => connection.sendNotification(protocol.runProgressNotification, { ...progress, ...(progress.error ? { error: clean(progress.error) } : {}), runId }),
      });
    } finally {
      current().cache.flush();
      changed(connection, party);
    }
  });
  handle(protocol.saveRequest, ({ party, type }) => withChange(connection, party, () => current().parties().save(party, type ?? 'draft')));
  handle(protocol.resumeRequest, ({ party, version }) => withChange(connection, party, () => current().parties().resume(party, version)));
  handle(protocol.historyRequest, ({ party }) => {
    const history = current().parties().history(party);
    return { snapshots: history.snapshots, events: history.events };
  });
  handle(protocol.tokenBudgetsRequest, ({ party }) => ({ party, agents: current().parties().tokenBudgets(party) }));
  handle(protocol.cacheStatsRequest, () => current().cache.report());
  handle(protocol.cacheClearRequest, async ({ agent, party }) => {
    const parties = current().parties();
    if (agent) parties.checkAgents([agent]);
    const keys = party ? Object.values(parties.store.load(party).results).map((r) => r.key) : undefined;
    return { cleared: await current().cache.clear({ agent, keys }) };
  });
  handle(protocol.budgetStatusRequest, () => current().parties().budget());
  handle(protocol.ledgerRequest, ({ party, since }) => current().parties().store.ledger.report({ party, since }));
  handle(protocol.actualsRequest, () => ({ agents: current().parties().store.ledger.actuals() }));
  handle(protocol.impactRequest, () => {
    const s = current();
    const parties = s.parties();
    const report = impactReport(parties.config, parties.prices, partyImpacts(parties.config, storedResults(s.db)), {
      against: "each party's results",
      byParty: true,
      learning: s.learner.learningFor(parties.config),
    });
    return { ...report, summary: impactSummary(report) };
  });
  handle(protocol.adviceRequest, ({ text, file, texts }) => {
    const s = current();
    const loaded = s.load(withText(texts, file ?? s.configPath, text));
    if (!loaded.config) return { report: null, problems: problemsOf(loaded) };
    const editable = loaded.kind === 'partycost' && !loaded.crew;
    const report = advise(loaded.config, loaded.prices, { learning: learningOf(s, loaded.config), db: s.db, editable });
    return { report, problems: problemsOf(loaded) };
  });
  handle(protocol.adviceAppliedRequest, ({ agent, kind, change, predictedPerRunUsd }) => {
    recordApplied(current().db, { agent, kind, change, predictedPerRunUsd, appliedAt: new Date().toISOString() });
    return {};
  });
  handle(protocol.accuracyRequest, () => {
    const parties = current().parties();
    return accuracyReport(parties.config, parties.prices, parties.store.ledger, parties.learner);
  });
  handle(protocol.pricesUpdateRequest, async () => {
    const info = await updateCatalogue(current().params.workspace);
    current().pricesChanged();
    return info;
  });
  handle(protocol.observationsRequest, () => ({ agents: observations(current().db, current().parties().config) }));

  process.on('uncaughtException', (error) => {
    log(`uncaught exception: ${error.stack ?? error.message}`);
    connection.sendNotification(protocol.statusNotification, { state: 'error', message: clean(error.message) });
  });
  process.on('unhandledRejection', (reason) => {
    log(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
    connection.sendNotification(protocol.statusNotification, { state: 'error', message: clean(String(reason)) });
  });
  connection.onError(([error]) => log(`protocol error: ${error.message}`));
  connection.listen();
  log(`sidecar ${process.pid} listening on stdio (Node ${process.version})`);
  return new Promise((resolve) => {
    connection.onClose(async () => {
      await session?.close();
      resolve();
    });
  });
}

/** What the ledger teaches an estimate; a ledger that cannot be read (locked, damaged) is logged and teaches nothing. */
function learningOf(session: SidecarSession, config: PartyConfig): Learning | undefined {
  try {
    return session.learner.learningFor(config);
  } catch (error) {
    log(`estimates use the configured figures: the ledger cannot be read (${error instanceof Error ? error.message : String(error)})`);
    return undefined;
  }
}

async function withChange<T>(connection: MessageConnection, party: string, work: () => T | Promise<T>): Promise<T> {
  const result = await work();
  changed(connection, party);
  return result;
}

function changed(connection: MessageConnection, party: string): void {
  connection.sendNotification(protocol.partiesChangedNotification, { party });
}
