//! Response grades given to calls for service after a THRIVE assessment (Threat, Harm, Risk,
//! Investigation, Vulnerability, Engagement).
//!
//! Grades and their attendance targets are **force policy**: the embedded list
//! (`refdata/response_grades.csv`) holds the typical four grades, and a force replaces it
//! with its own (e.g. five grades, or urban and rural targets) through a reference-data
//! override.

use chrono::TimeDelta;

/// One response grade, as read from reference data.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResponseGrade {
    /// The code, e.g. `immediate`.
    pub code: String,
    /// Its display label, e.g. "Grade 1: Immediate".
    pub label: String,
    /// When the grade applies.
    pub description: String,
    /// The attendance target, if the grade has one (none for scheduled appointments or
    /// resolution without deployment).
    pub target: Option<TimeDelta>,
    /// Order of urgency: 1 is the most urgent.
    pub rank: u8,
}

#[cfg(test)]
mod tests {
    use crate::refdata::ReferenceData;
    use chrono::{NaiveDate, TimeDelta};

    fn on() -> NaiveDate {
        "2026-06-01".parse().unwrap()
    }

    #[test]
    fn four_typical_grades_in_rank_order() {
        let data = ReferenceData::embedded().unwrap();
        let grades = data.response_grades(on());
        let codes: Vec<_> = grades.iter().map(|g| g.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "immediate",
                "priority",
                "scheduled",
                "resolution-without-deployment"
            ]
        );
        let ranks: Vec<_> = grades.iter().map(|g| g.rank).collect();
        assert_eq!(ranks, [1, 2, 3, 4]);
        assert_eq!(grades.first().unwrap().target, Some(TimeDelta::minutes(15)));
        assert_eq!(
            data.response_grade("priority", on()).unwrap().target,
            Some(TimeDelta::minutes(60))
        );
        assert_eq!(data.response_grade("scheduled", on()).unwrap().target, None);
        assert!(data.response_grade("prompt", on()).is_none());
    }

    #[test]
    fn a_force_can_replace_the_grades() {
        let mut files = ReferenceData::embedded_files();
        files.insert(
            "response_grades.csv".to_owned(),
            "code,label,description,target_minutes,rank,effective_from,effective_to\n\
             immediate,Immediate,Danger to life,20,1,2026-01-01,\n\
             prompt,Prompt,Attend within the hour,60,2,2026-01-01,\n\
             routine,Routine,By appointment,,3,2026-01-01,\n"
                .to_owned(),
        );
        let data = ReferenceData::from_sources(&files).unwrap();
        assert_eq!(data.response_grades(on()).len(), 3);
        assert_eq!(
            data.response_grade("immediate", on()).unwrap().target,
            Some(TimeDelta::minutes(20))
        );
    }
}
