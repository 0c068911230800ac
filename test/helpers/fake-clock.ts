export { seededRandom, VirtualClock as FakeClock } from '../../src/poll/virtual-clock.js';
