#!/usr/bin/env -S node --max-semi-space-size=16
'use strict';
const path = require('node:path');
const { loadCompiled } = require('./compileCache.js');
const bundle = path.join(__dirname, '..', 'dist', 'sidecar.js');
let sidecar;
try {
  sidecar = loadCompiled(bundle);
} catch (error) {
  if (error && error.code === 'ENOENT' && error.path === bundle) {
    process.stderr.write(`partycost: the engine is not built yet; run "npm install" (or "npm run build") in ${path.dirname(__dirname)}\n`);
    process.exit(1);
  }
  throw error;
}
sidecar.run(process.argv.slice(2));
