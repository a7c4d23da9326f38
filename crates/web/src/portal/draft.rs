//! A report being written: the answers as typed, the files uploaded, and once made, its
//! reference.

use std::collections::{BTreeMap, BTreeSet};

use bluelamp_domain::report::ReportReference;
use bluelamp_evidence::{BlobKey, EvidenceMetadata, MediaType};

use super::journey::{Journey, Step};
use super::session::random_hex;

/// The most files one report can carry.
pub(crate) const MAX_FILES: usize = 20;

/// A file received into the blob store for a draft.
#[derive(Clone, Debug)]
pub(crate) struct UploadedFile {
    /// Where the bytes are.
    pub(crate) key: BlobKey,
    /// The sanitised name it was sent with.
    pub(crate) name: String,
    /// Its type, from its content.
    pub(crate) media_type: MediaType,
    /// Its size in bytes.
    pub(crate) size: u64,
    /// SHA-256, lowercase hex.
    pub(crate) sha256: String,
    /// What it says about itself (for investigators; never shown).
    pub(crate) metadata: EvidenceMetadata,
}

/// An error the application found on submission, to show on the step it belongs to.
#[derive(Clone, Debug)]
pub(crate) struct PendingError {
    /// The step to show it on.
    pub(crate) step: Step,
    /// The field it is about.
    pub(crate) field: String,
    /// What to tell the person.
    pub(crate) message: String,
}

/// What the submission made.
#[derive(Clone, Debug)]
pub(crate) struct Submitted {
    /// The reference to quote.
    pub(crate) reference: ReportReference,
    /// Whether the report can be followed online (an e-mail address was given).
    pub(crate) trackable: bool,
}

/// One report being written.
#[derive(Clone, Debug)]
pub(crate) struct Draft {
    /// Which journey.
    pub(crate) journey: Journey,
    /// 32 random hex digits: a repeated submission of this draft makes no second report.
    pub(crate) idempotency_key: String,
    /// The answers as typed, by field name (checkboxes may have several values).
    answers: BTreeMap<String, Vec<String>>,
    /// Steps answered.
    completed: BTreeSet<Step>,
    /// Files uploaded.
    pub(crate) files: Vec<UploadedFile>,
    /// An error from the application to show once.
    pub(crate) pending: Option<PendingError>,
    /// Set once the report is made.
    pub(crate) submitted: Option<Submitted>,
}

impl Draft {
    /// A new, empty draft.
    pub(crate) fn new(journey: Journey) -> Draft {
        Draft {
            journey,
            idempotency_key: random_hex(16),
            answers: BTreeMap::new(),
            completed: BTreeSet::new(),
            files: Vec::new(),
            pending: None,
            submitted: None,
        }
    }

    /// The first value given for `field`, or "".
    pub(crate) fn value(&self, field: &str) -> &str {
        self.answers
            .get(field)
            .and_then(|values| values.first())
            .map_or("", String::as_str)
    }

    /// Every value given for `field`.
    pub(crate) fn values(&self, field: &str) -> &[String] {
        self.answers.get(field).map_or(&[], Vec::as_slice)
    }

    /// Replaces the answers of `step` with `answers` and marks it answered.
    pub(crate) fn save(&mut self, step: Step, answers: BTreeMap<String, Vec<String>>) {
        for field in step.fields() {
            self.answers.remove(*field);
        }
        for (field, values) in answers {
            if step.fields().contains(&field.as_str()) {
                self.answers.insert(field, values);
            }
        }
        self.completed.insert(step);
    }

    /// Marks `step` answered without changing any answer.
    pub(crate) fn complete(&mut self, step: Step) {
        self.completed.insert(step);
    }

    /// Whether `step` has been answered.
    pub(crate) fn is_complete(&self, step: Step) -> bool {
        self.completed.contains(&step)
    }

    /// Whether the informant chose to stay anonymous.
    pub(crate) fn anonymous(&self) -> bool {
        self.journey == Journey::Information && self.value("anonymous") == "yes"
    }

    /// The steps this draft goes through (the informant's details are skipped when they
    /// stay anonymous).
    pub(crate) fn active_steps(&self) -> Vec<Step> {
        self.journey
            .steps()
            .iter()
            .copied()
            .filter(|step| !(*step == Step::You && self.anonymous()))
            .collect()
    }

    /// The first step not answered yet.
    pub(crate) fn first_incomplete(&self) -> Option<Step> {
        self.active_steps()
            .into_iter()
            .find(|step| !self.is_complete(*step))
    }

    /// The step after `step`, if any.
    pub(crate) fn next_after(&self, step: Step) -> Option<Step> {
        let steps = self.active_steps();
        steps
            .iter()
            .position(|candidate| *candidate == step)
            .and_then(|index| steps.get(index.saturating_add(1)))
            .copied()
    }

    /// The step before `step`, if any.
    pub(crate) fn previous_before(&self, step: Step) -> Option<Step> {
        let steps = self.active_steps();
        steps
            .iter()
            .position(|candidate| *candidate == step)
            .and_then(|index| index.checked_sub(1))
            .and_then(|index| steps.get(index))
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_information_skips_the_informant() {
        let mut draft = Draft::new(Journey::Information);
        assert!(draft.active_steps().contains(&Step::You));
        draft.save(
            Step::Anonymous,
            BTreeMap::from([("anonymous".to_owned(), vec!["yes".to_owned()])]),
        );
        assert!(!draft.active_steps().contains(&Step::You));
        assert_eq!(draft.next_after(Step::Evidence), None);
        assert_eq!(draft.first_incomplete(), Some(Step::What));
    }

    #[test]
    fn saving_keeps_only_the_steps_own_fields() {
        let mut draft = Draft::new(Journey::Crime);
        draft.save(
            Step::What,
            BTreeMap::from([
                ("summary".to_owned(), vec!["x".to_owned()]),
                ("full_name".to_owned(), vec!["y".to_owned()]),
            ]),
        );
        assert_eq!(draft.value("summary"), "x");
        assert_eq!(draft.value("full_name"), "");
        assert_eq!(draft.idempotency_key.len(), 32);
    }
}
