'use strict';
// aedes as a stand-alone broker process (the fallback when mosquitto is not installed).
const net = require('node:net');
const createAedes = require('aedes');

const port = Number(process.argv[2]);
const broker = createAedes();
const server = net.createServer((socket) => broker.handle(socket));
server.listen(port, '127.0.0.1');
const stop = () => {
  server.close();
  broker.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
