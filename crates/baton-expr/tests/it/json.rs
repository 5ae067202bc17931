//! The `json` module beyond the tables: options and serde_json conversions.

use baton_expr::json::{self, DumpOptions, JsonError};
use baton_expr::Value;

fn dumps(text: &str, opts: DumpOptions) -> String {
    json::dumps(&json::loads(text).unwrap(), &opts).unwrap()
}

#[test]
fn indent_two_like_python() {
    let opts = DumpOptions { indent: Some(2), ..DumpOptions::default() };
    assert_eq!(
        dumps(r#"{"a": [1, {"b": null}], "c": {}, "d": []}"#, opts),
        "{\n  \"a\": [\n    1,\n    {\n      \"b\": null\n    }\n  ],\n  \"c\": {},\n  \"d\": []\n}"
    );
}

#[test]
fn non_finite_floats() {
    let v = json::loads("[NaN, Infinity, -Infinity]").unwrap();
    assert_eq!(json::dumps(&v, &DumpOptions::default()).unwrap(), "[NaN, Infinity, -Infinity]");
    let strict = DumpOptions { allow_nan: false, ..DumpOptions::default() };
    assert_eq!(json::dumps(&v, &strict), Err(JsonError::OutOfRangeFloat));
}

#[test]
fn serde_json_conversions() {
    let v = json::loads(r#"{"a": [1, 2.5, "x", null, true], "b": 18446744073709551615}"#).unwrap();
    let s = serde_json::Value::try_from(&v).unwrap();
    assert_eq!(s.to_string(), r#"{"a":[1,2.5,"x",null,true],"b":18446744073709551615}"#);
    assert_eq!(Value::from(s), v);
    let big = json::loads("123456789012345678901234567890").unwrap();
    assert!(serde_json::Value::try_from(&big).is_err());
    assert!(serde_json::Value::try_from(&Value::Float(f64::NAN)).is_err());
}

#[test]
fn lone_surrogates_become_replacement_characters() {
    // Python keeps the lone surrogate; a Rust string cannot (a documented divergence).
    assert_eq!(json::loads(r#""a\ud800b""#).unwrap(), Value::from("a\u{fffd}b"));
    assert_eq!(json::loads(r#""\ud83d\ude00""#).unwrap(), Value::from("😀"));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = "[".repeat(100_000);
    assert_eq!(json::loads(&deep), Err(JsonError::TooDeep));
}

#[test]
fn serde_round_trip_through_serde_json() {
    let v = json::loads(r#"{"a": [1, 2.5, "x", null, true], "big": 123456789012345678901234567890}"#).unwrap();
    let text = serde_json::to_string(&v).unwrap();
    assert_eq!(text, r#"{"a":[1,2.5,"x",null,true],"big":123456789012345678901234567890}"#);
    let small: Value = serde_json::from_str(r#"{"a": [1, -2, 2.5, "x", null, true, {"k": {}}]}"#).unwrap();
    assert_eq!(small, json::loads(r#"{"a": [1, -2, 2.5, "x", null, true, {"k": {}}]}"#).unwrap());
    let huge = Value::Int(num_bigint::BigInt::from(10u8).pow(40));
    assert!(serde_json::to_string(&huge).is_err());
}
