//! Parsing the `record` member of a create request into a [`RecordBody`], naming the field
//! at fault.
//!
//! [`RecordBody`] is tagged internally (`"kind"`), and so are objects (`"type"`). serde
//! buffers an internally tagged value before parsing its variant, which loses the path of a
//! bad field inside it: a bad postcode would only be reported at `record`. So the body is
//! parsed by the domain's own `RecordBody` deserialiser (the one authority on what is valid),
//! and only when that fails is the variant parsed again on its own, to find the path of the
//! first bad field (`record.address.postcode`).

use bluelamp_domain::event::Event;
use bluelamp_domain::location::Location;
use bluelamp_domain::object::{Property, Vehicle};
use bluelamp_domain::person::Person;
use bluelamp_domain::record::RecordBody;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::extract::classify_body_error;

/// The path of the record body in a create request.
const RECORD: &str = "record";

/// Parses `value` (the `record` member of the request) into a [`RecordBody`].
///
/// # Errors
/// 422 `invalid_field` naming the first bad field by its full path.
pub fn parse_record_body(value: Value) -> Result<RecordBody, ApiError> {
    match serde_json::from_value::<RecordBody>(value.clone()) {
        Ok(body) => Ok(body),
        Err(error) => Err(locate_error(&value, &error)),
    }
}

/// Finds where in `value` the parse failed; `error` is what the domain parser said.
fn locate_error(value: &Value, error: &serde_json::Error) -> ApiError {
    let message = error.to_string();
    let Some(object) = value.as_object() else {
        return ApiError::invalid_field(RECORD, message);
    };
    let kind_field = format!("{RECORD}.kind");
    let Some(kind) = object.get("kind").and_then(Value::as_str) else {
        return ApiError::invalid_field(kind_field, message);
    };
    let located = match kind {
        "person" => first_error_in::<Person>(object, &["kind"], RECORD),
        "location" => first_error_in::<Location>(object, &["kind"], RECORD),
        "event" => first_error_in::<Event>(object, &["kind"], RECORD),
        "object" => {
            let type_field = format!("{RECORD}.type");
            match object.get("type").and_then(Value::as_str) {
                Some("vehicle") => first_error_in::<Vehicle>(object, &["kind", "type"], RECORD),
                Some("property") => first_error_in::<Property>(object, &["kind", "type"], RECORD),
                _ => Some(ApiError::invalid_field(type_field, message.clone())),
            }
        }
        _ => Some(ApiError::invalid_field(kind_field, message.clone())),
    };
    located.unwrap_or_else(|| ApiError::invalid_field(RECORD, message))
}

/// Parses `object` without its `tags` as a `T`, returning the error with its full path, or
/// `None` when it parses (then the fault was not inside the variant).
fn first_error_in<T: DeserializeOwned>(
    object: &Map<String, Value>,
    tags: &[&str],
    prefix: &str,
) -> Option<ApiError> {
    let mut untagged = object.clone();
    for tag in tags {
        untagged.remove(*tag);
    }
    serde_path_to_error::deserialize::<_, T>(Value::Object(untagged))
        .err()
        .map(|error| classify_body_error(&error, prefix))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn field_of(value: Value) -> Option<String> {
        parse_record_body(value)
            .unwrap_err()
            .field()
            .map(str::to_owned)
    }

    #[test]
    fn a_valid_person_parses() {
        let body = parse_record_body(json!({"kind": "person", "name": {"surname": "Smith"}}));
        assert!(matches!(body, Ok(RecordBody::Person(_))));
    }

    #[test]
    fn bad_fields_are_named_by_their_full_path() {
        assert_eq!(
            field_of(
                json!({"kind": "location", "address": {"lines": ["1 High St"], "postcode": "QQ1 1QQ"}})
            ),
            Some("record.address.postcode".to_owned())
        );
        assert_eq!(
            field_of(json!({"kind": "object", "type": "vehicle", "vrm": "not a vrm!!"})),
            Some("record.vrm".to_owned())
        );
        assert_eq!(
            field_of(json!({"kind": "person", "name": {"surname": "Smith"},
                "identifiers": [{"type": "pnc", "value": "2001/0012345H"}, {"type": "nhs", "value": "9434765918"}]})),
            Some("record.identifiers[1].value".to_owned())
        );
    }

    #[test]
    fn bad_tags_are_named() {
        assert_eq!(
            field_of(json!({"name": {"surname": "Smith"}})),
            Some("record.kind".to_owned())
        );
        assert_eq!(
            field_of(json!({"kind": "dragon"})),
            Some("record.kind".to_owned())
        );
        assert_eq!(
            field_of(json!({"kind": "object", "type": "spaceship"})),
            Some("record.type".to_owned())
        );
        assert_eq!(field_of(json!("person")), Some("record".to_owned()));
    }
}
