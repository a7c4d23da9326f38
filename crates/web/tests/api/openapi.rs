//! The OpenAPI document: snapshot-tested whole, and checked against real responses.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::helpers::{self, TestApp};

/// Runs `assertion` with snapshots kept in `tests/snapshots/`.
pub fn in_snapshot_dir(assertion: impl FnOnce()) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(assertion);
}

#[tokio::test]
async fn the_openapi_document_is_served_and_unchanged() {
    let app = TestApp::spawn().await;
    let response = app.anonymous().get("/api/v1/openapi.json").await;
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("application/json"));
    let document = response.json();
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(
        document,
        serde_json::to_value(bluelamp_web::openapi()).unwrap(),
        "the served document is the built one"
    );
    in_snapshot_dir(|| insta::assert_json_snapshot!("openapi", document));
}

#[tokio::test]
async fn real_responses_match_the_documented_schemas() {
    let app = TestApp::spawn().await;
    let document = serde_json::to_value(bluelamp_web::openapi()).unwrap();
    let officer = app.officer();

    let mut records = Vec::new();
    for record in [
        helpers::person(),
        helpers::vehicle(),
        helpers::property(),
        helpers::location(),
        helpers::event(),
    ] {
        let created = officer
            .create_record(&helpers::create_request(record))
            .await;
        assert_eq!(created.status, 201, "{}", created.text);
        assert_conforms(&document, "RecordSchema", &created.json());
        records.push(created.id());
    }
    let page = officer.list_records("").await.json();
    assert_conforms(&document, "RecordPage", &page);

    let link = officer
        .create_link(&json!({ "from": records[0], "to": records[4], "role": "victim" }))
        .await;
    assert_eq!(link.status, 201, "{}", link.text);
    assert_conforms(&document, "LinkSchema", &link.json());
    assert_conforms(
        &document,
        "LinkList",
        &officer.links_of(&records[0]).await.json(),
    );

    let error = officer
        .read_record("01936b2e-0000-7000-8000-000000000000")
        .await;
    assert_conforms(&document, "ErrorBody", &error.json());
    assert_conforms(
        &document,
        "Health",
        &app.anonymous().get("/healthz").await.json(),
    );
}

/// Every request example in the document is accepted by the server.
#[tokio::test]
async fn the_documented_request_schemas_accept_the_test_fixtures() {
    let document = serde_json::to_value(bluelamp_web::openapi()).unwrap();
    for record in [
        helpers::person(),
        helpers::vehicle(),
        helpers::property(),
        helpers::location(),
        helpers::event(),
    ] {
        assert_conforms(
            &document,
            "CreateRecordRequest",
            &helpers::create_request(record),
        );
    }
}

#[track_caller]
fn assert_conforms(document: &Value, schema_name: &str, value: &Value) {
    let schema = json!({ "$ref": format!("#/components/schemas/{schema_name}") });
    if let Err(error) = conforms(document, &schema, value, "$") {
        panic!("{schema_name} does not describe {value:#}:\n{error}");
    }
}

/// A small, strict checker: every value of the declared type, every required key present,
/// and every object key declared somewhere in the schema that applies to the object (its
/// `allOf` parts and the `oneOf` choice that fits, like `unevaluatedProperties: false`).
fn conforms(document: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let declared = evaluate(document, schema, value, at)?;
    if let Value::Object(object) = value
        && let Some(key) = object.keys().find(|key| !declared.contains(*key))
    {
        return Err(format!("{at}.{key} is not declared"));
    }
    Ok(())
}

/// Checks `value` against `schema` and returns the object keys the schema declares.
fn evaluate(
    document: &Value,
    schema: &Value,
    value: &Value,
    at: &str,
) -> Result<BTreeSet<String>, String> {
    let schema = resolve(document, schema);
    let mut declared = BTreeSet::new();
    if let Some(choices) = schema.get("oneOf").and_then(Value::as_array) {
        let mut failures = Vec::new();
        let mut fitted = false;
        for choice in choices {
            match evaluate(document, choice, value, at) {
                Ok(keys) => {
                    declared.extend(keys);
                    fitted = true;
                    break;
                }
                Err(failure) => failures.push(failure),
            }
        }
        if !fitted {
            return Err(format!(
                "{at}: no oneOf choice fits: [{}]",
                failures.join(" | ")
            ));
        }
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        for part in parts {
            declared.extend(evaluate(document, part, value, at)?);
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        return Err(format!("{at}: {value} is not one of {allowed:?}"));
    }
    if let Some(types) = schema.get("type") {
        let types: Vec<&str> = match types {
            Value::String(one) => vec![one.as_str()],
            Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let actual = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(number) if number.is_i64() || number.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let fits = types.contains(&actual) || (actual == "integer" && types.contains(&"number"));
        if !fits {
            return Err(format!("{at}: {value} is {actual}, not {types:?}"));
        }
    }
    match value {
        Value::Object(object) => {
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (key, member_schema) in properties {
                    declared.insert(key.clone());
                    if let Some(member) = object.get(key) {
                        conforms(document, member_schema, member, &format!("{at}.{key}"))?;
                    }
                }
            }
            for required in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if !object.contains_key(required) {
                    return Err(format!("{at}.{required} is required but missing"));
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (index, item) in items.iter().enumerate() {
                    conforms(document, item_schema, item, &format!("{at}[{index}]"))?;
                }
            }
        }
        _ => {}
    }
    Ok(declared)
}

fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("unexpected reference {reference}"));
            let target = &document["components"]["schemas"][name];
            assert!(!target.is_null(), "{name} is not defined");
            resolve(document, target)
        }
        None => schema,
    }
}

#[test]
fn the_schema_checker_is_strict() {
    let document = serde_json::to_value(bluelamp_web::openapi()).unwrap();
    let schema = json!({ "$ref": "#/components/schemas/CreateRecordRequest" });
    let check = |request: &Value| conforms(&document, &schema, request, "$");

    assert_eq!(check(&helpers::create_request(helpers::vehicle())), Ok(()));
    let mut undeclared = helpers::create_request(helpers::vehicle());
    undeclared["record"]["wheels"] = json!(4);
    assert_eq!(
        check(&undeclared),
        Err("$.record.wheels is not declared".to_owned())
    );
    let mut unknown_kind = helpers::create_request(helpers::person());
    unknown_kind["record"]["kind"] = json!("dragon");
    assert!(check(&unknown_kind).is_err());
    let mut missing = helpers::create_request(helpers::person());
    missing.as_object_mut().unwrap().remove("marking");
    assert_eq!(
        check(&missing),
        Err("$.marking is required but missing".to_owned())
    );
    let mut extra = helpers::create_request(helpers::person());
    extra["colour"] = json!("blue");
    assert_eq!(check(&extra), Err("$.colour is not declared".to_owned()));
}
