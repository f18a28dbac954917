//! Line normalisation before dispatch (spec §2.1): tabs become spaces, a
//! space is put on each side of `[ ] ( ) ,`, runs of spaces collapse to one
//! and the line is trimmed. The result splits into words on single spaces.

/// Normalises one command line as ExaBGP does before matching it.
pub fn normalise(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut pending_space = false;
    for c in line.chars() {
        match c {
            ' ' | '\t' | '\r' | '\n' => pending_space = true,
            '[' | ']' | '(' | ')' | ',' => {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push(c);
                pending_space = true;
            }
            _ => {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push(c);
            }
        }
    }
    out
}

/// The words of a normalised line.
pub fn words(normalised: &str) -> Vec<&str> {
    normalised.split(' ').filter(|w| !w.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_brackets_and_tabs() {
        assert_eq!(
            normalise("  announce\troute 1.0.0.0/8  next-hop 2.2.2.2 community [2:1]  "),
            "announce route 1.0.0.0/8 next-hop 2.2.2.2 community [ 2:1 ]"
        );
        assert_eq!(normalise("as-path [1,2]"), "as-path [ 1 , 2 ]");
        assert_eq!(normalise("a(b)c"), "a ( b ) c");
        assert_eq!(normalise("[[x]]"), "[ [ x ] ]");
        assert_eq!(normalise(""), "");
        assert_eq!(normalise(" \t "), "");
        assert_eq!(words("a [ b ]"), vec!["a", "[", "b", "]"]);
    }
}
