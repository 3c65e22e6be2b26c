#!/usr/bin/env node
'use strict';
// Thin launcher so that npm links the command before the TypeScript build has run.
try {
  require.resolve('../dist/bin.js');
} catch {
  process.stderr.write('imd-host is not built yet: run `npm run build` at the repository root.\n');
  process.exit(1);
}
require('../dist/bin.js');
