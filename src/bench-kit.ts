/** What `npm run bench` needs to replay hours of polling in virtual time (built to dist/bench-kit.js). */
export { Limiter } from './poll/limiter.js';
export { pollJob } from './poll/poller.js';
export { VirtualClock } from './poll/virtual-clock.js';
export { statusAt } from './sim/scenarios.js';
