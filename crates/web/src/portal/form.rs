//! A posted form as name → values, in the order sent.

use std::collections::BTreeMap;

/// The fields of a posted form. Checkboxes send one pair per box ticked, so a name may
/// have several values.
#[derive(Clone, Debug, Default)]
pub(crate) struct FormData {
    pairs: Vec<(String, String)>,
}

impl FormData {
    /// The form from its pairs.
    pub(crate) fn new(pairs: Vec<(String, String)>) -> FormData {
        FormData { pairs }
    }

    /// Adds a pair.
    pub(crate) fn push(&mut self, name: String, value: String) {
        self.pairs.push((name, value));
    }

    /// The first value of `name`, or "".
    pub(crate) fn get(&self, name: &str) -> &str {
        self.pairs
            .iter()
            .find(|(key, _)| key == name)
            .map_or("", |(_, value)| value.as_str())
    }

    /// The first value of `name`, trimmed.
    pub(crate) fn trimmed(&self, name: &str) -> &str {
        self.get(name).trim()
    }

    /// Every value of `name`.
    pub(crate) fn all(&self, name: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .collect()
    }

    /// The values of `names`, as a draft stores them (empty values left out).
    pub(crate) fn answers(&self, names: &[&str]) -> BTreeMap<String, Vec<String>> {
        names
            .iter()
            .map(|name| {
                let values: Vec<String> = self
                    .all(name)
                    .into_iter()
                    .filter(|value| !value.trim().is_empty())
                    .collect();
                ((*name).to_owned(), values)
            })
            .filter(|(_, values)| !values.is_empty())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_names_keep_every_value() {
        let form = FormData::new(vec![
            ("confirm".into(), "age".into()),
            ("confirm".into(), "clip".into()),
            ("summary".into(), "  x ".into()),
            ("empty".into(), " ".into()),
        ]);
        assert_eq!(form.all("confirm"), ["age", "clip"]);
        assert_eq!(form.trimmed("summary"), "x");
        assert_eq!(form.get("missing"), "");
        let answers = form.answers(&["confirm", "empty"]);
        assert_eq!(answers.len(), 1);
    }
}
