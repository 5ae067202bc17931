//! Properties: coercion never panics, and integers and booleans survive a round trip
//! through their CLI spelling.

use baton_expr::{Map, Value};
use baton_inputs::{coerce, parse_cli_input, parse_declarations, InputDecl, InputType};
use num_bigint::BigInt;
use proptest::prelude::*;

fn decl(ty: InputType, enum_values: Option<Vec<Value>>) -> InputDecl {
    InputDecl {
        name: "x".into(),
        ty,
        required: false,
        default: None,
        enum_values: enum_values.map(baton_inputs::EnumValues::List),
        description: None,
    }
}

fn numberish() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ \t+\\-]{0,2}[0-9_.eE+\\-]{0,12}[ \t]{0,2}",
        "[0-9\u{660}-\u{669}\u{ff10}-\u{ff19}_]{0,8}(\\.[0-9]{0,4})?",
        "(?i)[+-]?(inf|infinity|nan|true|false|yes|no)",
        "[0-9]{4290,4310}",
    ]
}

proptest! {
    #[test]
    fn coercion_never_panics(s in numberish()) {
        for ty in [InputType::String, InputType::Number, InputType::Boolean] {
            let d = decl(ty, Some(vec![Value::from(1), Value::from("a"), Value::Float(f64::NAN)]));
            let _ = coerce(&d, &Value::Str(s.clone()));
        }
        let _ = parse_cli_input(&s);
        let _ = baton_inputs::project_default_integration(Some(&s));
    }

    #[test]
    fn integers_round_trip_through_their_cli_string(digits in "-?[1-9][0-9]{0,80}|0") {
        let expected: BigInt = digits.parse().expect("digits");
        let d = decl(InputType::Number, None);
        prop_assert_eq!(coerce(&d, &Value::Str(digits)).ok(), Some(Value::Int(expected)));
    }

    #[test]
    fn i64_round_trip(i in any::<i64>()) {
        let d = decl(InputType::Number, None);
        let raw = format!("n={i}");
        let (_, v) = parse_cli_input(&raw).expect("has =");
        prop_assert_eq!(coerce(&d, &Value::Str(v)).ok(), Some(Value::from(i)));
    }

    #[test]
    fn booleans_round_trip_through_their_cli_string(b in any::<bool>(), style in 0..3usize) {
        let text = match (b, style) {
            (true, 0) => "true", (true, 1) => "True", (true, _) => "1",
            (false, 0) => "false", (false, 1) => "False", (false, _) => "0",
        };
        let d = decl(InputType::Boolean, None);
        prop_assert_eq!(coerce(&d, &Value::from(text)).ok(), Some(Value::Bool(b)));
    }

    #[test]
    fn finite_floats_round_trip_through_repr(f in any::<f64>().prop_filter("finite", |f| f.is_finite())) {
        let d = decl(InputType::Number, None);
        let got = coerce(&d, &Value::Str(baton_expr::py::float_repr(f))).expect("a float repr parses");
        match got {
            Value::Float(g) => prop_assert_eq!(g, f),
            Value::Int(i) => prop_assert_eq!(Some(i), num_traits::FromPrimitive::from_f64(f)),
            other => prop_assert!(false, "unexpected {:?}", other),
        }
    }

    #[test]
    fn declarations_never_panic(keys in proptest::collection::vec("[a-z]{1,3}", 0..4), n in any::<i64>()) {
        let mut def = Map::new();
        for (i, k) in keys.iter().enumerate() {
            let v = match i % 4 { 0 => Value::from(n), 1 => Value::from(k.as_str()), 2 => Value::Null, _ => Value::List(vec![]) };
            def.insert(k.clone(), v);
        }
        let mut block = Map::new();
        block.insert("x".into(), Value::Map(def));
        let block = Value::Map(block);
        let _ = baton_inputs::validate_declarations(Some(&block));
        let decls = parse_declarations(&block);
        let _ = baton_inputs::resolve(&decls, &Map::new(), None, None);
    }
}
