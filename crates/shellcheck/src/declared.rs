//! Which declared variables a script needs to see.
//!
//! Every name declared to ShellCheck is tracked through its data-flow analysis, which
//! doubles its time on scripts of Dockerfiles with many `ARG`s and `ENV`s. A declared name
//! changes what ShellCheck says only when the script mentions it, or when it is the
//! suggestion for a misspelt name: ShellCheck proposes an assigned name whose edit distance
//! to an unassigned one, ignoring case, is at most 2 (SC2153, SC2154's tip). So a name is
//! kept when some word of the script is within that distance of it; the others are left out
//! without changing a single finding.

/// The names of `declared` that can change ShellCheck's findings on `script`, in their
/// order. Keeps them all when the script uses indirect expansion (`${!name}`), where the
/// name expanded is not in the text.
pub(crate) fn relevant<'a>(script: &str, declared: &'a [String]) -> Vec<&'a str> {
    if declared.is_empty() {
        return Vec::new();
    }
    // A backslash-newline vanishes before the shell reads a name: `$FO\<newline>O` is $FOO.
    let joined = script.replace("\\\r\n", "").replace("\\\n", "");
    if joined.contains("${!") {
        return declared.iter().map(String::as_str).collect();
    }
    let mut words: Vec<String> = joined
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    words.sort_unstable();
    words.dedup();
    declared
        .iter()
        .map(String::as_str)
        .filter(|name| {
            let name = name.to_ascii_lowercase();
            words.iter().any(|word| within_two_edits(word, &name))
        })
        .collect()
}

/// Whether the Levenshtein distance between `a` and `b` is at most 2.
fn within_two_edits(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len().abs_diff(b.len()) > 2 {
        return false;
    }
    if a == b {
        return true;
    }
    // One row of the edit-distance table at a time.
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        if current.iter().min().is_some_and(|&m| m > 2) {
            return false;
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous.last().is_some_and(|&d| d <= 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn keeps_names_the_script_mentions_or_nearly_mentions() {
        let declared = names(&["VERSION", "PG_MAJOR", "HTTP_PROXY", "LANG", "no_proxy"]);
        assert_eq!(
            relevant("curl -o x https://e/$VERSION/${PG_MAJR}", &declared),
            vec!["VERSION", "PG_MAJOR"]
        );
        // Case does not matter for the misspelling suggestion.
        assert_eq!(relevant("echo $lang", &declared), vec!["LANG"]);
        assert_eq!(relevant("apt-get update", &declared), Vec::<&str>::new());
        // Joined across a backslash-newline.
        assert_eq!(
            relevant("echo $HTTP_\\\nPROXY", &declared),
            vec!["HTTP_PROXY"]
        );
        // Indirect expansion can name anything.
        assert_eq!(relevant("echo ${!p}", &declared).len(), 5);
    }

    #[test]
    fn edit_distance_of_two() {
        assert!(within_two_edits("abcd", "abcd"));
        assert!(within_two_edits("abcd", "abd"));
        assert!(within_two_edits("abcd", "bacd"));
        assert!(!within_two_edits("abcd", "badc"));
        assert!(within_two_edits("version", "versoin"));
        assert!(!within_two_edits("abcd", "dcba"));
        assert!(!within_two_edits("a", "abcd"));
        assert!(within_two_edits("", "ab"));
        assert!(!within_two_edits("", "abc"));
    }
}
