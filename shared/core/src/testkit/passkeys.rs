//! A software authenticator for the passkey tests: an Ed25519 credential whose every
//! byte the test can change — the `clientDataJSON`, the authenticator data's RP id
//! hash, flags and counter, the signature — plus helpers that drive the ceremonies
//! through the functions that serve them.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::{json, Value};

use crate::crypto::eddsa::EdSigningKey;
use crate::crypto::kdf::sha256;
use crate::encoding;
use crate::functions::{Api, Login};
use crate::http::Method;
use crate::secret::Secret;
use crate::testkit::{self, request, Client, RequestExt, TestEnv, ORIGIN};

/// The RP id of the test configuration (the host of `ORIGIN`).
pub(crate) const RP_ID: &str = "app.example.com";

/// UP | UV | BE | BS.
pub(crate) const FLAGS: u8 = 0x01 | 0x04 | 0x08 | 0x10;

/// What an assertion is made of, for tampering before it is signed (or after).
#[derive(Debug, Clone)]
pub(crate) struct Parts {
    pub(crate) client_data: Value,
    pub(crate) rp_id: String,
    pub(crate) flags: u8,
    pub(crate) counter: u32,
    pub(crate) user_handle: Option<Vec<u8>>,
    /// Flip a bit of the signature after signing.
    pub(crate) tamper_signature: bool,
}

/// One credential on a software authenticator.
pub(crate) struct Authenticator {
    key: EdSigningKey,
    pub(crate) credential_id: Vec<u8>,
    pub(crate) counter: u32,
    pub(crate) user_handle: Option<Vec<u8>>,
}

impl Authenticator {
    pub(crate) fn new(seed: u8) -> Self {
        let key = EdSigningKey::from_seed(&Secret::new(alloc::vec![seed; 32])).unwrap();
        Self {
            key,
            credential_id: alloc::vec![
                seed, 0xcc, seed, 0xdd, seed, 0xee, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
            ],
            counter: 0,
            user_handle: None,
        }
    }

    /// The COSE_Key of the credential: OKP, EdDSA, Ed25519.
    pub(crate) fn cose_key(&self) -> Vec<u8> {
        let mut key = alloc::vec![0xa4, 0x01, 0x01, 0x03, 0x27, 0x20, 0x06, 0x21, 0x58, 0x20];
        key.extend_from_slice(&self.key.verifying_key().to_bytes());
        key
    }

    fn auth_data(&self, rp_id: &str, flags: u8, counter: u32, attested: bool) -> Vec<u8> {
        let mut data = sha256(rp_id.as_bytes()).to_vec();
        data.push(if attested { flags | 0x40 } else { flags });
        data.extend_from_slice(&counter.to_be_bytes());
        if attested {
            data.extend_from_slice(&[0u8; 16]);
            data.extend_from_slice(&(self.credential_id.len() as u16).to_be_bytes());
            data.extend_from_slice(&self.credential_id);
            data.extend_from_slice(&self.cose_key());
        }
        data
    }

    fn id(&self) -> String {
        encoding::b64url(&self.credential_id)
    }

    /// A `none` registration answering creation `options` (their `{"options": …}`),
    /// with `flags` (the AT bit is added).
    pub(crate) fn register(&mut self, options: &Value, flags: u8) -> Value {
        let options = &options["options"];
        self.user_handle = encoding::b64url_decode(options["user"]["id"].as_str().unwrap());
        let client_data = json!({
            "type": "webauthn.create",
            "challenge": options["challenge"],
            "origin": ORIGIN,
            "crossOrigin": false,
        });
        let auth_data = self.auth_data(RP_ID, flags, self.counter, true);
        let mut object = b"\xa3\x63fmt\x64none\x67attStmt\xa0\x68authData".to_vec();
        object.push(0x58);
        object.push(u8::try_from(auth_data.len()).unwrap());
        object.extend_from_slice(&auth_data);
        json!({
            "id": self.id(),
            "rawId": self.id(),
            "type": "public-key",
            "response": {
                "clientDataJSON": encoding::b64url(client_data.to_string().as_bytes()),
                "attestationObject": encoding::b64url(&object),
                "transports": ["internal", "bogus"],
            },
            "clientExtensionResults": {"credProps": {"rk": true}},
        })
    }

    /// The parts of an assertion answering request `options`, counter advanced.
    pub(crate) fn parts(&mut self, options: &Value) -> Parts {
        self.counter += 1;
        Parts {
            client_data: json!({
                "type": "webauthn.get",
                "challenge": options["options"]["challenge"],
                "origin": ORIGIN,
                "crossOrigin": false,
            }),
            rp_id: RP_ID.into(),
            flags: FLAGS,
            counter: self.counter,
            user_handle: self.user_handle.clone(),
            tamper_signature: false,
        }
    }

    /// The credential JSON of an assertion made of `parts`.
    pub(crate) fn sign(&self, parts: &Parts) -> Value {
        let client_data = parts.client_data.to_string();
        let auth_data = self.auth_data(&parts.rp_id, parts.flags, parts.counter, false);
        let mut message = auth_data.clone();
        message.extend_from_slice(&sha256(client_data.as_bytes()));
        let mut signature = self.key.sign(&message).to_vec();
        if parts.tamper_signature {
            signature[10] ^= 1;
        }
        json!({
            "id": self.id(),
            "rawId": self.id(),
            "type": "public-key",
            "response": {
                "clientDataJSON": encoding::b64url(client_data.as_bytes()),
                "authenticatorData": encoding::b64url(&auth_data),
                "signature": encoding::b64url(&signature),
                "userHandle": parts.user_handle.as_deref().map(encoding::b64url),
            },
            "clientExtensionResults": {},
        })
    }

    /// An untampered assertion answering `options`.
    pub(crate) fn assert(&mut self, options: &Value) -> Value {
        let parts = self.parts(options);
        self.sign(&parts)
    }
}

/// A request to the `api` function as `client`.
pub(crate) fn api(
    env: &TestEnv,
    client: &Client,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> crate::app::Outcome {
    let mut req = request(method, path);
    if let Some(body) = body {
        req = req.json(body);
    }
    env.serve::<Api>(&client.authorize(req))
}

/// The same request to `login` (the routes the Workers `api` forwards to it).
pub(crate) fn forwarded(
    env: &TestEnv,
    client: &Client,
    method: Method,
    path: &str,
    body: Value,
) -> crate::app::Outcome {
    env.serve::<Login>(&client.authorize(request(method, path).json(body)))
}

/// Registers a passkey made by `authenticator` for `client` (whose sign-in must be
/// recent); returns the passkey's view.
pub(crate) fn register(env: &TestEnv, client: &Client, authenticator: &mut Authenticator) -> Value {
    let options = api(env, client, Method::Post, "/api/me/passkeys/options", None);
    assert_eq!(
        options.response.status,
        200,
        "{:?}",
        testkit::body(&options.response)
    );
    let credential = authenticator.register(&testkit::body(&options.response), FLAGS);
    let created = forwarded(
        env,
        client,
        Method::Post,
        "/api/me/passkeys",
        json!({"credential": credential, "name": "Laptop"}),
    );
    assert_eq!(
        created.response.status,
        201,
        "{:?}",
        testkit::body(&created.response)
    );
    testkit::body(&created.response)
}

/// `POST /auth/passkey/options` → its body.
pub(crate) fn sign_in_options(env: &TestEnv) -> Value {
    let outcome = env.serve::<Login>(&request(Method::Post, "/auth/passkey/options"));
    assert_eq!(
        outcome.response.status,
        200,
        "{:?}",
        testkit::body(&outcome.response)
    );
    testkit::body(&outcome.response)
}

/// `POST /auth/passkey/verify` with `credential` (token mode).
pub(crate) fn verify(env: &TestEnv, credential: Value) -> crate::app::Outcome {
    env.serve::<Login>(
        &request(Method::Post, "/auth/passkey/verify")
            .json(json!({"credential": credential, "mode": "token"})),
    )
}

/// The problem code of an outcome.
pub(crate) fn code(outcome: &crate::app::Outcome) -> String {
    serde_json::from_slice::<Value>(&outcome.response.body)
        .ok()
        .and_then(|body| body["code"].as_str().map(ToString::to_string))
        .unwrap_or_default()
}
