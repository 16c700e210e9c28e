/**
 * Deadlocks, lock-order inversions and unexpected waits, as plain data (the `deadlocks` and
 * `waits` commands print them; a server can call the same functions):
 *
 *   const tl = new LockTimeline(schemes);  new UstPass(set).run([tl]);
 *   deadlocks(tl), lockOrderInversions(tl), waitForGraphAt(tl, t)
 *   unexpectedLockWaits(tl, end), hungLockWaits(tl)
 *   unexpectedKernelWaits(model, begin, end), hungKernelThreads(model)
 */
export { LockTimeline } from './timeline.js';
export type { CycleLink, DeadlockCycle, HoldRecord, LockRef, LockWaitRecord, OrderEdge, OrderExample, RecentEvent, WaitOutcome } from './timeline.js';
export { deadlocks, lockOrderInversions, resolveSites, shareLockNames, waitForGraphAt } from './deadlocks.js';
export type { Deadlock, Inversion, WaitEdge, WaitForGraph } from './deadlocks.js';
export { DEFAULT_FLOOR_NS, futexWaitsAt, hungKernelThreads, hungLockWaits, isFutexWait, kernelThreadOf, threadsOfProcesses, unexpectedKernelWaits, unexpectedLockWaits } from './waits.js';
export type { FutexWaitAt, HungKernelThread, HungLockWait, KernelWaitFinding, LockWaitFinding, WaitFinding, WaitThresholds } from './waits.js';
export { components, simpleCycles } from './cycles.js';
