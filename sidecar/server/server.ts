import { createMessageConnection, ErrorCodes, ResponseError, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { FrameReader } from './frameReader';
import type { CancellationToken, MessageConnection, RequestHandler, ResponseMessage } from 'vscode-jsonrpc/node';
import { paramsProblem } from '../contract/paramsProblem';
import { keysIn, redact } from '../shared/redact';
import type { CheckedRequest } from '../contract/checked';
import { UserError } from '../contract/errors';
import * as protocol from '../protocol';
import { health } from './health';
import { editorAdvice, recordApplied } from '../service/adviceService';
import { agentNodes, editorProblems } from '../service/configService';
import { editorEstimate, warmTokenizer } from '../service/estimateService';
import { editorImpact } from '../service/impactService';
import { accuracyOf, cacheStats, clearCache, ledgerActuals, ledgerReport, observations } from '../service/ledgerService';
import { updatePrices } from '../service/pricesService';
import { startCollectorThread } from './collectorThread';
import type { CollectorThread } from './collectorThread';
import { mapAgent, productionToday, unattributedAgents } from '../service/productionService';
import { Workspace, withText } from '../service/workspace';

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
function failure(cause: unknown, ws: Workspace | undefined): ResponseError<void> {
  const error = ws ? ws.failure(cause) : cause;
  if (error instanceof UserError) return new ResponseError(requestFailed, clean(error.message));
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
    parseError: (detail) =>
      void writer.write({ jsonrpc: '2.0', id: null, error: { code: ErrorCodes.ParseError, message: `parse error: ${detail}` } } as ResponseMessage),
    lost: (reason) => {
      log(`giving up the connection: ${reason}; exiting so the extension starts a new sidecar`);
      process.exit(2);
    },
  });
  reader.onError((error) => log(`cannot read stdin: ${error.message}`));
  const connection = createMessageConnection(reader, writer);
  let session: Workspace | undefined;
  /** Settles once the price catalogue is in force (see session/initialize). */
  let catalogueLoaded: Promise<void> = Promise.resolve();
  const current = (): Workspace => {
    if (!session) throw new UserError('the sidecar was not initialised (session/initialize first)');
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
        throw failure(error, session); // a thrown ResponseError becomes the JSON-RPC error response
      }
    };
    // vscode-jsonrpc's handler type is conditional on R, which TypeScript cannot resolve for a generic R.
    connection.onRequest(type, handler as RequestHandler<P, R, void>);
  };

  handle(protocol.initializeRequest, async (params) => {
    session = new Workspace({
      root: params.workspace,
      config: params.configPath,
      detect: true,
      db: params.dbPath,
      redisUrl: params.redisUrl,
      trusted: params.trusted === true,
      hints: { missing: ': run "Party Cost: Create Sample Configuration"', problems: '; see the Problems panel' },
      warn: log,
    });
    // The database is created now, so every later request finds it.
    session.store();
    const ws = session;
    // The price catalogue (the workspace's stored prices, else the bundled ones; about 70 ms to load) and then the
    // tokenizer (0.1–0.3 s) load soon, so the first hover is not the one that waits for them, but after this answer
    // and the ready notification are written: vscode-jsonrpc writes each message from a setImmediate of its own, one
    // after the other, so a load queued sooner would hold them back. Every later request waits for the catalogue.
    catalogueLoaded = new Promise((resolve) => setTimeout(resolve, 20))
      .then(() => ws.loadPrices())
      .then(
        (problem) => void (problem && log(problem)),
        (error: unknown) => log(`cannot load the price catalogue: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => setTimeout(warmTokenizer, 0));
    log(`serving ${params.workspace} (database ${params.dbPath ?? 'default'}, redis ${params.redisUrl ? 'on' : 'off'})`);
    connection.sendNotification(protocol.statusNotification, { state: 'ready', message: 'ready' });
    return { version: typeof PARTYCOST_VERSION === 'string' ? PARTYCOST_VERSION : 'dev', pid: process.pid, node: process.version };
  });
  handle(protocol.healthRequest, () => health());
  handle(protocol.validateRequest, ({ text, file, texts }) => {
    const ws = current();
    return { problems: editorProblems(ws.load(withText(texts, file ?? ws.configFile(), text))) };
  });
  handle(protocol.estimateRequest, ({ text, file, texts, pricing }) => {
    const ws = current();
    return editorEstimate(ws, withText(texts, file ?? ws.configFile(), text), pricing);
  });
  handle(protocol.agentGraphRequest, () => ({ agents: agentNodes(current().parties().config) }));
  handle(protocol.listPartiesRequest, () => ({ parties: current().parties().list() }));
  handle(protocol.createPartyRequest, ({ name, inputs }) => {
    const created = current()
      .parties()
      .create(name, inputs ?? []);
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
  handle(protocol.planRequest, ({ party, force }) =>
    current()
      .parties()
      .plan(party, force ?? []),
  );
  handle(protocol.runRequest, async ({ party, force, runId }, token) => {
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    const ws = current();
    try {
      return await ws.parties().run(party, {
        force,
        signal: controller.signal,
        onWait: (holder) => connection.sendNotification(protocol.runWaitingNotification, { runId, party, holder }),
        onProgress: (progress) =>
          connection.sendNotification(protocol.runProgressNotification, { ...progress, ...(progress.error ? { error: clean(progress.error) } : {}), runId }),
      });
    } finally {
      ws.cache().flush();
      changed(connection, party);
    }
  });
  handle(protocol.saveRequest, ({ party, type }) =>
    withChange(connection, party, () =>
      current()
        .parties()
        .save(party, type ?? 'draft'),
    ),
  );
  handle(protocol.resumeRequest, ({ party, version }) => withChange(connection, party, () => current().parties().resume(party, version)));
  handle(protocol.historyRequest, ({ party }) => {
    const history = current().parties().history(party);
    return { snapshots: history.snapshots, events: history.events };
  });
  handle(protocol.tokenBudgetsRequest, ({ party }) => ({ party, agents: current().parties().tokenBudgets(party) }));
  handle(protocol.cacheStatsRequest, () => cacheStats(current()));
  handle(protocol.cacheClearRequest, ({ agent, party }) => clearCache(current(), { agent, party }));
  handle(protocol.budgetStatusRequest, () => current().parties().budget());
  handle(protocol.ledgerRequest, ({ party, since }) => ledgerReport(current(), { party, since }));
  handle(protocol.actualsRequest, () => ({ agents: ledgerActuals(current()) }));
  handle(protocol.impactRequest, () => editorImpact(current()));
  handle(protocol.adviceRequest, ({ text, file, texts }) => {
    const ws = current();
    return editorAdvice(ws, withText(texts, file ?? ws.configFile(), text));
  });
  handle(protocol.adviceAppliedRequest, ({ agent, kind, change, predictedPerRunUsd }) => {
    recordApplied(current(), { agent, kind, change, predictedPerRunUsd });
    return {};
  });
  handle(protocol.accuracyRequest, () => {
    const ws = current();
    return accuracyOf(ws, ws.config())!;
  });
  handle(protocol.pricesUpdateRequest, async () => {
    const { file: _file, ...info } = await updatePrices(current());
    collector?.pricesChanged();
    return info;
  });
  handle(protocol.observationsRequest, () => {
    const ws = current();
    return { agents: observations(ws, ws.config()) };
  });

  // The OTLP receiver beside the sidecar (the setting partycost.collector.enabled): one at a time, moved on request, on
  // a thread of its own (its batches never hold up a hover).
  let collector: CollectorThread | undefined;
  const productionStatus = (): protocol.ProductionStatus => ({ today: productionToday(current()), collector: collector ? { url: collector.url } : null });
  handle(protocol.collectorRequest, async ({ port, host }) => {
    const ws = current();
    await collector?.close();
    collector = undefined;
    if (port === undefined) return productionStatus();
    const { root, options } = ws;
    collector = await startCollectorThread(
      __filename,
      { root, config: options.config, detect: options.detect, db: ws.databaseFile, port, host: host ?? '127.0.0.1' },
      {
        batch: (recorded) => {
          if (recorded > 0) connection.sendNotification(protocol.productionChangedNotification, { recorded });
        },
        refused: (status, reason) => log(`trace receiver refused a request (${status}): ${reason}`),
        log,
      },
    ).catch((error: NodeJS.ErrnoException) => {
      throw new UserError(
        error.code === 'EADDRINUSE' ? `port ${port} is in use: set partycost.collector.port to another` : `the trace receiver cannot listen: ${error.message}`,
      );
    });
    log(`trace receiver listening at ${collector.url}`);
    return productionStatus();
  });
  handle(protocol.productionRequest, () => productionStatus());
  handle(protocol.unattributedRequest, () => ({ agents: unattributedAgents(current()) }));
  handle(protocol.mapAgentRequest, ({ name, agent }) => mapAgent(current(), name, agent));

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
      await collector?.close();
      await session?.close();
      resolve();
    });
  });
}

async function withChange<T>(connection: MessageConnection, party: string, work: () => T | Promise<T>): Promise<T> {
  const result = await work();
  changed(connection, party);
  return result;
}

function changed(connection: MessageConnection, party: string): void {
  connection.sendNotification(protocol.partiesChangedNotification, { party });
}
