use crate::i18n::{Lang, Msg};

string_enum! {
    /// What kind of event a report is about (see the glossary in the README).
    pub enum IncidentKind {
        /// Olycka: someone was hurt or something was damaged.
        Accident => "accident",
        /// Tillbud: it could have become an accident.
        NearMiss => "near_miss",
        /// Riskobservation: something that could cause harm.
        RiskObservation => "risk_observation",
        /// Hot och våld.
        ThreatViolence => "threat_violence",
        /// Arbetssjukdom.
        WorkIllness => "work_illness",
        /// Färdolycksfall: on the way to or from work.
        CommutingAccident => "commuting_accident",
        /// Egendomsskada.
        PropertyDamage => "property_damage",
        /// Miljöhändelse.
        Environmental => "environmental",
        /// Extraordinär händelse.
        ExtraordinaryEvent => "extraordinary_event",
        /// Säkerhet / informationssäkerhet.
        Security => "security",
    }
}

impl IncidentKind {
    /// The plain-language name shown to people.
    pub fn label(self, lang: Lang) -> &'static str {
        use IncidentKind::*;
        match self {
            Accident => lang.t(Msg::KindAccident),
            NearMiss => lang.t(Msg::KindNearMiss),
            RiskObservation => lang.t(Msg::KindRiskObservation),
            ThreatViolence => lang.t(Msg::KindThreatOrViolence),
            WorkIllness => lang.t(Msg::KindWorkRelatedIllness),
            CommutingAccident => lang.t(Msg::KindCommutingAccident),
            PropertyDamage => lang.t(Msg::KindPropertyDamage),
            Environmental => lang.t(Msg::KindEnvironmentalEvent),
            ExtraordinaryEvent => lang.t(Msg::KindExtraordinaryEvent),
            Security => lang.t(Msg::KindSecurity),
        }
    }
}
