//! The lists' one cursor codec: the last item's sort key and id, joined by `|`, base64url
//! without padding. Opaque to clients; each list parses the key back into its type.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

pub fn encode(key: impl std::fmt::Display, id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{key}|{id}"))
}

/// The key and the id as text; `None` for anything this codec did not write.
pub fn decode(raw: &str) -> Option<(String, String)> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(raw.trim()).ok()?).ok()?;
    let (key, id) = text.split_once('|')?;
    Some((key.to_owned(), id.to_owned()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trip() {
        let c = super::encode(1250, "0193c4e2-7a1b-7c3d-9e4f-5a6b7c8d9e0f");
        assert_eq!(
            super::decode(&c),
            Some(("1250".into(), "0193c4e2-7a1b-7c3d-9e4f-5a6b7c8d9e0f".into()))
        );
        assert_eq!(super::decode("not a cursor"), None);
    }
}
