'use strict';
// EVerest's side of the isolation_monitor API, reduced to what the benchmark needs: one
// mqtt.js client that subscribes to every module's m2e topics under a prefix, stamps each
// message on arrival (performance.now() and process.hrtime), and sends e2m commands.
const mqtt = require('mqtt');
const { performance } = require('node:perf_hooks');
const { onCleanup } = require('./util');

class EverestSide {
  constructor(url, name = 'everest') {
    this.url = url;
    this.name = name;
    /** (topic, payload: Buffer, tNow: ms (performance.now), tHr: bigint ns) => void */
    this.listeners = new Set();
  }

  async connect() {
    this.client = mqtt.connect(this.url, {
      clientId: `imd-bench-${this.name}-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
      reconnectPeriod: 500,
      protocolVersion: 4,
    });
    this.client.on('message', (topic, payload) => {
      const tHr = process.hrtime.bigint();
      const tNow = performance.now();
      for (const l of this.listeners) l(topic, payload, tNow, tHr);
    });
    await new Promise((resolve, reject) => {
      this.client.once('connect', resolve);
      this.client.once('error', reject);
    });
    this.unregister = onCleanup(() => this.close());
  }

  async subscribe(topics, qos = 0) {
    await this.client.subscribeAsync(topics, { qos });
  }

  async unsubscribe(topics) {
    await this.client.unsubscribeAsync(topics);
  }

  on(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  send(base, command, payload = '{}', qos = 1) {
    this.client.publish(`${base}/e2m/${command}`, payload, { qos });
  }

  async close() {
    this.unregister?.();
    if (this.client) await this.client.endAsync(true);
    this.client = undefined;
  }
}

module.exports = { EverestSide };
