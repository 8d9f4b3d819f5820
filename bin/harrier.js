#!/usr/bin/env node
// `harrier run` keeps a SIGHUP (reload) or SIGINT/SIGTERM that comes while it loads, instead of
// dying of it: the latch goes in before the rest of Harrier is read.
if (process.argv[2] === 'run') {
  const { latchStartupSignals } = await import('../dist/cli/startup-signals.js');
  latchStartupSignals();
}
await import('../dist/cli/main.js');
