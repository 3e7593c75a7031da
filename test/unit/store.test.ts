import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { canonicalJson } from '../../sidecar/hashing/hash';
import { emptyParty, replay } from '../../sidecar/party/state';
import { autoSnapshotEvery, PartyStore } from '../../sidecar/store/partyStore';
import { NewerDatabaseError, openDatabase } from '../../sidecar/store/database';
import { migrations } from '../../sidecar/store/migrations';
import { engine, tempDatabase } from '../engine';

test('the database is created with WAL and the latest schema version; reopening migrates nothing twice', () => {
  const { file, db } = tempDatabase();
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('user_version', { simple: true }), migrations.length);
  db.close();
  const again = openDatabase(file);
  assert.equal(again.pragma('user_version', { simple: true }), migrations.length);
  again.close();
});

test('a database from a newer version is refused, not damaged: not a byte of it, not even its journal mode', () => {
  const { file, db } = tempDatabase();
  // In the rollback journal mode, so that a switch to WAL before the refusal would show in its header.
  db.pragma('journal_mode = DELETE');
  db.pragma(`user_version = ${migrations.length + 1}`);
  db.close();
  const before = readFileSync(file);
  assert.throws(
    () => openDatabase(file),
    (error) => error instanceof NewerDatabaseError && /schema version \d+ is newer than this Party Cost Inspector understands/.test(error.message),
  );
  assert.deepEqual(readFileSync(file), before);
  assert.deepEqual(readdirSync(path.dirname(file)), ['partycost.db'], 'no -wal or -shm beside it');
});

test('a newer version still in the WAL of a process that has the database open is refused too', () => {
  const { file, db } = tempDatabase();
  db.pragma(`user_version = ${migrations.length + 1}`);
  const header = readFileSync(file).subarray(0, 100);
  assert.ok(header.readInt32BE(60) <= migrations.length, 'the file itself still says a version this release knows');
  try {
    assert.throws(() => openDatabase(file), NewerDatabaseError);
    assert.deepEqual(readFileSync(file).subarray(0, 100), header);
  } finally {
    db.close();
  }
});

test('events are numbered per party; an automatic snapshot lands every 10 events', () => {
  const { db } = tempDatabase();
  const store = new PartyStore(db);
  const a = store.createParty('a');
  const b = store.createParty('b');
  for (let i = 1; i <= 25; i++) store.append(a.id, [{ type: 'input_added', input: { id: `i${i}`, text: `input ${i}`, agents: [] } }]);
  store.append(b.id, [{ type: 'input_added', input: { id: 'i1', text: 'x', agents: ['theme'] } }]);
  assert.deepEqual(
    store.events(a.id).map((e) => e.seq),
    Array.from({ length: 26 }, (_, i) => i + 1),
  );
  assert.deepEqual(
    store.events(b.id).map((e) => e.seq),
    [1, 2],
  );
  assert.deepEqual(
    store.snapshots(a.id).map((s) => [s.version, s.type, s.seq]),
    [
      [1, 'auto', autoSnapshotEvery],
      [2, 'auto', 2 * autoSnapshotEvery],
    ],
  );
  const saved = store.saveSnapshot(a.id, 'final');
  assert.deepEqual([saved.version, saved.type, saved.seq], [3, 'final', 27]);
  assert.equal(store.load(a.id).status, 'final');
  store.append(a.id, [{ type: 'input_removed', inputId: 'i1' }]);
  assert.equal(store.load(a.id).status, 'editing', 'a final party that is edited is being edited again');
});

test('replay from the latest snapshot equals replay from nothing and the projection', async () => {
  const parties = engine();
  const { party, inputs } = parties.create('p', ['jungle theme', '75 guests', 'chocolate cake']);
  await parties.run(party.id);
  parties.addInput(party.id, 'Need balloon artist');
  parties.removeInput(party.id, inputs[2].id);
  await parties.run(party.id);
  parties.save(party.id, 'draft');
  parties.addInput(party.id, 'vegan snacks');
  const store = parties.store;
  const latest = store.replayLatest(party.id);
  assert.ok(latest.fromVersion !== null && latest.eventsReplayed < autoSnapshotEvery);
  const fromNothing = replay(
    emptyParty(party.id),
    store.events(party.id).map((e) => e.event),
  );
  assert.equal(canonicalJson(latest.state), canonicalJson(fromNothing));
  assert.equal(canonicalJson(store.load(party.id)), canonicalJson(fromNothing));
});

test('resume with a version restores that snapshot as a new event; history keeps everything', async () => {
  const parties = engine();
  const { party } = parties.create('p', ['jungle theme']);
  await parties.run(party.id);
  const v = parties.save(party.id, 'draft').version;
  parties.addInput(party.id, 'pirate theme');
  const eventsBefore = parties.store.events(party.id).length;
  const resumed = await parties.resume(party.id, v);
  assert.equal(resumed.restored, true);
  const state = parties.store.load(party.id);
  assert.deepEqual(
    state.inputs.map((i) => i.text),
    ['jungle theme'],
  );
  assert.equal(state.status, 'editing');
  assert.equal(parties.store.events(party.id).length, eventsBefore + 1);
  assert.ok(resumed.plan.agents.every((a) => a.action !== 'execute'));
  // A new input after resuming never reuses the id of one added after the snapshot.
  assert.equal(parties.addInput(party.id, 'vegan snacks').id, 'i3');
});
