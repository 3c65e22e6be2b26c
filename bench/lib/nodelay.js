'use strict';
// Experiment preload (`--host-node-args "-r ./bench/lib/nodelay.js"`): every TCP socket of the
// process gets TCP_NODELAY, as the fix proposed for the transport would do for the MQTT socket.
const net = require('node:net');

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function patchedConnect(...args) {
  this.setNoDelay(true);
  return connect.apply(this, args);
};
