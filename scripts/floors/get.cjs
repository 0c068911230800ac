// The floor `get <id>` is measured against: what a person would write by hand in one file.
// One GET with node:http, the body parsed, one line printed.
const http = require('node:http');

http.get(process.argv[2], { headers: { 'accept-language': 'en-US' } }, (res) => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (chunk) => {
    body += chunk;
  });
  res.on('end', () => {
    const s = JSON.parse(body);
    const p = s.progress;
    console.log(`${s.status}${p ? ` ${p.processed}/${p.total}` : ''}`);
  });
});
