// Runs the Standard Webhooks reference library (the npm package "standardwebhooks", pinned in
// package.json) for the webhook interoperability tests.
//
// Usage: node standard_webhooks.js REQUEST.json RESPONSE.json
// REQUEST is one of
//   {"op": "sign", "secret": S, "id": I, "timestamp": T, "body": B}
//       -> {"ok": true, "signature": "v1,..."}
//   {"op": "verify", "secret": S, "headers": {...}, "body_base64": B}
//       -> {"ok": true} when the reference accepts the webhook
//   {"op": "construct", "secret": S}
//       -> {"ok": true, "key_hex": "..."} when the reference accepts the secret
// Any refusal is {"ok": false, "error": message}.
"use strict";
const fs = require("fs");
const { Webhook } = require("standardwebhooks");

const request = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
let response;
try {
  const webhook = new Webhook(request.secret);
  if (request.op === "sign") {
    response = {
      ok: true,
      signature: webhook.sign(request.id, new Date(request.timestamp * 1000), request.body),
    };
  } else if (request.op === "verify") {
    const body = Buffer.from(request.body_base64, "base64");
    webhook.verify(body, request.headers);
    response = { ok: true };
  } else if (request.op === "construct") {
    response = { ok: true, key_hex: Buffer.from(webhook.key).toString("hex") };
  } else {
    response = { ok: false, error: "unknown op " + request.op };
  }
} catch (e) {
  response = { ok: false, error: String(e && e.message) };
}
fs.writeFileSync(process.argv[3], JSON.stringify(response));
