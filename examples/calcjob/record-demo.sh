#!/usr/bin/env bash
# Re-records the demo trace examples/demo-trace: calcjob (LTTng-UST tracepoints) together with
# the kernel's scheduling and IRQ events recorded by perf on the same clock.
#
#   sudo examples/calcjob/record-demo.sh        (root: perf records kernel tracepoints on all CPUs)
#
# Needs lttng-tools, liblttng-ust-dev, g++, make, linux-perf, and `npm ci` done (dist/ built).
# System calls are left out (--no-syscalls): recorded machine-wide they would mostly be other
# processes' and make the demo size depend on how busy the machine is (~5 MB instead of ~0.6 MB).
set -euo pipefail
cd "$(dirname "$0")/../.."

make -C examples/calcjob calcjob
[ -f dist/src/cli/main.js ] || npm run build
rm -rf examples/demo-trace
node bin/tracelane.js record -o examples/demo-trace --kernel=perf --no-syscalls -- \
  examples/calcjob/calcjob -n 40 -k 3
du -sh examples/demo-trace
