//! The four report journeys and their steps, in the order of `docs/portal.md`.

use bluelamp_domain::report::ReportKind;

/// One online journey (`/report/{journey}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Journey {
    /// Report a crime.
    Crime,
    /// Report anti-social behaviour.
    AntiSocialBehaviour,
    /// Send footage of a driving offence (Operation Snap).
    RoadTraffic,
    /// Give information about crime, anonymously or named.
    Information,
}

/// A question page of a journey (`/report/{journey}/{step}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Step {
    /// Operation Snap's rules, confirmed.
    Rules,
    /// Whether the informant stays anonymous.
    Anonymous,
    /// The type of report.
    Type,
    /// When it happened.
    When,
    /// Where it happened.
    Where,
    /// What happened.
    What,
    /// The vehicle reported.
    Vehicle,
    /// Who did it.
    Suspect,
    /// Property stolen or damaged.
    Property,
    /// Evidence files.
    Evidence,
    /// Who the victim is.
    Victim,
    /// Witnesses.
    Witness,
    /// The person reporting.
    You,
    /// Support needs.
    Support,
    /// How to contact them.
    Contact,
    /// The Victims' Code rights.
    VictimsCode,
}

impl Journey {
    /// Every journey, in the order the start page lists them.
    pub(crate) const ALL: [Journey; 4] = [
        Journey::Crime,
        Journey::AntiSocialBehaviour,
        Journey::RoadTraffic,
        Journey::Information,
    ];

    /// The URL segment.
    pub(crate) fn slug(self) -> &'static str {
        match self {
            Journey::Crime => "crime",
            Journey::AntiSocialBehaviour => "anti-social-behaviour",
            Journey::RoadTraffic => "road-traffic",
            Journey::Information => "information",
        }
    }

    /// The journey named by a URL segment.
    pub(crate) fn from_slug(slug: &str) -> Option<Journey> {
        Journey::ALL
            .into_iter()
            .find(|journey| journey.slug() == slug)
    }

    /// The kind of report it makes.
    pub(crate) fn kind(self) -> ReportKind {
        match self {
            Journey::Crime => ReportKind::Crime,
            Journey::AntiSocialBehaviour => ReportKind::AntiSocialBehaviour,
            Journey::RoadTraffic => ReportKind::RoadTraffic,
            Journey::Information => ReportKind::Information,
        }
    }

    /// The service name shown in the header and titles.
    pub(crate) fn title(self) -> &'static str {
        match self {
            Journey::Crime => "Report a crime",
            Journey::AntiSocialBehaviour => "Report anti-social behaviour",
            Journey::RoadTraffic => "Send footage of a driving offence",
            Journey::Information => "Give information about crime",
        }
    }

    /// A line for the start page.
    pub(crate) fn description(self) -> &'static str {
        match self {
            Journey::Crime => {
                "For example theft, burglary, criminal damage, assault without serious injury, fraud or hate crime."
            }
            Journey::AntiSocialBehaviour => {
                "For example harassment, noise, rowdy behaviour, fly-tipping or misuse of vehicles."
            }
            Journey::RoadTraffic => {
                "Dashcam, helmet camera or phone footage of dangerous or careless driving (Operation Snap)."
            }
            Journey::Information => {
                "Tell us what you know about a crime, a person or a place. You can stay anonymous."
            }
        }
    }

    /// Its steps in order (before "Check your answers").
    pub(crate) fn steps(self) -> &'static [Step] {
        match self {
            Journey::Crime => &[
                Step::Type,
                Step::When,
                Step::Where,
                Step::What,
                Step::Suspect,
                Step::Property,
                Step::Evidence,
                Step::Victim,
                Step::Witness,
                Step::You,
                Step::Support,
                Step::Contact,
                Step::VictimsCode,
            ],
            Journey::AntiSocialBehaviour => &[
                Step::Type,
                Step::When,
                Step::Where,
                Step::What,
                Step::Suspect,
                Step::Evidence,
                Step::You,
                Step::Support,
                Step::Contact,
            ],
            Journey::RoadTraffic => &[
                Step::Rules,
                Step::Type,
                Step::When,
                Step::Where,
                Step::Vehicle,
                Step::What,
                Step::Evidence,
                Step::You,
            ],
            Journey::Information => &[
                Step::Anonymous,
                Step::What,
                Step::When,
                Step::Where,
                Step::Suspect,
                Step::Evidence,
                Step::You,
            ],
        }
    }

    /// The `journey` attribute of `online_report_types` entries for this journey.
    pub(crate) fn refdata_journey(self) -> &'static str {
        self.kind().as_str()
    }
}

impl Step {
    /// Every step.
    pub(crate) const ALL: [Step; 16] = [
        Step::Rules,
        Step::Anonymous,
        Step::Type,
        Step::When,
        Step::Where,
        Step::What,
        Step::Vehicle,
        Step::Suspect,
        Step::Property,
        Step::Evidence,
        Step::Victim,
        Step::Witness,
        Step::You,
        Step::Support,
        Step::Contact,
        Step::VictimsCode,
    ];

    /// The URL segment (and the name used in the contract).
    pub(crate) fn slug(self) -> &'static str {
        match self {
            Step::Rules => "rules",
            Step::Anonymous => "anonymous",
            Step::Type => "type",
            Step::When => "when",
            Step::Where => "where",
            Step::What => "what",
            Step::Vehicle => "vehicle",
            Step::Suspect => "suspect",
            Step::Property => "property",
            Step::Evidence => "evidence",
            Step::Victim => "victim",
            Step::Witness => "witness",
            Step::You => "you",
            Step::Support => "support",
            Step::Contact => "contact",
            Step::VictimsCode => "victims-code",
        }
    }

    /// The step named by a URL segment.
    pub(crate) fn from_slug(slug: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|step| step.slug() == slug)
    }

    /// The names of the form fields this step owns (dates by their base name).
    pub(crate) fn fields(self) -> &'static [&'static str] {
        match self {
            Step::Rules => &["confirm"],
            Step::Anonymous => &["anonymous"],
            Step::Type => &["report_type"],
            Step::When => &["when-day", "when-month", "when-year", "when_time"],
            Step::Where => &[
                "address_line_1",
                "address_line_2",
                "address_town",
                "address_postcode",
                "where_description",
            ],
            Step::What => &["summary"],
            Step::Vehicle => &["vrm", "vehicle_make", "vehicle_model", "vehicle_colour"],
            Step::Suspect => &["suspect_known", "suspect_name", "suspect_description"],
            Step::Property => &["property_description", "vrm", "serial_number"],
            Step::Evidence => &[],
            Step::Victim => &["victim", "victim_name", "victim_contact"],
            Step::Witness => &["witness_known", "witness_name", "witness_contact"],
            Step::You => &[
                "full_name",
                "dob-day",
                "dob-month",
                "dob-year",
                "email",
                "phone",
                "contact_address",
            ],
            Step::Support => &["support", "support_details"],
            Step::Contact => &["contact_preference", "contact_times"],
            Step::VictimsCode => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_round_trip() {
        for journey in Journey::ALL {
            assert_eq!(Journey::from_slug(journey.slug()), Some(journey));
        }
        for step in Step::ALL {
            assert_eq!(Step::from_slug(step.slug()), Some(step));
        }
        assert_eq!(Step::from_slug("check"), None);
    }

    #[test]
    fn every_journey_asks_what_happened_and_for_evidence() {
        for journey in Journey::ALL {
            assert!(journey.steps().contains(&Step::What));
            assert!(journey.steps().contains(&Step::Evidence));
        }
    }
}
