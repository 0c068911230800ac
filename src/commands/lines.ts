import { timestamp } from '../render/plain.js';

export function plainTimestampedLine(at: number, text: string): string {
  return `${timestamp(at)} ${text}\n`;
}
