/** What `npm run bench` needs to replay hours of polling in virtual time (built to dist/bench-kit.js). */
export { Limiter } from '../src/poll/limiter.js';
export { pollJob } from '../src/poll/poller.js';
export { statusAt } from '../src/sim/scenarios.js';
export { VirtualClock } from '../test/support/virtual-clock.js';
