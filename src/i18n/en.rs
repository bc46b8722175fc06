//! The message catalogue in English: one text per key of [`Msg`].

use super::Msg;

pub(super) fn text(m: Msg) -> &'static str {
    use Msg::*;
    match m {
        // Case statuses (domain::IncidentStatus).
        StatusReceived => "Received",
        StatusAcknowledgedByManager => "Acknowledged by manager",
        StatusUnderInvestigation => "Under investigation",
        StatusActionsPlanned => "Actions planned",
        StatusResolved => "Resolved",
        StatusClosed => "Closed",
        StatusRejected => "Rejected",
        StatusDuplicate => "Duplicate",
        // Corrective-action states (domain::ActionState).
        ActionPlanned => "Planned",
        ActionInProgress => "In progress",
        ActionDone => "Done",
        ActionVerified => "Verified",
        ActionCancelled => "Cancelled",
        // Report kinds, lower case: they stand inside sentences (domain::IncidentKind).
        KindAccident => "accident",
        KindNearMiss => "near miss",
        KindRiskObservation => "risk observation",
        KindThreatOrViolence => "threat or violence",
        KindWorkRelatedIllness => "work-related illness",
        KindCommutingAccident => "commuting accident",
        KindPropertyDamage => "property damage",
        KindEnvironmentalEvent => "environmental event",
        KindExtraordinaryEvent => "extraordinary event",
        KindSecurity => "security",
        // Risk levels (domain::RiskLevel).
        RiskLow => "Low",
        RiskMedium => "Medium",
        RiskHigh => "High",
        RiskCritical => "Critical",
        // Legal duties: states and authorities (domain::legal_duty).
        DutyDoesNotApply => "does not apply",
        DutySuggestedNotAssessed => "suggested, not assessed",
        DutyToBeReported => "to be reported",
        DutyOverdue => "overdue",
        DutyReported => "reported",
        DutyDoesNotApplyAssessed => "does not apply (assessed)",
        AuthorityArbetsmiljoverket => "Report to the Swedish Work Environment Authority",
        AuthorityForsakringskassan => "Report to the Swedish Social Insurance Agency",
        // Problem titles and details (error::ApiError).
        ErrInvalidInput => "Invalid input",
        ErrMalformedRequest => "Malformed request",
        ErrUnsupportedMediaType => "Unsupported media type",
        ErrRequestBodyTooLarge => "Request body too large",
        ErrNotFound => "Not found",
        ErrLoginRequired => "Login required",
        ErrForbidden => "Forbidden",
        ErrTooManyRequests => "Too many requests",
        ErrCaseChanged => "The case has changed",
        ErrIfMatchRequired => "If-Match required",
        ErrConflict => "Conflict",
        ErrTransitionNotAllowed => "Transition not allowed",
        ErrServiceUnavailable => "Service unavailable",
        ErrInternalError => "Internal error",
        ErrNotFoundDetail => "The resource does not exist.",
        ErrLoginRequiredDetail => "Log in, or send a token as Authorization: Bearer <token>.",
        ErrCaseChangedDetail => {
            "Someone else changed the case since you read it. Reload it and make your change again."
        }
        ErrIfMatchRequiredDetail => "Send If-Match with the ETag from your last read of the case.",
        ErrUnavailableDetail => "Please try again shortly.",
        ErrInternalDetail => "Something went wrong on our side. The error has been logged.",
        // Problem details with values: `{name}` is filled in by Lang::fill.
        ErrFieldsToCorrect => "{n} field(s) need to be corrected.",
        ErrBodyUnreadable => "The request body could not be read: {why}",
        ErrSendBodyAs => "Send the body as {expected}.",
        ErrAtMostBytes => "At most {limit} bytes are allowed.",
        ErrWaitSeconds => "Wait {retry_after_secs} seconds and try again.",
        // Mail phrases and the consequence areas in mails (mail::templates).
        ConsequencePerson => "person",
        ConsequenceEnvironment => "environment",
        ConsequenceCulturalValues => "cultural values",
        ConsequenceEconomicValues => "economic values",
        ConsequenceMunicipalService => "municipal service",
        MailReason => "Reason",
        MailAcknowledgeLink => "I have received this case",
        MailFollowTheCase => "Follow the case",
        MailOpenTheCase => "Open the case",
        MailKind => "Kind",
        MailUnit => "Unit",
        MailNoneGiven => "none given",
        MailTitle => "Title",
        MailOccurred => "Occurred",
        MailConsequences => "Consequences",
        MailSeriousness => "Seriousness",
        MailSerious => "serious",
        MailNormal => "normal",
        MailDetailsOnlyInTillbudParagraph => {
            "\nThe description and other details are only in tillbud, not in e-mail.\n"
        }
        MailDetailsOnlyInTillbud => {
            "The description and other details are only in tillbud, not in e-mail."
        }
        MailAction => "Action",
        MailDue => "Due",
        MailState => "State",
        MailOwner => "Owner",
        MailCase => "Case",
        MailReport => "Report",
        MailDeadline => "Deadline",
        // The same-origin check (auth::csrf).
        CsrfForeignOrigin => "The request did not come from tillbud's own pages.",
        // Requests refused before a handler (startup).
        HttpNotProcessed => "The request could not be processed.",
        // The yearly follow-up (routes::statistics).
        YearlyReportingNote => "More near-misses and risk observations reported per accident is a healthy sign: risks are caught before anyone is hurt.",
        YearlyBeforeFrom => "The last month is before the first.",
        YearlyTooLong => "At most 24 months at a time.",
        YearlyYearOrRange => "Give either a year or from–to, not both.",
        YearlyNoFollowUp => "The follow-up is for managers, safety coordinators and finance.",
        YearlyOutsideScope => "The unit is outside your access.",
        YearlyUnknownUnit => "No such unit.",
        StatisticsUnknownYear => "Statistics exist for the years {years}.",
    }
}
