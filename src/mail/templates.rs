//! The mails, compiled into the binary: Swedish first, English below, plain text and HTML.
//!
//! They say what happened and where, never the free-text description or anything about
//! health (e-mail is a weak channel for sensitive data); the link leads to the rest.

use chrono::{DateTime, Utc};

use crate::domain::calendar::format_swedish;
use crate::domain::{Consequence, IncidentKind};
use crate::i18n::{Lang, Msg};

/// Why a mail is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// To the person responsible for a new case.
    Notify,
    /// For information: skyddsombud, top manager, coordinators.
    Copy,
    /// To the reporter.
    Receipt,
    /// The responsible person has not acknowledged in time.
    Reminder,
    /// To the manager one level up, after the second deadline.
    Escalation,
    /// To the person now responsible for a case moved to their unit.
    Moved,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Notify => "notify",
            Purpose::Copy => "copy",
            Purpose::Receipt => "receipt",
            Purpose::Reminder => "reminder",
            Purpose::Escalation => "escalation",
            Purpose::Moved => "moved",
        }
    }
}

/// What a mail may say about a case.
#[derive(Debug, Clone)]
pub struct Facts {
    pub kind: IncidentKind,
    pub title: String,
    pub unit_name: String,
    pub occurred_at: DateTime<Utc>,
    pub consequences: Vec<Consequence>,
    pub serious: bool,
}

pub struct Links<'a> {
    /// The case (for staff) or the tracking page (for the reporter).
    pub case: &'a str,
    /// The one-click acknowledgement, for whoever is responsible.
    pub ack: Option<&'a str>,
}

pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

fn consequence_label(c: Consequence, lang: Lang) -> &'static str {
    match c {
        Consequence::Person => lang.t(Msg::ConsequencePerson),
        Consequence::Environment => lang.t(Msg::ConsequenceEnvironment),
        Consequence::Cultural => lang.t(Msg::ConsequenceCulturalValues),
        Consequence::Economic => lang.t(Msg::ConsequenceEconomicValues),
        Consequence::Service => lang.t(Msg::ConsequenceMunicipalService),
    }
}

/// Header-safe: no line breaks can reach a header (titles are already free of control
/// characters, this is the second lock).
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn subject(purpose: Purpose, f: &Facts) -> String {
    // The receipt goes to whatever address the reporter typed: it carries nothing else they
    // typed (not the title), so it cannot be used to send someone a message in our name.
    if purpose == Purpose::Receipt {
        return one_line(&format!(
            "[tillbud] Din rapport är mottagen – {} ({})",
            f.unit_name,
            f.kind.label(Lang::Sv)
        ));
    }
    let what = match purpose {
        Purpose::Notify if f.serious => "Allvarlig händelse",
        Purpose::Notify => "Ny händelse",
        Purpose::Copy if f.serious => "Allvarlig händelse (för kännedom)",
        Purpose::Copy => "För kännedom",
        Purpose::Receipt => "Din rapport är mottagen",
        Purpose::Reminder => "Påminnelse",
        Purpose::Escalation => "Eskalering",
        Purpose::Moved => "Ärende flyttat till din enhet",
    };
    one_line(&format!(
        "[tillbud] {what}: {} – {} ({})",
        f.title,
        f.unit_name,
        f.kind.label(Lang::Sv)
    ))
}

struct Texts {
    intro: String,
    action: &'static str,
}

fn texts(purpose: Purpose, lang: Lang, reason: &str) -> Texts {
    let intro = match (purpose, lang) {
        (Purpose::Notify, Lang::Sv) => "En händelse har rapporterats som du ansvarar för.".to_owned(),
        (Purpose::Notify, Lang::En) => "An event has been reported that you are responsible for.".to_owned(),
        (Purpose::Copy, Lang::Sv) => "En händelse har rapporterats. Du får en kopia för kännedom.".to_owned(),
        (Purpose::Copy, Lang::En) => "An event has been reported. You receive a copy for your information.".to_owned(),
        (Purpose::Receipt, Lang::Sv) => "Tack för din rapport. Den är mottagen och har skickats till ansvarig chef.".to_owned(),
        (Purpose::Receipt, Lang::En) => "Thank you for your report. It has been received and sent to the responsible manager.".to_owned(),
        (Purpose::Reminder, Lang::Sv) => "Påminnelse: händelsen nedan har ännu inte bekräftats som mottagen.".to_owned(),
        (Purpose::Reminder, Lang::En) => "Reminder: the event below has not yet been acknowledged.".to_owned(),
        (Purpose::Escalation, Lang::Sv) => "Händelsen nedan har inte bekräftats i tid av ansvarig chef och lyfts därför till dig.".to_owned(),
        (Purpose::Escalation, Lang::En) => "The event below was not acknowledged in time by the responsible manager and is therefore escalated to you.".to_owned(),
        (Purpose::Moved, Lang::Sv) => "Ett ärende har flyttats till en enhet som du ansvarar för.".to_owned(),
        (Purpose::Moved, Lang::En) => "A case has been moved to a unit you are responsible for.".to_owned(),
    };
    let intro = if reason.is_empty() || purpose == Purpose::Receipt {
        intro
    } else {
        let label = lang.t(Msg::MailReason);
        format!("{intro}\n{label}: {reason}")
    };
    let action = match purpose {
        Purpose::Receipt => lang.t(Msg::MailFollowTheCase),
        _ => lang.t(Msg::MailOpenTheCase),
    };
    Texts { intro, action }
}

/// What a mail lists about the case: for the receipt only what the reporter picked from our
/// lists (kind, unit), never text they typed.
fn lines_for(purpose: Purpose, f: &Facts, lang: Lang) -> Vec<(&'static str, String)> {
    if purpose == Purpose::Receipt {
        return vec![
            (lang.t(Msg::MailKind), f.kind.label(lang).to_owned()),
            (lang.t(Msg::MailUnit), f.unit_name.clone()),
        ];
    }
    facts_lines(f, lang)
}

fn facts_lines(f: &Facts, lang: Lang) -> Vec<(&'static str, String)> {
    let consequences = if f.consequences.is_empty() {
        lang.t(Msg::MailNoneGiven).to_owned()
    } else {
        f.consequences
            .iter()
            .map(|c| consequence_label(*c, lang))
            .collect::<Vec<_>>()
            .join(", ")
    };
    vec![
        (lang.t(Msg::MailKind), f.kind.label(lang).to_owned()),
        (lang.t(Msg::MailTitle), f.title.clone()),
        (lang.t(Msg::MailUnit), f.unit_name.clone()),
        (
            lang.t(Msg::MailOccurred),
            match lang {
                Lang::Sv => format_swedish(f.occurred_at),
                Lang::En => format!(
                    "{} (Swedish time)",
                    format_swedish(f.occurred_at).replace(" kl.", "")
                ),
            },
        ),
        (lang.t(Msg::MailConsequences), consequences),
        (
            lang.t(Msg::MailSeriousness),
            if f.serious {
                lang.t(Msg::MailSerious)
            } else {
                lang.t(Msg::MailNormal)
            }
            .to_owned(),
        ),
    ]
}

fn text_part(purpose: Purpose, f: &Facts, links: &Links<'_>, reason: &str, lang: Lang) -> String {
    let t = texts(purpose, lang, reason);
    let mut out = format!("{}\n\n", t.intro);
    for (label, value) in lines_for(purpose, f, lang) {
        out.push_str(&format!("{label}: {value}\n"));
    }
    out.push_str(&format!("\n{}: {}\n", t.action, links.case));
    if let Some(ack) = links.ack {
        out.push_str(&format!("{}: {ack}\n", lang.t(Msg::MailAcknowledgeLink)));
    }
    out.push_str(lang.t(Msg::MailDetailsOnlyInTillbudParagraph));
    out
}

fn html_part(purpose: Purpose, f: &Facts, links: &Links<'_>, reason: &str, lang: Lang) -> String {
    let t = texts(purpose, lang, reason);
    let mut out = String::new();
    for line in t.intro.lines() {
        out.push_str(&format!("<p>{}</p>\n", escape_html(line)));
    }
    out.push_str("<table>\n");
    for (label, value) in lines_for(purpose, f, lang) {
        out.push_str(&format!(
            "<tr><th align=\"left\">{}</th><td>{}</td></tr>\n",
            escape_html(label),
            escape_html(&value)
        ));
    }
    out.push_str("</table>\n");
    out.push_str(&format!(
        "<p><a href=\"{}\">{}</a></p>\n",
        escape_html(links.case),
        escape_html(t.action)
    ));
    if let Some(ack) = links.ack {
        out.push_str(&format!(
            "<p><a href=\"{}\">{}</a></p>\n",
            escape_html(ack),
            escape_html(lang.t(Msg::MailAcknowledgeLink))
        ));
    }
    out.push_str(&format!(
        "<p><small>{}</small></p>\n",
        escape_html(lang.t(Msg::MailDetailsOnlyInTillbud))
    ));
    out
}

/// Renders one mail.
pub fn render(purpose: Purpose, f: &Facts, links: &Links<'_>, reason: &str) -> Rendered {
    let text = format!(
        "{}\n-- English --\n\n{}",
        text_part(purpose, f, links, reason, Lang::Sv),
        text_part(purpose, f, links, reason, Lang::En)
    );
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"sv\"><head><meta charset=\"utf-8\"><title>{}</title></head><body>\n{}<hr>\n<div lang=\"en\">\n{}</div>\n</body></html>\n",
        escape_html(&subject(purpose, f)),
        html_part(purpose, f, links, reason, Lang::Sv),
        html_part(purpose, f, links, reason, Lang::En)
    );
    Rendered {
        subject: subject(purpose, f),
        text,
        html,
    }
}

/// One language's half of a mail about a corrective action or a legal duty.
struct Part {
    intro: String,
    rows: Vec<(&'static str, String)>,
    link_label: &'static str,
}

/// Renders a mail from its Swedish and English halves, text and HTML, with the same footer
/// as the case mails (the details live in tillbud, not in e-mail).
fn render_parts(subject: String, link: &str, sv: Part, en: Part) -> Rendered {
    let footer = |lang: Lang| lang.t(Msg::MailDetailsOnlyInTillbud);
    let text_of = |p: &Part, lang: Lang| {
        let mut out = format!("{}\n\n", p.intro);
        for (label, value) in &p.rows {
            out.push_str(&format!("{label}: {value}\n"));
        }
        out.push_str(&format!("\n{}: {link}\n\n{}\n", p.link_label, footer(lang)));
        out
    };
    let html_of = |p: &Part, lang: Lang| {
        let mut out = String::new();
        for line in p.intro.lines() {
            out.push_str(&format!("<p>{}</p>\n", escape_html(line)));
        }
        out.push_str("<table>\n");
        for (label, value) in &p.rows {
            out.push_str(&format!(
                "<tr><th align=\"left\">{}</th><td>{}</td></tr>\n",
                escape_html(label),
                escape_html(value)
            ));
        }
        out.push_str("</table>\n");
        out.push_str(&format!(
            "<p><a href=\"{}\">{}</a></p>\n<p><small>{}</small></p>\n",
            escape_html(link),
            escape_html(p.link_label),
            escape_html(footer(lang))
        ));
        out
    };
    let subject = one_line(&subject);
    Rendered {
        text: format!(
            "{}\n-- English --\n\n{}",
            text_of(&sv, Lang::Sv),
            text_of(&en, Lang::En)
        ),
        html: format!(
            "<!DOCTYPE html>\n<html lang=\"sv\"><head><meta charset=\"utf-8\"><title>{}</title></head><body>\n{}<hr>\n<div lang=\"en\">\n{}</div>\n</body></html>\n",
            escape_html(&subject),
            html_of(&sv, Lang::Sv),
            html_of(&en, Lang::En)
        ),
        subject,
    }
}

/// Which mail about a corrective action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionMail {
    /// To the owner, when the action is given to them (created or reassigned).
    Assigned,
    /// To the owner, some days before the due date.
    DueSoon,
    /// To the owner, once the due date has passed.
    Overdue,
    /// To the case's responsible manager, when the action has been overdue for long.
    Escalation,
}

impl ActionMail {
    /// The outbox `purpose`.
    pub fn purpose(self) -> &'static str {
        match self {
            ActionMail::Assigned => "action_assigned",
            ActionMail::DueSoon => "action_due_soon",
            ActionMail::Overdue => "action_overdue",
            ActionMail::Escalation => "action_escalation",
        }
    }
}

/// What a mail about an action may say: titles, where, when — never the action's or the
/// case's description.
#[derive(Debug, Clone)]
pub struct ActionFacts {
    pub action_title: String,
    pub case_title: String,
    pub kind: IncidentKind,
    pub unit_name: String,
    pub due_date: chrono::NaiveDate,
    pub state: crate::domain::action::ActionState,
    pub owner_email: String,
}

pub fn action_mail(which: ActionMail, f: &ActionFacts, case_url: &str) -> Rendered {
    let due = f.due_date.format("%Y-%m-%d").to_string();
    let what = match which {
        ActionMail::Assigned => "Ny åtgärd",
        ActionMail::DueSoon => "Påminnelse om åtgärd",
        ActionMail::Overdue => "Försenad åtgärd",
        ActionMail::Escalation => "Eskalering av försenad åtgärd",
    };
    let subject = format!("[tillbud] {what}: {} (senast {due})", f.action_title);
    let part = |lang: Lang| {
        let intro = match (which, lang) {
            (ActionMail::Assigned, Lang::Sv) => "Du har fått ansvar för en åtgärd efter en rapporterad händelse.".to_owned(),
            (ActionMail::Assigned, Lang::En) => "You have been made responsible for a corrective action after a reported event.".to_owned(),
            (ActionMail::DueSoon, Lang::Sv) => format!("Påminnelse: åtgärden nedan ska vara klar senast {due}."),
            (ActionMail::DueSoon, Lang::En) => format!("Reminder: the action below is due on {due}."),
            (ActionMail::Overdue, Lang::Sv) => format!("Åtgärden nedan skulle ha varit klar senast {due}. Uppdatera den i tillbud när den är utförd."),
            (ActionMail::Overdue, Lang::En) => format!("The action below was due on {due}. Update it in tillbud when it is done."),
            (ActionMail::Escalation, Lang::Sv) => format!("Åtgärden nedan i ett ärende du ansvarar för skulle ha varit klar senast {due} och är inte utförd."),
            (ActionMail::Escalation, Lang::En) => format!("The action below, in a case you are responsible for, was due on {due} and is not done."),
        };
        let mut rows = vec![
            (lang.t(Msg::MailAction), f.action_title.clone()),
            (lang.t(Msg::MailDue), due.clone()),
            (lang.t(Msg::MailState), f.state.label(lang).to_owned()),
        ];
        if which == ActionMail::Escalation {
            rows.push((lang.t(Msg::MailOwner), f.owner_email.clone()));
        }
        rows.extend([
            (lang.t(Msg::MailCase), f.case_title.clone()),
            (lang.t(Msg::MailKind), f.kind.label(lang).to_owned()),
            (lang.t(Msg::MailUnit), f.unit_name.clone()),
        ]);
        Part {
            intro,
            rows,
            link_label: lang.t(Msg::MailOpenTheCase),
        }
    };
    render_parts(subject, case_url, part(Lang::Sv), part(Lang::En))
}

/// Which mail about a legal duty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DutyMail {
    /// To the responsible manager, when the duty is not reported 24 hours after the report.
    Reminder,
    /// To the manager one level up and the safety coordinators, after 48 hours.
    Escalation,
}

impl DutyMail {
    pub fn purpose(self) -> &'static str {
        match self {
            DutyMail::Reminder => "duty_reminder",
            DutyMail::Escalation => "duty_escalation",
        }
    }
}

/// A duty mail names the authority, the case and the deadline; never the injuries (health
/// data) nor the description.
pub fn duty_mail(
    which: DutyMail,
    authority: crate::domain::legal_duty::Authority,
    f: &Facts,
    due_at: DateTime<Utc>,
    case_url: &str,
    reason: &str,
) -> Rendered {
    let what = match which {
        DutyMail::Reminder => "Påminnelse om anmälan",
        DutyMail::Escalation => "Eskalering: anmälan inte gjord",
    };
    let subject = format!(
        "[tillbud] {what}: {} – {} ({})",
        authority.label(Lang::Sv),
        f.title,
        f.unit_name
    );
    let part = |lang: Lang| {
        let deadline = match lang {
            Lang::Sv => format_swedish(due_at),
            Lang::En => format!(
                "{} (Swedish time)",
                format_swedish(due_at).replace(" kl.", "")
            ),
        };
        let intro = match (which, lang) {
            (DutyMail::Reminder, Lang::Sv) => "Händelsen nedan ska troligen anmälas till en myndighet, och anmälan är inte registrerad i tillbud. Anmäl och fyll i datum och diarienummer i ärendet, eller ta ställning till att den inte gäller.".to_owned(),
            (DutyMail::Reminder, Lang::En) => "The event below probably has to be reported to an authority, and no report is recorded in tillbud. Report it and fill in the date and reference in the case, or decide that it does not apply.".to_owned(),
            (DutyMail::Escalation, Lang::Sv) => "Anmälan för händelsen nedan är fortfarande inte registrerad, 48 timmar efter rapporten. Den lyfts därför till dig.".to_owned(),
            (DutyMail::Escalation, Lang::En) => "The report to an authority for the event below is still not recorded, 48 hours after the event was reported. It is therefore escalated to you.".to_owned(),
        };
        let intro = if reason.is_empty() {
            intro
        } else {
            format!("{intro}\n{}: {reason}", lang.t(Msg::MailReason))
        };
        Part {
            intro,
            rows: vec![
                (lang.t(Msg::MailReport), authority.label(lang).to_owned()),
                (lang.t(Msg::MailDeadline), deadline),
                (lang.t(Msg::MailKind), f.kind.label(lang).to_owned()),
                (lang.t(Msg::MailTitle), f.title.clone()),
                (lang.t(Msg::MailUnit), f.unit_name.clone()),
            ],
            link_label: lang.t(Msg::MailOpenTheCase),
        }
    };
    render_parts(subject, case_url, part(Lang::Sv), part(Lang::En))
}

/// The login-link mail. No case data in it; the link works once, for `minutes`.
pub fn login_link(url: &str, minutes: i64) -> Rendered {
    let subject = "[tillbud] Din inloggningslänk / Your login link".to_owned();
    let sv = format!(
        "Hej!\n\nHär är din länk för att logga in i tillbud. Den fungerar en gång och gäller i {minutes} minuter:\n\n{url}\n\nHar du inte bett om länken kan du bortse från det här brevet.\n"
    );
    let en = format!(
        "Hello,\n\nHere is your link to log in to tillbud. It works once and is valid for {minutes} minutes:\n\n{url}\n\nIf you did not ask for it, you can ignore this mail.\n"
    );
    let link = escape_html(url);
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"sv\"><head><meta charset=\"utf-8\"><title>{title}</title></head><body>\n\
         <p>Hej!</p><p>Här är din länk för att logga in i tillbud. Den fungerar en gång och gäller i {minutes} minuter:</p>\n\
         <p><a href=\"{link}\">Logga in i tillbud</a></p><p>Har du inte bett om länken kan du bortse från det här brevet.</p>\n<hr>\n\
         <div lang=\"en\"><p>Hello,</p><p>Here is your link to log in to tillbud. It works once and is valid for {minutes} minutes:</p>\n\
         <p><a href=\"{link}\">Log in to tillbud</a></p><p>If you did not ask for it, you can ignore this mail.</p></div>\n</body></html>\n",
        title = escape_html(&subject),
    );
    Rendered {
        subject,
        text: format!("{sv}\n-- English --\n\n{en}"),
        html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn facts() -> Facts {
        Facts {
            kind: IncidentKind::NearMiss,
            title: "Halka vid entrén".into(),
            unit_name: "Lyckeby skola".into(),
            occurred_at: Utc.with_ymd_and_hms(2026, 11, 25, 7, 45, 0).unwrap(),
            consequences: vec![Consequence::Person],
            serious: false,
        }
    }

    #[test]
    fn subject_says_what_and_where() {
        let links = Links {
            case: "https://t.se/cases/1",
            ack: Some("https://t.se/ack/x"),
        };
        let r = render(Purpose::Notify, &facts(), &links, "chef för Lyckeby skola");
        assert_eq!(
            r.subject,
            "[tillbud] Ny händelse: Halka vid entrén – Lyckeby skola (tillbud)"
        );
        assert!(r.text.contains("2026-11-25 kl. 08:45"));
        assert!(r.text.contains("Typ: tillbud"));
        assert!(r.text.contains("Kind: near miss"));
        assert!(r.text.contains("https://t.se/ack/x"));
        assert!(r.html.contains("href=\"https://t.se/cases/1\""));
        assert!(r.text.find("-- English --") > r.text.find("Enhet"));
    }

    #[test]
    fn action_and_duty_mails_say_what_and_when_but_no_description() {
        let f = ActionFacts {
            action_title: "Laga <ledstången>".into(),
            case_title: "Halka vid entrén".into(),
            kind: IncidentKind::Accident,
            unit_name: "Lyckeby skola".into(),
            due_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 10).unwrap(),
            state: crate::domain::action::ActionState::Planned,
            owner_email: "eva.ek@example.se".into(),
        };
        let r = action_mail(ActionMail::Assigned, &f, "https://t.se/cases/1");
        assert_eq!(
            r.subject,
            "[tillbud] Ny åtgärd: Laga <ledstången> (senast 2026-12-10)"
        );
        assert!(r.text.contains("Klar senast: 2026-12-10") && r.text.contains("Due: 2026-12-10"));
        assert!(r.text.contains("Öppna ärendet: https://t.se/cases/1"));
        assert!(r.html.contains("Laga &lt;ledstången&gt;") && !r.html.contains("<ledstången>"));
        assert!(
            !r.text.contains("eva.ek@example.se"),
            "the owner is named only in escalations"
        );
        let e = action_mail(ActionMail::Escalation, &f, "https://t.se/cases/1");
        assert!(e.text.contains("Ansvarig: eva.ek@example.se"));

        let d = duty_mail(
            DutyMail::Escalation,
            crate::domain::legal_duty::Authority::Arbetsmiljoverket,
            &facts(),
            Utc.with_ymd_and_hms(2026, 11, 26, 7, 45, 0).unwrap(),
            "https://t.se/cases/1",
            "chef för Grundskola",
        );
        assert!(d.subject.starts_with(
            "[tillbud] Eskalering: anmälan inte gjord: Anmälan till Arbetsmiljöverket"
        ));
        assert!(d.text.contains("Senast: 2026-11-26 kl. 08:45"));
        assert!(d.text.contains("Skäl: chef för Grundskola"));
    }

    #[test]
    fn moved_case_mail_names_the_unit_and_links_the_case() {
        let links = Links {
            case: "https://t.se/cases/1",
            ack: None,
        };
        let r = render(Purpose::Moved, &facts(), &links, "chef för Lyckeby skola");
        assert!(r
            .subject
            .starts_with("[tillbud] Ärende flyttat till din enhet: Halka vid entrén"));
        assert!(r
            .text
            .contains("A case has been moved to a unit you are responsible for."));
        assert!(r.text.contains("https://t.se/cases/1"));
        assert!(!r.text.contains("Isfläcken"));
    }

    #[test]
    fn html_is_escaped() {
        let mut f = facts();
        f.title = "<script>alert(1)</script>".into();
        let r = render(
            Purpose::Copy,
            &f,
            &Links {
                case: "x",
                ack: None,
            },
            "",
        );
        assert!(!r.html.contains("<script>"));
        assert!(r.html.contains("&lt;script&gt;"));
    }
}
