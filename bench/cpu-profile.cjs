// Preloaded by `npm run bench` with BENCH_CPU_PROF=<dir> (node 20 refuses --cpu-prof in NODE_OPTIONS, not --require):
// profiles this process from SIGUSR2 (sent once it is ready, so start-up is left out) and writes
// <dir>/<pid>.cpuprofile when it exits.
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const path = require('node:path');

const dir = process.env.BENCH_CPU_PROF_DIR;
const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 1000 });
process.once('SIGUSR2', () => session.post('Profiler.start'));
// The in-process inspector answers synchronously, so the profile is written even from an 'exit' listener.
process.on('exit', () => {
  session.post('Profiler.stop', (error, result) => {
    if (!error && result.profile) writeFileSync(path.join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
  });
});
