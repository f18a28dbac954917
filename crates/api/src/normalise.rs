//! Line normalisation before dispatch (spec §2.1): tabs become spaces, a
//! space is put on each side of `[ ] ( ) ,`, runs of spaces collapse to one
//! and the line is trimmed. The result splits into words on single spaces.

/// Normalises one command line as ExaBGP does before matching it. Every
/// character it looks at is ASCII, so runs of other bytes are copied
/// whole (a line of a thousand prefixes is mostly such runs).
pub fn normalise(line: &str) -> String {
    let blank = |b: u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let split = |b: u8| matches!(b, b'[' | b']' | b'(' | b')' | b',');
    let bytes = line.as_bytes();
    let mut out = String::with_capacity(line.len() + 8);
    let mut pending_space = false;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if blank(b) {
            pending_space = true;
            i += 1;
        } else if split(b) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push(char::from(b));
            pending_space = true;
            i += 1;
        } else {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            let start = i;
            while bytes.get(i).is_some_and(|&b| !blank(b) && !split(b)) {
                i += 1;
            }
            // both ends are at an ASCII byte or an end of the line
            out.push_str(&line[start..i]);
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
        assert_eq!(normalise("é[ü]\tñ,x "), "é [ ü ] ñ , x");
    }
}
