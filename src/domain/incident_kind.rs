use crate::i18n::Lang;

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
            Accident => lang.pick("olycka", "accident"),
            NearMiss => lang.pick("tillbud", "near miss"),
            RiskObservation => lang.pick("riskobservation", "risk observation"),
            ThreatViolence => lang.pick("hot och våld", "threat or violence"),
            WorkIllness => lang.pick("arbetssjukdom", "work-related illness"),
            CommutingAccident => lang.pick("färdolycksfall", "commuting accident"),
            PropertyDamage => lang.pick("egendomsskada", "property damage"),
            Environmental => lang.pick("miljöhändelse", "environmental event"),
            ExtraordinaryEvent => lang.pick("extraordinär händelse", "extraordinary event"),
            Security => lang.pick("säkerhet", "security"),
        }
    }
}
