/**
 * Versioned schema migrations, applied in order inside one transaction each; `PRAGMA user_version` records the
 * last one applied. Append new migrations; never edit a released one.
 */
export const migrations: string[] = [
  `
  CREATE TABLE parties (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'editing', 'final')),
    last_seq INTEGER NOT NULL,
    next_input INTEGER NOT NULL,
    has_run INTEGER NOT NULL,
    config_hash TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE events (
    party_id TEXT NOT NULL REFERENCES parties(id),
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    payload TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (party_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE snapshots (
    party_id TEXT NOT NULL REFERENCES parties(id),
    version INTEGER NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('draft', 'auto', 'final')),
    seq INTEGER NOT NULL,
    state TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (party_id, version)
  );
  CREATE TABLE inputs (
    party_id TEXT NOT NULL REFERENCES parties(id),
    id TEXT NOT NULL,
    text TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (party_id, id)
  );
  CREATE TABLE input_routes (
    party_id TEXT NOT NULL,
    input_id TEXT NOT NULL,
    agent TEXT NOT NULL,
    PRIMARY KEY (party_id, input_id, agent),
    FOREIGN KEY (party_id, input_id) REFERENCES inputs(party_id, id) ON DELETE CASCADE
  );
  CREATE TABLE results (
    party_id TEXT NOT NULL REFERENCES parties(id),
    agent TEXT NOT NULL,
    key TEXT NOT NULL,
    result_hash TEXT NOT NULL,
    output TEXT NOT NULL,
    definition TEXT NOT NULL,
    inputs TEXT NOT NULL,
    upstream TEXT NOT NULL,
    model TEXT,
    input_tokens INTEGER NOT NULL,
    cached_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    usage_source TEXT NOT NULL CHECK (usage_source IN ('estimated', 'actual')),
    cost_usd REAL NOT NULL,
    duration_ms REAL NOT NULL,
    completed_at TEXT NOT NULL,
    PRIMARY KEY (party_id, agent)
  );
  CREATE TABLE ledger (
    id INTEGER PRIMARY KEY,
    party_id TEXT NOT NULL,
    agent TEXT NOT NULL,
    model TEXT,
    input_tokens INTEGER NOT NULL,
    cached_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cost_usd REAL NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('estimated', 'actual')),
    at TEXT NOT NULL
  );
  CREATE INDEX ledger_by_time ON ledger (at);
  `,
  `
  CREATE TABLE cache_entries (
    key TEXT PRIMARY KEY,
    agent TEXT NOT NULL,
    entry TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    last_access INTEGER NOT NULL
  );
  CREATE INDEX cache_entries_by_access ON cache_entries (last_access);
  CREATE INDEX cache_entries_by_agent ON cache_entries (agent);
  CREATE INDEX cache_entries_by_expiry ON cache_entries (expires_at);
  -- The table's total size, kept by triggers so every process sees it without summing the table.
  CREATE TABLE cache_size (id INTEGER PRIMARY KEY CHECK (id = 1), bytes INTEGER NOT NULL);
  INSERT INTO cache_size (id, bytes) VALUES (1, 0);
  CREATE TRIGGER cache_size_insert AFTER INSERT ON cache_entries BEGIN
    UPDATE cache_size SET bytes = bytes + NEW.bytes WHERE id = 1;
  END;
  CREATE TRIGGER cache_size_update AFTER UPDATE OF bytes ON cache_entries BEGIN
    UPDATE cache_size SET bytes = bytes - OLD.bytes + NEW.bytes WHERE id = 1;
  END;
  CREATE TRIGGER cache_size_delete AFTER DELETE ON cache_entries BEGIN
    UPDATE cache_size SET bytes = bytes - OLD.bytes WHERE id = 1;
  END;
  CREATE TABLE cache_counters (
    tier TEXT NOT NULL,
    name TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (tier, name)
  ) WITHOUT ROWID;
  CREATE TABLE cache_latency (
    tier TEXT NOT NULL,
    bucket INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (tier, bucket)
  ) WITHOUT ROWID;
  CREATE TABLE cache_savings (
    agent TEXT PRIMARY KEY,
    hits INTEGER NOT NULL,
    saved_usd REAL NOT NULL,
    saved_ms REAL NOT NULL,
    saved_tokens INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE cache_breaker (
    tier TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    at TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  `
  ALTER TABLE results ADD COLUMN context TEXT;
  ALTER TABLE ledger ADD COLUMN pruned_tokens INTEGER NOT NULL DEFAULT 0;
  `,
  `
  -- One usage shape for every provider: cache reads (the old cached_tokens), cache writes, reasoning.
  ALTER TABLE results RENAME COLUMN cached_tokens TO cache_read_tokens;
  ALTER TABLE results ADD COLUMN cache_write_tokens INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE results ADD COLUMN reasoning_tokens INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE ledger RENAME COLUMN cached_tokens TO cache_read_tokens;
  ALTER TABLE ledger ADD COLUMN cache_write_tokens INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE ledger ADD COLUMN reasoning_tokens INTEGER NOT NULL DEFAULT 0;
  -- The provider that ran it: before this release only the offline provider estimated and only openai reported.
  ALTER TABLE ledger ADD COLUMN provider TEXT;
  UPDATE ledger SET provider = CASE WHEN model IS NULL THEN 'builtin' WHEN source = 'actual' THEN 'openai' ELSE 'offline' END;
  -- What the plan estimated for the execution (unknown for older rows), what each part cost, and result-cache hits.
  ALTER TABLE ledger ADD COLUMN estimated_cost_usd REAL;
  ALTER TABLE ledger ADD COLUMN cost_parts TEXT;
  ALTER TABLE ledger ADD COLUMN cached INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE ledger ADD COLUMN saved_usd REAL NOT NULL DEFAULT 0;
  CREATE INDEX ledger_by_party ON ledger (party_id, at);
  CREATE INDEX ledger_by_agent ON ledger (agent, model);
  `,
  `
  -- Leases shared by every process on the database: one runner per party (party:<id>), one producer per result key
  -- (key:<key>); a holder's heartbeat keeps one alive.
  CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    since TEXT NOT NULL,
    heartbeat INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  `
  -- The sequence number the party's latest snapshot covers, kept on its row: an append reads the row once.
  ALTER TABLE parties ADD COLUMN snapshot_seq INTEGER NOT NULL DEFAULT 0;
  UPDATE parties SET snapshot_seq = coalesce((SELECT seq FROM snapshots s WHERE s.party_id = parties.id ORDER BY version DESC LIMIT 1), 0);
  `,
  `
  -- Cache entries in columns instead of one JSON text: a hit reads the row, it does not parse 2 KB of JSON. Usage of
  -- older releases (cachedTokens, no cache writes or reasoning) is read in today's shape.
  CREATE TABLE cache_results (
    key TEXT PRIMARY KEY,
    agent TEXT NOT NULL,
    output TEXT NOT NULL,
    result_hash TEXT NOT NULL,
    model TEXT,
    input_tokens INTEGER NOT NULL,
    cache_read_tokens INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    reasoning_tokens INTEGER NOT NULL,
    usage_source TEXT NOT NULL,
    duration_ms REAL NOT NULL,
    context TEXT,
    bytes INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    last_access INTEGER NOT NULL
  );
  INSERT INTO cache_results
    SELECT key, agent, json_extract(entry, '$.output'), json_extract(entry, '$.resultHash'), json_extract(entry, '$.model'),
      coalesce(json_extract(entry, '$.usage.inputTokens'), 0),
      coalesce(json_extract(entry, '$.usage.cacheReadTokens'), json_extract(entry, '$.usage.cachedTokens'), 0),
      coalesce(json_extract(entry, '$.usage.cacheWriteTokens'), 0), coalesce(json_extract(entry, '$.usage.outputTokens'), 0),
      coalesce(json_extract(entry, '$.usage.reasoningTokens'), 0), coalesce(json_extract(entry, '$.usage.source'), 'estimated'),
      coalesce(json_extract(entry, '$.durationMs'), 0), json_extract(entry, '$.context'), bytes, created_at, expires_at, last_access
    FROM cache_entries;
  DROP TABLE cache_entries;
  ALTER TABLE cache_results RENAME TO cache_entries;
  CREATE INDEX cache_entries_by_access ON cache_entries (last_access);
  CREATE INDEX cache_entries_by_agent ON cache_entries (agent);
  CREATE INDEX cache_entries_by_expiry ON cache_entries (expires_at);
  CREATE TRIGGER cache_size_insert AFTER INSERT ON cache_entries BEGIN
    UPDATE cache_size SET bytes = bytes + NEW.bytes WHERE id = 1;
  END;
  CREATE TRIGGER cache_size_update AFTER UPDATE OF bytes ON cache_entries BEGIN
    UPDATE cache_size SET bytes = bytes - OLD.bytes + NEW.bytes WHERE id = 1;
  END;
  CREATE TRIGGER cache_size_delete AFTER DELETE ON cache_entries BEGIN
    UPDATE cache_size SET bytes = bytes - OLD.bytes WHERE id = 1;
  END;
  UPDATE cache_size SET bytes = (SELECT coalesce(sum(bytes), 0) FROM cache_entries) WHERE id = 1;
  `,
  `
  -- What an execution's agent sent, as a hash of its provider, model, system and prompt: estimates learn from the
  -- executions of the agent as it is now configured, and start afresh when its prompt or model changes. Older rows
  -- have none and teach nothing.
  ALTER TABLE ledger ADD COLUMN prompt_hash TEXT;
  CREATE INDEX ledger_by_agent_prompt ON ledger (agent, prompt_hash, id);
  `,
  `
  -- Learning from runs without scanning them. counted_input_tokens: our tokenizer's count of the prompt an execution
  -- sent, beside the vendor's input_tokens (the calibration of approximate tokenizers). The executions that teach
  -- (called the provider, reported actual usage) get indexes of their own; ledger_runs counts them per agent and
  -- prompt and names the newest, kept by a trigger; ledger_learned keeps each agent's figures over its latest runs
  -- (a window) with the newest run they include, computed again only when the agent ran since.
  ALTER TABLE ledger ADD COLUMN counted_input_tokens INTEGER;
  DROP INDEX ledger_by_agent_prompt;
  CREATE INDEX ledger_learning ON ledger (agent, prompt_hash, id) WHERE cached = 0 AND source = 'actual';
  CREATE INDEX ledger_calibration ON ledger (model, id) WHERE cached = 0 AND source = 'actual' AND counted_input_tokens IS NOT NULL;
  CREATE TABLE ledger_runs (
    agent TEXT NOT NULL,
    prompt_hash TEXT NOT NULL,
    runs INTEGER NOT NULL,
    last_id INTEGER NOT NULL,
    PRIMARY KEY (agent, prompt_hash)
  ) WITHOUT ROWID;
  INSERT INTO ledger_runs (agent, prompt_hash, runs, last_id)
    SELECT agent, prompt_hash, count(*), max(id) FROM ledger WHERE cached = 0 AND source = 'actual' AND prompt_hash IS NOT NULL GROUP BY agent, prompt_hash;
  CREATE TRIGGER ledger_runs_insert AFTER INSERT ON ledger WHEN NEW.cached = 0 AND NEW.source = 'actual' AND NEW.prompt_hash IS NOT NULL BEGIN
    INSERT INTO ledger_runs (agent, prompt_hash, runs, last_id) VALUES (NEW.agent, NEW.prompt_hash, 1, NEW.id)
      ON CONFLICT (agent, prompt_hash) DO UPDATE SET runs = runs + 1, last_id = NEW.id;
  END;
  CREATE TABLE ledger_learned (
    agent TEXT NOT NULL,
    prompt_hash TEXT NOT NULL,
    window_size INTEGER NOT NULL,
    last_id INTEGER NOT NULL,
    runs_used INTEGER NOT NULL,
    input_p50 REAL, input_p90 REAL, input_mean REAL,
    output_p50 REAL, output_p90 REAL, output_mean REAL,
    mean_cost_usd REAL,
    outliers INTEGER NOT NULL,
    PRIMARY KEY (agent, prompt_hash, window_size)
  ) WITHOUT ROWID;
  `,
  // 10: what impact reads of each party's current results, from an index that holds it (the rows hold the outputs):
  // the definition by its hash (parties share a few definitions; each distinct one is read once). And the batches a
  // refresh submitted (their items: party, agent and request hash), so a refresh resumes them after a restart.
  `
  ALTER TABLE results ADD COLUMN definition_hash TEXT;
  UPDATE results SET definition_hash = partycost_sha256(definition);
  CREATE INDEX results_impact ON results (party_id, agent, key, result_hash, definition_hash, inputs, upstream);
  CREATE INDEX results_definitions ON results (agent, definition_hash);
  CREATE TABLE batches (
    id TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    items TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    ended_at TEXT
  );
  `,
  // 11: why each execution ran (the plan's cause: "cache expired" tells the advisor a longer TTL would have served
  // it), and the advice applied, so what it saves is measured on the runs after it.
  `
  ALTER TABLE ledger ADD COLUMN cause TEXT;
  CREATE INDEX ledger_by_cause ON ledger (cause, at) WHERE cause IS NOT NULL;
  CREATE TABLE advice_applied (
    id INTEGER PRIMARY KEY,
    agent TEXT NOT NULL,
    kind TEXT NOT NULL,
    change TEXT NOT NULL,
    predicted_per_run_usd REAL NOT NULL,
    applied_at TEXT NOT NULL
  );
  `,
  // 12: calls from where agents really run. A row is a model call: ours (`origin` run), or one a trace brought
  // (`collected` by the OTLP receiver, `imported` from a file), which belongs to an agent run (`run_id`: trace and run
  // span; `first_of_run` 1 on the run's first call recorded) and is kept once however often its span arrives (`span_id`:
  // trace and span; `span_key`, unique: the span's start in ms and a hash of its id, probed on a collision, so a
  // batch's keys land together in the index where random text keys would cost a page written per call). `reported_cost_usd` is what the source said it cost, beside ours. `attributed` 0: the agent
  // is the source's name, not one configured. The trigger counts our executions in ledger_runs; the store counts traced
  // runs there itself (a run's calls count once; ledger_traced_runs holds the runs seen, by a 64-bit hash of run_id) and
  // in ledger_production_runs (per agent, what hovers show); ledger_runs.own_last_id names the newest of ours (figures
  // follow our runs at once, traced ones at most every two seconds). The kept figures gain calls per run and are computed again.
  // agent_aliases maps a source's agent name to a configured agent (the quick fix of an unattributed agent).
  // cache_clears: when the result cache was last cleared, whole (`*`), for an agent (`agent:x`) or a key (`key:k`), so
  // an entry a tier kept because it did not answer the clear (a hung Redis) is never served afterwards.
  `
  ALTER TABLE ledger ADD COLUMN origin TEXT NOT NULL DEFAULT 'run';
  ALTER TABLE ledger ADD COLUMN run_id TEXT;
  ALTER TABLE ledger ADD COLUMN first_of_run INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE ledger ADD COLUMN span_id TEXT;
  ALTER TABLE ledger ADD COLUMN span_key INTEGER;
  ALTER TABLE ledger ADD COLUMN reported_cost_usd REAL;
  ALTER TABLE ledger ADD COLUMN attributed INTEGER NOT NULL DEFAULT 1;
  CREATE UNIQUE INDEX ledger_spans ON ledger (span_key) WHERE span_key IS NOT NULL;
  CREATE INDEX ledger_unattributed ON ledger (agent) WHERE attributed = 0;
  CREATE INDEX ledger_production ON ledger (agent, id) WHERE origin <> 'run' AND attributed = 1 AND cached = 0;
  CREATE TABLE ledger_traced_runs (run_key INTEGER PRIMARY KEY) WITHOUT ROWID;
  CREATE TABLE ledger_production_runs (agent TEXT PRIMARY KEY, runs INTEGER NOT NULL) WITHOUT ROWID;
  DROP TRIGGER ledger_runs_insert;
  ALTER TABLE ledger_runs ADD COLUMN own_last_id INTEGER NOT NULL DEFAULT 0;
  UPDATE ledger_runs SET own_last_id = last_id;
  CREATE TRIGGER ledger_runs_insert AFTER INSERT ON ledger WHEN NEW.cached = 0 AND NEW.source = 'actual' AND NEW.prompt_hash IS NOT NULL AND NEW.run_id IS NULL BEGIN
    INSERT INTO ledger_runs (agent, prompt_hash, runs, last_id, own_last_id) VALUES (NEW.agent, NEW.prompt_hash, 1, NEW.id, NEW.id)
      ON CONFLICT (agent, prompt_hash) DO UPDATE SET runs = runs + 1, last_id = NEW.id, own_last_id = NEW.id;
  END;
  ALTER TABLE ledger_learned ADD COLUMN calls_p50 REAL;
  ALTER TABLE ledger_learned ADD COLUMN calls_p90 REAL;
  ALTER TABLE ledger_learned ADD COLUMN calls_mean REAL;
  DELETE FROM ledger_learned;
  CREATE TABLE cache_clears (
    scope TEXT PRIMARY KEY,
    at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE agent_aliases (
    name TEXT PRIMARY KEY,
    agent TEXT NOT NULL,
    at TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 13: the endpoint each batch went to, so a refresh collects it there after the configuration names another (rather
  // than asking the new one, which knows nothing of it, and paying for its calls again). NULL: submitted before.
  `
  ALTER TABLE batches ADD COLUMN base_url TEXT;
  `,
  // 14: a team ledger (PostgreSQL) shared by workspaces. Each execution of ours while one is configured gets a key
  // (its idempotency key there) and who ran it, and waits in team_spool until the team ledger has it; executions
  // other workspaces recorded are pulled in with their key, so every figure read here is the team's. team_state keeps
  // per team ledger where the pull stands and the team's spend when last seen.
  `
  ALTER TABLE ledger ADD COLUMN team_key TEXT;
  ALTER TABLE ledger ADD COLUMN ran_by TEXT;
  CREATE UNIQUE INDEX ledger_team_keys ON ledger (team_key) WHERE team_key IS NOT NULL;
  CREATE TABLE team_spool (ledger_id INTEGER PRIMARY KEY);
  CREATE TABLE team_state (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  `,
];
