//! The mails, compiled into the binary: Swedish first, English below, plain text and HTML.
//!
//! They say what happened and where, never the free-text description or anything about
//! health (e-mail is a weak channel for sensitive data); the link leads to the rest.

use chrono::{DateTime, Utc};

use crate::domain::calendar::format_swedish;
use crate::domain::{Consequence, IncidentKind};
use crate::i18n::Lang;

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
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Notify => "notify",
            Purpose::Copy => "copy",
            Purpose::Receipt => "receipt",
            Purpose::Reminder => "reminder",
            Purpose::Escalation => "escalation",
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
        Consequence::Person => lang.pick("person", "person"),
        Consequence::Environment => lang.pick("miljö", "environment"),
        Consequence::Cultural => lang.pick("kulturvärden", "cultural values"),
        Consequence::Economic => lang.pick("ekonomiska värden", "economic values"),
        Consequence::Service => lang.pick("kommunal service", "municipal service"),
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
    let what = match purpose {
        Purpose::Notify if f.serious => "Allvarlig händelse",
        Purpose::Notify => "Ny händelse",
        Purpose::Copy if f.serious => "Allvarlig händelse (för kännedom)",
        Purpose::Copy => "För kännedom",
        Purpose::Receipt => "Din rapport är mottagen",
        Purpose::Reminder => "Påminnelse",
        Purpose::Escalation => "Eskalering",
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
    };
    let intro = if reason.is_empty() || purpose == Purpose::Receipt {
        intro
    } else {
        let label = lang.pick("Skäl", "Reason");
        format!("{intro}\n{label}: {reason}")
    };
    let action = match purpose {
        Purpose::Receipt => lang.pick("Följ ärendet", "Follow the case"),
        _ => lang.pick("Öppna ärendet", "Open the case"),
    };
    Texts { intro, action }
}

fn facts_lines(f: &Facts, lang: Lang) -> Vec<(&'static str, String)> {
    let consequences = if f.consequences.is_empty() {
        lang.pick("inga angivna", "none given").to_owned()
    } else {
        f.consequences
            .iter()
            .map(|c| consequence_label(*c, lang))
            .collect::<Vec<_>>()
            .join(", ")
    };
    vec![
        (lang.pick("Typ", "Kind"), f.kind.label(lang).to_owned()),
        (lang.pick("Rubrik", "Title"), f.title.clone()),
        (lang.pick("Enhet", "Unit"), f.unit_name.clone()),
        (
            lang.pick("Inträffade", "Occurred"),
            match lang {
                Lang::Sv => format_swedish(f.occurred_at),
                Lang::En => format!(
                    "{} (Swedish time)",
                    format_swedish(f.occurred_at).replace(" kl.", "")
                ),
            },
        ),
        (lang.pick("Konsekvenser", "Consequences"), consequences),
        (
            lang.pick("Allvarlighet", "Seriousness"),
            if f.serious {
                lang.pick("allvarlig", "serious")
            } else {
                lang.pick("normal", "normal")
            }
            .to_owned(),
        ),
    ]
}

const ACK_SV: &str = "Jag har tagit emot ärendet";
const ACK_EN: &str = "I have received this case";

fn text_part(purpose: Purpose, f: &Facts, links: &Links<'_>, reason: &str, lang: Lang) -> String {
    let t = texts(purpose, lang, reason);
    let mut out = format!("{}\n\n", t.intro);
    for (label, value) in facts_lines(f, lang) {
        out.push_str(&format!("{label}: {value}\n"));
    }
    out.push_str(&format!("\n{}: {}\n", t.action, links.case));
    if let Some(ack) = links.ack {
        out.push_str(&format!("{}: {ack}\n", lang.pick(ACK_SV, ACK_EN)));
    }
    out.push_str(lang.pick(
        "\nBeskrivningen och andra uppgifter finns bara i tillbud, inte i e-post.\n",
        "\nThe description and other details are only in tillbud, not in e-mail.\n",
    ));
    out
}

fn html_part(purpose: Purpose, f: &Facts, links: &Links<'_>, reason: &str, lang: Lang) -> String {
    let t = texts(purpose, lang, reason);
    let mut out = String::new();
    for line in t.intro.lines() {
        out.push_str(&format!("<p>{}</p>\n", escape_html(line)));
    }
    out.push_str("<table>\n");
    for (label, value) in facts_lines(f, lang) {
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
            escape_html(lang.pick(ACK_SV, ACK_EN))
        ));
    }
    out.push_str(&format!(
        "<p><small>{}</small></p>\n",
        escape_html(lang.pick(
            "Beskrivningen och andra uppgifter finns bara i tillbud, inte i e-post.",
            "The description and other details are only in tillbud, not in e-mail.",
        ))
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
