//! The language of user-facing API text. Swedish by default; English when the client's
//! `Accept-Language` prefers it. Held in a task-local so error responses, which actix renders
//! without access to the request, can still speak the caller's language.
//!
//! The texts themselves are one message catalogue per language, `i18n/sv.rs` and
//! `i18n/en.rs`, looked up by a [`Msg`] key with [`Lang::t`]. `Lang::pick` (two literals at the
//! call site) remains only in code not yet moved to keys.

mod en;
mod sv;

use std::future::Future;

/// Every server-side text that has a key, grouped by where it is used. Each language file
/// (`i18n/sv.rs`, `i18n/en.rs`) matches on all of them, so a key without a text in some
/// language does not compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Msg {
    // Case statuses (domain::IncidentStatus).
    StatusReceived,
    StatusAcknowledgedByManager,
    StatusUnderInvestigation,
    StatusActionsPlanned,
    StatusResolved,
    StatusClosed,
    StatusRejected,
    StatusDuplicate,
    // Corrective-action states (domain::ActionState).
    ActionPlanned,
    ActionInProgress,
    ActionDone,
    ActionVerified,
    ActionCancelled,
    // Report kinds, lower case: they stand inside sentences (domain::IncidentKind).
    KindAccident,
    KindNearMiss,
    KindRiskObservation,
    KindThreatOrViolence,
    KindWorkRelatedIllness,
    KindCommutingAccident,
    KindPropertyDamage,
    KindEnvironmentalEvent,
    KindExtraordinaryEvent,
    KindSecurity,
    // Risk levels (domain::RiskLevel).
    RiskLow,
    RiskMedium,
    RiskHigh,
    RiskCritical,
    // Legal duties: states and authorities (domain::legal_duty).
    DutyDoesNotApply,
    DutySuggestedNotAssessed,
    DutyToBeReported,
    DutyOverdue,
    DutyReported,
    DutyDoesNotApplyAssessed,
    AuthorityArbetsmiljoverket,
    AuthorityForsakringskassan,
    // Problem titles and details (error::ApiError).
    ErrInvalidInput,
    ErrMalformedRequest,
    ErrUnsupportedMediaType,
    ErrRequestBodyTooLarge,
    ErrNotFound,
    ErrLoginRequired,
    ErrForbidden,
    ErrTooManyRequests,
    ErrCaseChanged,
    ErrIfMatchRequired,
    ErrConflict,
    ErrTransitionNotAllowed,
    ErrServiceUnavailable,
    ErrInternalError,
    ErrNotFoundDetail,
    ErrLoginRequiredDetail,
    ErrCaseChangedDetail,
    ErrIfMatchRequiredDetail,
    ErrUnavailableDetail,
    ErrInternalDetail,
    // Problem details with values: `{name}` is filled in by Lang::fill.
    ErrFieldsToCorrect,
    ErrBodyUnreadable,
    ErrSendBodyAs,
    ErrAtMostBytes,
    ErrWaitSeconds,
    // Mail phrases and the consequence areas in mails (mail::templates).
    ConsequencePerson,
    ConsequenceEnvironment,
    ConsequenceCulturalValues,
    ConsequenceEconomicValues,
    ConsequenceMunicipalService,
    MailReason,
    MailAcknowledgeLink,
    MailFollowTheCase,
    MailOpenTheCase,
    MailKind,
    MailUnit,
    MailNoneGiven,
    MailTitle,
    MailOccurred,
    MailConsequences,
    MailSeriousness,
    MailSerious,
    MailNormal,
    MailDetailsOnlyInTillbudParagraph,
    MailDetailsOnlyInTillbud,
    MailAction,
    MailDue,
    MailState,
    MailOwner,
    MailCase,
    MailReport,
    MailDeadline,
    // The same-origin check (auth::csrf).
    CsrfForeignOrigin,
    // Logging in with the municipal account (routes::auth::sso): the page a refusal ends on.
    SsoTitle,
    SsoBackToLogin,
    SsoDenied,
    SsoBadState,
    SsoCodeRefused,
    SsoBadToken,
    SsoNoEmail,
    SsoNotAllowed,
    SsoDisabled,
    SsoBusy,
    SsoUnavailable,
    SsoNotConfigured,
    // Requests refused before a handler (startup).
    HttpNotProcessed,
    // Refusals and words of the HTTP layer (routes/, ops::photos).
    PhotoCaseClosed,
    NoneWord,
    ActionCreateReadOnly,
    ActionCaseNotOpen,
    ActionTransitionNotOwner,
    ActionTransitionManagerOnly,
    ActionCancelReasonRequired,
    ActionUpdateReadOnly,
    ActionFinished,
    PhotoOneFile,
    PhotoMissing,
    AdminNotAdmin,
    AdminRetryNotDead,
    UnitUnknown,
    DemoNotDemoUser,
    UserDisabled,
    LoginLinkInvalid,
    CaseReadOnly,
    CaseRiskBeforeClose,
    CaseDuplicateUnknown,
    CostOwnCases,
    CostClaimsNotHandler,
    CostReversalOfReversal,
    CostAlreadyReversed,
    CostTotal,
    CostRangeBeforeFrom,
    CostRangeTooLong,
    CostRangePeriodStart,
    CostRangePeriodEnd,
    IdempotencyKeyReused,
    BodyNotJsonObject,
    HttpMethodNotAllowed,
    HttpAllowedMethods,
    TrackCaseClosed,
    TrackReceived,
    TrackAcknowledged,
    TrackPhotoAdded,
    HttpUriTooLong,
    // Photo refusals (ops::photos).
    PhotoEmpty,
    PhotoHeif,
    PhotoUnsupported,
    PhotoUndecodable,
    // Export column headers (routes::costs::tables).
    ColPeriod,
    ColFrom,
    ColTo,
    ColGroup,
    ColCost,
    ColRecovered,
    ColNet,
    ColCases,
    ColNetYearEarlier,
    ColChange,
    ColChangePercent,
    ColCase,
    ColTitle,
    ColKind,
    ColUnit,
    ColDate,
    ColStatus,
    ColClaim,
    // The yearly follow-up (routes::statistics).
    YearlyReportingNote,
    YearlyBeforeFrom,
    YearlyTooLong,
    YearlyYearOrRange,
    YearlyNoFollowUp,
    YearlyOutsideScope,
    YearlyUnknownUnit,
    StatisticsUnknownYear,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Sv,
    En,
}

impl Lang {
    /// Picks the first of `sv`/`en` in an `Accept-Language` header, by quality.
    pub fn from_accept_language(header: Option<&str>) -> Lang {
        let Some(header) = header else {
            return Lang::Sv;
        };
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut it = part.trim().split(';');
            let tag = it.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = it
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let lang = if tag.starts_with("sv") {
                Lang::Sv
            } else if tag.starts_with("en") {
                Lang::En
            } else {
                continue;
            };
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or(Lang::Sv)
    }

    /// The catalogue's text for `m` in this language.
    pub fn t(self, m: Msg) -> &'static str {
        match self {
            Lang::Sv => sv::text(m),
            Lang::En => en::text(m),
        }
    }

    /// The catalogue's text for `m` with each `{name}` replaced by its value.
    pub fn fill(self, m: Msg, values: &[(&str, &dyn std::fmt::Display)]) -> String {
        values
            .iter()
            .fold(self.t(m).to_owned(), |text, (name, value)| {
                text.replace(&format!("{{{name}}}"), &value.to_string())
            })
    }

    /// Chooses between a Swedish and an English text written at the call site (code that has
    /// no catalogue key yet).
    pub fn pick(self, sv: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Sv => sv,
            Lang::En => en,
        }
    }
}

tokio::task_local! {
    static LANG: Lang;
}

/// The language of the request being served (Swedish outside a request).
pub fn current() -> Lang {
    LANG.try_with(|l| *l).unwrap_or_default()
}

/// Runs `fut` with `lang` as the current language.
pub async fn scope<F: Future>(lang: Lang, fut: F) -> F::Output {
    LANG.scope(lang, fut).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_by_quality() {
        assert_eq!(Lang::from_accept_language(None), Lang::Sv);
        assert_eq!(Lang::from_accept_language(Some("en-GB,en;q=0.9")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("en;q=0.5, sv")), Lang::Sv);
        assert_eq!(Lang::from_accept_language(Some("de, en;q=0.3")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("fr")), Lang::Sv);
    }

    #[test]
    fn fill_puts_the_values_into_the_catalogue_text() {
        assert_eq!(
            Lang::Sv.fill(Msg::ErrWaitSeconds, &[("retry_after_secs", &30)]),
            "Vänta 30 sekunder och försök igen."
        );
        assert_eq!(
            Lang::En.fill(Msg::ErrFieldsToCorrect, &[("n", &2)]),
            "2 field(s) need to be corrected."
        );
    }
}
