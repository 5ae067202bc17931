//! Properties: planning never panics, whatever the key, texts and environment; the text
//! a step sends reaches the agent whole.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use baton_steps::agents::{self, invocation_text, plan, ArgvKind, Host, Mode, Outcome, Request, Task};
use proptest::prelude::*;

/// Everything is installed, and the Docker plugin answers.
struct Everything;

impl Host for Everything {
    fn which(&self, name: &str) -> Option<String> {
        Some(format!("/bin/{name}"))
    }
    fn docker_agent_plugin(&self, _docker: &str) -> bool {
        true
    }
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(agents::INTEGRATIONS.iter().map(|i| i.key.to_owned()).collect::<Vec<_>>()),
        ".{0,12}",
    ]
}

fn env() -> impl Strategy<Value = BTreeMap<String, String>> {
    let names = prop_oneof![
        Just("EXTRA_ARGS".to_owned()),
        Just("EXECUTABLE".to_owned()),
        Just("ALLOW_ALL_TOOLS".to_owned())
    ];
    proptest::collection::btree_map(
        (key(), names)
            .prop_map(|(k, n)| format!("SPECKIT_INTEGRATION_{}_{n}", k.to_uppercase().replace('-', "_"))),
        "[ a-z'\"\\\\#$-]{0,12}",
        0..4,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn planning_never_panics(
        key in key(),
        command in ".{0,16}",
        args in ".{0,16}",
        model in proptest::option::of(".{0,6}"),
        integration_args in proptest::collection::vec(".{0,6}", 0..3),
        options in proptest::collection::vec(("[a-z]{0,6}", proptest::option::of(".{0,6}")), 0..3),
        env in env(),
        prompt in any::<bool>(),
        capture in any::<bool>(),
    ) {
        let task = if prompt {
            Task::Prompt { text: &command }
        } else {
            Task::Command { command: &command, args: &args, integration_args: &integration_args, integration_options: &options }
        };
        let request = Request {
            integration: Some(&key),
            model: model.as_deref(),
            task,
            project_root: Path::new("/nonexistent/project"),
            mode: if capture { Mode::Capture { max_bytes: None } } else { Mode::Stream },
            timeout: Duration::from_secs(1),
        };
        let _ = plan(&request, &env, &Everything);
        let _ = invocation_text(&key, &command, &args, Path::new("/nonexistent/project"));
    }

    /// For the `-p <text>` integrations the prompt is one argument, unchanged.
    #[test]
    fn a_prompt_reaches_print_agents_whole(text in ".{1,40}", pick in 0usize..100) {
        let print: Vec<_> = agents::INTEGRATIONS.iter().filter(|i| matches!(i.argv, ArgvKind::Print { .. })).collect();
        let integration = print[pick % print.len()];
        let request = Request {
            integration: Some(integration.key),
            model: None,
            task: Task::Prompt { text: &text },
            project_root: Path::new("/nonexistent/project"),
            mode: Mode::Stream,
            timeout: Duration::from_secs(1),
        };
        let planned = plan(&request, &BTreeMap::new(), &Everything).expect("no configuration to refuse");
        let Outcome::Dispatch(d) = planned.outcome else { panic!("everything is installed") };
        prop_assert_eq!(&d.argv[1..], &["-p".to_owned(), text.clone()][..]);
    }
}
