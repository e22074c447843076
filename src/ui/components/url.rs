//! Building URLs in the browser and on the server alike.

/// Percent-encodes text for a query value or a `data:` URL (letters, digits and `-_.~` pass
/// unchanged; every other byte of its UTF-8 becomes `%XX`).
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::percent_encode;

    #[test]
    fn reserved_and_non_ascii_bytes_are_escaped() {
        assert_eq!(percent_encode("Acme & Co~1"), "Acme%20%26%20Co~1");
        assert_eq!(percent_encode("Zürich"), "Z%C3%BCrich");
    }
}
