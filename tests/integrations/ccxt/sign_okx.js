// Signs OKX requests with ccxt under a frozen clock and prints what it would send.
// Input (argv[2]): a JSON file [{id, kind: "rest"|"ws_login", frozen_ms, sandbox,
// method, path (ccxt's, e.g. "trade/order"), params (object or array)}].
// Output (stdout): a JSON array [{id, url, method, body, headers, login}].
// Credentials are fake, the same the C++ test uses; nothing is sent anywhere.
'use strict';
const fs = require('fs');
const ccxt = require('ccxt');

const cases = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const creds = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));

function exchange(kind, frozenMs, sandbox) {
  const ex = kind === 'ws_login' ? new ccxt.pro.okx(creds) : new ccxt.okx(creds);
  if (sandbox) ex.setSandboxMode(true);
  ex.options['timeDifference'] = 0;
  ex.milliseconds = () => frozenMs;
  ex.seconds = () => Math.floor(frozenMs / 1000);
  return ex;
}

const out = [];
for (const c of cases) {
  const ex = exchange(c.kind, c.frozen_ms, c.sandbox);
  if (c.kind === 'ws_login') {
    let login;
    ex.watch = (url, hash, request) => { login = request; return new Promise(() => {}); };
    ex.authenticate();  // runs synchronously up to watch(); its future never settles
    out.push({ id: c.id, login: JSON.stringify(login) });
    continue;
  }
  const signed = ex.sign(c.path, 'private', c.method, c.params);
  // Request headers are the exchange defaults (the demo flag lives there) plus sign()'s.
  const headers = Object.assign({}, ex.headers, signed.headers);
  out.push({ id: c.id, url: signed.url, method: signed.method, body: signed.body === undefined ? '' : signed.body,
             headers });
}
process.stdout.write(JSON.stringify(out));
process.exit(0);
