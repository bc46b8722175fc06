//! One error type for the whole API, rendered once as RFC 9457 `application/problem+json`.
//!
//! Handlers return `Result<_, ApiError>`; request bodies are read by `routes::input` into the
//! same errors, and `startup` rewrites any other error response into a problem document, so
//! no client ever sees text/plain or an unexplained 500.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::i18n::{self, Lang, Msg};

/// One bad field in a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field as named in the request; nested fields use dots, e.g. `reporter.email`.
    pub field: String,
    /// A stable machine-readable code, e.g. `required`, `length`, `format`.
    pub code: String,
    /// A human-readable message in the caller's language.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// RFC 9457 problem details, as every error of this API is rendered.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[schema(example = "urn:tillbud:problem:validation")]
    pub r#type: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    #[schema(minimum = 400, maximum = 599)]
    pub status: u16,
    /// What went wrong in this case.
    pub detail: String,
    /// Every bad field, for validation problems (422) and refused files (415).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(nullable = false)]
    pub errors: Vec<FieldError>,
    /// For a refused state change (409): the states (or steps) allowed from where it stands.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub allowed: Option<Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("validation failed on {} field(s)", .0.len())]
    Validation(Vec<FieldError>),
    #[error("malformed request body: {0}")]
    MalformedBody(String),
    #[error("unsupported content type, expected {expected}")]
    UnsupportedMediaType { expected: &'static str },
    /// A file whose content is not a type we take (named by the field it came in).
    #[error("unsupported file type")]
    UnsupportedFile(FieldError),
    #[error("request body too large")]
    PayloadTooLarge { limit: usize },
    #[error("not found")]
    NotFound,
    #[error("missing or wrong credentials")]
    Unauthorized,
    /// Logged in, but not allowed to do this (or a cross-site request).
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    /// `If-Match` names an older version.
    #[error("precondition failed")]
    PreconditionFailed,
    /// An update came without `If-Match`.
    #[error("precondition required")]
    PreconditionRequired,
    #[error("conflict: {0}")]
    Conflict(String),
    /// A state change the state machine does not have from the current state; `allowed`
    /// lists the ones it has (sent as the problem's `allowed` member).
    #[error("not allowed: {detail}")]
    NotAllowed {
        detail: String,
        allowed: Vec<String>,
    },
    #[error("the service is temporarily unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, code, message)])
    }

    fn slug(&self) -> &'static str {
        match self {
            ApiError::Validation(_) => "validation",
            ApiError::MalformedBody(_) => "malformed-body",
            ApiError::UnsupportedMediaType { .. } | ApiError::UnsupportedFile(_) => {
                "unsupported-media-type"
            }
            ApiError::PayloadTooLarge { .. } => "payload-too-large",
            ApiError::NotFound => "not-found",
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::TooManyRequests { .. } => "too-many-requests",
            ApiError::PreconditionFailed => "precondition-failed",
            ApiError::PreconditionRequired => "precondition-required",
            ApiError::Conflict(_) => "conflict",
            ApiError::NotAllowed { .. } => "transition-not-allowed",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    fn title(&self, lang: Lang) -> &'static str {
        match self {
            ApiError::Validation(_) => lang.t(Msg::ErrInvalidInput),
            ApiError::MalformedBody(_) => lang.t(Msg::ErrMalformedRequest),
            ApiError::UnsupportedMediaType { .. } | ApiError::UnsupportedFile(_) => {
                lang.t(Msg::ErrUnsupportedMediaType)
            }
            ApiError::PayloadTooLarge { .. } => lang.t(Msg::ErrRequestBodyTooLarge),
            ApiError::NotFound => lang.t(Msg::ErrNotFound),
            ApiError::Unauthorized => lang.t(Msg::ErrLoginRequired),
            ApiError::Forbidden(_) => lang.t(Msg::ErrForbidden),
            ApiError::TooManyRequests { .. } => lang.t(Msg::ErrTooManyRequests),
            ApiError::PreconditionFailed => lang.t(Msg::ErrCaseChanged),
            ApiError::PreconditionRequired => lang.t(Msg::ErrIfMatchRequired),
            ApiError::Conflict(_) => lang.t(Msg::ErrConflict),
            ApiError::NotAllowed { .. } => lang.t(Msg::ErrTransitionNotAllowed),
            ApiError::Unavailable(_) => lang.t(Msg::ErrServiceUnavailable),
            ApiError::Internal(_) => lang.t(Msg::ErrInternalError),
        }
    }

    fn detail(&self, lang: Lang) -> String {
        match self {
            ApiError::Validation(errors) => {
                lang.fill(Msg::ErrFieldsToCorrect, &[("n", &errors.len())])
            }
            ApiError::MalformedBody(why) => lang.fill(Msg::ErrBodyUnreadable, &[("why", why)]),
            ApiError::UnsupportedMediaType { expected } => {
                lang.fill(Msg::ErrSendBodyAs, &[("expected", expected)])
            }
            ApiError::UnsupportedFile(error) => error.message.clone(),
            ApiError::PayloadTooLarge { limit } => {
                lang.fill(Msg::ErrAtMostBytes, &[("limit", limit)])
            }
            ApiError::NotFound => lang.t(Msg::ErrNotFoundDetail).to_owned(),
            ApiError::Unauthorized => lang.t(Msg::ErrLoginRequiredDetail).to_owned(),
            ApiError::Forbidden(why) => why.clone(),
            ApiError::TooManyRequests { retry_after_secs } => lang.fill(
                Msg::ErrWaitSeconds,
                &[("retry_after_secs", retry_after_secs)],
            ),
            ApiError::PreconditionFailed => lang.t(Msg::ErrCaseChangedDetail).to_owned(),
            ApiError::PreconditionRequired => lang.t(Msg::ErrIfMatchRequiredDetail).to_owned(),
            ApiError::Conflict(why) => why.clone(),
            ApiError::NotAllowed { detail, .. } => detail.clone(),
            ApiError::Unavailable(_) => lang.t(Msg::ErrUnavailableDetail).to_owned(),
            ApiError::Internal(_) => lang.t(Msg::ErrInternalDetail).to_owned(),
        }
    }

    pub fn to_problem(&self) -> Problem {
        let lang = i18n::current();
        Problem {
            r#type: format!("urn:tillbud:problem:{}", self.slug()),
            title: self.title(lang).to_owned(),
            status: self.status_code().as_u16(),
            detail: self.detail(lang),
            errors: match self {
                ApiError::Validation(errors) => errors.clone(),
                ApiError::UnsupportedFile(error) => vec![error.clone()],
                _ => Vec::new(),
            },
            allowed: match self {
                ApiError::NotAllowed { allowed, .. } => Some(allowed.clone()),
                _ => None,
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::MalformedBody(_) => StatusCode::BAD_REQUEST,
            ApiError::UnsupportedMediaType { .. } | ApiError::UnsupportedFile(_) => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::Conflict(_) | ApiError::NotAllowed { .. } => StatusCode::CONFLICT,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            // The cause is logged once here; the client gets only the generic message.
            ApiError::Internal(cause) => tracing::error!(error = ?cause, "internal error"),
            ApiError::Unavailable(cause) => tracing::warn!(%cause, "service unavailable"),
            _ => {}
        }
        let mut response = problem_response(self.status_code(), &self.to_problem());
        if let ApiError::TooManyRequests { retry_after_secs } = self {
            if let Ok(v) = header::HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        response
    }
}

/// Renders a problem document. Also used for router-level errors (404/405) outside handlers.
pub fn problem_response(status: StatusCode, problem: &Problem) -> HttpResponse {
    let mut builder = HttpResponse::build(status);
    builder.insert_header((header::CONTENT_TYPE, "application/problem+json"));
    if status == StatusCode::SERVICE_UNAVAILABLE {
        builder.insert_header((header::RETRY_AFTER, "5"));
    }
    if status == StatusCode::UNAUTHORIZED {
        builder.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"tillbud\""));
    }
    builder.body(serde_json::to_string(problem).unwrap_or_else(|_| "{}".to_owned()))
}

impl From<crate::db::DbError> for ApiError {
    fn from(e: crate::db::DbError) -> Self {
        match e {
            crate::db::DbError::Busy(why) => ApiError::Unavailable(why),
            other => ApiError::Internal(anyhow::Error::new(other)),
        }
    }
}
