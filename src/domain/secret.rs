//! Random secrets (login links, sessions, API tokens) and how they are stored: only their
//! SHA-256 ever reaches the database.

use sha2::{Digest, Sha256};

/// Bytes as lower-case hex (digests in the database, the assets' version): the one encoder.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256, hex: how tokens and session ids are stored.
pub fn hash_secret(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// A new random secret: 32 bytes, base64url.
pub fn new_secret() -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
