/** $GITHUB_OUTPUT as the runner reads it: name=value lines and name<<DELIMITER blocks. */
export function readOutputs(text: string): Record<string, string> {
  const lines = text.split('\n');
  const outputs: Record<string, string> = {};
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([a-z-]+)<<(\S+)$/.exec(lines[i] ?? '');
    if (heredoc?.[1] && heredoc[2]) {
      const end = lines.indexOf(heredoc[2], i + 1);
      outputs[heredoc[1]] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (lines[i]) {
      const [key = '', ...value] = (lines[i] ?? '').split('=');
      outputs[key] = value.join('=');
    }
  }
  return outputs;
}
