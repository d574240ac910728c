// Loopback receiver of mint_ext's outbound webhooks, for t/051_outbound_webhooks.pl and
// t/052_outbound_lifecycle.pl.
// Verifies every delivery with the official Standard Webhooks library (standardwebhooks,
// pinned by package-lock.json) and its v1a ed25519 signatures with node:crypto, answers 5xx
// or never answers part of the time, and appends one JSON line per request to --log before
// it answers (so a line "accepted" means a 2xx was sent for that id):
//   {"r": "accepted" | "refused" | "hung" | "bad_signature", "id", "ts", "type", "ticket",
//    "seq", "sha256" (of the raw body), "v1a" (a v1a entry verified), "path" (of the URL),
//    "v1ok" (per --secret, in order: whether standardwebhooks verified the request with it),
//    "nv1" (how many v1 signatures the header carries), "why"}
// --secret takes one secret or several separated by commas (an endpoint's old and new secret
// during a rotation, or the secrets of several endpoints): a request is accepted when it
// verifies with any of them.
// usage: node receiver.js --port N --log FILE --secret whsec_...[,whsec_...] [--public-key whpk_...]
//        [--fail-rate 0.2] [--hang-rate 0.01] [--seed 1]
'use strict';
const http = require('node:http');
const fs = require('node:fs');
const crypto = require('node:crypto');
const { Webhook } = require('standardwebhooks');

const opt = { 'fail-rate': '0', 'hang-rate': '0', seed: '1' };
for (let i = 2; i < process.argv.length; i += 2) opt[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const whs = opt.secret.split(',').map((s) => new Webhook(s));
const failRate = Number(opt['fail-rate']);
const hangRate = Number(opt['hang-rate']);
let pub = null;
if (opt['public-key']) {
	// an ed25519 public key as SPKI DER: the fixed prefix and the 32 raw bytes
	const raw = Buffer.from(opt['public-key'].replace(/^whpk_/, ''), 'base64');
	pub = crypto.createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });
}
// xorshift32: a reproducible fault pattern per seed
let state = (Number(opt.seed) >>> 0) || 1;
function rand() {
	state ^= state << 13; state >>>= 0;
	state ^= state >>> 17;
	state ^= state << 5; state >>>= 0;
	return state / 4294967296;
}
const log = fs.openSync(opt.log, 'a');
function record(o) { fs.writeSync(log, JSON.stringify(o) + '\n'); fs.fsyncSync(log); }

const server = http.createServer((req, res) => {
	const chunks = [];
	req.on('data', (c) => chunks.push(c));
	req.on('end', () => {
		const raw = Buffer.concat(chunks);
		const body = raw.toString('utf8');
		const h = req.headers;
		const rec = { id: h['webhook-id'], ts: h['webhook-timestamp'],
			sha256: crypto.createHash('sha256').update(raw).digest('hex'), path: req.url,
			nv1: String(h['webhook-signature'] || '').split(' ').filter((s) => s.startsWith('v1,')).length };
		let why = null;
		rec.v1ok = whs.map((wh) => {
			try {
				wh.verify(body, { 'webhook-id': h['webhook-id'], 'webhook-timestamp': h['webhook-timestamp'],
					'webhook-signature': h['webhook-signature'] });
				return true;
			} catch (e) {
				why = String(e.message);
				return false;
			}
		});
		if (!rec.v1ok.some((ok) => ok)) {
			record({ r: 'bad_signature', ...rec, why });
			res.writeHead(400); res.end();
			return;
		}
		if (pub) {
			const msg = Buffer.from(`${h['webhook-id']}.${h['webhook-timestamp']}.${body}`, 'utf8');
			rec.v1a = String(h['webhook-signature']).split(' ').some((s) => {
				const [v, sig] = s.split(',');
				return v === 'v1a' && crypto.verify(null, msg, pub, Buffer.from(sig, 'base64'));
			});
		}
		try {
			const p = JSON.parse(body);
			rec.type = p.type; rec.ticket = p.data.ticket_id; rec.seq = p.data.sequence;
			rec.event_id = p.data.event_id;
		} catch (e) { rec.why = 'body is not the expected JSON'; }
		const x = rand();
		if (x < hangRate) { record({ r: 'hung', ...rec }); return; }  // never answered
		if (x < hangRate + failRate) { record({ r: 'refused', ...rec }); res.writeHead(503); res.end(); return; }
		record({ r: 'accepted', ...rec });
		res.writeHead(204); res.end();
	});
});
server.listen(Number(opt.port), '127.0.0.1', () => {
	process.stdout.write(`listening on ${server.address().port}\n`);
});
