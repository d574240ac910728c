'use strict';
// Shared test helpers: start/stop a server on a free loopback port, JSON-RPC and control calls,
// and transaction builders (from the byte layouts; independent of the extension's C code).

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const s = require('../lib/sol');
const bg = require('../lib/bubblegum');

const SERVER = path.join(__dirname, '..', 'server.js');

class RpcErr extends Error {
  constructor(e) { super(`${e.code}: ${e.message}`); this.code = e.code; this.data = e.data; this.rpcMessage = e.message; }
}

function waitExit(child, ms = 10000) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve({ code: child.exitCode, signal: child.signalCode });
    const t = setTimeout(() => { child.kill('SIGKILL'); }, ms);
    child.once('exit', (code, signal) => { clearTimeout(t); resolve({ code, signal }); });
  });
}

// Start server.js; resolves once the port file exists.  args: extra command-line options.
async function startServer(args = [], { listen = '127.0.0.1:0' } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svm-test-'));
  const portFile = path.join(dir, 'port');
  const child = spawn(process.execPath, [SERVER, '--listen', listen, '--port-file', portFile, '--quiet', ...args],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const t0 = Date.now();
  while (!fs.existsSync(portFile)) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}: ${stderr}`);
    if (Date.now() - t0 > 30000) { child.kill('SIGKILL'); throw new Error(`server did not start: ${stderr}`); }
    await new Promise((r) => setTimeout(r, 20));
  }
  const port = Number(fs.readFileSync(portFile, 'utf8').trim());
  const base = `http://127.0.0.1:${port}`;
  let id = 0;
  const srv = {
    port, base, child, dir, stderr: () => stderr,
    async http(method, p, body, headers = {}) {
      const res = await fetch(base + p, { method, headers: { 'Content-Type': 'application/json', ...headers }, body });
      const text = await res.text();
      return { status: res.status, text, json: () => JSON.parse(text), headers: res.headers };
    },
    async rpcRaw(method, params) {
      const r = await srv.http('POST', '/', JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }));
      return r.json();
    },
    async rpc(method, params = []) {
      const j = await srv.rpcRaw(method, params);
      if (j.error) throw new RpcErr(j.error);
      return j.result;
    },
    async rpcError(method, params = []) {
      const j = await srv.rpcRaw(method, params);
      if (!j.error) throw new Error(`${method} succeeded, expected an error: ${JSON.stringify(j.result)}`);
      return j.error;
    },
    async control(action, body = {}) {
      const r = await srv.http('POST', action ? `/control/${action}` : '/control', JSON.stringify(body));
      const j = r.json();
      if (r.status !== 200) throw new Error(`control ${action}: ${r.status} ${r.text}`);
      return j;
    },
    advance: (n = 1) => srv.control('advance', { blocks: n }),
    async ledger(q = '') { return (await srv.http('GET', `/ledger${q}`)).json(); },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const r = await waitExit(child);
      fs.rmSync(dir, { recursive: true, force: true });
      return r;
    },
  };
  return srv;
}

// A funded payer (10 SOL by default).
async function fundedPayer(srv, lamports = 10_000_000_000) {
  const kp = s.generateKeypair();
  await srv.control('airdrop', { address: kp.address, lamports });
  return kp;
}

async function blockhash(srv, commitment = 'confirmed') {
  const r = await srv.rpc('getLatestBlockhash', [{ commitment }]);
  return { bytes: s.b58decode(r.value.blockhash), b58: r.value.blockhash, lastValidBlockHeight: r.value.lastValidBlockHeight, slot: r.context.slot };
}

const b64 = (wire) => Buffer.from(wire).toString('base64');
async function send(srv, wire, cfg = {}) {
  return srv.rpc('sendTransaction', [b64(wire), { encoding: 'base64', preflightCommitment: 'confirmed', maxRetries: 0, ...cfg }]);
}
async function sendError(srv, wire, cfg = {}) {
  return srv.rpcError('sendTransaction', [b64(wire), { encoding: 'base64', preflightCommitment: 'confirmed', maxRetries: 0, ...cfg }]);
}
async function statuses(srv, sigs, history = false) {
  return (await srv.rpc('getSignatureStatuses', [sigs, { searchTransactionHistory: history }])).value;
}

function ticketMetadata(i, creators) {
  return { name: `Ticket #${i}`, symbol: 'TIX', uri: `https://tickets.example/e/1/t/${i}.json`, sellerFeeBasisPoints: 0,
    primarySaleHappened: false, isMutable: true, editionNonce: null, tokenStandard: 0, collection: null, uses: null,
    tokenProgramVersion: 0, creators };
}

// A signed mint_v1 transaction (payer = tree creator), optionally with compute-budget instructions.
function mintV1Tx({ payer, tree, owner, metadata, bh, cuLimit, cuPrice, extraSigners = [] }) {
  const ixs = [];
  if (cuLimit) ixs.push(bg.setComputeUnitLimit(cuLimit));
  if (cuPrice) ixs.push(bg.setComputeUnitPrice(cuPrice));
  ixs.push(bg.mintV1Ix({ tree, owner, payer: payer.pub, metadata }));
  return s.buildTransaction(payer, ixs, bh, extraSigners);
}

const secretArray = (kp) => Array.from(kp.secret);

module.exports = { startServer, waitExit, fundedPayer, blockhash, send, sendError, statuses, ticketMetadata, mintV1Tx, secretArray, b64, RpcErr, SERVER };
