'use strict';
// -r preload for the host child of the publish-latency part: every measurement the mock plugin's
// own timer produces carries a sequence number as its resistance, stamped (bench/lib/stamp.js)
// just before MockDriver#measure hands it to the host. Nothing else of the driver changes.
const { MockDriver } = require('@imd-host/plugin-mock');
const { stamp } = require('./stamp');

const measure = MockDriver.prototype.measure;
MockDriver.prototype.measure = function stampedMeasure() {
  this.values.resistanceOhm = stamp();
  return measure.call(this);
};
