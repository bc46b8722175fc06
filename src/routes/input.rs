//! Reading request bodies so that every bad field is named.
//!
//! Request DTOs wrap each field in [`Lenient`], which never fails to deserialize: a value of
//! the wrong JSON type is kept as `Invalid`, so one pass over the DTO with a [`Checker`] can
//! report all bad fields at once instead of stopping at serde's first error.

use actix_web::http::header;
use actix_web::HttpRequest;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use validator::{ValidateEmail, ValidateLength, ValidateRange};

use crate::domain::{CleanText, Email};
use crate::error::{ApiError, FieldError};
use crate::i18n::Msg;
use crate::i18n::{self, Lang};

/// Largest JSON body accepted.
pub const JSON_LIMIT: usize = 64 * 1024;

/// A field as sent: absent (or null), a value of the right type, or a value of the wrong type.
#[derive(Debug, Clone, Default)]
pub enum Lenient<T> {
    #[default]
    Missing,
    Value(T),
    Invalid,
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = serde_json::Value::deserialize(d)?;
        if raw.is_null() {
            return Ok(Lenient::Missing);
        }
        Ok(serde_json::from_value(raw).map_or(Lenient::Invalid, Lenient::Value))
    }
}

/// A field of a partial update: absent (leave it), `null` (clear it), a value of the right
/// type, or a value of the wrong type (kept, so every bad field can be named at once).
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Patch<T> {
    #[default]
    Absent,
    Null,
    Value(T),
    Invalid,
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Only reached for a field that is present (`#[serde(default)]` gives `Absent`).
        let raw = serde_json::Value::deserialize(d)?;
        if raw.is_null() {
            return Ok(Patch::Null);
        }
        Ok(serde_json::from_value(raw).map_or(Patch::Invalid, Patch::Value))
    }
}

impl<T> Patch<T> {
    pub fn is_null(&self) -> bool {
        matches!(self, Patch::Null)
    }

    /// For a field that cannot be cleared: `null` counts as absent.
    pub fn into_lenient(self) -> Lenient<T> {
        match self {
            Patch::Absent | Patch::Null => Lenient::Missing,
            Patch::Value(v) => Lenient::Value(v),
            Patch::Invalid => Lenient::Invalid,
        }
    }
}

/// A key a request object does not have; `null` tells whether its value was `null`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownField {
    pub name: String,
    pub null: bool,
}

/// Implements `Deserialize` for a request struct whose fields never fail (`Patch`,
/// `Lenient`): known keys go to their fields, unknown keys are collected in its `unknown`
/// field (instead of serde's first-error stop), so one pass can name every bad field. The
/// struct keeps `#[serde(deny_unknown_fields)]` for its schema (`additionalProperties:
/// false`); this impl, not serde's derive, is what reads it.
macro_rules! collecting_object {
    ($ty:ident { $($field:ident),* $(,)? }) => {
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct Fields;
                impl<'de> serde::de::Visitor<'de> for Fields {
                    type Value = $ty;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("a JSON object")
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<$ty, A::Error> {
                        let mut out = <$ty>::default();
                        while let Some(key) = map.next_key::<String>()? {
                            match key.as_str() {
                                $(stringify!($field) => out.$field = map.next_value()?,)*
                                _ => {
                                    let v: Option<serde::de::IgnoredAny> = map.next_value()?;
                                    out.unknown.push($crate::routes::input::UnknownField {
                                        name: key,
                                        null: v.is_none(),
                                    });
                                }
                            }
                        }
                        Ok(out)
                    }
                }
                d.deserialize_map(Fields)
            }
        }
    };
}
pub(crate) use collecting_object;

/// A nested object field: unlike serde's derive, refuses a JSON array in place of the object.
#[derive(Debug, Clone)]
pub struct Object<T>(pub T);

impl<'de, T: DeserializeOwned> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = serde_json::Map::deserialize(d)?;
        serde_json::from_value(serde_json::Value::Object(map))
            .map(Object)
            .map_err(serde::de::Error::custom)
    }
}

/// Reads a request body of at most `limit` bytes. Refuses early on a larger `Content-Length`
/// and stops reading as soon as the limit is passed.
pub async fn read_body(
    req: &HttpRequest,
    mut payload: actix_web::web::Payload,
    limit: usize,
) -> Result<actix_web::web::Bytes, ApiError> {
    use futures_util::StreamExt;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    let mut body = actix_web::web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::MalformedBody(e.to_string()))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Checks the content type and size and parses the body as a JSON object.
pub fn parse_json_object(req: &HttpRequest, body: &[u8]) -> Result<serde_json::Value, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence != "application/json" && !essence.ends_with("+json") {
        return Err(ApiError::UnsupportedMediaType {
            expected: "application/json",
        });
    }
    if body.len() > JSON_LIMIT {
        return Err(ApiError::PayloadTooLarge { limit: JSON_LIMIT });
    }
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| ApiError::MalformedBody(e.to_string()))?;
    if !value.is_object() {
        return Err(ApiError::MalformedBody(
            i18n::current().t(Msg::BodyNotJsonObject).to_owned(),
        ));
    }
    Ok(value)
}

/// Reads a JSON request body into its DTO: size, content type, an object, then serde.
pub async fn json_body<T: DeserializeOwned>(
    req: &HttpRequest,
    payload: actix_web::web::Payload,
) -> Result<T, ApiError> {
    let body = read_body(req, payload, JSON_LIMIT).await?;
    from_object(parse_json_object(req, &body)?)
}

/// Reads a JSON object into a DTO of [`Lenient`] fields (which cannot fail on field types).
pub fn from_object<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_json::from_value(value).map_err(|e| ApiError::MalformedBody(e.to_string()))
}

/// The message for a field error code, in the caller's language.
pub fn message(code: &str, lang: Lang, range: Option<(usize, usize)>) -> String {
    match (code, lang) {
        ("required", Lang::Sv) => "Fältet måste fyllas i.".into(),
        ("required", Lang::En) => "This field is required.".into(),
        ("empty", Lang::Sv) => "Värdet är tomt; utelämna parametern i stället.".into(),
        ("empty", Lang::En) => "The value is empty; leave the parameter out instead.".into(),
        ("type", Lang::Sv) => "Värdet har fel typ.".into(),
        ("type", Lang::En) => "The value has the wrong type.".into(),
        ("length", Lang::Sv) => {
            let (min, max) = range.unwrap_or((0, 0));
            format!("Skriv mellan {min} och {max} tecken.")
        }
        ("length", Lang::En) => {
            let (min, max) = range.unwrap_or((0, 0));
            format!("Write between {min} and {max} characters.")
        }
        ("range", Lang::Sv) => "Värdet ligger utanför det tillåtna intervallet.".into(),
        ("range", Lang::En) => "The value is outside the allowed range.".into(),
        ("email", Lang::Sv) => "Ange en giltig e-postadress, t.ex. namn@example.se.".into(),
        ("email", Lang::En) => "Enter a valid e-mail address, e.g. name@example.se.".into(),
        ("phone", Lang::Sv) => "Ange ett telefonnummer med 5–20 siffror.".into(),
        ("phone", Lang::En) => "Enter a phone number with 5–20 digits.".into(),
        ("control_character", Lang::Sv) => "Texten innehåller otillåtna styrtecken.".into(),
        ("control_character", Lang::En) => "The text contains control characters.".into(),
        ("invisible_character", Lang::Sv) => {
            "Texten innehåller osynliga tecken eller riktningstecken (t.ex. U+202E, U+200B).".into()
        }
        ("invisible_character", Lang::En) => {
            "The text contains invisible or direction-changing characters (e.g. U+202E, U+200B)."
                .into()
        }
        ("format", Lang::Sv) => "Värdet har fel format.".into(),
        ("format", Lang::En) => "The value has the wrong format.".into(),
        ("unknown_value", Lang::Sv) => "Värdet är inte ett av de tillåtna.".into(),
        ("unknown_value", Lang::En) => "The value is not one of the allowed ones.".into(),
        ("in_future", Lang::Sv) => "Tidpunkten kan inte ligga i framtiden.".into(),
        ("in_future", Lang::En) => "The time cannot be in the future.".into(),
        ("too_early", Lang::Sv) => "Tidpunkten är för tidig.".into(),
        ("too_early", Lang::En) => "The time is too early.".into(),
        ("unknown_org_unit", Lang::Sv) => "Enheten finns inte eller är inte aktiv.".into(),
        ("unknown_org_unit", Lang::En) => "The unit does not exist or is not active.".into(),
        ("both_or_neither", Lang::Sv) => {
            "Ange både latitud och longitud, eller ingen av dem.".into()
        }
        ("both_or_neither", Lang::En) => "Give both latitude and longitude, or neither.".into(),
        ("duplicate", Lang::Sv) => "Samma värde förekommer flera gånger.".into(),
        ("duplicate", Lang::En) => "The same value occurs more than once.".into(),
        (_, Lang::Sv) => "Värdet är inte giltigt.".into(),
        (_, Lang::En) => "The value is not valid.".into(),
    }
}

/// Collects every field error of one request.
#[derive(Default)]
pub struct Checker {
    errors: Vec<FieldError>,
    lang: Lang,
}

impl Checker {
    pub fn new() -> Checker {
        Checker {
            errors: Vec::new(),
            lang: i18n::current(),
        }
    }

    pub fn fail(&mut self, field: &str, code: &str) {
        self.fail_range(field, code, None);
    }

    fn fail_range(&mut self, field: &str, code: &str, range: Option<(usize, usize)>) {
        self.errors.push(FieldError::new(
            field,
            code,
            message(code, self.lang, range),
        ));
    }

    /// Unwraps a field's value, recording `required` or `type` when there is none.
    pub fn value<T>(&mut self, field: &str, v: Lenient<T>, required: bool) -> Option<T> {
        match v {
            Lenient::Value(v) => Some(v),
            Lenient::Missing => {
                if required {
                    self.fail(field, "required");
                }
                None
            }
            Lenient::Invalid => {
                self.fail(field, "type");
                None
            }
        }
    }

    /// Normalised text of `min..=max` characters. An empty optional text counts as absent.
    pub fn text(
        &mut self,
        field: &str,
        v: Lenient<String>,
        required: bool,
        (min, max): (usize, usize),
        multiline: bool,
    ) -> Option<CleanText> {
        let raw = self.value(field, v, required)?;
        let text = match CleanText::parse(&raw, multiline) {
            Ok(t) => t,
            Err(code) => {
                self.fail(field, code);
                return None;
            }
        };
        if text.as_str().is_empty() && !required {
            return None;
        }
        if !text
            .as_str()
            .validate_length(Some(min as u64), Some(max as u64), None)
        {
            self.fail_range(field, "length", Some((min, max)));
            return None;
        }
        Some(text)
    }

    pub fn email(&mut self, field: &str, v: Lenient<String>) -> Option<Email> {
        self.email_required(field, v, false)
    }

    pub fn email_required(
        &mut self,
        field: &str,
        v: Lenient<String>,
        required: bool,
    ) -> Option<Email> {
        let raw = self.value(field, v, required)?;
        // An empty string is not an address (the schema says `format: email`); omit the field.
        if !raw.trim().validate_email() {
            self.fail(field, "email");
            return None;
        }
        Email::parse(&raw)
            .map_err(|code| self.fail(field, code))
            .ok()
    }

    pub fn float_in(&mut self, field: &str, v: Lenient<f64>, min: f64, max: f64) -> Option<f64> {
        let x = self.value(field, v, false)?;
        if !x.validate_range(Some(min), Some(max), None, None) {
            self.fail(field, "range");
            return None;
        }
        Some(x)
    }

    /// Parses a value with a domain parser, recording its error code.
    pub fn parse<T, R>(
        &mut self,
        field: &str,
        raw: Option<R>,
        parse: impl FnOnce(R) -> Result<T, &'static str>,
    ) -> Option<T> {
        match parse(raw?) {
            Ok(v) => Some(v),
            Err(code) => {
                self.fail(field, code);
                None
            }
        }
    }

    /// All errors as one 422, or `Ok` when there were none.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.errors))
        }
    }

    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}
