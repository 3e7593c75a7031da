'use strict';
// Loads a CommonJS bundle as require would, with V8's compiled code for it kept between starts. Compiling the
// sidecar's 1 MB bundle is a third of a start on two cores; Node 20 has no compile cache of its own (22 does).
// The code is kept in the temporary folder, named by the bundle's content and the Node version, and written after
// the process has run a while (so lazily compiled functions are in it), or at exit. A cache that cannot be read,
// is rejected by V8, or cannot be written (a full disk, a file-size limit) is ignored: the bundle loads as usual.
// PARTYCOST_COMPILE_CACHE=0 turns it off.
const crypto = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');

/** Writes the compiled code once, after this long or at exit, whichever comes first. */
const writeAfterMs = 2000;

function loadCompiled(file) {
  const source = fs.readFileSync(file, 'utf8');
  if (process.env.PARTYCOST_COMPILE_CACHE === '0') return load(file, new vm.Script(Module.wrap(source), { filename: file }));
  const key = crypto.createHash('sha256').update(process.version).update('\0').update(source).digest('hex').slice(0, 32);
  const dir = path.join(os.tmpdir(), `partycost-compile-cache-${typeof process.getuid === 'function' ? process.getuid() : 'user'}`);
  const cacheFile = path.join(dir, `${path.basename(file, '.js')}-${key}.bin`);
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // None yet.
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  if (!cachedData || script.cachedDataRejected) keepLater(script, dir, cacheFile);
  return load(file, script);
}

/** Runs the wrapped bundle as the module `file`, with its own require (relative paths from its folder). */
function load(file, script) {
  const module = new Module(file, require.main);
  module.filename = file;
  module.paths = Module._nodeModulePaths(path.dirname(file));
  const wrapper = script.runInThisContext({ displayErrors: true });
  wrapper.call(module.exports, module.exports, Module.createRequire(file), module, file, path.dirname(file));
  module.loaded = true;
  return module.exports;
}

function keepLater(script, dir, cacheFile) {
  let done = false;
  const write = () => {
    if (done) return;
    done = true;
    try {
      const data = script.createCachedData();
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const partial = `${cacheFile}.${process.pid}.partial`;
      fs.writeFileSync(partial, data, { mode: 0o600 });
      fs.renameSync(partial, cacheFile);
      // Code of other builds of the same bundle is of no more use.
      const prefix = `${path.basename(cacheFile).split('-').slice(0, -1).join('-')}-`;
      for (const name of fs.readdirSync(dir))
        if (name.startsWith(prefix) && name !== path.basename(cacheFile)) fs.rmSync(path.join(dir, name), { force: true });
    } catch {
      // A cache that cannot be written costs the next start a compile, nothing else.
    }
  };
  setTimeout(write, writeAfterMs).unref();
  process.once('exit', write);
}

module.exports = { loadCompiled };
