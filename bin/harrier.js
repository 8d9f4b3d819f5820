#!/usr/bin/env node
// `harrier run` and `harrier serve` keep a SIGHUP (reload) or SIGINT/SIGTERM that comes while
// they load, instead of dying of it: the latch goes in before the rest of Harrier is read.
if (process.argv[2] === 'run' || process.argv[2] === 'serve') {
  const { latchStartupSignals } = await import('../dist/cli/startup-signals.js');
  latchStartupSignals();
}
await import('../dist/cli/main.js');
