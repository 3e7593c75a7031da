'use strict';
// Loads a CommonJS bundle as require would, with V8's compiled code for it kept between starts. Compiling the
// sidecar's 1 MB bundle is a third of a start on two cores; Node 20 has no compile cache of its own (22 does).
// The code is named by the bundle's content, the Node version and Node's options, and written after the process has run a while
// (so lazily compiled functions are in it), or at exit. A cache that cannot be read, is rejected by V8, or cannot be
// written (a full disk, a file-size limit) is ignored: the bundle loads as usual. PARTYCOST_COMPILE_CACHE=0 turns it off.
//
// V8 runs kept code as it is: it checks that the code was made by the same V8 for a source of the same length, not
// from this source. Whoever can write the cache can run code in the user's next CLI or sidecar start, so the folder
// and the file must be the user's alone (the user's, writable by no one else, no symlink), or the cache is not used.
// The folder is the user's cache folder ($XDG_CACHE_HOME, else ~/.cache; %LOCALAPPDATA% on Windows), not the shared
// temporary folder: there another user could create it first, which the checks refuse but which turns the cache off.
const crypto = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');

/** Writes the compiled code once, after this long or at exit, whichever comes first. */
const writeAfterMs = 2000;

/** The mode bits that let the group or others change a folder's files or a file's code. */
const othersMayWrite = 0o022;

function loadCompiled(file) {
  const source = fs.readFileSync(file, 'utf8');
  const dir = process.env.PARTYCOST_COMPILE_CACHE === '0' ? undefined : cacheFolder();
  if (!dir) return load(file, new vm.Script(Module.wrap(source), { filename: file }));
  const key = crypto.createHash('sha256').update(process.version).update('\0').update(source).digest('hex').slice(0, 32);
  // V8 rejects code compiled under other flags (the CLI's shebang sets one the sidecar's start does not): each set of
  // Node's options keeps its own file, which a new build replaces, so the two never replace each other's.
  const options = crypto
    .createHash('sha256')
    .update(process.execArgv.join('\0'))
    .update('\0')
    .update(process.env.NODE_OPTIONS ?? '')
    .digest('hex')
    .slice(0, 8);
  const cacheFile = path.join(dir, `${path.basename(file, '.js')}-${options}-${key}.bin`);
  const cachedData = readOwn(cacheFile);
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

/** The cache folder, if it is the user's alone or not made yet; none when it is someone else's, or there is no home. */
function cacheFolder() {
  const dir = userCacheFolder();
  if (!dir) return undefined;
  try {
    const stats = fs.lstatSync(dir);
    return stats.isDirectory() && ownedAlone(stats) ? dir : undefined;
  } catch (error) {
    // Not made yet: it is made, and checked again, when the code is first written.
    return error.code === 'ENOENT' ? dir : undefined;
  }
}

/** partycost's folder in the user's cache folder; none for a user without a home (os.homedir() throws). */
function userCacheFolder() {
  try {
    const root = cacheRoot();
    return path.isAbsolute(root) ? path.join(root, 'partycost') : undefined;
  } catch {
    return undefined;
  }
}

/** The user's cache folder; a relative $XDG_CACHE_HOME is ignored, as the XDG spec says. */
function cacheRoot() {
  if (process.platform === 'win32') return process.env.LOCALAPPDATA || path.join(os.homedir(), 'AppData', 'Local');
  const xdg = process.env.XDG_CACHE_HOME;
  return xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
}

/**
 * Whether a folder or file (from lstat or fstat) is the user's alone: no symlink, owned by `uid`, writable by no one
 * else. Windows has neither uids nor these mode bits; there the folder is in the user's own profile.
 */
function ownedAlone(stats, uid = process.getuid?.()) {
  if (stats.isSymbolicLink()) return false;
  return uid === undefined || (stats.uid === uid && (stats.mode & othersMayWrite) === 0);
}

/** The kept code, if its file is the user's alone: opened without following a symlink, and the file opened checked. */
function readOwn(cacheFile) {
  let fd;
  try {
    fd = fs.openSync(cacheFile, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
    const stats = fs.fstatSync(fd);
    return stats.isFile() && ownedAlone(stats) ? fs.readFileSync(fd) : undefined;
  } catch {
    // None yet, or a symlink.
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function keepLater(script, dir, cacheFile) {
  let done = false;
  const write = () => {
    if (done) return;
    done = true;
    try {
      writeOwn(script.createCachedData(), dir, cacheFile);
    } catch {
      // A cache that cannot be written costs the next start a compile, nothing else.
    }
  };
  setTimeout(write, writeAfterMs).unref();
  process.once('exit', write);
}

/** Writes the code into the folder, made the user's alone; never into one someone else made meanwhile. */
function writeOwn(data, dir, cacheFile) {
  makeFolder(dir);
  // A folder that was there already is as it was, and one may have appeared since it was checked.
  const folder = fs.lstatSync(dir);
  if (!folder.isDirectory() || !ownedAlone(folder)) return;
  const partial = `${cacheFile}.${process.pid}.partial`;
  // wx: a new file, never through a file or symlink that is there already.
  fs.writeFileSync(partial, data, { mode: 0o600, flag: 'wx' });
  fs.renameSync(partial, cacheFile);
  // Code of other builds of the same bundle is of no more use.
  const prefix = `${path.basename(cacheFile).split('-').slice(0, -1).join('-')}-`;
  for (const name of fs.readdirSync(dir)) if (name.startsWith(prefix) && name !== path.basename(cacheFile)) fs.rmSync(path.join(dir, name), { force: true });
}

/** Makes the folder and the cache folder it is in (as the XDG spec asks, mode 0700), but never a missing home. */
function makeFolder(dir) {
  for (const folder of [path.dirname(dir), dir]) {
    try {
      fs.mkdirSync(folder, { mode: 0o700 });
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
  }
}

module.exports = { loadCompiled, ownedAlone };
