export interface Symbols {
  success: string;
  failure: string;
  warning: string;
  info: string;
  bullet: string;
}

const UNICODE: Symbols = { success: '✔', failure: '✖', warning: '⚠', info: 'ℹ', bullet: '·' };
const ASCII: Symbols = { success: 'OK', failure: 'FAIL', warning: '!!', info: 'i', bullet: '-' };

export function symbolsFor(unicode: boolean): Symbols {
  return unicode ? UNICODE : ASCII;
}
