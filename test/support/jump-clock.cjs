// Preloaded with --require: replaces Date so the wall clock jumps by JUMP_MS after JUMP_AFTER_MS,
// as an NTP step or a laptop waking would. performance.now() and timers are left alone.
const RealDate = Date;
let offset = 0;
setTimeout(
  () => {
    offset = Number(process.env.JUMP_MS);
  },
  Number(process.env.JUMP_AFTER_MS ?? 500),
).unref();
class JumpingDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + offset);
    else super(...args);
  }
  static now() {
    return RealDate.now() + offset;
  }
}
globalThis.Date = JumpingDate;
