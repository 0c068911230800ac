// The floor `watch` is measured against: a minimal Node poller written by hand. Each job is
// polled every interval over one keep-alive agent (at most `concurrency` sockets), its body
// parsed, a line printed when its status line changes; a job stops at a terminal status.
// usage: node poller.cjs <interval ms> <concurrency> <status URL>...
const http = require('node:http');

const [intervalMs, concurrency, ...urls] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(concurrency) });
let running = urls.length;

function poll(url, last) {
  http.get(url, { agent, headers: { 'accept-language': 'en-US' } }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => {
      body += chunk;
    });
    res.on('end', () => {
      const s = JSON.parse(body);
      const line = `${s.status}${s.progress ? ` ${s.progress.processed}/${s.progress.total}` : ''}`;
      if (line !== last) console.log(`${new Date().toISOString()} ${url} ${line}`);
      if (s.status === 'Successful' || s.status === 'Failed') {
        if (--running === 0) agent.destroy();
        return;
      }
      setTimeout(poll, Number(intervalMs), url, line);
    });
  });
}

for (const url of urls) poll(url, undefined);
