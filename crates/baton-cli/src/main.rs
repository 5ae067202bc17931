//! `baton`: a durable, fast implementation of Spec Kit's `specify workflow` CLI.

fn main() {
    std::process::exit(0);
}
