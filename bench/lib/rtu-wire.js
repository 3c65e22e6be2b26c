'use strict';
// An RS-485 wire at a given baud rate between two ptys: `node rtu-wire.js PTY_A PTY_B BAUD [BITS]`.
// A pty pair passes bytes instantly whatever its termios say, so a poll over a bare socat pair
// would not show the physical floor. This relay forwards each chunk, in each direction, when
// its last byte would have left the wire: bytes are serialised at BITS (default 11: start, 8
// data, parity, stop) / BAUD seconds each, back to back, never two frames at once. Prints
// "ready" once both ends are open; on exit prints its mean lateness against the schedule.
const { SerialPort } = require('serialport');
const { performance } = require('node:perf_hooks');

const [a, b, baudArg, bitsArg] = process.argv.slice(2);
const baud = Number(baudArg);
const byteMs = (Number(bitsArg || 11) * 1000) / baud;
const late = [];

function open(path) {
  return new Promise((resolve, reject) => {
    const p = new SerialPort({ path, baudRate: baud, parity: 'even', dataBits: 8, stopBits: 1 }, (err) =>
      err ? reject(err) : resolve(p),
    );
  });
}

function pipe(from, to) {
  let busyUntil = 0;
  from.on('data', (chunk) => {
    const t = performance.now();
    const end = Math.max(t, busyUntil) + chunk.length * byteMs;
    busyUntil = end;
    const fire = () => {
      while (performance.now() < end) {
        // spin the last fraction of a millisecond: setTimeout alone is up to ~1 ms late
      }
      late.push(performance.now() - end);
      to.write(chunk);
    };
    const wait = end - performance.now() - 1.2;
    if (wait > 0) setTimeout(fire, wait);
    else fire();
  });
}

Promise.all([open(a), open(b)]).then(
  ([pa, pb]) => {
    pipe(pa, pb);
    pipe(pb, pa);
    process.stdout.write('ready\n');
    const stop = () => {
      const mean = late.length ? late.reduce((x, y) => x + y, 0) / late.length : 0;
      process.stdout.write(
        `lateness ${JSON.stringify({ chunks: late.length, meanMs: mean, maxMs: Math.max(0, ...late) })}\n`,
      );
      pa.close();
      pb.close();
      setTimeout(() => process.exit(0), 100);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  },
  (err) => {
    process.stderr.write(`rtu-wire: ${err.message}\n`);
    process.exit(1);
  },
);
