'use strict';
// 5. Modbus: placeholder until plugins/modbus lands (see the end of this file).
function available() {
  try {
    const p = require.resolve('@imd-host/plugin-modbus');
    return { ok: true, path: p };
  } catch {
    return { ok: false };
  }
}

async function run({ log }) {
  const a = available();
  if (!a.ok) {
    log('  modbus plugin not available');
    return { available: false, reason: 'modbus plugin not available' };
  }
  throw new Error('modbus part not written yet');
}

module.exports = { run };
