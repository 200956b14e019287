'use strict';
// Items service in JavaScript (node's http module only), implementing contract.json.
const http = require('node:http');

const items = new Map([[1, { id: 1, name: 'first' }]]);

function send(res, status, payload) {
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') return send(res, 200, { status: 'ok' });
  const match = /^\/items\/(\d+)$/.exec(req.url);
  if (req.method === 'GET' && match) {
    const item = items.get(Number(match[1]));
    return item ? send(res, 200, item) : send(res, 404, { error: 'no such item' });
  }
  if (req.method === 'POST' && req.url === '/items') {
    let raw = '';
    req.on('data', (chunk) => { raw += chunk; });
    req.on('end', () => {
      let data;
      try { data = JSON.parse(raw || '{}'); } catch { return send(res, 400, { error: 'invalid JSON' }); }
      if (typeof data.name !== 'string') return send(res, 400, { error: 'name is required' });
      const item = { id: items.size + 1, name: data.name };
      items.set(item.id, item);
      return send(res, 201, item);
    });
    return undefined;
  }
  return send(res, 404, { error: 'not found' });
});

server.listen(Number(process.env.PORT), '127.0.0.1');
