'use strict';
// A path plugin for the publish-latency benchmark (`plugin: ./bench-plugin.js`). It implements
// the SDK's Driver contract with no device and no timer of its own: the harness, in the same
// process, calls `emit(seq)` on the driver, which records the hrtime and reports a measurement
// whose resistanceOhm is the sequence number. `drivers` maps module id -> driver.
const drivers = new Map();

class BenchDriver {
  constructor(options, ctx) {
    this.ctx = ctx;
    this.pollIntervalMs = options.pollIntervalMs;
    this.voltageV = options.voltageV;
    this.started = false;
    this.opened = false;
    /** hrtime (ns, bigint) at emit, by sequence number. */
    this.emittedAt = new Map();
    this.onStart = undefined;
    drivers.set(ctx.moduleId, this);
  }

  async open() {
    this.opened = true;
  }

  async start() {
    this.started = true;
    if (this.onStart) this.onStart();
  }

  async stop() {
    this.started = false;
  }

  async selfTest() {
    return true;
  }

  async close() {
    this.started = false;
    drivers.delete(this.ctx.moduleId);
  }

  /** Report measurement number `seq` now; returns the hrtime recorded at emit. */
  emit(seq) {
    const t = process.hrtime.bigint();
    this.emittedAt.set(seq, t);
    this.ctx.measurement({ resistanceOhm: seq, voltageV: this.voltageV });
    return t;
  }
}

const plugin = {
  name: 'imd-bench-plugin',
  version: '0.0.0',
  sdkVersion: '1.0.0',
  description: 'benchmark driver: the harness triggers measurements',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      pollIntervalMs: { type: 'integer', minimum: 1, default: 1000 },
      voltageV: { type: 'number', default: 400 },
    },
  },
  createDriver: (options, ctx) => new BenchDriver(options, ctx),
};

module.exports = { plugin, default: plugin, drivers, BenchDriver };
