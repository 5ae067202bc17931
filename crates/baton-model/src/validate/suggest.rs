//! "Did you mean" suggestions for misspelt names.

/// The candidate closest to `word`, when one is close enough to be a likely typo.
pub(crate) fn nearest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = word.to_lowercase();
    let mut best: Option<(usize, f64, &'a str)> = None;
    for cand in candidates {
        if cand == word {
            continue;
        }
        let distance = strsim::damerau_levenshtein(&lower, &cand.to_lowercase());
        let similarity = strsim::jaro_winkler(&lower, &cand.to_lowercase());
        let allowed = (cand.chars().count() / 3).max(1);
        let close = distance <= allowed || (similarity >= 0.88 && distance <= allowed + 2);
        if !close {
            continue;
        }
        let better = match best {
            None => true,
            Some((d, s, _)) => distance < d || (distance == d && similarity > s),
        };
        if better {
            best = Some((distance, similarity, cand));
        }
    }
    best.map(|(_, _, cand)| cand)
}

/// `did you mean `x`?` for the nearest candidate, if any.
pub(crate) fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    nearest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_are_found() {
        let fields = ["run", "timeout", "output_format", "continue_on_error"];
        assert_eq!(nearest("tiemout", fields), Some("timeout"));
        assert_eq!(nearest("timout", fields), Some("timeout"));
        assert_eq!(nearest("output-format", fields), Some("output_format"));
        assert_eq!(nearest("continue_on_eror", fields), Some("continue_on_error"));
        assert_eq!(nearest("runn", fields), Some("run"));
        assert_eq!(nearest("banana", fields), None);
        assert_eq!(nearest("x", fields), None);
        assert_eq!(nearest("shel", ["shell", "slot", "switch"]), Some("shell"));
        assert_eq!(nearest("dowhile", ["do-while", "while"]), Some("do-while"));
        assert_eq!(nearest("fanout", ["fan-out", "fan-in"]), Some("fan-out"));
    }
}
